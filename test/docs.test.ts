import { execFileSync } from 'child_process';
import * as path from 'path';

test('the API reference builds without a warning (npm run docs)', () => {
  const root = path.resolve(__dirname, '..');
  // With --treatWarningsAsErrors any warning exits non-zero, which execFileSync throws with typedoc's output.
  const out = execFileSync(path.join(root, 'node_modules/.bin/typedoc'), [
    '--entryPoints', 'src/index.ts', '--tsconfig', 'tsconfig.json', '--excludeInternal', '--disableSources',
    '--readme', 'none', '--emit', 'none', '--treatWarningsAsErrors',
  ], { cwd: root, encoding: 'utf8' });
  expect(out).not.toMatch(/warning|error/i);
});

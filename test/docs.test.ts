import { execFileSync } from 'child_process';
import * as fs from 'fs';
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

test('every relative link in README.md and docs/ names a file of the repository', () => {
  const root = path.resolve(__dirname, '..');
  const pages = ['README.md', ...fs.readdirSync(path.join(root, 'docs')).filter(f => f.endsWith('.md')).map(f => path.join('docs', f))];
  const links = pages.flatMap(page => [...fs.readFileSync(path.join(root, page), 'utf8').matchAll(/\]\(([^)\s]+)\)/g)]
    .map(m => m[1].split('#')[0])
    .filter(target => target && !/^[a-z]+:/.test(target))
    .map(target => ({ page, target })));
  // The README links to the performance page at least: the test must see the links it checks.
  expect(links).toContainEqual({ page: 'README.md', target: 'docs/performance.md' });
  expect(links.filter(({ page, target }) => !fs.existsSync(path.join(root, path.dirname(page), target)))).toEqual([]);
});

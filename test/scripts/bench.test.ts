import { execFileSync } from 'child_process';
import * as path from 'path';

test('npm run bench runs and reports every figure', () => {
  const root = path.resolve(__dirname, '..', '..');
  const out = execFileSync(path.join(root, 'node_modules/.bin/ts-node'), ['--transpile-only', 'scripts/bench.ts', '3', '20'], { cwd: root, encoding: 'utf8' });
  expect(out).toMatch(/mesh: 3 clusters x 20 services/);
  // 20 services x (2 consumers + 1 server) ServiceEntries, 3 x (namespaces, gateway, rule, mTLS, overlay) + kustomizations
  expect(out).toMatch(/objects: +\d{3}\n/);
  for (const figure of ['declare', 'resolve \\+ render', 'serialize \\+ write', 'total']) {
    expect(out).toMatch(new RegExp(`${figure}: +\\d+\\.\\d\\d s`));
  }
  expect(out).toMatch(/peak RSS: +\d+ MB/);
  expect(out).toMatch(/serialization: .* ratio \d+\.\d\d/);
});

test('npm run bench:pki runs and reports fresh and re-synth times', () => {
  const root = path.resolve(__dirname, '..', '..');
  const out = execFileSync(path.join(root, 'node_modules/.bin/ts-node'), ['--transpile-only', 'scripts/bench-pki.ts', '2', '2048'], { cwd: root, encoding: 'utf8' });
  expect(out).toMatch(/pki: 2 clusters, RSA 2048\nfresh synth \(root \+ 2 intermediates\): \d+\.\d\d s\nre-synth \(keys reused\): +\d+\.\d\d s\n/);
});

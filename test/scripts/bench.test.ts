import { execFileSync } from 'child_process';
import * as path from 'path';

test('npm run bench runs and reports every figure, for both shapes', () => {
  const root = path.resolve(__dirname, '..', '..');
  const out = execFileSync(path.join(root, 'node_modules/.bin/ts-node'), ['--transpile-only', 'scripts/bench.ts', '6', '30', '--rounds=1'], { cwd: root, encoding: 'utf8' });
  expect(out).toMatch(/^mesh: 6 clusters x 30 services, 1 rounds, each mode a cold process/);
  for (const shape of ['all-to-all', 'realistic']) {
    const section = out.split(`shape ${shape}: `)[1].split('\nshape ')[0];
    expect(section).toMatch(/^\d+ objects\n/);
    expect(Number(section.match(/^(\d+) objects/)![1])).toBeGreaterThan(50);
    for (const mode of ['synth', 'js-yaml floor', 'JSON floor']) {
      expect(section).toMatch(new RegExp(`${mode} +cpu \\d+\\.\\d\\d/\\d+\\.\\d\\d/\\d+\\.\\d\\d s +wall \\d+\\.\\d\\d/`));
    }
    expect(section).toMatch(/ratio to js-yaml floor: cpu \d+\.\d\dx, wall \d+\.\d\dx/);
    expect(section).toMatch(/ratio to JSON floor: +cpu \d+\.\d\dx/);
    expect(section).toMatch(/synth peak RSS: \d+ MB above the loaded process/);
  }
});

test('npm run bench:pki runs and reports fresh and re-synth times', () => {
  const root = path.resolve(__dirname, '..', '..');
  const out = execFileSync(path.join(root, 'node_modules/.bin/ts-node'), ['--transpile-only', 'scripts/bench-pki.ts', '2', '2048'], { cwd: root, encoding: 'utf8' });
  expect(out).toMatch(/pki: 2 clusters, RSA 2048\nfresh synth \(root \+ 2 intermediates\): \d+\.\d\d s\nfloor \(3 keys generated concurrently\): \d+\.\d\d s, ratio \d+\.\d\d\nre-synth \(keys reused\): +\d+\.\d\d s\n/);
});

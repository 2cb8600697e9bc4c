import { execFileSync } from 'child_process';
import * as path from 'path';

test('npm run bench runs and reports every figure and the budgets, for every shape', () => {
  const root = path.resolve(__dirname, '..', '..');
  const out = execFileSync(path.join(root, 'node_modules/.bin/ts-node'), ['--transpile-only', 'scripts/bench.ts', '6', '30', '--rounds=1'], { cwd: root, encoding: 'utf8' });
  expect(out).toMatch(/^mesh: 6 clusters x 30 services, 1 rounds, each mode a cold process \(min\/median\/max\), Node v\d+\.\d+\.\d+\n/);
  const budgets: Record<string, number[]> = {};
  for (const shape of ['all-to-all', 'realistic', 'scoped']) {
    const section = out.split(`shape ${shape}: `)[1].split('\nshape ')[0];
    expect(section).toMatch(/^\d+ objects\n/);
    expect(Number(section.match(/^(\d+) objects/)![1])).toBeGreaterThan(50);
    for (const mode of ['synth', 'js-yaml floor', 'JSON floor']) {
      expect(section).toMatch(new RegExp(`${mode} +cpu \\d+\\.\\d\\d/\\d+\\.\\d\\d/\\d+\\.\\d\\d s +wall \\d+\\.\\d\\d/`));
    }
    expect(section).toMatch(/ratio to js-yaml floor: cpu \d+\.\d\dx, wall \d+\.\d\dx/);
    expect(section).toMatch(/ratio to JSON floor: +cpu \d+\.\d\dx/);
    expect(section).toMatch(/fastest runs' ratio to js-yaml floor: cpu \d+\.\d\dx, wall \d+\.\d\dx/);
    // Linux tells a thread's CPU (/proc), and newer Node does everywhere.
    if (process.platform === 'linux') expect(section).toMatch(/main thread cpu: synth \d+\.\d\d s, js-yaml floor \d+\.\d\d s, ratio \d+\.\d\dx/);
    expect(section).toMatch(/synth peak RSS: \d+ MB above the loaded process/);
    const budget = section.match(/budgets: .global entries in all clusters (\d+); most hosts a sidecar sees: (\d+) unscoped, (\d+) scoped; largest gateway (\d+) SNI filter chains/);
    expect(budget).not.toBeNull();
    budgets[shape] = budget!.slice(1).map(Number);
  }
  // All-to-all: each of the 6 clusters holds all 30 entries (25 consumed, 5 served), and each gateway a
  // chain per host and port (2). Scoping declares a twentieth of the calls and prunes the rest, and its
  // frontends see only what they call.
  expect(budgets['all-to-all']).toEqual([180, 30, 0, 60]);
  expect(budgets.scoped[0]).toBeLessThan(budgets['all-to-all'][0] / 5);
  expect(budgets.scoped[2]).toBeGreaterThan(0);
  expect(budgets.scoped[1]).toBeLessThan(5);
});

test('npm run bench:pki runs and reports fresh and re-synth times', () => {
  const root = path.resolve(__dirname, '..', '..');
  const out = execFileSync(path.join(root, 'node_modules/.bin/ts-node'), ['--transpile-only', 'scripts/bench-pki.ts', '2', '2048'], { cwd: root, encoding: 'utf8' });
  expect(out).toMatch(/pki: 2 clusters, RSA 2048\nfresh synth \(root \+ 2 intermediates\): \d+\.\d\d s\nfloor \(3 keys generated concurrently\): \d+\.\d\d s, ratio \d+\.\d\d\nre-synth \(keys reused\): +\d+\.\d\d s\n/);
});

test('npm run bench:scale runs and reports the cost per object at each size', () => {
  const root = path.resolve(__dirname, '..', '..');
  const out = execFileSync(path.join(root, 'node_modules/.bin/ts-node'), ['--transpile-only', 'scripts/bench-scale.ts', '3x10', '4x20'], { cwd: root, encoding: 'utf8' });
  const rows = out.trim().split('\n').slice(1);
  expect(rows).toEqual([
    expect.stringMatching(/^3 x 10 +\d+ +\d+\.\d\d s \/ +\d+\.\d\d s +\d+\.\d us +\d+\.\d\d KB$/),
    expect.stringMatching(/^4 x 20 +\d+ +\d+\.\d\d s \/ +\d+\.\d\d s +\d+\.\d us +\d+\.\d\d KB$/),
  ]);
});

test('npm run bench:instructions counts the synth and the floor between their clocks, under callgrind', () => {
  const root = path.resolve(__dirname, '..', '..');
  const run = (...args: string[]) => execFileSync(path.join(root, 'node_modules/.bin/ts-node'), ['--transpile-only', 'scripts/bench-instructions.ts', ...args], { cwd: root, encoding: 'utf8' });
  const out = run('6', '30', '--runs=1');
  expect(out).toMatch(/^mesh: 6 clusters x 30 services, shape realistic, Node v\d+\.\d+\.\d+ single-threaded, 1 run\(s\) each, the lower kept\n/);
  const counts = [...out.matchAll(/(synth|js-yaml floor) +(\d+\.\d{4}) G instructions/g)].map(m => Number(m[2]));
  expect(counts).toHaveLength(2);
  // Counted only between the clocks: more than nothing, far less than a whole Node process with ts-node.
  for (const count of counts) expect(count).toBeGreaterThan(0.01);
  for (const count of counts) expect(count).toBeLessThan(2);
  expect(out).toMatch(/ratio \d+\.\d{3}x/);
  // A mesh the synth refuses (realistic needs more than 4 clusters) fails with the synth's own message.
  expect(() => run('3', '30', '--runs=1')).toThrow(/the synth of 3 x 30 \(realistic\) failed:[\s\S]*MCM004/);
}, 120_000);

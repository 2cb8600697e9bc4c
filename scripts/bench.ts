/**
 * Synth benchmark: the full synth of a synthetic mesh against two floors, each in its own cold process,
 * interleaved over several rounds (ratios are the median of each round's):
 * - synth: declare the mesh, resolve, render, serialize and write every bundle (`app.synth()`);
 * - js-yaml floor: a plain `js-yaml` dump of the very same objects to the same files;
 * - JSON floor: `JSON.stringify` of the same objects to the same files.
 * Both floors start from objects already in memory, so they measure only what the synth must at least do;
 * the files that are not YAML (expected states, budgets, READMEs, mesh.md) they write as they are.
 * CPU counts every thread; where the platform tells, the main thread's CPU is printed too, as V8 compiles
 * hot functions on threads of its own, which a cold run of the synth's many functions keeps busy.
 *
 * Shapes: `all-to-all` (each service served by one cluster, consumed by every other: the worst case),
 * `realistic` (each service consumed by 3 clusters; a tenth has two versions and a weighted route) and
 * `scoped` (all-to-all with declared calls: Sidecar scoping and pruning). Each shape also prints what its
 * budgets report counts (the most .global hosts a sidecar sees, the largest gateway).
 *
 * Usage: npm run bench -- [clusters=20] [services=2000] [--rounds=5] [--shape=all-to-all|realistic|scoped|all]
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import type { Shape } from './bench-mesh';
import { SHAPES } from './bench-shapes';
import { WINDOW_SIGNAL_ENV, WindowEvent, windowFile } from './bench-window';

type Mode = 'synth' | 'yaml' | 'json';

/** What a measuring child reports on its last stdout line. */
interface Sample {
  readonly cpu: number;
  /** The main thread's share of `cpu`: the rest is V8 compiling and collecting on its own threads. */
  readonly mainCpu?: number;
  readonly wall: number;
  readonly objects: number;
  readonly rssMb: number;
  /** The budgets report in one line, from the synth that recorded the objects. */
  readonly budget?: ReturnType<typeof budgetSummary>;
}

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};
const wallSeconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

/**
 * The CPU the main thread has used, in seconds, where the platform tells (Node >= 23.9, or Linux's
 * /proc, whose clock ticks are 1/100 s); undefined elsewhere.
 */
function mainThreadCpu(): number | undefined {
  const threadCpuUsage = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage;
  if (threadCpuUsage) {
    const used = threadCpuUsage();
    return (used.user + used.system) / 1e6;
  }
  try {
    // Fields after the command name: state is the first, utime the 12th, stime the 13th.
    const fields = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}
const mainCpuSince = (since: number | undefined) => {
  const now = mainThreadCpu();
  return since === undefined || now === undefined ? undefined : now - since;
};

/**
 * Waits a moment before the clocks start: V8 goes on compiling what loading made hot (the library's modules,
 * the floors' JSON parse) on threads of its own, and that is loading's cost, not the measured work's.
 */
function settle(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
}

/** Where bench-instructions.ts asks this child to say where its measured work starts and ends (see bench-window.ts). */
const WINDOW_SIGNAL = process.env[WINDOW_SIGNAL_ENV];

function signalAndWait(event: WindowEvent, reply: WindowEvent): void {
  if (!WINDOW_SIGNAL) return;
  fs.writeFileSync(windowFile(WINDOW_SIGNAL, event), '');
  // Not forever: a counting parent that died must not leave this child polling.
  const deadline = Date.now() + 10 * 60_000;
  while (!fs.existsSync(windowFile(WINDOW_SIGNAL, reply))) {
    if (Date.now() > deadline) throw new Error(`no ${reply} signal in 10 minutes: the parent is gone`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}

/** Just before the clocks start. */
function startWindow(): void {
  settle();
  signalAndWait(WindowEvent.READY, WindowEvent.GO);
}

/** Just after the clocks stop. */
const endWindow = () => signalAndWait(WindowEvent.DONE, WindowEvent.RESUME);

/**
 * A child: runs one mode once and prints its sample as JSON. A synth that records (the first of each shape)
 * then leaves the objects and files it wrote for the floors, after its clocks stop.
 */
function child(mode: Mode, dir: string, clusterCount: number, serviceCount: number, shape: Shape, record: boolean): void {
  const objectsFile = path.join(dir, 'objects.json');
  if (mode === 'synth') {
    const out = path.join(dir, `out-${mode}-${process.pid}`);
    // Loaded here, not at the top: the floors' processes measure a plain dump and need none of the library.
    // Before the clocks start, as for the floors: loading modules is not what is measured.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { MeshApp } = require('../src') as typeof import('../src');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { declareMesh } = require('./bench-mesh') as typeof import('./bench-mesh');
    startWindow();
    const mainCpu = mainThreadCpu();
    const cpu = process.cpuUsage();
    const wall = process.hrtime.bigint();
    const app = new MeshApp({ outdir: path.join(out, 'dist'), secretsOutdir: path.join(out, 'secrets') });
    declareMesh(app, out, clusterCount, serviceCount, shape);
    const rssBefore = process.memoryUsage().rss;
    const log = console.error;
    console.error = () => undefined; // the synth report is not what is measured
    try {
      app.synth();
    } finally {
      console.error = log;
    }
    const sample = { cpu: cpuSeconds(cpu), mainCpu: mainCpuSince(mainCpu), wall: wallSeconds(wall) };
    endWindow();
    const rssMb = Math.max(0, process.resourceUsage().maxRSS * 1024 - rssBefore) / 2 ** 20;
    const files = readObjects(path.join(out, 'dist'));
    const objects = Object.values(files).reduce((n, docs) => n + docs.length, 0);
    if (record) fs.writeFileSync(objectsFile, JSON.stringify({ files, texts: readTexts(path.join(out, 'dist')) }));
    const budget = record ? budgetSummary(path.join(out, 'dist', 'budgets.json')) : undefined;
    console.log(JSON.stringify({ ...sample, objects, rssMb, budget }));
    fs.rmSync(out, { recursive: true, force: true });
    return;
  }
  const { files, texts } = JSON.parse(fs.readFileSync(objectsFile, 'utf8')) as { files: Record<string, object[]>; texts: Record<string, string> };
  const out = path.join(dir, `out-${mode}-${process.pid}`);
  const serialize = mode === 'yaml'
    ? (docs: object[]) => docs.map(d => yaml.dump(d, { noRefs: true, lineWidth: -1 })).join('---\n')
    : (docs: object[]) => docs.map(d => JSON.stringify(d)).join('\n');
  startWindow();
  const mainCpu = mainThreadCpu();
  const cpu = process.cpuUsage();
  const wall = process.hrtime.bigint();
  for (const [file, docs] of Object.entries(files)) {
    const target = path.join(out, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, serialize(docs));
  }
  for (const [file, text] of Object.entries(texts)) {
    const target = path.join(out, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text);
  }
  const sample = { cpu: cpuSeconds(cpu), mainCpu: mainCpuSince(mainCpu), wall: wallSeconds(wall), objects: 0, rssMb: 0 };
  endWindow();
  console.log(JSON.stringify(sample));
  fs.rmSync(out, { recursive: true, force: true });
}

/** The budgets report in one line: the most hosts an unscoped and a scoped sidecar sees, the largest gateway. */
function budgetSummary(file: string): { unscoped: number; scoped: number; chains: number; entries: number } {
  const { clusters } = JSON.parse(fs.readFileSync(file, 'utf8')) as { clusters: Array<{ visibleHosts: Record<string, number>; gatewayFilterChains: number }> };
  const scopes = clusters.flatMap(c => Object.entries(c.visibleHosts));
  return {
    unscoped: Math.max(0, ...scopes.filter(([s]) => s === '*').map(([, n]) => n)),
    scoped: Math.max(0, ...scopes.filter(([s]) => s !== '*').map(([, n]) => n)),
    chains: Math.max(0, ...clusters.map(c => c.gatewayFilterChains)),
    entries: clusters.reduce((n, c) => n + (c.visibleHosts['*'] ?? 0), 0),
  };
}

/** Every other file a synth wrote (not YAML), by file. */
function readTexts(dir: string): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[]) {
    if (!entry.isFile() || entry.name.endsWith('.yaml')) continue;
    const file = path.relative(dir, path.join(entry.parentPath, entry.name));
    texts[file] = fs.readFileSync(path.join(dir, file), 'utf8');
  }
  return texts;
}

/** Every Kubernetes object a synth wrote, by file. */
function readObjects(dir: string): Record<string, object[]> {
  const files: Record<string, object[]> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[]) {
    if (!entry.isFile() || !entry.name.endsWith('.yaml')) continue;
    const file = path.relative(dir, path.join(entry.parentPath, entry.name));
    files[file] = (yaml.loadAll(fs.readFileSync(path.join(dir, file), 'utf8')) as object[]).filter(d => d && 'kind' in d);
  }
  return files;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/**
 * The median of each round's ratio: a round's runs follow each other, so the machine's load, which drifts
 * over minutes, weighs on both sides of a round's ratio alike.
 */
const ratio = (xs: number[], floors: number[]) => median(xs.map((x, i) => x / floors[i]).filter(Number.isFinite));
/** The ratio of the fastest runs: each side's least disturbed, a second view when the machine is loaded. */
const fastestRatio = (xs: number[], floors: number[]) => Math.min(...xs) / Math.min(...floors);
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(2)}/${median(xs).toFixed(2)}/${Math.max(...xs).toFixed(2)}`;

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    child(args[1] as Mode, args[2], Number(args[3]), Number(args[4]), args[5] as Shape, args[6] === 'record');
    return;
  }
  const positional = args.filter(a => !a.startsWith('--'));
  const option = (name: string, fallback: string) => args.find(a => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
  const clusterCount = Number(positional[0] ?? 20);
  const serviceCount = Number(positional[1] ?? 2000);
  const rounds = Number(option('rounds', '5'));
  const shapeOption = option('shape', 'all');
  const shapes: Shape[] = shapeOption === 'all' ? [...SHAPES] : [shapeOption as Shape];

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-bench-'));
  const run = (mode: Mode, shape: Shape, record = false): Sample => JSON.parse(execFileSync(process.execPath,
    ['-r', 'ts-node/register/transpile-only', __filename, '--child', mode, dir, String(clusterCount), String(serviceCount), shape, record ? 'record' : ''],
    { cwd: path.resolve(__dirname, '..'), encoding: 'utf8', env: { ...process.env, CI: '' }, maxBuffer: 1 << 26 }).trim().split('\n').pop()!);
  try {
    // The Node version is part of the figures: V8's compiler tiers differ (Node 24 turned Maglev on).
    console.log(`mesh: ${clusterCount} clusters x ${serviceCount} services, ${rounds} rounds, each mode a cold process (min/median/max), Node ${process.version}`);
    for (const shape of shapes) {
      const samples: Record<Mode, Sample[]> = { synth: [], yaml: [], json: [] };
      for (let round = 0; round < rounds; round++) {
        // The first synth leaves the objects that the floors of every round dump.
        for (const mode of ['synth', 'yaml', 'json'] as Mode[]) samples[mode].push(run(mode, shape, mode === 'synth' && round === 0));
      }
      const budget = samples.synth[0].budget!;
      const cpu = (mode: Mode) => samples[mode].map(s => s.cpu);
      const wall = (mode: Mode) => samples[mode].map(s => s.wall);
      const objects = samples.synth[0].objects;
      const rss = median(samples.synth.map(s => s.rssMb));
      console.log(`\nshape ${shape}: ${objects} objects`);
      console.log(`  synth          cpu ${spread(cpu('synth'))} s   wall ${spread(wall('synth'))} s   ${(median(cpu('synth')) / objects * 1e6).toFixed(1)} us cpu/object`);
      console.log(`  js-yaml floor  cpu ${spread(cpu('yaml'))} s   wall ${spread(wall('yaml'))} s`);
      console.log(`  JSON floor     cpu ${spread(cpu('json'))} s   wall ${spread(wall('json'))} s`);
      console.log(`  ratio to js-yaml floor: cpu ${ratio(cpu('synth'), cpu('yaml')).toFixed(2)}x, wall ${ratio(wall('synth'), wall('yaml')).toFixed(2)}x`);
      console.log(`  ratio to JSON floor:    cpu ${ratio(cpu('synth'), cpu('json')).toFixed(2)}x, wall ${ratio(wall('synth'), wall('json')).toFixed(2)}x`);
      console.log(`  fastest runs' ratio to js-yaml floor: cpu ${fastestRatio(cpu('synth'), cpu('yaml')).toFixed(2)}x, wall ${fastestRatio(wall('synth'), wall('yaml')).toFixed(2)}x`);
      const mainCpu = (mode: Mode) => samples[mode].map(s => s.mainCpu).filter((c): c is number => c !== undefined);
      if (mainCpu('synth').length === rounds && mainCpu('yaml').length === rounds) {
        // CPU above this is V8's own threads: its optimizing compiler, which a cold run of many hot functions keeps busy, and GC helpers.
        console.log(`  main thread cpu: synth ${median(mainCpu('synth')).toFixed(2)} s, js-yaml floor ${median(mainCpu('yaml')).toFixed(2)} s, ratio ${ratio(mainCpu('synth'), mainCpu('yaml')).toFixed(2)}x`);
      }
      console.log(`  synth peak RSS: ${rss.toFixed(0)} MB above the loaded process (${(rss * 1024 / objects).toFixed(2)} KB/object)`);
      console.log(`  budgets: .global entries in all clusters ${budget.entries}; most hosts a sidecar sees: ${budget.unscoped} unscoped, ${budget.scoped} scoped; largest gateway ${budget.chains} SNI filter chains`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();

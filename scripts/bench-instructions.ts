/**
 * Instruction counts of the synth and of the js-yaml floor, for deciding whether a change makes the synth
 * do less: `npm run bench` measures time, which this project's shared machine blurs by several percent from
 * run to run. Each mode runs in a cold process (bench.ts's own children) under valgrind's callgrind,
 * counted only between where the child starts and stops its clocks, with V8 single-threaded so that its
 * optimizing compiler and garbage collector run on the main thread and are counted as well. A count repeats
 * to about 0.1%; now and then a run lands a few percent off (V8 collects or compiles at another moment),
 * so each mode runs twice and the lower count is kept.
 *
 * Instructions are not time: js-yaml's tight string code runs about twice as many instructions per cycle as
 * the synth's mix (V8's compiler, the collector, object graphs), so the ratio printed here is lower than the
 * time ratios of `npm run bench`, which is the figure to report. Compare counts of the same mode taken before
 * and after a change.
 *
 * Needs valgrind (`apt-get install valgrind`). Usage:
 *   npm run bench:instructions -- [clusters=20] [services=2000] [--shape=realistic] [--runs=2]
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Shape } from './bench-mesh';
import { WINDOW_SIGNAL_ENV, WindowEvent, windowFile } from './bench-window';

type Mode = 'synth' | 'yaml';

const root = path.resolve(__dirname, '..');
const bench = path.join(__dirname, 'bench.ts');

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** The measured children still running: killed if the script fails, so that none is left waiting. */
const running = new Set<ChildProcess>();

/** Waits for a file to appear, or fails when the child has exited without writing it. */
async function appears(file: string, child: ChildProcess, stderr: () => string): Promise<void> {
  while (!fs.existsSync(file)) {
    if (child.exitCode !== null) throw new Error(`the measured child exited (${child.exitCode}) before writing ${path.basename(file)}:\n${stderr()}`);
    await sleep(100);
  }
}

/** The instructions one mode runs between its clocks, in a cold process under callgrind. */
async function countInstructions(mode: Mode, dir: string, clusterCount: number, serviceCount: number, shape: Shape, run: number): Promise<number> {
  const signal = path.join(dir, `window-${mode}-${run}`);
  const profile = `${signal}.callgrind`;
  const child = spawn('valgrind', [
    '--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${profile}`,
    process.execPath, '--single-threaded', '-r', 'ts-node/register/transpile-only',
    bench, '--child', mode, dir, String(clusterCount), String(serviceCount), shape, '',
  ], { cwd: root, env: { ...process.env, CI: '', [WINDOW_SIGNAL_ENV]: signal }, stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<number | null>(resolve => child.on('exit', code => {
    running.delete(child);
    resolve(code);
  }));
  // callgrind_control talks to the valgrind process, which runs node itself: same pid.
  const instrumentation = (state: 'on' | 'off') => execFileSync('callgrind_control', ['-i', state, String(child.pid)], { stdio: 'ignore' });
  await appears(windowFile(signal, WindowEvent.READY), child, () => stderr);
  instrumentation('on');
  fs.writeFileSync(windowFile(signal, WindowEvent.GO), '');
  await appears(windowFile(signal, WindowEvent.DONE), child, () => stderr);
  instrumentation('off');
  fs.writeFileSync(windowFile(signal, WindowEvent.RESUME), '');
  const code = await exited;
  if (code !== 0) throw new Error(`the measured ${mode} child failed (${code}):\n${stderr}`);
  const totals = /^totals: (\d+)/m.exec(fs.readFileSync(profile, 'utf8'));
  if (!totals) throw new Error(`no totals in ${profile}`);
  return Number(totals[1]);
}

function requireValgrind(): void {
  for (const tool of ['valgrind', 'callgrind_control']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      throw new Error(`bench:instructions needs ${tool}, from Debian's valgrind package (apt-get install valgrind)`);
    }
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const positional = args.filter(a => !a.startsWith('--'));
  const option = (name: string, fallback: string) => args.find(a => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
  const clusterCount = Number(positional[0] ?? 20);
  const serviceCount = Number(positional[1] ?? 2000);
  const shape = option('shape', 'realistic') as Shape;
  const runs = Number(option('runs', '2'));
  requireValgrind();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-instructions-'));
  try {
    // A plain synth first: it leaves the objects and files that the floor dumps.
    try {
      execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', bench, '--child', 'synth', dir, String(clusterCount), String(serviceCount), shape, 'record'],
        { cwd: root, env: { ...process.env, CI: '' }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    } catch (error) {
      throw new Error(`the synth of ${clusterCount} x ${serviceCount} (${shape}) failed:\n${(error as { stderr?: string }).stderr ?? error}`);
    }
    const counts: Record<Mode, number[]> = { synth: [], yaml: [] };
    for (let run = 0; run < runs; run++) {
      // The two modes side by side: each child is one thread (valgrind serializes a process's threads).
      const [synth, yaml] = await Promise.all((['synth', 'yaml'] as Mode[]).map(mode => countInstructions(mode, dir, clusterCount, serviceCount, shape, run)));
      counts.synth.push(synth);
      counts.yaml.push(yaml);
    }
    const least = (mode: Mode) => Math.min(...counts[mode]);
    const billions = (n: number) => `${(n / 1e9).toFixed(4)} G`;
    console.log(`mesh: ${clusterCount} clusters x ${serviceCount} services, shape ${shape}, Node ${process.version} single-threaded, ${runs} run(s) each, the lower kept`);
    console.log(`  synth          ${billions(least('synth'))} instructions   (runs: ${counts.synth.map(billions).join(', ')})`);
    console.log(`  js-yaml floor  ${billions(least('yaml'))} instructions   (runs: ${counts.yaml.map(billions).join(', ')})`);
    console.log(`  ratio ${(least('synth') / least('yaml')).toFixed(3)}x (instructions, not time: see the script's header)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  running.forEach(child => child.kill('SIGKILL'));
  process.exit(1);
});

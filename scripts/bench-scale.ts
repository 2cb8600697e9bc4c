/**
 * Scaling benchmark: the full synth of the all-to-all mesh at growing sizes, each in a cold process, with
 * its CPU and peak RSS per object, to show whether the cost per object stays flat (10k to 400k objects by
 * default; the largest needs about 3 GB of memory).
 *
 * Usage: npm run bench:scale -- [clusters x services ...]   e.g. npm run bench:scale -- 10x1000 20x2000
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const sizes = (process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['10x1000', '20x2000', '50x2000', '50x4000', '100x4000'])
  .map(size => size.split('x').map(Number) as [number, number]);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-bench-scale-'));
try {
  console.log('size          objects   synth cpu / wall     cpu/object   peak RSS/object');
  for (const [clusters, services] of sizes) {
    const out = execFileSync(process.execPath, [
      '--max-old-space-size=12000', '-r', 'ts-node/register/transpile-only', path.join(__dirname, 'bench.ts'), '--child', 'synth', dir, String(clusters), String(services), 'all-to-all',
    ], { cwd: path.resolve(__dirname, '..'), encoding: 'utf8', env: { ...process.env, CI: '' }, maxBuffer: 1 << 26 });
    const { cpu, wall, objects, rssMb } = JSON.parse(out.trim().split('\n').pop()!) as { cpu: number; wall: number; objects: number; rssMb: number };
    console.log(`${`${clusters} x ${services}`.padEnd(12)} ${String(objects).padStart(8)}   ${cpu.toFixed(2).padStart(6)} s / ${wall.toFixed(2).padStart(6)} s   ${(cpu / objects * 1e6).toFixed(1).padStart(6)} us   ${(rssMb * 1024 / objects).toFixed(2).padStart(6)} KB`);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}

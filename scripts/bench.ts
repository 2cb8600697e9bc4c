/**
 * Synth benchmark: a synthetic mesh of N clusters x M global services, each service served by one
 * cluster and consumed by all the others.
 *
 * Usage: npm run bench -- [clusters=20] [services=2000]
 * Prints object count, seconds per stage, peak RSS, and how the library's YAML serialization compares
 * with a plain js-yaml dump of the same objects.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { GlobalService, Mesh, MeshApp, MeshCluster } from '../src';
import { writeOutputs } from '../src/write/bundle-writer';
import { toYamlDocuments } from '../src/write/yaml';

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

function main(): void {
  const clusterCount = Number(process.argv[2] ?? 20);
  const serviceCount = Number(process.argv[3] ?? 2000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-bench-'));
  try {
    let t = process.hrtime.bigint();
    const app = new MeshApp({ outdir: path.join(dir, 'dist'), secretsOutdir: path.join(dir, 'secrets') });
    const mesh = new Mesh(app, 'mesh', { lockFile: path.join(dir, 'mesh.lock.json'), vipRange: '240.0.0.0/12' });
    const clusters = Array.from({ length: clusterCount }, (_, i) => new MeshCluster(mesh, `cluster${i}`, {
      network: `network${i}`, gateway: { address: `10.${i >> 8}.${i & 255}.1` }, locality: `region${i % 3}/zone${i}`,
    }));
    for (let i = 0; i < serviceCount; i++) {
      new GlobalService(mesh, `svc${i}`, {
        namespace: `ns${i % 50}`,
        ports: [{ name: 'http', number: 8000 }, { name: 'grpc-api', number: 9000 }],
        servedBy: [clusters[i % clusterCount]],
      });
    }
    const declare = seconds(t);

    t = process.hrtime.bigint();
    const files = app._synthFiles();
    const render = seconds(t);
    const objects = files.flatMap(f => (typeof f.content === 'string' ? [] : f.content));

    t = process.hrtime.bigint();
    writeOutputs(files, { bundles: app.outdir, secrets: app.secretsOutdir });
    const write = seconds(t);

    // Each serializer runs twice and keeps its second time, so neither pays the JIT warm-up for the other.
    const timeSerializer = (serialize: (objects: readonly object[]) => string) => {
      let elapsed = 0;
      for (let round = 0; round < 2; round++) {
        const start = process.hrtime.bigint();
        for (const f of files) if (typeof f.content !== 'string') serialize(f.content);
        elapsed = seconds(start);
      }
      return elapsed;
    };
    const ours = timeSerializer(toYamlDocuments);
    const plain = timeSerializer(objects => objects.map(o => yaml.dump(o)).join('---\n'));

    const rssMb = process.resourceUsage().maxRSS / 1024;
    console.log(`mesh: ${clusterCount} clusters x ${serviceCount} services`);
    console.log(`objects:            ${objects.length}`);
    console.log(`declare:            ${declare.toFixed(2)} s`);
    console.log(`resolve + render:   ${render.toFixed(2)} s`);
    console.log(`serialize + write:  ${write.toFixed(2)} s`);
    console.log(`total:              ${(declare + render + write).toFixed(2)} s`);
    console.log(`peak RSS:           ${rssMb.toFixed(0)} MB`);
    console.log(`serialization:      ${ours.toFixed(2)} s, plain js-yaml dump ${plain.toFixed(2)} s, ratio ${(ours / plain).toFixed(2)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();

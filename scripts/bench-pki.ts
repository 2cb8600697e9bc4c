/**
 * PKI benchmark: a fresh mesh of N clusters gets its root and N intermediates, then a re-synth reuses them.
 * The floor is generating the same N + 1 keys concurrently with Node's crypto and nothing else (RSA key
 * generation searches for primes, so single runs vary by tens of percent).
 *
 * Usage: npm run bench:pki -- [clusters=10] [keySize=4096]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Mesh, MeshApp, MeshCa, MeshCluster } from '../src';
import { generateRsaKeys, TEST_KEY_POOL_ENV } from '../src/pki/x509';

// Key generation is what this measures: never draw from the test suite's key pool.
delete process.env[TEST_KEY_POOL_ENV];

function synthMesh(dir: string, clusters: number, keySize: number): number {
  const start = process.hrtime.bigint();
  const app = new MeshApp({ outdir: path.join(dir, 'dist'), secretsOutdir: path.join(dir, 'secrets') });
  const mesh = new Mesh(app, 'mesh', {
    lockFile: path.join(dir, 'mesh.lock.json'),
    // Minting a fresh CA is what this measures, so it does so on purpose, in CI too.
    ca: MeshCa.generate({ keyStore: path.join(dir, 'keys'), rootKeySize: keySize, intermediateKeySize: keySize, requireExisting: false }),
  });
  for (let i = 0; i < clusters; i++) new MeshCluster(mesh, `cluster${i}`);
  app.synth();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const clusters = Number(process.argv[2] ?? 10);
const keySize = Number(process.argv[3] ?? 4096);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-bench-pki-'));
const report = console.error;
console.error = () => undefined; // the synth report
try {
  const start = process.hrtime.bigint();
  generateRsaKeys(Array.from({ length: clusters + 1 }, () => keySize));
  const floor = Number(process.hrtime.bigint() - start) / 1e9;
  const fresh = synthMesh(dir, clusters, keySize);
  const again = synthMesh(dir, clusters, keySize);
  console.error = report;
  console.log(`pki: ${clusters} clusters, RSA ${keySize}`);
  console.log(`fresh synth (root + ${clusters} intermediates): ${fresh.toFixed(2)} s`);
  console.log(`floor (${clusters + 1} keys generated concurrently): ${floor.toFixed(2)} s, ratio ${(fresh / floor).toFixed(2)}`);
  console.log(`re-synth (keys reused):     ${again.toFixed(2)} s`);
} finally {
  console.error = report;
  fs.rmSync(dir, { recursive: true, force: true });
}

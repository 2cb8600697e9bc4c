import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateRsaKeys, TEST_KEY_POOL_ENV } from '../../src/pki/x509';

/** Keys of each size in the pool: as many as the largest mesh of the suite asks for at once. */
const POOL = { 4096: 6, 2048: 4 };

/**
 * Jest global setup: one pool of throwaway RSA keys per run, generated concurrently as the library
 * generates a fresh mesh's keys, which every synth of the suite draws from (the tests of key generation
 * itself unset it). Never committed: it lives in a temporary directory that the teardown removes.
 */
export default function setup(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-key-pool-'));
  const sizes = Object.entries(POOL).flatMap(([bits, count]) => Array.from({ length: count }, () => Number(bits)));
  generateRsaKeys(sizes).forEach((key, i) => {
    const bits = sizes[i];
    fs.writeFileSync(path.join(dir, `rsa-${bits}-${sizes.slice(0, i).filter(b => b === bits).length}.pem`), key, { mode: 0o600 });
  });
  process.env[TEST_KEY_POOL_ENV] = dir;
}

import { generateKeyPair } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TEST_KEY_POOL_ENV } from '../../src/pki/x509';

/** Keys of each size in the pool: more than any one mesh of the suite asks for at once. */
const POOL = { 4096: 6, 2048: 4 };

/**
 * Jest global setup: one pool of throwaway RSA keys per run, generated concurrently, which every synth of
 * the suite draws from (the tests of key generation itself unset it). Never committed: it lives in a
 * temporary directory that the teardown removes.
 */
export default async function setup(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-key-pool-'));
  await Promise.all(Object.entries(POOL).flatMap(([bits, count]) => Array.from({ length: count }, (_, i) => new Promise<void>((resolve, reject) =>
    generateKeyPair('rsa', { modulusLength: Number(bits), publicExponent: 0x10001, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' } },
      (error, _publicKey, privateKey) => {
        if (error) return reject(error);
        fs.writeFileSync(path.join(dir, `rsa-${bits}-${i}.pem`), privateKey, { mode: 0o600 });
        resolve();
      })))));
  process.env[TEST_KEY_POOL_ENV] = dir;
}

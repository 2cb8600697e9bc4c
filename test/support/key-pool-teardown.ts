import * as fs from 'fs';
import { TEST_KEY_POOL_ENV } from '../../src/pki/x509';

/** Jest global teardown: removes the run's key pool. */
export default async function teardown(): Promise<void> {
  const dir = process.env[TEST_KEY_POOL_ENV];
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

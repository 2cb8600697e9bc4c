/**
 * Refreshes the committed output of every example (examples/<name>/dist and its lock files).
 * Usage: npm run examples
 */
import * as fs from 'fs';
import * as path from 'path';
import type { MeshApp } from '../src';

const root = path.resolve(__dirname, '..', 'examples');
for (const name of fs.readdirSync(root).filter(n => fs.existsSync(path.join(root, n, 'main.ts'))).sort()) {
  const { build } = require(path.join(root, name, 'main.ts')) as { build: (dir?: string) => MeshApp | MeshApp[] };
  [build()].flat().forEach(app => app.synth());
  console.log(`rendered examples/${name}`);
}

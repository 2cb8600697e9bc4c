/**
 * Refreshes the committed output of every example (examples/<name>/dist and its lock files). A file whose
 * only changes are this machine's key material (see machine-specific.ts) keeps its committed text, so that
 * a fresh clone's first run does not rewrite every certificate-bearing file.
 * Usage: npm run examples
 */
import * as fs from 'fs';
import * as path from 'path';
import type { MeshApp } from '../src';
import { onlyMachineValuesDiffer } from './machine-specific';

const root = path.resolve(__dirname, '..', 'examples');

/** The text of every file below a directory, by path relative to it. */
function texts(dir: string): Map<string, string> {
  if (!fs.existsSync(dir)) return new Map();
  return new Map((fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter(entry => entry.isFile())
    .map(entry => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .map(file => [file, fs.readFileSync(path.join(dir, file), 'utf8')]));
}

for (const name of fs.readdirSync(root).filter(n => fs.existsSync(path.join(root, n, 'main.ts'))).sort()) {
  const dist = path.join(root, name, 'dist');
  const before = texts(dist);
  const { build } = require(path.join(root, name, 'main.ts')) as { build: (dir?: string) => MeshApp | MeshApp[] };
  [build()].flat().forEach(app => app.synth());
  const kept = [...texts(dist)].filter(([file, text]) => before.has(file) && onlyMachineValuesDiffer(file, before.get(file)!, text));
  kept.forEach(([file]) => fs.writeFileSync(path.join(dist, file), before.get(file)!));
  console.log(`rendered examples/${name}${kept.length > 0 ? ` (${kept.length} files kept as they were: they differ only in this machine's keys)` : ''}`);
}

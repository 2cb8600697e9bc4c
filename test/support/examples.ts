import * as fs from 'fs';
import * as path from 'path';
import { MeshApp } from '../../src';
import { listFiles, tempDir } from './synth';

/** Files that differ per machine because they carry key material generated there; never committed. */
const MACHINE_SPECIFIC = /(^|\/)root-cert\.pem$/;

/**
 * Sealed values are sealed from the key store of the machine that rendered them (stable there, different
 * elsewhere); the drift check compares everything around them.
 */
const sealedValues = (text: string) => (/^kind: SealedSecret$/m.test(text) ? text.replace(/^( {4}[\w.-]+): [A-Za-z0-9+/=]+$/gm, '$1: <sealed>') : text);

function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir)
    .filter(f => !MACHINE_SPECIFIC.test(f))
    .map(f => [f, sealedValues(fs.readFileSync(path.join(dir, f), 'utf8'))]));
}

/**
 * Renders an example into a scratch directory, from its committed lock files, and returns what it
 * wrote next to what is committed, so a test can fail when code and committed output drift.
 */
export function renderExample(exampleDir: string, build: (dir: string) => MeshApp | MeshApp[]) {
  const scratch = tempDir('example-');
  for (const lock of fs.readdirSync(exampleDir).filter(f => f.endsWith('.lock.json'))) {
    fs.copyFileSync(path.join(exampleDir, lock), path.join(scratch, lock));
  }
  const apps = [build(scratch)].flat();
  apps.forEach(app => app.synth());
  const locks = (dir: string) => Object.fromEntries(fs.readdirSync(dir).filter(f => f.endsWith('.lock.json')).map(f => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
  return {
    apps,
    rendered: { dist: snapshot(path.join(scratch, 'dist')), locks: locks(scratch) },
    committed: { dist: snapshot(path.join(exampleDir, 'dist')), locks: locks(exampleDir) },
    scratch,
  };
}

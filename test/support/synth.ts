import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { Mesh, MeshApp, MeshProps } from '../../src';

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly spec?: any;
  readonly data?: Record<string, string>;
  readonly [key: string]: any;
}

const temporaryDirs: string[] = [];
const removeTemporaryDirs = () => temporaryDirs.splice(0).forEach(dir => fs.rmSync(dir, { recursive: true, force: true }));
// Jest loads this module once per test file: its directories go when that file's tests are done. An 'exit'
// handler alone is not enough: Jest ends its workers without running them, and runs of the suite left
// millions of directories behind, until /tmp had no inode left.
if (typeof afterAll === 'function') afterAll(removeTemporaryDirs);
process.on('exit', removeTemporaryDirs);

/** A fresh temporary directory, removed when the test file's tests are done (or the process exits). */
export function tempDir(prefix = 'mesh-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temporaryDirs.push(dir);
  return dir;
}

/** A MeshApp writing into `dir` (a fresh temporary directory by default). */
export function testApp(dir = tempDir()): MeshApp {
  return new MeshApp({ outdir: path.join(dir, 'dist'), secretsOutdir: path.join(dir, 'secrets') });
}

const synthesized = new WeakSet<MeshApp>();

/** Synthesizes the app as a user does (`app.synth()`, files on disk), once. */
export function synthOnce(app: MeshApp): void {
  if (!synthesized.has(app)) {
    app.synth();
    synthesized.add(app);
  }
}

/** Where a synth writes: the Git-facing bundles, or the private files beside them. */
export type OutputDir = 'bundles' | 'secrets';

/** Every Kubernetes object (a YAML document with a kind) in the files below `dir`, with their paths. */
function objectsBelow(dir: string): Array<[string, KubeObject]> {
  return listFiles(dir).filter(f => f.endsWith('.yaml')).flatMap(f =>
    readYaml(path.join(dir, f)).filter(o => o && typeof o === 'object' && o.kind && o.metadata).map(o => [f, o] as [string, KubeObject]));
}

/** All objects synthesized for one cluster, keyed `Kind/namespace/name` (or `Kind/name`). */
export function objectsOf(app: MeshApp, cluster: string, where: OutputDir = 'bundles'): Map<string, KubeObject> {
  synthOnce(app);
  const objects = new Map<string, KubeObject>();
  for (const [, object] of objectsBelow(path.join(where === 'bundles' ? app.bundlesOutdir : app.secretsOutdir, cluster))) {
    const ns = object.metadata.namespace;
    objects.set(`${object.kind}/${ns ? `${ns}/` : ''}${object.metadata.name}`, object);
  }
  return objects;
}

/** Every synthesized Kubernetes object of the app, bundles and private files. */
export function allObjects(app: MeshApp): KubeObject[] {
  synthOnce(app);
  return [...objectsBelow(app.bundlesOutdir), ...objectsBelow(app.secretsOutdir)].map(([, o]) => o);
}

/** A synthesized file's text, by its path below the bundle directory. */
export function bundleFile(app: MeshApp, file: string): string {
  synthOnce(app);
  return fs.readFileSync(path.join(app.bundlesOutdir, file), 'utf8');
}

/** Reads every YAML document of a file. */
export function readYaml(file: string): KubeObject[] {
  return yaml.loadAll(fs.readFileSync(file, 'utf8')) as KubeObject[];
}

/** Every file below `dir`, relative, sorted. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter(e => e.isFile())
    .map(e => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** An app and a mesh whose output and lock file live in `dir` (a fresh temporary directory by default). */
export function testMesh(props: Omit<MeshProps, 'lockFile'> = {}, dir = tempDir()) {
  const app = testApp(dir);
  const mesh = new Mesh(app, 'mesh', {
    ...props, lockFile: path.join(path.dirname(app.outdir), 'mesh.lock.json'),
  });
  return { app, mesh };
}

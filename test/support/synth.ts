import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { Mesh, MeshApp, MeshProps } from '../../src';
import { OutputRoot } from '../../src/write/output-file';

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly spec?: any;
  readonly data?: Record<string, string>;
  readonly [key: string]: any;
}

const temporaryDirs: string[] = [];
process.on('exit', () => temporaryDirs.forEach(dir => fs.rmSync(dir, { recursive: true, force: true })));

/** A fresh temporary directory, removed when the process exits. */
export function tempDir(prefix = 'mesh-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temporaryDirs.push(dir);
  return dir;
}

/** A MeshApp writing into `dir` (a fresh temporary directory by default). */
export function testApp(dir = tempDir()): MeshApp {
  return new MeshApp({ outdir: path.join(dir, 'dist'), secretsOutdir: path.join(dir, 'secrets') });
}

/** All objects rendered for one cluster, keyed `Kind/namespace/name` (or `Kind/name`). */
export function objectsOf(app: MeshApp, cluster: string, root = OutputRoot.BUNDLES): Map<string, KubeObject> {
  const objects = new Map<string, KubeObject>();
  for (const file of app._synthFiles()) {
    if (file.root !== root || !file.path.startsWith(`${cluster}/`) || typeof file.content === 'string') continue;
    for (const object of file.content as KubeObject[]) {
      const ns = object.metadata?.namespace;
      objects.set(`${object.kind}/${ns ? `${ns}/` : ''}${object.metadata?.name}`, object);
    }
  }
  return objects;
}

/** Every rendered Kubernetes object of the app. */
export function allObjects(app: MeshApp): KubeObject[] {
  return app._synthFiles().flatMap(f => (typeof f.content === 'string' ? [] : f.content as KubeObject[]));
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

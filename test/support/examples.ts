import * as fs from 'fs';
import * as path from 'path';
import { X509Certificate } from 'crypto';
import { Mesh, MeshApp, MeshCluster, VmWorkload } from '../../src';
import { istioSchemaErrors, istiodWarningsOf } from './istio-schema';
import { allObjects, KubeObject, listFiles, tempDir } from './synth';
import { toolSchemaErrors } from './tool-schema';
import { MACHINE_SPECIFIC_FILE, withoutMachineValues } from '../../scripts/machine-specific';

/** The files of a rendered output, but for those and the values that are the rendering machine's. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir)
    .filter(f => !MACHINE_SPECIFIC_FILE.test(f))
    .map(f => [f, withoutMachineValues(f, fs.readFileSync(path.join(dir, f), 'utf8'))]));
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

/** An example rendered by `renderExample`. */
export type RenderedExample = ReturnType<typeof renderExample>;

/**
 * Checks, inside a test, what every example must hold: the committed output and lock files are what the
 * code renders (refresh with `npm run examples`), the certificate inventory lists what the synth really
 * used, and every object passes the Istio CRD schemas and those of the tools it is for. Returns the objects.
 */
export function expectExampleHolds(example: RenderedExample): KubeObject[] {
  expect(example.rendered.dist).toEqual(example.committed.dist);
  expect(example.rendered.locks).toEqual(example.committed.locks);
  for (const app of example.apps) expect(inventoryProblems(app)).toEqual([]);
  const objects = example.apps.flatMap(allObjects);
  expect(istioSchemaErrors(objects)).toEqual([]);
  expect(istiodWarningsOf(objects)).toEqual([]);
  expect(toolSchemaErrors(objects)).toEqual([]);
  return objects;
}

/**
 * What is wrong with an app's certificate inventory, checked against what the synth really used: one
 * intermediate per primary cluster, the one in its key store, issued by a root that every primary trusts,
 * and every VM kit listed with the roots it carries. Empty when the inventory is right.
 */
export function inventoryProblems(app: MeshApp): string[] {
  const mesh = app.node.findAll().find(Mesh.isMesh)!;
  const inventory = JSON.parse(fs.readFileSync(path.join(app.bundlesOutdir, 'certificates.json'), 'utf8')) as {
    mesh: string; certificates: Array<{ role: string; subject: string; issuer: string; fingerprintSha256: string; clusters: string[]; vmKits: string[] }>;
  };
  const primaries = mesh.node.children.filter(MeshCluster.isMeshCluster).filter(c => !c.isRemote).map(c => c.clusterName).sort();
  const roots = inventory.certificates.filter(c => c.role === 'root');
  const problems: string[] = [];
  if (inventory.mesh !== mesh.meshId) problems.push(`mesh ${inventory.mesh}, not ${mesh.meshId}`);
  for (const root of roots) {
    if (JSON.stringify([...root.clusters].sort()) !== JSON.stringify(primaries)) problems.push(`root ${root.subject} is carried by ${root.clusters}, not by every primary (${primaries})`);
  }
  const keyStore = mesh.ca!._options.keyStore!;
  for (const cluster of primaries) {
    const mine = inventory.certificates.filter(c => c.role === 'intermediate' && c.clusters.includes(cluster));
    const stored = new X509Certificate(fs.readFileSync(path.join(keyStore, mesh.meshId, 'clusters', cluster, 'cert.pem')));
    if (mine.length !== 1 || mine[0].fingerprintSha256 !== stored.fingerprint256) problems.push(`${cluster}: the inventory's intermediate is not the key store's`);
    if (mine[0] && !roots.some(r => r.subject === mine[0].issuer)) problems.push(`${cluster}: its intermediate's issuer ${mine[0].issuer} is no listed root`);
  }
  const kits = mesh.node.findAll().filter(VmWorkload.isVmWorkload).flatMap(vm => vm.instances.map(i => `${vm.cluster.clusterName}/vm/${vm.namespace}/${vm.serviceName}-${i.name}`)).sort();
  const listed = [...new Set(roots.flatMap(r => r.vmKits))].sort();
  if (JSON.stringify(listed) !== JSON.stringify(kits)) problems.push(`VM kits listed ${listed}, expected ${kits}`);
  return problems;
}

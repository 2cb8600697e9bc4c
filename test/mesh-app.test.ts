import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, Chart, Testing } from 'cdk8s';
import { ConfigMap, Deployment } from 'cdk8s-plus-27';
import { GlobalService, Mesh, MeshApp, MeshCluster, VersionedRoute } from '../src';
import { MANIFEST_FILE } from '../src/write/bundle-writer';
import { istioSchemaErrors } from './support/istio-schema';
import { listFiles, readYaml, tempDir } from './support/synth';

const ROOT = path.resolve(__dirname, '..');

/** Declares a small mesh into a fresh app writing to `dir`. */
function declare(dir: string, clusters = ['cluster1', 'cluster2']): MeshApp {
  const app = new MeshApp({ outdir: path.join(dir, 'dist'), secretsOutdir: path.join(dir, 'secrets') });
  const mesh = new Mesh(app, 'mesh', { meshId: 'mesh1' });
  for (const name of clusters) {
    const n = Number(name.replace(/\D/g, ''));
    new MeshCluster(mesh, name, { network: `network${n}`, gateway: { address: `172.18.0.${n + 2}` } });
  }
  return app;
}

function readAll(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map(f => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

describe('MeshApp synth', () => {
  test('writes each cluster\'s bundle as layers in apply order (CA, Istio, mesh), a kustomization per applied layer', () => {
    const dir = tempDir();
    declare(dir).synth();

    const layers = (cluster: string) => [
      `${cluster}/README.md`,
      `${cluster}/ca/kustomization.yaml`, `${cluster}/ca/namespace.yaml`,
      `${cluster}/expected-state.json`,
      `${cluster}/istio/base-values.yaml`, `${cluster}/istio/gateway-values.yaml`, `${cluster}/istio/istio-operator.yaml`, `${cluster}/istio/istiod-values.yaml`,
      `${cluster}/mesh/kustomization.yaml`, `${cluster}/mesh/mesh-gateway.yaml`, `${cluster}/mesh/security.yaml`,
    ];
    expect(listFiles(path.join(dir, 'dist'))).toEqual([MANIFEST_FILE, 'analyze.sh', 'budgets.json', ...layers('cluster1'), ...layers('cluster2'), 'lint.json', 'mesh.md']);
    expect(readYaml(path.join(dir, 'dist/cluster1/ca/kustomization.yaml'))[0].resources).toEqual(['namespace.yaml']);
    const [mesh] = readYaml(path.join(dir, 'dist/cluster1/mesh/kustomization.yaml'));
    expect(mesh.resources).toEqual(['mesh-gateway.yaml', 'security.yaml']);
    for (const resource of mesh.resources) {
      expect(istioSchemaErrors(readYaml(path.join(dir, 'dist/cluster1/mesh', resource)))).toEqual([]);
    }
  });

  test('is deterministic: two apps declaring the same mesh write byte-identical files', () => {
    const a = tempDir();
    const b = tempDir();
    declare(a).synth();
    declare(b, ['cluster2', 'cluster1']).synth(); // declaration order must not matter
    expect(readAll(path.join(b, 'dist'))).toEqual(readAll(path.join(a, 'dist')));
  });

  test('a second synth rewrites nothing', () => {
    const dir = tempDir();
    declare(dir).synth();
    const before = fs.statSync(path.join(dir, 'dist/cluster1/mesh/mesh-gateway.yaml')).mtimeMs;
    const second = declare(dir);
    second.synth();
    expect(fs.statSync(path.join(dir, 'dist/cluster1/mesh/mesh-gateway.yaml')).mtimeMs).toBe(before);
  });

  test('removes the bundle of a cluster that left the mesh, keeps files the user placed there', () => {
    const dir = tempDir();
    declare(dir).synth();
    fs.writeFileSync(path.join(dir, 'dist/cluster2/NOTES.md'), 'ours');
    fs.writeFileSync(path.join(dir, 'dist/cluster1/extra.yaml'), 'ours');

    declare(dir, ['cluster1']).synth();

    const files = listFiles(path.join(dir, 'dist'));
    expect(files.filter(f => f.startsWith('cluster2/'))).toEqual(['cluster2/NOTES.md']);
    expect(files).toContain('cluster1/extra.yaml');
    expect(files).toContain('cluster1/mesh/kustomization.yaml');
  });

  test('a failed synth leaves the previous bundle intact and says nothing was written', () => {
    const dir = tempDir();
    declare(dir).synth();
    const before = readAll(path.join(dir, 'dist'));

    const broken = declare(dir);
    new MeshCluster(broken.node.findChild('mesh') as Mesh, 'again', { name: 'cluster1' });
    expect(() => broken.synth()).toThrow(/the mesh is not valid; nothing was written:\n {2}\[mesh\] cluster name "cluster1" is used by/);

    expect(readAll(path.join(dir, 'dist'))).toEqual(before);
  });

  test('under the cdk8s CLI, its output directory gets each cluster\'s manifests (what --stdout prints), never the keys', () => {
    const dir = tempDir();
    process.env.CDK8S_OUTDIR = path.join(dir, 'cdk8s.out');
    try {
      const app = declare(dir);
      // A weighted route: its rendered objects leave optional members undefined, which the bundle's YAML
      // skips and cdk8s's writer would print as null.
      const mesh = app.node.findChild('mesh') as Mesh;
      const [cluster1, cluster2] = mesh.node.children.filter(MeshCluster.isMeshCluster);
      const service = new GlobalService(mesh, 'web', { namespace: 'shop', ports: [{ name: 'http', number: 80 }], servedBy: [cluster1, cluster2] });
      const v1 = service.addVersion('v1', { clusters: [cluster1] });
      const v2 = service.addVersion('v2', { clusters: [cluster2] });
      new VersionedRoute(mesh, 'web-route', { service, clients: [cluster1], defaultRoute: [{ version: v1, weight: 90 }, { version: v2, weight: 10 }] });
      app.synth();
    } finally {
      delete process.env.CDK8S_OUTDIR;
    }
    // cdk8s names chart files after the chart's path.
    const written = listFiles(path.join(dir, 'cdk8s.out'));
    expect(written).toEqual([expect.stringMatching(/^mesh-cluster1-[0-9a-f]{8}\.k8s\.yaml$/), expect.stringMatching(/^mesh-cluster2-[0-9a-f]{8}\.k8s\.yaml$/)]);
    const objects = readYaml(path.join(dir, 'cdk8s.out', written[0]));
    const applied = ['ca', 'mesh'].flatMap(layer => readYaml(path.join(dir, 'dist/cluster1', layer, 'kustomization.yaml'))[0].resources
      .flatMap((r: string) => readYaml(path.join(dir, 'dist/cluster1', layer, r))));
    expect(applied[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'istio-system' } });
    expect(objects).toEqual(applied);
    expect(objects.map(o => o.kind)).toEqual(expect.arrayContaining(['DestinationRule', 'VirtualService']));
    expect(fs.readFileSync(path.join(dir, 'cdk8s.out', written[0]), 'utf8')).not.toMatch(/: null$/m);
    expect(objects.some(o => o.kind === 'IstioOperator' || o.kind === 'Secret')).toBe(false);
  });

  test('refuses to share its bundle directory with the cdk8s CLI, which empties it before every synth', () => {
    const dir = tempDir();
    process.env.CDK8S_OUTDIR = path.join(dir, 'dist');
    try {
      expect(() => declare(dir).synth()).toThrow(/the cdk8s CLI writes to .*dist, which is also MeshApp's bundle directory: .*Set `output: cdk8s.out` in cdk8s.yaml/);
    } finally {
      delete process.env.CDK8S_OUTDIR;
    }
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  });
});

describe('a cdk8s citizen', () => {
  test('the app\'s own charts synthesize as cdk8s does, next to the bundles', () => {
    const dir = tempDir();
    const app = declare(dir);
    const team = new Chart(app, 'team');
    new Deployment(team, 'web', { containers: [{ image: 'nginx', portNumber: 8080 }] });
    app.synth();
    const written = readYaml(path.join(dir, 'dist/team.k8s.yaml'));
    expect(written.map(o => o.kind)).toEqual(['Deployment']);
    expect(listFiles(path.join(dir, 'dist')).filter(f => f.endsWith('.k8s.yaml'))).toEqual(['team.k8s.yaml']);
  });

  test('without charts of the app\'s own, every construct\'s validations run once per synth', () => {
    // cdk8s's own synth would only validate the tree again (what charts it writes, it validates itself).
    const app = declare(tempDir());
    let runs = 0;
    app.node.findChild('mesh').node.addValidation({ validate: () => { runs++; return []; } });
    app.synth();
    expect(runs).toBe(1);
  });

  test('objects added to a MeshCluster land in its bundle and kustomization', () => {
    const dir = tempDir();
    const app = declare(dir);
    const cluster1 = app.node.findChild('mesh').node.findChild('cluster1') as MeshCluster;
    new ConfigMap(cluster1, 'settings', { metadata: { name: 'team-settings', namespace: 'bar' }, data: { mode: 'blue' } });
    app.synth();
    const [kustomization] = readYaml(path.join(dir, 'dist/cluster1/mesh/kustomization.yaml'));
    expect(kustomization.resources).toContain('resources.yaml');
    expect(readYaml(path.join(dir, 'dist/cluster1/mesh/resources.yaml'))).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'team-settings', namespace: 'bar' }, data: { mode: 'blue' }, immutable: false },
    ]);
  });

  test('an added object that clashes with a rendered one is an error naming both', () => {
    const dir = tempDir();
    const app = declare(dir);
    const cluster1 = app.node.findChild('mesh').node.findChild('cluster1') as MeshCluster;
    new ApiObject(cluster1, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } });
    expect(() => app.synth()).toThrow(/\[mesh\/cluster1\] Namespace "istio-system" is rendered by mesh\/cluster1 and added by you as mesh\/cluster1\/ns: give yours another name/);
  });

  test('Testing.synth(cluster) returns what the cluster\'s bundle applies', () => {
    const dir = tempDir();
    const app = declare(dir);
    const cluster1 = app.node.findChild('mesh').node.findChild('cluster1') as MeshCluster;
    const manifests = Testing.synth(cluster1);
    expect(manifests.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/istio-system', 'DestinationRule/istio-multicluster-destinationrule', 'Gateway/istio-multicluster-ingressgateway', 'PeerAuthentication/default',
    ]);
  });
});

describe('the repository app, end to end', () => {
  /** A scratch project that runs the repository's main.ts with the repository's cdk8s.yaml. */
  function project(): string {
    const dir = tempDir('mesh-e2e-');
    for (const entry of ['main.ts', 'cdk8s.yaml', 'node_modules', 'tsconfig.json']) {
      fs.symlinkSync(path.join(ROOT, entry), path.join(dir, entry));
    }
    return dir;
  }
  const env = { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', CDK8S_OUTDIR: undefined };

  test('`cdk8s synth` and `ts-node main.ts` write the same bundles', () => {
    const viaCli = project();
    const viaNode = project();
    execFileSync(path.join(ROOT, 'node_modules/.bin/cdk8s'), ['synth', '--no-check-upgrade'], { cwd: viaCli, env, stdio: 'pipe' });
    // The same persisted state (CA keys, VIP lock), as a later synth of the same project would find it.
    fs.cpSync(path.join(viaCli, '.mesh-keys'), path.join(viaNode, '.mesh-keys'), { recursive: true });
    fs.copyFileSync(path.join(viaCli, 'mesh.lock.json'), path.join(viaNode, 'mesh.lock.json'));
    execFileSync(path.join(ROOT, 'node_modules/.bin/ts-node'), ['main.ts'], { cwd: viaNode, env, stdio: 'pipe' });

    const bundles = readAll(path.join(viaCli, 'dist'));
    expect(Object.keys(bundles)).toEqual(expect.arrayContaining(['cluster1/mesh/kustomization.yaml', 'cluster2/mesh/kustomization.yaml']));
    expect(readAll(path.join(viaNode, 'dist'))).toEqual(bundles);
    expect(listFiles(path.join(viaCli, 'cdk8s.out'))).toEqual([1, 2, 3].map(n => expect.stringMatching(new RegExp(`^mesh-cluster${n}-[0-9a-f]{8}\\.k8s\\.yaml$`))));
  });
});

test('two meshes in one app are an error that says to split them', () => {
  const dir = tempDir();
  const app = new MeshApp({ outdir: path.join(dir, 'dist'), secretsOutdir: path.join(dir, 'secrets') });
  new MeshCluster(new Mesh(app, 'a'), 'cluster1');
  new MeshCluster(new Mesh(app, 'b'), 'cluster1');
  expect(() => app.synth()).toThrow(/\[app\] holds 2 meshes \(a, b\): give each mesh its own MeshApp and outdir/);
});

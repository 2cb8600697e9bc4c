import * as fs from 'fs';
import * as path from 'path';
import { ApiObject } from 'cdk8s';
import * as yaml from 'js-yaml';
import { ClientNamespace, GlobalService, MeshCluster } from '../../src';
import { BUDGETS } from '../../src/render/budgets';
import { testMesh } from '../support/synth';

function twoClusters(meshProps = {}) {
  const { app, mesh } = testMesh(meshProps);
  const c1 = new MeshCluster(mesh, 'c1');
  const c2 = new MeshCluster(mesh, 'c2', { gateway: { address: '192.0.2.2' } });
  return { app, mesh, c1, c2 };
}

/** The warnings besides the missing CA's, which these meshes leave out on purpose. */
const warningsOf = (app: { warnings: readonly string[] }) => app.warnings.filter(w => !w.endsWith('[MCM101]'));

const budgets = (app: { outdir: string }) => JSON.parse(fs.readFileSync(path.join(app.outdir, 'budgets.json'), 'utf8'));

describe('budgets', () => {
  test('budgets.json counts, per cluster, the hosts each client scope sees, the gateway\'s filter chains and the rendered bytes', () => {
    const { app, mesh, c1, c2 } = twoClusters();
    const services = ['a', 'b', 'c'].map(name => new GlobalService(mesh, name, { namespace: 'shop', ports: [{ name: 'http', number: 80, targetPort: 8080 }], servedBy: [c2] }));
    new ClientNamespace(mesh, 'frontend', { namespace: 'frontend', clusters: [c1], calls: [services[0]] });
    app.synth();
    const report = budgets(app);
    expect(report.budgets).toEqual(BUDGETS);
    const [b1, b2] = report.clusters;
    expect(b1).toMatchObject({ cluster: 'c1', visibleHosts: { '*': 3, 'frontend': 1 }, gatewayFilterChains: 0, maxServiceEntryEndpoints: 1 });
    expect(b2).toMatchObject({ cluster: 'c2', visibleHosts: { '*': 3 }, gatewayFilterChains: 3 });
    // Every Kubernetes object of c1's bundle, and those only: Helm values files hold settings, not objects.
    const bundleObjects = (fs.readdirSync(path.join(app.outdir, 'c1'), { recursive: true }) as string[])
      .filter(f => f.endsWith('.yaml') && !f.endsWith('kustomization.yaml'))
      .flatMap(f => yaml.loadAll(fs.readFileSync(path.join(app.outdir, 'c1', f), 'utf8')) as Array<{ kind?: string }>);
    const objects = bundleObjects.filter(o => o.kind !== undefined);
    expect(objects.length).toBeLessThan(bundleObjects.length);
    expect(b1.objects).toBe(objects.length);
    expect(b1.bytes).toBe(objects.reduce((n, o) => n + Buffer.byteLength(JSON.stringify(o)), 0));
    expect(b1.bytes).toBeGreaterThan(b1.largestObject.bytes);
    expect(warningsOf(app)).toEqual([]);
  });

  test('a gateway over the filter-chain budget is a warning with the reason (MCM112)', () => {
    const { app, mesh, c2 } = twoClusters();
    // 40 services x 251 ports: 10,040 SNI names on c2's gateway.
    for (let i = 0; i < 40; i++) {
      new GlobalService(mesh, `s${i}`, { namespace: 'shop', ports: Array.from({ length: 251 }, (_, p) => ({ name: `http-${p}`, number: 8000 + p, targetPort: 8000 + p })), servedBy: [c2] });
    }
    app.synth();
    expect(budgets(app).clusters[1].gatewayFilterChains).toBe(10040);
    expect(warningsOf(app)).toEqual([expect.stringMatching(/^\[mesh\/c2\] the cross-cluster gateway of c2 holds 10040 SNI filter chains, over the budget of 10000: they form one listener, which istiod pushes whole on every change; .* \[MCM112\]$/)]);
  });

  test('an object over client-side apply\'s annotation limit warns (MCM113); over etcd\'s request limit it is refused (MCM020)', () => {
    const big = (bytes: number) => {
      const { app, c1 } = twoClusters();
      new ApiObject(c1, 'blob', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'blob', namespace: 'default' }, data: { blob: 'x'.repeat(bytes) } });
      return app;
    };
    const large = big(300 * 1024);
    // Every object over the limit is named, not only the largest.
    new ApiObject(large.node.findChild('mesh').node.findChild('c1'), 'blob2', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'blob2', namespace: 'default' }, data: { blob: 'y'.repeat(270 * 1024) } });
    large.synth();
    expect(warningsOf(large)).toEqual([
      expect.stringMatching(/^\[mesh\/c1\] ConfigMap\/default\/blob is 307\d\d\d bytes: `kubectl apply` \(client side\) keeps a copy in an annotation, .*apply with --server-side .* \[MCM113\]$/),
      expect.stringMatching(/^\[mesh\/c1\] ConfigMap\/default\/blob2 is 276\d\d\d bytes: .* \[MCM113\]$/),
    ]);
    expect(() => big(1600 * 1024).synth()).toThrow(/\[mesh\/c1\] ConfigMap\/default\/blob is 16\d{5} bytes, over etcd's 1572864-byte request limit \(--max-request-bytes\): the API server refuses it; split what it holds \[MCM020\]/);
  });

  // Every list the budgets cap, so that a cap added to BUDGETS is checked too.
  const overCap: { readonly [list: string]: (n: number) => unknown[] } = {
    hosts: n => Array.from({ length: n }, (_, i) => `h${i}.example.com`),
    addresses: n => Array.from({ length: n }, (_, i) => `10.0.${i >> 8}.${i & 255}`),
    ports: n => Array.from({ length: n }, (_, i) => ({ name: `p${i}`, number: 1000 + i, protocol: 'TCP' })),
    endpoints: n => Array.from({ length: n }, (_, i) => ({ address: `10.1.${i >> 8}.${i & 255}` })),
  };
  test.each(Object.entries(BUDGETS.serviceEntryLists))('a ServiceEntry with more %s than the CRD allows (%d) is refused with the list and the cap (MCM020)', (list, cap) => {
    const { app, c1 } = twoClusters();
    new ApiObject(c1, 'many', {
      apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'many', namespace: 'default' },
      spec: { hosts: ['many.example.com'], ports: [{ name: 'http', number: 80, protocol: 'HTTP' }], resolution: 'STATIC', [list]: overCap[list](cap + 1) },
    });
    expect(() => app.synth()).toThrow(new RegExp(`\\[mesh/c1\\] ServiceEntry/default/many has ${cap + 1} ${list}, over the ${cap} that Istio's CRD allows: the API server refuses it; split it into several entries \\[MCM020\\]`));
  });

  test('sidecars outside the scoped namespaces over the visible-hosts budget are named in the warning (MCM110)', () => {
    const { app, mesh, c1, c2 } = twoClusters();
    const services = Array.from({ length: BUDGETS.visibleHosts + 1 }, (_, i) => new GlobalService(mesh, `s${i}`, { namespace: 'shop', ports: [{ name: 'http', number: 80, targetPort: 8080 }], servedBy: [c2] }));
    new ClientNamespace(mesh, 'frontend', { namespace: 'frontend', clusters: [c1], calls: services.slice(0, 2) });
    app.synth();
    expect(app.warnings.filter(w => w.includes('MCM110'))).toEqual([
      expect.stringMatching(/^\[mesh\/c1\] every sidecar of c1 outside frontend sees 1001 .global ServiceEntries, over the budget of 1000: .*istio\/istio#51160.*ClientNamespace/),
      expect.stringMatching(/^\[mesh\/c2\] every sidecar of c2 sees 1001/),
    ]);
    expect(budgets(app).clusters[0].visibleHosts).toEqual({ '*': 1001, 'frontend': 2 });
  });
});

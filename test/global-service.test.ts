import * as fs from 'fs';
import { GlobalService, MeshCluster, Protocol, ServingEntry } from '../src';
import { istioSchemaErrors } from './support/istio-schema';
import { allObjects, objectsOf, synthOnce, testMesh } from './support/synth';

/** Seeds 000/003: sleep in cluster1 calls httpbin.bar.global:8000, which runs in cluster2. */
function httpbin(servingEntry?: ServingEntry) {
  const { app, mesh } = testMesh({ meshId: 'mesh1' });
  const cluster1 = new MeshCluster(mesh, 'cluster1', { network: 'network1', gateway: { address: '172.18.0.3', nodePort: 30001 } });
  const cluster2 = new MeshCluster(mesh, 'cluster2', { network: 'network2', gateway: { address: '172.18.0.4', nodePort: 30001 }, locality: 'us-east-1/us-east-1a' });
  cluster1.addNamespace('foo');
  const service = new GlobalService(mesh, 'httpbin', { namespace: 'bar', ports: [{ name: 'http1', number: 8000 }], servedBy: [cluster2], servingEntry });
  return { app, mesh, cluster1, cluster2, service };
}

describe('GlobalService', () => {
  test('the consuming cluster gets the MESH_INTERNAL entry to the serving gateway, with a class E VIP', () => {
    const { app } = httpbin();
    expect(objectsOf(app, 'cluster1').get('ServiceEntry/bar/httpbin-global')?.spec).toEqual({
      hosts: ['httpbin.bar.global'],
      location: 'MESH_INTERNAL',
      resolution: 'DNS',
      addresses: ['240.0.0.1'],
      ports: [{ name: 'http1', number: 8000, protocol: 'HTTP' }],
      endpoints: [{ address: '172.18.0.4', ports: { http1: 30001 }, labels: { 'cluster': 'cluster2', 'security.istio.io/tlsMode': 'istio' }, locality: 'us-east-1/us-east-1a' }],
    });
  });

  test('the serving cluster gets the companion entry for the same host and ports, selecting its pods', () => {
    const { app } = httpbin();
    expect(objectsOf(app, 'cluster2').get('ServiceEntry/bar/httpbin-global')?.spec).toEqual({
      hosts: ['httpbin.bar.global'],
      location: 'MESH_INTERNAL',
      resolution: 'STATIC',
      addresses: ['240.0.0.1'],
      ports: [{ name: 'http1', number: 8000, protocol: 'HTTP' }],
      workloadSelector: { labels: { app: 'httpbin' } },
    });
  });

  test('the seeds\' simple form points the companion entry at the local service name', () => {
    const { app } = httpbin(ServingEntry.LOCAL_DNS);
    expect(objectsOf(app, 'cluster2').get('ServiceEntry/bar/httpbin-global')?.spec).toMatchObject({
      resolution: 'DNS',
      endpoints: [{ address: 'httpbin.bar.svc.cluster.local', ports: { http1: 8000 } }],
    });
  });

  test('the service namespace gets injection where the service runs; a consumer-only cluster just has it exist', () => {
    const { app } = httpbin();
    expect(objectsOf(app, 'cluster2').get('Namespace/bar')?.metadata.labels).toMatchObject({ 'istio-injection': 'enabled' });
    // cluster1 only consumes httpbin.bar.global: its bar namespace holds config, and its owner decides on injection.
    expect(objectsOf(app, 'cluster1').get('Namespace/bar')?.metadata.labels).not.toHaveProperty('istio-injection');
  });

  test('nothing renders in a cluster that neither serves nor consumes', () => {
    const { app, mesh, cluster1, cluster2 } = httpbin();
    new MeshCluster(mesh, 'cluster3');
    new GlobalService(mesh, 'only12', { namespace: 'x', ports: [{ name: 'tcp', number: 9 }], servedBy: [cluster2], consumers: [cluster1] });
    expect(objectsOf(app, 'cluster3').has('ServiceEntry/x/only12-global')).toBe(false);
    expect(objectsOf(app, 'cluster1').has('ServiceEntry/x/only12-global')).toBe(true);
  });

  test('a service served by two clusters has one endpoint per gateway, a hostname gateway included', () => {
    const { app, mesh, cluster2 } = httpbin();
    const cluster3 = new MeshCluster(mesh, 'cluster3', { gateway: { address: 'gw.cluster3.example.com' } });
    new MeshCluster(mesh, 'client');
    new GlobalService(mesh, 'api', { namespace: 'x', ports: [{ name: 'grpc', number: 9000 }], servedBy: [cluster3, cluster2] });
    expect(objectsOf(app, 'client').get('ServiceEntry/x/api-global')?.spec.endpoints).toEqual([
      { address: '172.18.0.4', ports: { grpc: 30001 }, labels: { 'cluster': 'cluster2', 'security.istio.io/tlsMode': 'istio' }, locality: 'us-east-1/us-east-1a' },
      { address: 'gw.cluster3.example.com', ports: { grpc: 15443 }, labels: { 'cluster': 'cluster3', 'security.istio.io/tlsMode': 'istio' } },
    ]);
  });

  test('consumers share one entry spec; a consumer that also serves reaches only the other servers', () => {
    const { app, mesh, cluster1, cluster2 } = httpbin();
    const cluster3 = new MeshCluster(mesh, 'cluster3', { gateway: { address: '172.18.0.5' } });
    const cluster4 = new MeshCluster(mesh, 'cluster4');
    new GlobalService(mesh, 'api', { namespace: 'x', ports: [{ name: 'grpc', number: 9000 }], servedBy: [cluster2, cluster3], consumers: [cluster1, cluster4] });
    // cluster3 runs an instance of its own and calls cluster2's through the .global host; no one else calls cluster3's.
    new GlobalService(mesh, 'db', { namespace: 'x', ports: [{ name: 'tcp', number: 5432 }], servedBy: [cluster2, cluster3], consumers: [cluster3] });
    const specOf = (cluster: string, name: string) => (app._synthFiles().find(f => f.path === `${cluster}/mesh/global-services.yaml`)!.content as Array<{ kind: string; metadata: { name: string }; spec: { endpoints: Array<{ address: string }> } }>)
      .find(o => o.kind === 'ServiceEntry' && o.metadata.name === name)!.spec;
    // Made once, kept as it is by both bundles: a service consumed by many clusters holds one copy.
    expect(specOf('cluster4', 'api-global')).toBe(specOf('cluster1', 'api-global'));
    expect(specOf('cluster1', 'api-global').endpoints.map(e => e.address)).toEqual(['172.18.0.4', '172.18.0.5']);
    expect(specOf('cluster3', 'db-global').endpoints.map(e => e.address)).toEqual(['172.18.0.4']);
  });

  test('consumers added later through addConsumer count', () => {
    const { app, mesh, cluster2 } = httpbin();
    const late = new MeshCluster(mesh, 'late');
    const other = new MeshCluster(mesh, 'other');
    const service = new GlobalService(mesh, 'db', { namespace: 'data', ports: [{ name: 'tcp-db', number: 5432 }], servedBy: [cluster2] });
    service.addConsumer(late);
    expect(objectsOf(app, 'late').has('ServiceEntry/data/db-global')).toBe(true);
    expect(objectsOf(app, 'other').has('ServiceEntry/data/db-global')).toBe(false);
    expect(other.clusterName).toBe('other');
  });

  test('consumers: [] means no consumers (only route clients), never every other cluster', () => {
    const { app, mesh, cluster2 } = httpbin();
    new GlobalService(mesh, 'quiet', { namespace: 'x', ports: [{ name: 'http', number: 80 }], servedBy: [cluster2], consumers: [] });
    expect([...objectsOf(app, 'cluster1').keys()].filter(k => k.includes('quiet'))).toEqual([]);
    expect([...objectsOf(app, 'cluster2').keys()].filter(k => k.includes('quiet'))).toEqual([]);
  });

  test('the synth notes every served port without targetPort: the pods must listen on the service port', () => {
    const { app, mesh, cluster2 } = httpbin();
    new GlobalService(mesh, 'explicit', { namespace: 'x', ports: [{ name: 'http', number: 8000, targetPort: 8080 }], servedBy: [cluster2] });
    synthOnce(app);
    expect(app.notes).toEqual([
      '[mesh/httpbin] serving clusters send httpbin.bar.global traffic to the pods\' port http1 8000 (no targetPort): make sure the containers listen there, or set targetPort [MCM201]',
    ]);
    expect(objectsOf(app, 'cluster2').get('ServiceEntry/x/explicit-global')?.spec.ports).toEqual([{ name: 'http', number: 8000, protocol: 'HTTP', targetPort: 8080 }]);
  });

  test('a service in a namespace Istio never injects (kube-system, ...) is refused: nothing would end the mTLS at its pods', () => {
    const { mesh, cluster2 } = httpbin();
    expect(() => new GlobalService(mesh, 'dns-api', { namespace: 'kube-system', ports: [{ name: 'http', number: 80 }], servedBy: [cluster2] }))
      .toThrow(/^\[mesh\/dns-api\] namespace "kube-system" is a namespace whose pods Istio never gives a sidecar, so the mTLS other clusters send would reach them unterminated: serve the service from an application namespace \[MCM030\]$/);
  });

  test('a service in istio-system (pods injected by their own label) gets its entries, but the namespace is never rendered', () => {
    const { app, mesh, cluster2 } = httpbin();
    new GlobalService(mesh, 'shared', { namespace: 'istio-system', ports: [{ name: 'http', number: 80 }], servedBy: [cluster2] });
    const c1 = objectsOf(app, 'cluster1');
    expect(c1.has('ServiceEntry/istio-system/shared-global')).toBe(true);
    expect(objectsOf(app, 'cluster2').get('Namespace/istio-system')?.metadata.labels).not.toHaveProperty('istio-injection');
  });

  test('all output validates against the Istio schemas', () => {
    const { app } = httpbin();
    expect(istioSchemaErrors(allObjects(app))).toEqual([]);
  });

  test('the synth writes the VIP lock file next to the app', () => {
    const { app, mesh } = httpbin();
    app.synth();
    expect(JSON.parse(fs.readFileSync(mesh.lockFile, 'utf8')).vips).toEqual({ 'httpbin.bar.global': '240.0.0.1' });
  });

  describe('errors', () => {
    const base = () => {
      const { app, mesh } = testMesh();
      return { app, mesh, c1: new MeshCluster(mesh, 'c1', { gateway: { address: '10.0.0.1' } }), c2: new MeshCluster(mesh, 'c2') };
    };

    test.each([
      [{ ports: [{ name: 'web', number: 80 }] }, /\[mesh\/svc\] ports\[0\].name "web" does not say its protocol: name it <protocol>\[-<suffix>\] \(e.g. http-web\) or set protocol/],
      [{ ports: [{ name: 'web', number: 80, protocol: 'QUIC' as Protocol }] }, /\[mesh\/svc\] ports\[0\].protocol "QUIC" is not a protocol Istio knows: use one of HTTP, HTTP2, HTTPS, GRPC, GRPC-Web, TCP, TLS, MONGO, MYSQL, REDIS \[MCM030\]/],
      [{ ports: [{ name: 'http', number: 80 }, { name: 'http', number: 81 }] }, /ports\[1\].name "http" is used by two ports/],
      [{ ports: [{ name: 'http', number: 80 }, { name: 'tcp', number: 80 }] }, /ports\[1\].number 80 is used by two ports/],
      [{ ports: [{ name: 'http', number: 0 }] }, /ports\[0\].number 0 is out of range/],
      [{ ports: [] }, /ports \[\] is empty: a service needs at least one port/],
      [{ servedBy: [] }, /servedBy \[\] is empty: name the cluster\(s\) the service runs in/],
      [{ namespace: 'Bar' }, /namespace "Bar" is not a DNS-1123 label/],
      [{ vip: '127.255.0.8' }, /vip "127.255.0.8" overlaps loopback 127.0.0.0\/8/],
      [{ vip: '240.240.0.9' }, /vip "240.240.0.9" overlaps 240.240.0.0\/16, where Istio auto-allocates/],
      [{ workloadLabels: {} }, /workloadLabels \{\} is empty: it would select every pod/],
      [{ workloadLabels: { 'app kind': 'x' } }, /workloadLabels key "app kind" is not a label key/],
      [{ workloadLabels: { app: '-x' } }, /workloadLabels.app "-x" is not a label value/],
      [{ ports: [{ name: 'http', number: 80, targetPort: NaN }] }, /ports\[0\].targetPort NaN is out of range/],
      [{ ports: [{ name: 'http', number: Infinity }] }, /ports\[0\].number Infinity is out of range/],
    ])('%j', (props, message) => {
      const { mesh, c1 } = base();
      expect(() => new GlobalService(mesh, 'svc', { namespace: 'ns', ports: [{ name: 'http', number: 80 }], servedBy: [c1], ...props })).toThrow(message);
    });

    test('an explicit protocol makes any port name fine', () => {
      const { mesh, c1 } = base();
      const svc = new GlobalService(mesh, 'svc', { namespace: 'ns', ports: [{ name: 'web', number: 80, protocol: Protocol.HTTP }], servedBy: [c1] });
      expect(svc.ports[0].protocol).toBe('HTTP');
    });

    test('the same .global host declared twice', () => {
      const { app, mesh, c1 } = base();
      new GlobalService(mesh, 'a', { name: 'svc', namespace: 'ns', ports: [{ name: 'http', number: 80 }], servedBy: [c1] });
      new GlobalService(mesh, 'b', { name: 'svc', namespace: 'ns', ports: [{ name: 'http', number: 80 }], servedBy: [c1] });
      expect(() => app.synth()).toThrow(/svc.ns.global is declared by mesh\/a and mesh\/b: declare each global service once/);
    });

    test('a serving cluster without a gateway while others consume', () => {
      const { app, mesh, c2 } = base();
      new GlobalService(mesh, 'svc', { namespace: 'ns', ports: [{ name: 'http', number: 80 }], servedBy: [c2] });
      expect(() => app.synth()).toThrow(/\[mesh\/svc\] cluster c2 serves svc.ns.global to c1 but has no gateway: set gateway.address on mesh\/c2/);
    });

    test('a cluster that both serves the host to others and consumes it from them', () => {
      const { app, mesh, c1 } = base();
      const c3 = new MeshCluster(mesh, 'c3', { gateway: { address: '10.0.0.3' } });
      new GlobalService(mesh, 'svc', { namespace: 'ns', ports: [{ name: 'http', number: 80 }], servedBy: [c1, c3], consumers: [c1, c3] });
      expect(() => app.synth()).toThrow(/cluster c1 both serves svc.ns.global to other clusters and consumes it from them: a cluster can hold only one entry for the host/);
    });

    test('the only serving cluster among its consumers calls its own pods by the .global name: it gets the serving-side entry', () => {
      const { app, mesh, c1 } = base();
      new GlobalService(mesh, 'svc', { namespace: 'ns', ports: [{ name: 'http', number: 80 }], servedBy: [c1], consumers: [c1] });
      expect(objectsOf(app, 'c1').get('ServiceEntry/ns/svc-global')?.spec).toEqual({
        hosts: ['svc.ns.global'], location: 'MESH_INTERNAL', resolution: 'STATIC', addresses: ['240.0.0.1'],
        ports: [{ name: 'http', number: 80, protocol: 'HTTP' }], workloadSelector: { labels: { app: 'svc' } },
      });
      expect([...objectsOf(app, 'c2').keys()].filter(k => k.startsWith('ServiceEntry'))).toEqual([]);
    });

    test('the only serving cluster may consume its service beside other consumers: one entry, its serving one', () => {
      const { app, mesh, c1, c2 } = base();
      new GlobalService(mesh, 'svc', { namespace: 'ns', ports: [{ name: 'http', number: 80 }], servedBy: [c1], consumers: [c1, c2] });
      expect(objectsOf(app, 'c1').get('ServiceEntry/ns/svc-global')?.spec.workloadSelector).toEqual({ labels: { app: 'svc' } });
      expect(objectsOf(app, 'c2').get('ServiceEntry/ns/svc-global')?.spec.endpoints).toEqual([expect.objectContaining({ address: '10.0.0.1' })]);
    });

    test('a cluster of another mesh', () => {
      const { mesh, c1 } = base();
      const foreign = new MeshCluster(testMesh().mesh, 'x');
      expect(() => new GlobalService(mesh, 'svc', { namespace: 'ns', ports: [{ name: 'http', number: 80 }], servedBy: [c1, foreign] }))
        .toThrow(/servedBy\[1\] "mesh\/x" is a cluster of another mesh/);
    });

    test('two services pinned to one VIP', () => {
      const { app, mesh, c1 } = base();
      new GlobalService(mesh, 'a', { namespace: 'ns', ports: [{ name: 'http', number: 80 }], servedBy: [c1], vip: '240.0.0.9' });
      new GlobalService(mesh, 'b', { namespace: 'ns', ports: [{ name: 'http', number: 80 }], servedBy: [c1], vip: '240.0.0.9' });
      expect(() => app.synth()).toThrow(/\[mesh\/b\] vip "240.0.0.9" is pinned for a.ns.global too/);
    });
  });
});

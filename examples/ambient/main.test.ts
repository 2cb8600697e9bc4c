import * as path from 'path';
import { ApiObject } from 'cdk8s';
import { AccessPolicy, GlobalService, HttpMethod, Mesh, MeshCluster, MeshTopology, Principal, TrafficDistribution, VersionedRoute, VmWorkload } from '../../src';
import { expectExampleHolds, renderExample } from '../../test/support/examples';
import { objectsOf, readYaml, testApp, testMesh } from '../../test/support/synth';
import { unknownChartValueKeys } from '../../test/support/tool-schema';
import { build } from './main';

const example = renderExample(__dirname, build);
const [app] = example.apps;
const CLUSTERS = ['east1', 'east2', 'west'];
const values = (cluster: string, file: string) => readYaml(path.join(app.bundlesOutdir, cluster, 'istio', file))[0] as Record<string, any>;

test('the committed output is what the code renders (refresh with: npm run examples), valid for Istio 1.30.3 and Gateway API v1.5.1', () => {
  expectExampleHolds(example);
  expect(example.rendered.locks).toEqual({});
});

test.each(CLUSTERS)('%s: the ambient profile with multi-network, for istiod, istio-cni and ztunnel; namespaces in the ambient data plane', cluster => {
  expect(values(cluster, 'istiod-values.yaml')).toMatchObject({ profile: 'ambient', env: { AMBIENT_ENABLE_MULTI_NETWORK: 'true' }, global: { multiCluster: { clusterName: cluster } } });
  expect(values(cluster, 'cni-values.yaml')).toEqual({ profile: 'ambient' });
  expect(values(cluster, 'ztunnel-values.yaml')).toEqual({ multiCluster: { clusterName: cluster }, network: cluster === 'west' ? 'west' : 'east' });
  for (const [chart, file] of [['istiod', 'istiod-values.yaml'], ['cni', 'cni-values.yaml'], ['ztunnel', 'ztunnel-values.yaml'], ['base', 'base-values.yaml']] as const) {
    expect(unknownChartValueKeys(chart, values(cluster, file))).toEqual([]);
  }
  const namespace = objectsOf(app, cluster).get('Namespace/bookinfo')!;
  expect(namespace.metadata.labels).toMatchObject({ 'istio.io/dataplane-mode': 'ambient' });
  expect(namespace.metadata.labels).not.toHaveProperty('istio-injection');
});

test('the HBONE east-west gateway where a cluster has one, and the other network\'s pinned', () => {
  expect(objectsOf(app, 'east1').get('Gateway/istio-system/istio-eastwestgateway')?.spec).toEqual({
    gatewayClassName: 'istio-east-west',
    listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE', tls: { mode: 'Terminate', options: { 'gateway.istio.io/tls-terminate-mode': 'ISTIO_MUTUAL' } } }],
  });
  expect(objectsOf(app, 'east2').has('Gateway/istio-system/istio-eastwestgateway')).toBe(false);
  expect(objectsOf(app, 'west').get('Gateway/istio-system/istio-remote-east1')?.spec).toMatchObject({
    gatewayClassName: 'istio-remote', addresses: [{ type: 'IPAddress', value: '203.0.113.10' }], listeners: [{ port: 15008, protocol: 'HBONE' }],
  });
  expect(objectsOf(app, 'east1').get('Gateway/istio-system/istio-remote-west')?.spec.addresses).toEqual([{ type: 'Hostname', value: 'eastwest.west.example.com' }]);
});

test('global services: the same Service labelled istio.io/global everywhere, a selector-less stub where it is only called', () => {
  for (const cluster of CLUSTERS) {
    const reviews = objectsOf(app, cluster).get('Service/bookinfo/reviews')!;
    expect(reviews.metadata.labels).toMatchObject({ 'istio.io/global': 'true', 'istio.io/use-waypoint': 'waypoint' });
    expect(reviews.spec.selector).toEqual({ app: 'reviews' });
  }
  const stub = objectsOf(app, 'east1').get('Service/bookinfo/ratings')!;
  expect(stub.metadata.labels).toMatchObject({ 'istio.io/global': 'true' });
  expect(stub.spec.selector).toBeUndefined();
  expect(stub.metadata.annotations).toMatchObject({ 'networking.istio.io/traffic-distribution': 'PreferClose' });
  expect(objectsOf(app, 'west').get('Service/bookinfo/ratings')?.spec.selector).toEqual({ app: 'ratings' });
  expect(objectsOf(app, 'east2').has('Service/bookinfo/ratings')).toBe(false);
});

test('identical waypoints and rules in every cluster, with cluster-pinned subsets and failover by cluster, then network', () => {
  const of = (key: string) => CLUSTERS.map(cluster => objectsOf(app, cluster).get(key));
  for (const key of ['Gateway/bookinfo/waypoint', 'DestinationRule/bookinfo/reviews', 'VirtualService/bookinfo/reviews']) {
    const [first, ...others] = of(key);
    expect(first).toBeDefined();
    for (const other of others) expect(other).toEqual(first);
  }
  const [waypoint] = of('Gateway/bookinfo/waypoint');
  expect(waypoint!.spec).toEqual({ gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }], infrastructure: { labels: { 'istio.io/global': 'true' } } });
  const [rule] = of('DestinationRule/bookinfo/reviews');
  expect(rule!.spec.subsets.map((s: any) => s.name)).toEqual(['v1-east1', 'v1-east2', 'v1-west', 'v2-west']);
  expect(rule!.spec.trafficPolicy.loadBalancer.localityLbSetting.failoverPriority).toEqual(['topology.istio.io/cluster', 'topology.istio.io/network']);
  const [route] = of('VirtualService/bookinfo/reviews');
  expect(route!.spec.http[0].route.map((r: any) => [r.destination.subset, r.weight])).toEqual([['v1-east1', 30], ['v1-east2', 30], ['v1-west', 30], ['v2-west', 10]]);
});

test('two routed services of a namespace share its waypoint: one per cluster, each Service using it', () => {
  const { app: shared, mesh } = testMesh({ meshId: 'm', topology: MeshTopology.AMBIENT });
  const a = new MeshCluster(mesh, 'a', { network: 'n1', gateway: { address: '10.0.0.1' } });
  const b = new MeshCluster(mesh, 'b', { network: 'n1' });
  for (const name of ['cart', 'orders']) {
    const service = new GlobalService(mesh, name, { namespace: 'shop', ports: [{ name: 'http', number: 80 }], servedBy: [a, b] });
    const v1 = service.addVersion('v1', { clusters: [a, b] });
    new VersionedRoute(mesh, `${name}-route`, { service, clients: [a, b], defaultRoute: [{ version: v1 }] });
  }
  new GlobalService(mesh, 'unrouted', { namespace: 'shop', ports: [{ name: 'http', number: 80 }], servedBy: [a] });
  for (const cluster of ['a', 'b']) {
    const objects = [...objectsOf(shared, cluster).values()];
    expect(objects.filter(o => o.kind === 'Gateway' && o.metadata.namespace === 'shop').map(o => o.metadata.name)).toEqual(['waypoint']);
    for (const name of ['cart', 'orders']) {
      expect(objectsOf(shared, cluster).get(`Service/shop/${name}`)?.metadata.labels).toMatchObject({ 'istio.io/use-waypoint': 'waypoint' });
    }
  }
  expect(objectsOf(shared, 'a').get('Service/shop/unrouted')?.metadata.labels).not.toHaveProperty('istio.io/use-waypoint');
});

describe('what ambient cannot do, and sameness, are errors at synth', () => {
  test('a global Service that differs between clusters, even one the user added', () => {
    const { app: bad, mesh } = testMesh({ meshId: 'm', topology: MeshTopology.AMBIENT });
    const a = new MeshCluster(mesh, 'a', { network: 'n1', gateway: { address: '10.0.0.1' } });
    const b = new MeshCluster(mesh, 'b', { network: 'n1' });
    for (const [cluster, port] of [[a, 80], [b, 8080]] as const) {
      new ApiObject(cluster, 'payments', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'payments', namespace: 'shop', labels: { 'istio.io/global': 'true' } }, spec: { ports: [{ name: 'http', port }] } });
    }
    expect(() => bad.synth()).toThrow(/the rendered bundles break the ambient topology; nothing was written:\n {2}Service shop\/payments differs between a and b in spec.ports: ambient multicluster needs it identical.*\[MCM021\]$/s);
  });

  test('a DestinationRule the user added that differs between clusters', () => {
    const { app: bad, mesh } = testMesh({ meshId: 'm', topology: MeshTopology.AMBIENT });
    for (const [name, mode] of [['a', 'ROUND_ROBIN'], ['b', 'LEAST_REQUEST']] as const) {
      const cluster = new MeshCluster(mesh, name, { network: 'n1', gateway: name === 'a' ? { address: '10.0.0.1' } : undefined });
      new ApiObject(cluster, 'dr', { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'payments', namespace: 'shop' }, spec: { host: 'payments.shop.svc.cluster.local', trafficPolicy: { loadBalancer: { simple: mode } } } });
    }
    expect(() => bad.synth()).toThrow(/DestinationRule shop\/payments differs between a and b in spec/);
  });

  test.each<[string, (mesh: Mesh) => void, RegExp]>([
    ['primary-remote', mesh => {
      const p = new MeshCluster(mesh, 'p', { network: 'n1', gateway: { address: '10.0.0.1' } });
      new MeshCluster(mesh, 'r', { network: 'n1', primary: p });
    }, /\[mesh\/r\] primary "mesh\/p" is not supported by Istio's ambient multicluster/],
    ['a NodePort gateway', mesh => { new MeshCluster(mesh, 'c', { network: 'n1', gateway: { address: '10.0.0.1', nodePort: 31443 } }); },
      /gateway.nodePort 31443 means nothing in the ambient topology, where istiod provisions the east-west gateway/],
    ['keeping a .global name', mesh => {
      const c = new MeshCluster(mesh, 'c', { network: 'n1', gateway: { address: '10.0.0.1' } });
      new GlobalService(mesh, 'web', { namespace: 'shop', ports: [{ name: 'http', number: 80 }], servedBy: [c], keepGlobalName: true });
    }, /keepGlobalName true means nothing in the ambient topology/],
  ])('%s is refused', (_, declare, message) => {
    expect(() => declare(testMesh({ topology: MeshTopology.AMBIENT }).mesh)).toThrow(message);
  });

  test('L7 access policies (ztunnel enforces L4 only) and traffic distribution outside ambient', () => {
    const { app: l7, mesh } = testMesh({ topology: MeshTopology.AMBIENT });
    const c = new MeshCluster(mesh, 'c', { network: 'n1', gateway: { address: '10.0.0.1' } });
    new GlobalService(mesh, 'web', { namespace: 'shop', ports: [{ name: 'http', number: 80 }], servedBy: [c] });
    new AccessPolicy(mesh, 'readers', { namespace: 'shop', selector: { app: 'web' }, principals: [Principal.namespace('shop')], methods: [HttpMethod.GET] });
    new AccessPolicy(mesh, 'by-path', { namespace: 'shop', selector: { app: 'web' }, principals: [Principal.namespace('shop')], paths: ['/api/*'] });
    expect(() => l7.synth()).toThrow(/\[mesh\/by-path\] methods and paths are L7[\s\S]*\[mesh\/readers\] methods and paths are L7, which ambient enforces only in a waypoint/);
    const sidecars = testMesh({ topology: MeshTopology.MULTI_NETWORK }).mesh;
    const s = new MeshCluster(sidecars, 's', { network: 'n1' });
    expect(() => new GlobalService(sidecars, 'web', { namespace: 'shop', ports: [{ name: 'http', number: 80 }], servedBy: [s], trafficDistribution: TrafficDistribution.PREFER_CLOSE }))
      .toThrow(/trafficDistribution "PreferClose" is the ambient data plane's/);
  });

  test('VMs and .global options', () => {
    const { app: withVm, mesh } = testMesh({ topology: MeshTopology.AMBIENT });
    const c = new MeshCluster(mesh, 'c', { network: 'n1', gateway: { address: '10.0.0.1' } });
    new VmWorkload(mesh, 'legacy', { namespace: 'shop', cluster: c, ports: [{ name: 'http', number: 80 }], instances: [{ name: 'vm1', address: '10.1.0.9' }] });
    expect(() => withVm.synth()).toThrow(/\[mesh\/legacy\] VMs are not supported by Istio's ambient multicluster/);
    expect(() => new Mesh(testApp(), 'm', { topology: MeshTopology.AMBIENT, vipRange: '240.1.0.0/16' })).toThrow(/vipRange "240.1.0.0\/16" means nothing in the ambient topology/);
  });
});

import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'cdk8s';
import { GlobalService, HttpMethod, LoadBalancerAlgorithm, MeshCluster, RouteRule, ServingEntry, VersionedRoute } from '../src';
import { istioSchemaErrors } from './support/istio-schema';
import { allObjects, bundleFile, objectsOf, synthOnce, testMesh } from './support/synth';

/** Seed 000: helloworld v1 in cluster1, v2 and v3 in cluster2; jason goes 70/30 to v2/v3, everyone else to v1. */
function helloworld() {
  const { app, mesh } = testMesh();
  const cluster1 = new MeshCluster(mesh, 'cluster1', { gateway: { address: '172.18.0.3' } });
  const cluster2 = new MeshCluster(mesh, 'cluster2', { gateway: { address: '172.18.0.4', nodePort: 30001 } });
  const service = new GlobalService(mesh, 'helloworld', { namespace: 'hello', ports: [{ name: 'http1', number: 5000 }], servedBy: [cluster1, cluster2] });
  const v1 = service.addVersion('v1', { clusters: [cluster1] });
  const v2 = service.addVersion('v2', { clusters: [cluster2] });
  const v3 = service.addVersion('v3', { clusters: [cluster2] });
  const route = new VersionedRoute(mesh, 'helloworld-route', {
    service,
    clients: [cluster1],
    rules: [{ name: 'jason', match: [{ headers: { 'end-user': { exact: 'jason' } } }], to: [{ version: v2, weight: 70 }, { version: v3, weight: 30 }] }],
    defaultRoute: [{ version: v1 }],
  });
  return { app, mesh, cluster1, cluster2, service, v1, v2, v3, route };
}

/** A rule of helloworld's with one setting changed. */
const rule = (h: ReturnType<typeof helloworld>, extra: Partial<RouteRule>): RouteRule =>
  ({ name: 'r1', match: [{ uri: { prefix: '/a' } }], to: [{ version: h.v1 }], ...extra });

describe('VersionedRoute', () => {
  test('helloworld: the client cluster gets the objects of REFERENCE.md section 5', () => {
    const { app } = helloworld();
    const c1 = objectsOf(app, 'cluster1');

    expect(c1.get('ServiceEntry/hello/helloworld-global')?.spec).toMatchObject({
      hosts: ['helloworld.hello.global'],
      location: 'MESH_INTERNAL',
      ports: [{ name: 'http1', number: 5000, protocol: 'HTTP' }],
      endpoints: [{ address: '172.18.0.4', labels: { 'cluster': 'cluster2', 'security.istio.io/tlsMode': 'istio' }, ports: { http1: 30001 } }],
    });
    // istioctl analyze matches subset labels against pods only: IST0173 is a false positive here.
    expect(c1.get('DestinationRule/hello/helloworld-global')?.metadata.annotations).toEqual({ 'galley.istio.io/analyze-suppress': 'IST0173' });
    expect(c1.get('DestinationRule/hello/helloworld-global')?.spec).toEqual({
      host: 'helloworld.hello.global',
      trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
      subsets: [{ name: 'v2', labels: { cluster: 'cluster2' } }, { name: 'v3', labels: { cluster: 'cluster2' } }],
    });
    expect(c1.get('DestinationRule/hello/helloworld')?.spec).toEqual({
      host: 'helloworld.hello.svc.cluster.local',
      trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
      subsets: [{ name: 'v1', labels: { version: 'v1' } }],
    });
    expect(c1.get('VirtualService/hello/helloworld')?.spec).toEqual({
      hosts: ['helloworld.hello.svc.cluster.local', 'helloworld.hello.global'],
      // Every match and destination names the routed port.
      http: [
        {
          name: 'jason',
          match: [{ headers: { 'end-user': { exact: 'jason' } }, port: 5000 }],
          route: [
            { destination: { host: 'helloworld.hello.global', subset: 'v2', port: { number: 5000 } }, weight: 70 },
            { destination: { host: 'helloworld.hello.global', subset: 'v3', port: { number: 5000 } }, weight: 30 },
          ],
        },
        { name: 'default', match: [{ port: 5000 }], route: [{ destination: { host: 'helloworld.hello.svc.cluster.local', subset: 'v1', port: { number: 5000 } } }] },
      ],
    });
  });

  test('helloworld: the serving cluster gets the companion entry and subsets of the same names that pick pods', () => {
    const { app } = helloworld();
    const c2 = objectsOf(app, 'cluster2');
    expect(c2.get('ServiceEntry/hello/helloworld-global')?.spec).toMatchObject({
      hosts: ['helloworld.hello.global'], resolution: 'STATIC', workloadSelector: { labels: { app: 'helloworld' } },
    });
    expect(c2.get('DestinationRule/hello/helloworld-global')?.spec.subsets).toEqual([
      { name: 'v2', labels: { version: 'v2' } }, { name: 'v3', labels: { version: 'v3' } },
    ]);
    expect(c2.get('DestinationRule/hello/helloworld')?.spec.subsets).toEqual([
      { name: 'v2', labels: { version: 'v2' } }, { name: 'v3', labels: { version: 'v3' } },
    ]);
    expect(c2.has('VirtualService/hello/helloworld')).toBe(false);
    // cluster1 is reached by nobody: no companion entry there
    expect(objectsOf(app, 'cluster1').get('ServiceEntry/hello/helloworld-global')?.spec.resolution).toBe('DNS');
  });

  test('every cross-cluster subset exists under the same name on both ends', () => {
    const { app } = helloworld();
    const subsets = (cluster: string) => objectsOf(app, cluster).get('DestinationRule/hello/helloworld-global')!.spec.subsets.map((s: any) => s.name);
    const routed = objectsOf(app, 'cluster1').get('VirtualService/hello/helloworld')!.spec.http
      .flatMap((h: any) => h.route).filter((r: any) => r.destination.host.endsWith('.global')).map((r: any) => r.destination.subset);
    expect(subsets('cluster1')).toEqual(subsets('cluster2'));
    expect(subsets('cluster2')).toEqual(expect.arrayContaining(routed));
  });

  test('describe() and routes.md state the shares per client cluster', () => {
    const { app, route } = helloworld();
    expect(route.describe()).toBe('cluster1: end-user=jason -> v2@cluster2 70%, v3@cluster2 30%; otherwise -> v1@cluster1 100%');
    const routes = bundleFile(app, 'cluster1/routes.md');
    expect(routes).toContain('| jason | end-user=jason | v2@cluster2 70%, v3@cluster2 30% |');
    expect(routes).toContain('| default | otherwise | v1@cluster1 100% |');
    expect(routes).toContain('Cross-cluster subsets: v2 -> cluster2, v3 -> cluster2.');
    expect(fs.existsSync(path.join(app.bundlesOutdir, 'cluster2/routes.md'))).toBe(false);
  });

  test('seed 004: region-weighted routing, 70% us-east and 30% us-west', () => {
    const { app, mesh } = testMesh();
    const client = new MeshCluster(mesh, 'client', { locality: 'eu-west-1' });
    const east = new MeshCluster(mesh, 'east', { gateway: { address: 'gw.east.example.com' }, locality: 'us-east-1' });
    const west = new MeshCluster(mesh, 'west', { gateway: { address: 'gw.west.example.com' }, locality: 'us-west-1' });
    const service = new GlobalService(mesh, 'service', { namespace: 'default', ports: [{ name: 'http', number: 80 }], servedBy: [east, west] });
    const usEast = service.addVersion('us-east', { clusters: [east], labels: { app: 'service' } });
    const usWest = service.addVersion('us-west', { clusters: [west], labels: { app: 'service' } });
    const route = new VersionedRoute(mesh, 'by-region', { service, clients: [client], defaultRoute: [{ version: usEast, weight: 70 }, { version: usWest, weight: 30 }] });

    expect(route.describe()).toBe('client: otherwise -> us-east@east 70%, us-west@west 30%');
    expect(objectsOf(app, 'client').get('DestinationRule/default/service-global')?.spec.subsets).toEqual([
      { name: 'us-east', labels: { cluster: 'east' } }, { name: 'us-west', labels: { cluster: 'west' } },
    ]);
    expect(objectsOf(app, 'east').get('DestinationRule/default/service-global')?.spec.subsets).toEqual([{ name: 'us-east', labels: { app: 'service' } }]);
    expect(istioSchemaErrors(allObjects(app))).toEqual([]);
  });

  test('a canary in the only serving cluster, routed for its own clients: local hops, and the .global name resolves there too', () => {
    const { app, mesh } = testMesh();
    new MeshCluster(mesh, 'cluster1', { gateway: { address: '172.18.0.3' } });
    const cluster2 = new MeshCluster(mesh, 'cluster2', { gateway: { address: '172.18.0.4' } });
    const service = new GlobalService(mesh, 'reviews', { namespace: 'shop', ports: [{ name: 'http', number: 9080 }], servedBy: [cluster2] });
    const v1 = service.addVersion('v1', { clusters: [cluster2] });
    const v2 = service.addVersion('v2', { clusters: [cluster2] });
    new VersionedRoute(mesh, 'reviews-route', { service, clients: [cluster2], defaultRoute: [{ version: v1, weight: 90 }, { version: v2, weight: 10 }] });
    const c2 = objectsOf(app, 'cluster2');
    expect(c2.get('VirtualService/shop/reviews')?.spec.http).toEqual([{
      name: 'default',
      match: [{ port: 9080 }],
      route: ['v1', 'v2'].map((subset, i) => ({ destination: { host: 'reviews.shop.svc.cluster.local', subset, port: { number: 9080 } }, weight: [90, 10][i] })),
    }]);
    // One entry for the host in cluster2, its serving one: cluster1 (a default consumer) and its own clients reach the pods through it.
    expect(c2.get('ServiceEntry/shop/reviews-global')?.spec.workloadSelector).toEqual({ labels: { app: 'reviews' } });
    expect(objectsOf(app, 'cluster1').get('ServiceEntry/shop/reviews-global')?.spec.endpoints).toEqual([expect.objectContaining({ address: '172.18.0.4' })]);
    expect(istioSchemaErrors(allObjects(app))).toEqual([]);
  });

  test('three clusters, two regions: local first, spreading on request, locality failover with outlier detection', () => {
    const { app, mesh } = testMesh();
    const c1 = new MeshCluster(mesh, 'cluster1', { gateway: { address: '10.0.1.1' }, locality: 'us-east-1/us-east-1a' });
    const c2 = new MeshCluster(mesh, 'cluster2', { gateway: { address: '10.0.2.1' }, locality: 'us-east-1/us-east-1b' });
    const c3 = new MeshCluster(mesh, 'cluster3', { gateway: { address: '10.0.3.1' }, locality: 'us-west-2/us-west-2a' });
    const service = new GlobalService(mesh, 'api', { namespace: 'shop', ports: [{ name: 'http', number: 8080 }, { name: 'grpc', number: 9090 }], servedBy: [c1, c2, c3] });
    const stable = service.addVersion('stable', { clusters: [c2, c3] });
    const canary = service.addVersion('canary', { clusters: [c3] });
    const route = new VersionedRoute(mesh, 'api-route', {
      service,
      clients: [c1],
      port: 'http',
      spread: true,
      rules: [{
        name: 'beta-testers',
        match: [{ headers: { 'x-beta': { exact: 'true' } }, method: HttpMethod.GET }, { uri: { prefix: '/beta' } }],
        to: [{ version: canary }],
        timeout: Duration.seconds(2),
        retries: { attempts: 3, perTryTimeout: Duration.millis(500), retryOn: '5xx,connect-failure' },
        fault: { delay: { fixedDelay: Duration.millis(100), percent: 10 } },
      }],
      defaultRoute: [{ version: stable, weight: 90 }, { version: canary, weight: 10 }],
      trafficPolicy: {
        loadBalancer: LoadBalancerAlgorithm.ROUND_ROBIN,
        outlierDetection: { consecutive5xxErrors: 0, consecutiveGatewayErrors: 3, interval: Duration.seconds(1), baseEjectionTime: Duration.minutes(1) },
        localityFailover: [{ from: 'us-east-1', to: 'us-west-2' }],
      },
    });

    expect(route.describe()).toBe('cluster1: x-beta=true and method=GET or uri^=/beta -> canary@cluster3 100%; '
      + 'otherwise -> stable@cluster2 45%, stable@cluster3 45%, canary@cluster3 10%');
    const vs = objectsOf(app, 'cluster1').get('VirtualService/shop/api')!.spec;
    expect(vs.http[0]).toEqual({
      name: 'beta-testers',
      match: [{ headers: { 'x-beta': { exact: 'true' } }, method: { exact: 'GET' }, port: 8080 }, { uri: { prefix: '/beta' }, port: 8080 }],
      route: [{ destination: { host: 'api.shop.global', subset: 'canary-cluster3', port: { number: 8080 } } }],
      timeout: '2s',
      retries: { attempts: 3, perTryTimeout: '500ms', retryOn: '5xx,connect-failure' },
      fault: { delay: { fixedDelay: '100ms', percentage: { value: 10 } } },
    });
    const dr = objectsOf(app, 'cluster1').get('DestinationRule/shop/api-global')!.spec;
    expect(dr.trafficPolicy).toEqual({
      tls: { mode: 'ISTIO_MUTUAL' },
      loadBalancer: { simple: 'ROUND_ROBIN', localityLbSetting: { enabled: true, failover: [{ from: 'us-east-1', to: 'us-west-2' }] } },
      outlierDetection: { consecutive5xxErrors: 0, consecutiveGatewayErrors: 3, interval: '1s', baseEjectionTime: '60s' },
    });
    expect(dr.subsets).toEqual([
      { name: 'canary-cluster3', labels: { cluster: 'cluster3' } },
      { name: 'stable-cluster2', labels: { cluster: 'cluster2' } },
      { name: 'stable-cluster3', labels: { cluster: 'cluster3' } },
    ]);
    expect(objectsOf(app, 'cluster3').get('DestinationRule/shop/api-global')!.spec.subsets).toEqual([
      { name: 'canary-cluster3', labels: { version: 'canary' } }, { name: 'stable-cluster3', labels: { version: 'stable' } },
    ]);
    expect(objectsOf(app, 'cluster2').get('DestinationRule/shop/api-global')!.spec.subsets).toEqual([{ name: 'stable-cluster2', labels: { version: 'stable' } }]);
    expect(istioSchemaErrors(allObjects(app))).toEqual([]);
    expect(app.warnings.filter(w => w.includes('outlierDetection'))).toEqual([]);
  });

  test('a route on one HTTP port leaves the service\'s other ports alone: every rule, the default one too, matches its port', () => {
    const { app, mesh } = testMesh();
    const [c1, c2] = ['c1', 'c2'].map(n => new MeshCluster(mesh, n, { gateway: { address: `gw.${n}.example.com` } }));
    const service = new GlobalService(mesh, 'api', { namespace: 'shop', ports: [{ name: 'http-api', number: 8080 }, { name: 'http-admin', number: 9090 }], servedBy: [c2] });
    const v1 = service.addVersion('v1', { clusters: [c2] });
    new VersionedRoute(mesh, 'api-route', { service, clients: [c1], port: 'http-api', rules: [{ name: 'u', match: [{ uri: { prefix: '/v1' } }], to: [{ version: v1 }] }], defaultRoute: [{ version: v1 }] });
    const http = objectsOf(app, 'c1').get('VirtualService/shop/api')!.spec.http;
    expect(http.map((r: any) => r.match)).toEqual([[{ uri: { prefix: '/v1' }, port: 8080 }], [{ port: 8080 }]]);
    expect(http.every((r: any) => r.route.every((d: any) => d.destination.port.number === 8080))).toBe(true);
  });

  test('outlier detection that ejects on 5xx warns when cross-cluster subsets have one endpoint, the remote gateway', () => {
    const { app, mesh, cluster1, service, v1, v2 } = helloworld();
    mesh.node.tryRemoveChild('helloworld-route');
    new VersionedRoute(mesh, 'r', {
      service, clients: [cluster1], defaultRoute: [{ version: v1, weight: 50 }, { version: v2, weight: 50 }],
      trafficPolicy: { outlierDetection: { consecutive5xxErrors: 1 } },
    });
    synthOnce(app);
    expect(app.warnings).toContainEqual(expect.stringMatching(
      /^\[mesh\/r\] trafficPolicy.outlierDetection ejects on 5xx answers \(consecutive5xxErrors 1\), but in cluster1 each cross-cluster subset has one endpoint, the remote gateway: .* e.g. \{ consecutive5xxErrors: 0, consecutiveGatewayErrors: 3.* \[MCM107\]$/));
  });

  test('spread subset names that would collide are refused on both ends, never merged', () => {
    const { mesh } = testMesh();
    const client = new MeshCluster(mesh, 'client');
    const east = new MeshCluster(mesh, 'east', { gateway: { address: 'gw.east.example.com' } });
    const canaryEast = new MeshCluster(mesh, 'canary-east', { gateway: { address: 'gw.ce.example.com' } });
    const service = new GlobalService(mesh, 'api', { namespace: 'shop', ports: [{ name: 'http', number: 80 }], servedBy: [east, canaryEast] });
    const v2Canary = service.addVersion('v2-canary', { clusters: [east] });
    const v2 = service.addVersion('v2', { clusters: [canaryEast] });
    expect(() => new VersionedRoute(mesh, 'r', { service, clients: [client], spread: true, defaultRoute: [{ version: v2Canary, weight: 50 }, { version: v2, weight: 50 }] }))
      .toThrow(/\[mesh\/r\] subset name "v2-canary-east" stands for both version v2-canary in east and version v2 in canary-east .*: rename a version or a cluster/);
  });

  test('a spread subset name over 63 characters is refused', () => {
    const { mesh } = testMesh();
    const client = new MeshCluster(mesh, 'client');
    const far = new MeshCluster(mesh, 'c'.repeat(40), { gateway: { address: 'gw.far.example.com' } });
    const service = new GlobalService(mesh, 'api', { namespace: 'shop', ports: [{ name: 'http', number: 80 }], servedBy: [far] });
    const v = service.addVersion('v'.repeat(30), { clusters: [far] });
    expect(() => new VersionedRoute(mesh, 'r', { service, clients: [client], spread: true, defaultRoute: [{ version: v }] }))
      .toThrow(/subset name "v{30}-c{40}" for version v{30} in c{40} is longer than 63 characters, which Istio rejects/);
  });

  test('versions routed across clusters need the workload-selector serving entry', () => {
    const { mesh } = testMesh();
    const [c1, c2] = ['c1', 'c2'].map(n => new MeshCluster(mesh, n, { gateway: { address: `gw.${n}.example.com` } }));
    const service = new GlobalService(mesh, 'api', { namespace: 'shop', ports: [{ name: 'http', number: 80 }], servedBy: [c2], servingEntry: ServingEntry.LOCAL_DNS });
    const v1 = service.addVersion('v1', { clusters: [c2] });
    expect(() => new VersionedRoute(mesh, 'r', { service, clients: [c1], defaultRoute: [{ version: v1 }] }))
      .toThrow(/\[mesh\/r\] service "api" has servingEntry LOCAL_DNS, whose one DNS endpoint hides the pods' version labels, so the subsets this route sends to c2 would select nothing \(503\): use ServingEntry.WORKLOAD_SELECTOR/);
  });

  test('all helloworld output validates against the Istio schemas', () => {
    expect(istioSchemaErrors(allObjects(helloworld().app))).toEqual([]);
  });

  test('a rule after a catch-all rule is a warning, not an error', () => {
    const { app, mesh, cluster1, cluster2 } = helloworld();
    const other = new GlobalService(mesh, 'other', { namespace: 'hello', ports: [{ name: 'http', number: 80 }], servedBy: [cluster2] });
    const v = other.addVersion('v1', { clusters: [cluster2] });
    new VersionedRoute(mesh, 'other-route', {
      service: other, clients: [cluster1],
      rules: [{ name: 'all', match: [{}], to: [{ version: v }] }, { name: 'never', match: [{ uri: { exact: '/x' } }], to: [{ version: v }] }],
      defaultRoute: [{ version: v }],
    });
    synthOnce(app);
    expect(app.warnings).toEqual(expect.arrayContaining([
      '[mesh/other-route] rule "never" can never match: rule "all" before it matches every request [MCM106]',
      '[mesh/other-route] defaultRoute can never match: rule "all" before it matches every request [MCM106]',
    ]));
  });

  test('a rule whose every match earlier rules already have is a warning (MCM106), a match they have another (MCM116), as istiod warns (VirtualServiceUnreachableRule, VirtualServiceIneffectiveMatch)', () => {
    const { app, mesh, cluster1, cluster2 } = helloworld();
    const other = new GlobalService(mesh, 'other', { namespace: 'hello', ports: [{ name: 'http', number: 80 }], servedBy: [cluster2] });
    const v = other.addVersion('v1', { clusters: [cluster2] });
    const jason = { headers: { 'end-user': { exact: 'jason' } }, uri: { prefix: '/a' } };
    new VersionedRoute(mesh, 'other-route', {
      service: other, clients: [cluster1],
      rules: [
        { name: 'jason', match: [jason], to: [{ version: v }] },
        { name: 'beta', match: [{ uri: { prefix: '/beta' } }], to: [{ version: v }] },
        // the same matches, their members in another order: shadowed by the two rules above
        { name: 'again', match: [{ uri: { prefix: '/beta' } }, { uri: { prefix: '/a' }, headers: { 'end-user': { exact: 'jason' } } }], to: [{ version: v }] },
        // one match of its own: reachable
        { name: 'partly', match: [{ uri: { prefix: '/beta' } }, { uri: { prefix: '/gamma' } }], to: [{ version: v }] },
      ],
      defaultRoute: [{ version: v }],
    });
    synthOnce(app);
    expect(app.warnings.filter(w => w.includes('other-route'))).toEqual([
      '[mesh/other-route] rule "again" can never match: rule "beta" and rule "jason" before it take every request it would [MCM106]',
      '[mesh/other-route] rule "partly"\'s match[0] never applies: rule "beta" before it takes every request it would; drop it, or move the rule up [MCM116]',
    ]);
  });

  test('a broader match earlier shadows a narrower one later (prefix /api takes /api/v1 with any header), never the other way round', () => {
    const { app, mesh, cluster1, cluster2 } = helloworld();
    const route = (name: string, rules: RouteRule[]) => {
      const service = new GlobalService(mesh, `${name}-svc`, { namespace: 'hello', ports: [{ name: 'http', number: 80 }], servedBy: [cluster2] });
      const v = service.addVersion('v1', { clusters: [cluster2] });
      new VersionedRoute(mesh, name, { service, clients: [cluster1], defaultRoute: [{ version: v }], rules: rules.map(r => ({ ...r, to: [{ version: v }] })) });
    };
    const narrow = { name: 'v1', match: [{ uri: { prefix: '/api/v1' }, headers: { 'x-beta': { exact: 'yes' } } }], to: [] };
    const broad = { name: 'api', match: [{ uri: { prefix: '/api' } }], to: [] };
    route('narrow-first', [narrow, broad]);
    route('broad-first', [broad, narrow]);
    synthOnce(app);
    expect(app.warnings.filter(w => w.includes('-first'))).toEqual([
      '[mesh/broad-first] rule "v1" can never match: rule "api" before it takes every request it would [MCM106]',
    ]);
  });

  describe('errors name the route, the rule and the version', () => {
    const route = (change: (h: ReturnType<typeof helloworld>) => Partial<ConstructorParameters<typeof VersionedRoute>[2]>) => () => {
      const h = helloworld();
      new VersionedRoute(h.mesh, 'r', {
        service: h.service, clients: [h.cluster1], defaultRoute: [{ version: h.v1 }], ...change(h),
      });
    };

    test.each<[string, (h: ReturnType<typeof helloworld>) => Partial<ConstructorParameters<typeof VersionedRoute>[2]>, RegExp]>([
      ['weights that do not sum to 100', h => ({ rules: [{ name: 'jason', match: [{ headers: { u: { exact: 'j' } } }], to: [{ version: h.v2, weight: 70 }, { version: h.v3, weight: 20 }] }] }),
        /\[mesh\/r\] rule "jason" weights "v2 70, v3 20" must sum to 100, got 90/],
      ['a negative weight', h => ({ defaultRoute: [{ version: h.v1, weight: 110 }, { version: h.v2, weight: -10 }] }),
        /\[mesh\/r\] defaultRoute weight of v2 -10 is not a non-negative integer percent/],
      ['a fractional weight', h => ({ defaultRoute: [{ version: h.v1, weight: 50.5 }, { version: h.v2, weight: 49.5 }] }),
        /defaultRoute weight of v1 50.5 is not a non-negative integer percent/],
      ['a version of another service', h => {
        const other = new GlobalService(h.mesh, 'other', { namespace: 'x', ports: [{ name: 'http', number: 80 }], servedBy: [h.cluster2] });
        return { defaultRoute: [{ version: other.addVersion('v9', { clusters: [h.cluster2] }) }] };
      }, /\[mesh\/r\] defaultRoute version "v9" belongs to other, not helloworld/],
      ['a version named twice', h => ({ defaultRoute: [{ version: h.v1, weight: 50 }, { version: h.v1, weight: 50 }] }),
        /defaultRoute.to "v1" names a version twice/],
      ['an empty match list', h => ({ rules: [{ name: 'r1', match: [], to: [{ version: h.v1 }] }] }),
        /rule "r1".match \[\] is empty: give at least one match, or put the destinations in defaultRoute/],
      // Envoy takes no empty prefix in a string match, and istiod no regex over 1024 characters.
      ['an empty header prefix', h => ({ rules: [{ name: 'r1', match: [{ headers: { 'x-user': { prefix: '' } } }], to: [{ version: h.v1 }] }] }),
        /\[mesh\/r\] rule "r1".match\[0\].headers.x-user.prefix "" is empty, and Envoy takes no empty prefix: to match any value, use regex ".\*"/],
      ['a regex over 1024 characters', h => ({ rules: [{ name: 'r1', match: [{ queryParams: { q: { regex: `^${'a'.repeat(1024)}$` } } }], to: [{ version: h.v1 }] }] }),
        /rule "r1".match\[0\].queryParams.q.regex "\^a+\$" is 1026 characters long, and istiod takes 1024 at most: use an RE2 expression/],
      ['a string match with two operators', h => ({ rules: [{ name: 'r1', match: [{ uri: { exact: '/a', prefix: '/' } }], to: [{ version: h.v1 }] }] }),
        /rule "r1".match\[0\].uri \{"exact":"\/a","prefix":"\/"\} must set exactly one of exact, prefix, regex/],
      ['a port that is not the service\'s', () => ({ port: 'grpc' }), /\[mesh\/r\] port "grpc" is not a port of helloworld: use one of http1/],
      ['no port, where the service has several', h => {
        const service = new GlobalService(h.mesh, 'two-ports', { namespace: 'x', ports: [{ name: 'http', number: 80 }, { name: 'grpc', number: 90 }], servedBy: [h.cluster2] });
        return { service, defaultRoute: [{ version: service.addVersion('v1', { clusters: [h.cluster2] }) }] };
      }, /^\[mesh\/r\] port is not set, and two-ports has several ports \(http, grpc\): name the one the route splits, e.g. port: "http" \[MCM030\]$/],
      ['locality failover without outlier detection', () => ({ trafficPolicy: { localityFailover: [{ from: 'us-east-1', to: 'us-west-2' }] } }),
        /\[mesh\/r\] trafficPolicy.localityFailover \["us-east-1->us-west-2"\] has no effect without outlierDetection \(Istio ignores it\)/],
      ['zone-level failover (seed 001)', () => ({ trafficPolicy: { outlierDetection: {}, localityFailover: [{ from: 'us/us-east-1/az-1/r11', to: 'us/us-west-1' }] } }),
        /trafficPolicy.localityFailover\[0\].from "us\/us-east-1\/az-1\/r11" is a zone or subzone: Istio fails over between regions only/],
      ['no clients', () => ({ clients: [] }), /\[mesh\/r\] clients \[\] is empty/],
      ['a NaN weight', h => ({ defaultRoute: [{ version: h.v1, weight: NaN }] }), /defaultRoute weight of v1 NaN is not a non-negative integer percent/],
      ['an unknown retry condition', h => ({ rules: [rule(h, { retries: { attempts: 2, retryOn: '5xx,sometimes' } })] }),
        /rule "r1".retries.retryOn "5xx,sometimes" has "sometimes", which Istio does not accept: use a comma-separated list of 5xx, gateway-error/],
      ['retry settings with attempts 0', h => ({ rules: [rule(h, { retries: { attempts: 0, retryOn: '5xx' } })] }),
        /rule "r1".retries.attempts 0 turns retries off, so perTryTimeout and retryOn would be ignored/],
      ['an empty fault', h => ({ rules: [rule(h, { fault: {} })] }), /rule "r1".fault \{\} is empty: set delay or abort/],
      ['a fault percentage below istiod\'s resolution', h => ({ rules: [rule(h, { fault: { delay: { fixedDelay: Duration.seconds(1), percent: 0.00005 } } })] }),
        /rule "r1".fault.delay.percent 0.00005 is below 0.0001, the smallest share istiod takes: use 0, or 0.0001 and above/],
      ['a fault percentage over 100', h => ({ rules: [rule(h, { fault: { abort: { httpStatus: 503, percent: 101 } } })] }), /rule "r1".fault.abort.percent 101 is not a percentage from 0 to 100/],
      ['an abort status that is not HTTP', h => ({ rules: [rule(h, { fault: { abort: { httpStatus: 99, percent: 1 } } })] }), /rule "r1".fault.abort.httpStatus 99 is not an HTTP status from 200 to 599/],
      ['a zero timeout', h => ({ rules: [rule(h, { timeout: Duration.seconds(0) })] }), /rule "r1".timeout "0ms" is not a duration Istio accepts/],
      ['a zero delay', h => ({ rules: [rule(h, { fault: { delay: { fixedDelay: Duration.millis(0), percent: 5 } } })] }), /rule "r1".fault.delay.fixedDelay "0ms" is not a duration Istio accepts/],
      ['an invalid regex', h => ({ rules: [{ name: 'r1', match: [{ uri: { regex: '/api/(v1' } }], to: [{ version: h.v1 }] }] }),
        /rule "r1".match\[0\].uri.regex "\/api\/\(v1" is not a valid regular expression .*: use an RE2 expression/],
      ['a regex with a backreference', h => ({ rules: [{ name: 'r1', match: [{ uri: { regex: '(a)\\1' } }], to: [{ version: h.v1 }] }] }),
        /uses backreferences or lookaround, which RE2 \(Envoy's regex engine\) does not support/],
      ['a header name with a space', h => ({ rules: [{ name: 'r1', match: [{ headers: { 'end user': { exact: 'j' } } }], to: [{ version: h.v1 }] }] }),
        /rule "r1".match\[0\].headers "end user" is not an HTTP header name in lower case/],
      ['an upper-case header name', h => ({ rules: [{ name: 'r1', match: [{ headers: { 'End-User': { exact: 'j' } } }], to: [{ version: h.v1 }] }] }),
        /headers "End-User" is not an HTTP header name in lower case/],
      ['a source label that is not a label', h => ({ rules: [{ name: 'r1', match: [{ sourceLabels: { app: 'a b' } }], to: [{ version: h.v1 }] }] }),
        /rule "r1".match\[0\].sourceLabels.app "a b" is not a label value/],
      ['a rule named like defaultRoute\'s', h => ({ rules: [{ name: 'default', match: [{ uri: { prefix: '/' } }], to: [{ version: h.v1 }] }] }),
        /\[mesh\/r\] rules\[0\].name "default" is the name of defaultRoute's rule \(the VirtualService's last route\): give the rule another name \[MCM030\]/],
      ['duplicate rule names', h => ({ rules: [1, 2].map(() => ({ name: 'x', match: [{ uri: { prefix: '/' } }], to: [{ version: h.v1 }] })) }), /rules "x" names two rules/],
    ])('%s', (_, change, message) => {
      expect(route(change)).toThrow(message);
    });

    test('a TCP port cannot carry HTTP routes', () => {
      const { mesh, cluster1, cluster2 } = helloworld();
      const db = new GlobalService(mesh, 'db', { namespace: 'x', ports: [{ name: 'tcp', number: 5432 }], servedBy: [cluster2] });
      expect(() => new VersionedRoute(mesh, 'r', { service: db, clients: [cluster1], defaultRoute: [{ version: db.addVersion('v1', { clusters: [cluster2] }) }] }))
        .toThrow(/\[mesh\/r\] port "tcp" is TCP: HTTP routing needs an HTTP, HTTP2 or gRPC port/);
    });

    test('a version that runs where the service is not served', () => {
      const { mesh, service } = helloworld();
      const c3 = new MeshCluster(mesh, 'cluster3');
      expect(() => service.addVersion('v4', { clusters: [c3] })).toThrow(/\[mesh\/helloworld\] version "v4".clusters "cluster3" does not serve helloworld: add it to servedBy/);
    });

    test.each<[string, (h: ReturnType<typeof helloworld>) => void, RegExp]>([
      ['a version that runs nowhere', h => h.service.addVersion('v4', { clusters: [] }), /\[mesh\/helloworld\] version "v4".clusters \[\] is empty: name the cluster\(s\) the version runs in/],
      ['a version declared twice', h => h.service.addVersion('v1', { clusters: [h.cluster1] }), /\[mesh\/helloworld\] version name "v1" is declared twice/],
      ['a version without labels', h => h.service.addVersion('v5', { clusters: [h.cluster1], labels: {} }), /version "v5".labels \{\} is empty: a subset needs labels/],
      ['a version name that is not a subset name', h => h.service.addVersion('V_1', { clusters: [h.cluster1] }), /version name "V_1" is not a DNS-1123 label/],
      ['version labels that contradict the workload labels', h => h.service.addVersion('v6', { clusters: [h.cluster1], labels: { app: 'other', version: 'v6' } }),
        /\[mesh\/helloworld\] version "v6".labels.app "other" contradicts the service's workload label app=helloworld: no pod of the service can carry both/],
      ['version labels that are not labels', h => h.service.addVersion('v7', { clusters: [h.cluster1], labels: { version: 'v 7' } }), /version "v7".labels.version "v 7" is not a label value/],
    ])('%s', (_, declare, message) => {
      const h = helloworld();
      expect(() => declare(h)).toThrow(message);
    });

    test('two routes for one service', () => {
      const { app, mesh, service, cluster1, v1 } = helloworld();
      new VersionedRoute(mesh, 'again', { service, clients: [cluster1], defaultRoute: [{ version: v1 }] });
      expect(() => app.synth()).toThrow(/helloworld.hello.global has several VersionedRoutes \(mesh\/helloworld-route, mesh\/again\)/);
    });
  });
});

test('locality failover that can never engage (no client in the from region, no version in the to region) is a warning with its code', () => {
  const { app, mesh } = testMesh();
  const client = new MeshCluster(mesh, 'client', { locality: 'us-east-1/a' });
  const east = new MeshCluster(mesh, 'east', { locality: 'us-east-1/b', gateway: { address: '10.0.0.1' } });
  new MeshCluster(mesh, 'eu', { locality: 'eu-west-1/a' });
  const service = new GlobalService(mesh, 'api', { namespace: 'shop', ports: [{ name: 'http', number: 80, targetPort: 80 }], servedBy: [east] });
  const v1 = service.addVersion('v1', { clusters: [east] });
  new VersionedRoute(mesh, 'r', {
    service, clients: [client], defaultRoute: [{ version: v1 }],
    trafficPolicy: { outlierDetection: { consecutiveGatewayErrors: 3, consecutive5xxErrors: 0 }, localityFailover: [{ from: 'eu-west-1', to: 'us-east-1' }, { from: 'us-east-1', to: 'eu-west-1' }] },
  });
  synthOnce(app);
  expect(app.warnings).toEqual(expect.arrayContaining([
    '[mesh/r] localityFailover eu-west-1 -> us-east-1 never engages: no client of the route is in eu-west-1 [MCM111]',
    '[mesh/r] localityFailover us-east-1 -> eu-west-1 never engages: no version of api runs in eu-west-1 [MCM111]',
  ]));
});

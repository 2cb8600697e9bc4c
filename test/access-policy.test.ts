import { AccessPolicy, GlobalService, HttpMethod, MeshCluster, MeshTopology, Principal, VersionedRoute, VmWorkload } from '../src';
import { istioSchemaErrors } from './support/istio-schema';
import { allObjects, objectsOf, synthOnce, testMesh } from './support/synth';

describe('AccessPolicy', () => {
  function seed004(clusters?: (c: MeshCluster[]) => MeshCluster[]) {
    const { app, mesh } = testMesh({ trustDomain: 'cluster.local' });
    const all = [new MeshCluster(mesh, 'cluster1'), new MeshCluster(mesh, 'cluster2')];
    new AccessPolicy(mesh, 'cross-cluster-authz', {
      namespace: 'default',
      selector: { app: 'service' },
      principals: [Principal.namespace('default'), Principal.serviceAccount('frontend', 'web')],
      methods: [HttpMethod.GET, HttpMethod.POST],
      clusters: clusters?.(all),
    });
    return app;
  }

  test('seed 004: ALLOW GET/POST to app=service from principals, in every cluster it is rendered in', () => {
    const app = seed004(all => all);
    for (const cluster of ['cluster1', 'cluster2']) {
      expect(objectsOf(app, cluster).get('AuthorizationPolicy/default/cross-cluster-authz')?.spec).toEqual({
        action: 'ALLOW',
        selector: { matchLabels: { app: 'service' } },
        rules: [{
          from: [{ source: { principals: ['cluster.local/ns/default/sa/*', 'cluster.local/ns/frontend/sa/web'] } }],
          to: [{ operation: { methods: ['GET', 'POST'] } }],
        }],
      });
    }
    expect(istioSchemaErrors(allObjects(app))).toEqual([]);
  });

  test('a principal, method or path named twice is rendered once', () => {
    const { app, mesh } = testMesh({ trustDomain: 'cluster.local' });
    const cluster1 = new MeshCluster(mesh, 'cluster1');
    new AccessPolicy(mesh, 'p', {
      namespace: 'default', selector: { app: 'service' }, clusters: [cluster1],
      principals: [Principal.serviceAccount('frontend', 'web'), Principal.namespace('default'), Principal.serviceAccount('frontend', 'web')],
      methods: [HttpMethod.GET, HttpMethod.GET], paths: ['/a', '/b/*', '/a'],
    });
    expect(objectsOf(app, 'cluster1').get('AuthorizationPolicy/default/p')?.spec.rules).toEqual([{
      from: [{ source: { principals: ['cluster.local/ns/frontend/sa/web', 'cluster.local/ns/default/sa/*'] } }],
      to: [{ operation: { methods: ['GET'], paths: ['/a', '/b/*'] } }],
    }]);
  });

  test('can be limited to some clusters', () => {
    const app = seed004(all => [all[1]]);
    expect(objectsOf(app, 'cluster1').has('AuthorizationPolicy/default/cross-cluster-authz')).toBe(false);
    expect(objectsOf(app, 'cluster2').has('AuthorizationPolicy/default/cross-cluster-authz')).toBe(true);
  });

  test('by default, only where the workloads it selects run (a global service\'s pods, a VM), so istioctl analyze finds no IST0127', () => {
    const { app, mesh } = testMesh();
    const [c1, c2, c3] = ['c1', 'c2', 'c3'].map(n => new MeshCluster(mesh, n, { gateway: { address: `gw.${n}.example.com` } }));
    const svc = new GlobalService(mesh, 'reviews', { namespace: 'shop', ports: [{ name: 'http', number: 9080 }], servedBy: [c1, c2], consumers: [c3] });
    svc.addVersion('v2', { clusters: [c2] });
    new VmWorkload(mesh, 'legacy', { namespace: 'shop', cluster: c3, ports: [{ name: 'http', number: 80 }], instances: [{ name: 'vm1', address: '10.0.0.9' }] });
    new AccessPolicy(mesh, 'reviews-v2', { namespace: 'shop', selector: { app: 'reviews', version: 'v2' }, principals: [Principal.namespace('shop')] });
    new AccessPolicy(mesh, 'legacy-readers', { namespace: 'shop', selector: { app: 'legacy' }, principals: [Principal.namespace('shop')] });
    const where = (name: string) => ['c1', 'c2', 'c3'].filter(c => objectsOf(app, c).has(`AuthorizationPolicy/shop/${name}`));
    expect(where('reviews-v2')).toEqual(['c2']);
    expect(where('legacy-readers')).toEqual(['c3']);
  });

  test('methods or paths over a selected workload\'s port that carries no HTTP warn that Istio denies that port (MCM118)', () => {
    const { app, mesh } = testMesh();
    const c1 = new MeshCluster(mesh, 'c1', { gateway: { address: '10.0.0.1' } });
    new GlobalService(mesh, 'reviews', {
      namespace: 'shop', servedBy: [c1], ports: [{ name: 'http', number: 9080 }, { name: 'grpc', number: 9090 }, { name: 'tcp-metrics', number: 9100 }, { name: 'tls', number: 9443 }],
    });
    new VmWorkload(mesh, 'legacy', { namespace: 'shop', cluster: c1, ports: [{ name: 'mysql', number: 3306 }], instances: [{ name: 'vm1', address: '10.0.0.9' }] });
    new AccessPolicy(mesh, 'readers', { namespace: 'shop', selector: { app: 'reviews' }, principals: [Principal.namespace('shop')], paths: ['/api/*'] });
    new AccessPolicy(mesh, 'legacy-readers', { namespace: 'shop', selector: { app: 'legacy' }, principals: [Principal.namespace('shop')], methods: [HttpMethod.GET] });
    // Without methods and paths, no rule is HTTP-only: nothing to say.
    new AccessPolicy(mesh, 'any', { namespace: 'shop', selector: { app: 'reviews' }, principals: [Principal.namespace('shop')] });
    synthOnce(app);
    expect(app.warnings.filter(w => w.endsWith('[MCM118]'))).toEqual([
      expect.stringMatching(/^\[mesh\/legacy-readers\] .* the workloads of mesh\/legacy, whose port mysql 3306 \(MYSQL\) carries no HTTP: .* \[MCM118\]$/),
      '[mesh/readers] methods and paths are HTTP-only, and the policy selects the workloads of mesh/reviews, whose port tcp-metrics 9100 (TCP) carries no HTTP: '
        + 'an ALLOW rule with HTTP-only fields matches no connection there, so Istio denies every connection to that port; set ports to the HTTP ones, '
        + 'and allow 9100 in a policy without methods and paths if it must stay reachable [MCM118]',
      expect.stringMatching(/^\[mesh\/readers\] .* whose port tls 9443 \(TLS\) carries no HTTP: .* \[MCM118\]$/),
    ]);
  });

  test('ports: the L7 rule on the HTTP port, the TCP port allowed by a second policy; nothing left to warn of', () => {
    const { app, mesh } = testMesh({ trustDomain: 'cluster.local' });
    const c1 = new MeshCluster(mesh, 'c1', { gateway: { address: '10.0.0.1' } });
    new GlobalService(mesh, 'reviews', { namespace: 'shop', servedBy: [c1], ports: [{ name: 'http', number: 80, targetPort: 9080 }, { name: 'tcp-metrics', number: 9100 }] });
    const principals = [Principal.namespace('shop')];
    // The proxy sees the workload's own port: 9080, not the service's 80.
    new AccessPolicy(mesh, 'readers', { namespace: 'shop', selector: { app: 'reviews' }, principals, methods: [HttpMethod.GET], ports: [9080] });
    new AccessPolicy(mesh, 'scrapers', { namespace: 'shop', selector: { app: 'reviews' }, principals, ports: [9100, 9100] });
    synthOnce(app);
    const rules = (name: string) => objectsOf(app, 'c1').get(`AuthorizationPolicy/shop/${name}`)?.spec.rules;
    expect(rules('readers')).toEqual([{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/*'] } }], to: [{ operation: { methods: ['GET'], ports: ['9080'] } }] }]);
    expect(rules('scrapers')).toEqual([{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/*'] } }], to: [{ operation: { ports: ['9100'] } }] }]);
    expect(app.warnings.filter(w => w.endsWith('[MCM118]'))).toEqual([]);
    expect(istioSchemaErrors(allObjects(app))).toEqual([]);
  });

  test('in the ambient topology, a policy over a routed service\'s pods is an error: behind the waypoint their ztunnel sees its identity (MCM027)', () => {
    const { app, mesh } = testMesh({ topology: MeshTopology.AMBIENT });
    const c1 = new MeshCluster(mesh, 'c1', { network: 'n1', gateway: { address: '10.0.0.1' } });
    const c2 = new MeshCluster(mesh, 'c2', { network: 'n2', gateway: { address: '10.0.1.1' } });
    const reviews = new GlobalService(mesh, 'reviews', { namespace: 'shop', ports: [{ name: 'http', number: 9080 }], servedBy: [c1, c2] });
    const v1 = reviews.addVersion('v1', { clusters: [c1] });
    new VersionedRoute(mesh, 'reviews-route', { service: reviews, clients: [c1, c2], defaultRoute: [{ version: v1 }] });
    new GlobalService(mesh, 'ratings', { namespace: 'shop', ports: [{ name: 'http', number: 9080 }], servedBy: [c2] });
    new AccessPolicy(mesh, 'reviews-readers', { namespace: 'shop', selector: { app: 'reviews' }, principals: [Principal.namespace('shop')] });
    // Not routed: its pods see the callers themselves.
    new AccessPolicy(mesh, 'ratings-readers', { namespace: 'shop', selector: { app: 'ratings' }, principals: [Principal.namespace('shop')] });
    expect(() => app.synth()).toThrow(/\n {2}\[mesh\/reviews-readers\] selects the pods of mesh\/reviews, which a VersionedRoute sends through its namespace's waypoint: their ztunnel sees the waypoint's identity, not the callers', so the policy would refuse every routed call .*: drop the policy or the route, or use MeshTopology.MULTI_NETWORK \[MCM027\]$/);
    expect(() => app.synth()).not.toThrow(/ratings-readers/);
  });

  test('a policy that selects no declared workload and names no clusters is an error', () => {
    const app = seed004();
    expect(() => app.synth()).toThrow(/\[mesh\/cross-cluster-authz\] selector \{"app":"service"\} in namespace default selects no workload the mesh declares .*: fix the selector, or set clusters/);
  });

  test.each([
    [{ selector: {} }, /selector \{\} is empty: it would protect every workload/],
    [{ selector: { 'app name': 'x' } }, /selector key "app name" is not a label key/],
    [{ selector: { app: 'x y' } }, /selector.app "x y" is not a label value/],
    [{ paths: [] }, /paths \[\] is empty: it would allow no request; leave it out to allow any path/],
    [{ paths: [''] }, /paths\[0\] "" is not a path Istio matches: start it with "\/"/],
    [{ paths: ['api/*'] }, /paths\[0\] "api\/\*" is not a path Istio matches/],
    [{ paths: ['/items', '/items?page=2'] }, /\[mesh\/p\] paths\[1\] "\/items\?page=2" holds a query or fragment, which Istio strips before it matches the path \(request.url_path\), so it would allow no request: give the path alone, e.g. \/api\/items \[MCM030\]/],
    [{ paths: ['/items/{id}'] }, /\[mesh\/p\] paths\[0\] "\/items\/\{id\}" holds "\{" or "\}", which istiod refuses in a path: match the literal path, or a prefix \(\/api\/\*\)/],
    [{ methods: [] }, /methods \[\] is empty: it would allow no request/],
    [{ ports: [] }, /ports \[\] is empty: it would allow no connection; leave it out to allow every port/],
    [{ ports: [8080, 70000] }, /\[mesh\/p\] ports\[1\] 70000 /],
    [{ methods: ['FETCH' as HttpMethod] }, /methods\[0\] "FETCH" is not an HTTP method/],
    [{ clusters: [] }, /clusters \[\] is empty: name the clusters to render the policy in, or leave it out/],
    [{ principals: [] }, /principals \[\] is empty: an ALLOW policy without principals denies everyone/],
    [{ principals: [Principal.serviceAccount('Default', 'x')] }, /principals\[0\].namespace "Default" is not a DNS-1123 label/],
  ])('errors: %j', (props, message) => {
    const { mesh } = testMesh();
    expect(() => new AccessPolicy(mesh, 'p', { namespace: 'default', selector: { app: 'x' }, principals: [Principal.namespace('default')], ...props }))
      .toThrow(message);
  });
});

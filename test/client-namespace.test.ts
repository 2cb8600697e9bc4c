import { ClientNamespace, ExternalService, GlobalService, MeshCluster, MeshTopology } from '../src';
import { istioSchemaErrors } from './support/istio-schema';
import { allObjects, objectsOf, testMesh } from './support/synth';

/** Three clusters that all serve, and a frontend namespace in c1 and c2. */
function shop(meshProps = {}) {
  const { app, mesh } = testMesh(meshProps);
  const [c1, c2, c3] = ['c1', 'c2', 'c3'].map(n => new MeshCluster(mesh, n, { gateway: { address: `gw.${n}.example.com` } }));
  const port = [{ name: 'http', number: 80, targetPort: 8080 }];
  const cart = new GlobalService(mesh, 'cart', { namespace: 'shop', ports: port, servedBy: [c3] });
  const stock = new GlobalService(mesh, 'stock', { namespace: 'shop', ports: port, servedBy: [c3] });
  const search = new GlobalService(mesh, 'search', { namespace: 'search', ports: port, servedBy: [c1] });
  return { app, mesh, c1, c2, c3, cart, stock, search };
}

describe('ClientNamespace', () => {
  test('scopes the namespace\'s sidecars to what it calls, in every cluster it runs in, with the schema\'s approval', () => {
    const { app, mesh, c1, c2, cart, search } = shop();
    const payments = new ExternalService(mesh, 'payments', { hosts: ['api.payments.example.com'], ports: [{ name: 'https', number: 443, protocol: 'TLS' as never }] });
    new ClientNamespace(mesh, 'frontend', {
      namespace: 'frontend', clusters: [c1, c2], calls: [cart, search], callsExternal: [payments], extraEgressHosts: ['data/postgres.data.svc.cluster.local'],
    });
    for (const cluster of ['c1', 'c2']) {
      expect(objectsOf(app, cluster).get('Sidecar/frontend/default')?.spec).toEqual({
        egress: [{
          hosts: [
            // The external service's entry lives in istio-system, which istio-system/* imports whole: istiod
            // warns of a host listed beside it (duplicated egress host).
            './*', 'data/postgres.data.svc.cluster.local', 'istio-system/*',
            'search/search.search.global', 'search/search.search.svc.cluster.local', 'shop/cart.shop.global', 'shop/cart.shop.svc.cluster.local',
          ],
        }],
      });
      // The namespace runs workloads: it is labelled for injection.
      expect(objectsOf(app, cluster).get('Namespace/frontend')?.metadata.labels).toMatchObject({ 'istio-injection': 'enabled' });
    }
    expect(objectsOf(app, 'c3').has('Sidecar/frontend/default')).toBe(false);
    expect(istioSchemaErrors(allObjects(app))).toEqual([]);
  });

  test('lists a host once: not beside <namespace>/* of its namespace, nor twice under two spellings of one namespace', () => {
    const { app, mesh, c1, cart } = shop();
    new ClientNamespace(mesh, 'frontend', {
      namespace: 'frontend', clusters: [c1], calls: [cart],
      extraEgressHosts: ['frontend/*', 'frontend/api.frontend.svc.cluster.local', 'shop/*', 'data/*.data.svc.cluster.local'],
    });
    expect(objectsOf(app, 'c1').get('Sidecar/frontend/default')?.spec.egress[0].hosts).toEqual(['./*', 'data/*.data.svc.cluster.local', 'istio-system/*', 'shop/*']);
  });

  test('with a selector, scopes only those workloads, in a Sidecar named after the construct', () => {
    const { app, mesh, c1, cart } = shop();
    new ClientNamespace(mesh, 'checkout', { namespace: 'frontend', clusters: [c1], calls: [cart], selector: { app: 'checkout' } });
    expect(objectsOf(app, 'c1').get('Sidecar/frontend/checkout')?.spec).toMatchObject({ workloadSelector: { labels: { app: 'checkout' } } });
  });

  test('with pruneUncalledServices, a service without explicit consumers reaches only its callers\' clusters', () => {
    const { app, mesh, c1, cart } = shop({ pruneUncalledServices: true });
    new ClientNamespace(mesh, 'frontend', { namespace: 'frontend', clusters: [c1], calls: [cart] });
    const entries = (cluster: string) => [...objectsOf(app, cluster).keys()].filter(k => k.startsWith('ServiceEntry/')).sort();
    // cart: called from c1 only. stock: called by nobody, so no cluster gets its entries. search: nobody calls it.
    expect(entries('c1')).toEqual(['ServiceEntry/shop/cart-global']);
    expect(entries('c2')).toEqual([]);
    expect(entries('c3')).toEqual(['ServiceEntry/shop/cart-global']);
  });

  test('a call from a cluster that neither serves nor consumes the service is an error naming both', () => {
    const { app, mesh, c1, c2, c3 } = shop();
    const orders = new GlobalService(mesh, 'orders', { namespace: 'shop', ports: [{ name: 'http', number: 80, targetPort: 8080 }], servedBy: [c3], consumers: [c1] });
    new ClientNamespace(mesh, 'frontend', { namespace: 'frontend', clusters: [c1, c2], calls: [orders] });
    expect(() => app.synth()).toThrow(/\[mesh\/frontend\] namespace frontend in c2 calls orders\.shop\.global, which c2 neither serves nor consumes \(consumers: c1\): add c2 to mesh\/orders's consumers, or drop the call \[MCM018\]/);
  });

  describe('two scopes of one namespace that apply to the same workloads are an error (MCM025): Istio applies either Sidecar', () => {
    test('two for every workload, whatever their names', () => {
      for (const name of ['default', 'other']) {
        const { app, mesh, c1, c2, cart, search } = shop();
        new ClientNamespace(mesh, 'frontend', { namespace: 'frontend', clusters: [c1, c2], calls: [cart] });
        new ClientNamespace(mesh, 'more', { namespace: 'frontend', clusters: [c2], calls: [search], name });
        expect(() => app.synth()).toThrow('[mesh/frontend] namespace frontend in c2 is scoped by mesh/more too, both for every workload (no selector): '
          + 'Istio takes one such Sidecar per namespace, either of them (istioctl analyze IST0111); declare the namespace once with all its calls, '
          + 'or give one of them a selector [MCM025]');
      }
    });

    test('selectors where one picks a subset of the other\'s workloads, named by the labels both select', () => {
      const { app, mesh, c1, cart, search } = shop();
      new ClientNamespace(mesh, 'web', { namespace: 'frontend', clusters: [c1], calls: [cart], selector: { app: 'web' } });
      new ClientNamespace(mesh, 'web-v2', { namespace: 'frontend', clusters: [c1], calls: [search], selector: { version: 'v2', app: 'web' } });
      expect(() => app.synth()).toThrow(/ \[mesh\/web\] namespace frontend in c1 is scoped by mesh\/web-v2 too, and both select the workloads labelled app=web,version=v2: .* \(istioctl analyze IST0110\); merge the two, or select different workloads \[MCM025\]$/m);
    });

    test('a remote\'s scope lands in its primary\'s configuration, beside the primary\'s own', () => {
      const { app, mesh } = testMesh({ topology: MeshTopology.MULTI_NETWORK });
      const p = new MeshCluster(mesh, 'p', { network: 'n1', gateway: { address: '10.0.0.1' } });
      const r = new MeshCluster(mesh, 'r', { network: 'n1', primary: p });
      const cart = new GlobalService(mesh, 'cart', { namespace: 'shop', ports: [{ name: 'http', number: 80 }], servedBy: [p] });
      new ClientNamespace(mesh, 'front-p', { namespace: 'frontend', clusters: [p], calls: [cart] });
      new ClientNamespace(mesh, 'front-r', { namespace: 'frontend', clusters: [r], calls: [cart], name: 'remote' });
      expect(() => app.synth()).toThrow(/\[mesh\/front-p\] namespace frontend in p is scoped by mesh\/front-r too, both for every workload/);
    });

    test('are fine: a selector beside the namespace\'s default (it comes first for its workloads), and selectors of different workloads', () => {
      const { app, mesh, c1, cart, search, stock } = shop();
      new ClientNamespace(mesh, 'frontend', { namespace: 'frontend', clusters: [c1], calls: [cart] });
      new ClientNamespace(mesh, 'web', { namespace: 'frontend', clusters: [c1], calls: [search], selector: { app: 'web' } });
      new ClientNamespace(mesh, 'api', { namespace: 'frontend', clusters: [c1], calls: [stock], selector: { app: 'api' } });
      expect([...objectsOf(app, 'c1').keys()].filter(k => k.startsWith('Sidecar/')).sort()).toEqual(['Sidecar/frontend/api', 'Sidecar/frontend/default', 'Sidecar/frontend/web']);
    });
  });

  test('a call to an external service from a cluster that does not declare it is an error too (its entry is not there)', () => {
    const { app, mesh, c1, c2 } = shop();
    const payments = new ExternalService(mesh, 'payments', { hosts: ['api.payments.example.com'], ports: [{ name: 'https', number: 443 }], clusters: [c1] });
    new ClientNamespace(mesh, 'frontend', { namespace: 'frontend', clusters: [c1, c2], calls: [], callsExternal: [payments] });
    expect(() => app.synth()).toThrow('[mesh/frontend] namespace frontend in c2 calls api.payments.example.com, which mesh/payments does not declare there (clusters: c1): '
      + 'add c2 to mesh/payments\'s clusters, or drop the call [MCM018]');
  });

  test('is refused in the ambient topology, whose ztunnel reads no Sidecar', () => {
    const { app, mesh } = testMesh({ topology: MeshTopology.AMBIENT });
    const c1 = new MeshCluster(mesh, 'c1', { network: 'n1', gateway: { address: '192.0.2.1' } });
    const svc = new GlobalService(mesh, 'cart', { namespace: 'shop', ports: [{ name: 'http', number: 80 }], servedBy: [c1] });
    new ClientNamespace(mesh, 'frontend', { namespace: 'frontend', clusters: [c1], calls: [svc] });
    expect(() => app.synth()).toThrow(/\[mesh\/frontend\] ambient workloads have no sidecar, and ztunnel reads no Istio Sidecar: drop the ClientNamespace, or use MeshTopology.MULTI_NETWORK \[MCM019\]/);
  });

  test.each([
    [{ namespace: 'istio-system' }, /namespace "istio-system" is a system namespace/],
    [{ namespace: 'kube-public' }, /namespace "kube-public" is a system namespace/],
    [{ clusters: [] }, /clusters \[\] is empty: name the clusters/],
    [{ calls: [] }, /calls \[\] is empty, and so is callsExternal/],
    [{ extraEgressHosts: ['postgres'] }, /extraEgressHosts\[0\] "postgres" is not a Sidecar egress host: use <namespace>\/<host>/],
    [{ extraEgressHosts: ['data/'] }, /extraEgressHosts\[0\] "data\/" is not a Sidecar egress host/],
    // istiod refuses short names in a Sidecar's egress hosts.
    [{ extraEgressHosts: ['data/postgres'] }, /extraEgressHosts\[0\] "data\/postgres" is not a Sidecar egress host: use <namespace>\/<host> with a fully qualified host/],
    [{ extraEgressHosts: ['*/*'] }, /extraEgressHosts\[0\] "\*\/\*" imports every namespace's services, which is what an unscoped namespace sees/],
    [{ selector: {} }, /selector \{\} is empty: leave it out to scope the whole namespace/],
    [{ selector: { 'a b': 'x' } }, /selector key "a b" is not a label key/],
    [{ name: 'Default' }, /name "Default" is not/],
  ])('refuses %j with a message naming the property', (override, message) => {
    const { mesh, c1, cart } = shop();
    expect(() => new ClientNamespace(mesh, 'frontend', { namespace: 'frontend', clusters: [c1], calls: [cart], ...override as object }))
      .toThrow(new RegExp(`\\[mesh/frontend\\] ${message.source}`));
  });
});

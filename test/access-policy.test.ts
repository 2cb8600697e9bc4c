import { AccessPolicy, HttpMethod, MeshCluster, Principal } from '../src';
import { istioSchemaErrors } from './support/istio-schema';
import { allObjects, objectsOf, testMesh } from './support/synth';

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

  test('seed 004: ALLOW GET/POST to app=service from principals, in every cluster', () => {
    const app = seed004();
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

  test('can be limited to some clusters', () => {
    const app = seed004(all => [all[1]]);
    expect(objectsOf(app, 'cluster1').has('AuthorizationPolicy/default/cross-cluster-authz')).toBe(false);
    expect(objectsOf(app, 'cluster2').has('AuthorizationPolicy/default/cross-cluster-authz')).toBe(true);
  });

  test.each([
    [{ selector: {} }, /selector \{\} is empty: it would protect every workload/],
    [{ principals: [] }, /principals \[\] is empty: an ALLOW policy without principals denies everyone/],
    [{ principals: [Principal.serviceAccount('Default', 'x')] }, /principals\[0\].namespace "Default" is not a DNS-1123 label/],
  ])('errors: %j', (props, message) => {
    const { mesh } = testMesh();
    expect(() => new AccessPolicy(mesh, 'p', { namespace: 'default', selector: { app: 'x' }, principals: [Principal.namespace('default')], ...props }))
      .toThrow(message);
  });
});

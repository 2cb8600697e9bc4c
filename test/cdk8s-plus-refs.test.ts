import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { GlobalService, MeshCluster, VersionedRoute } from '../src';
import { istioSchemaErrors } from './support/istio-schema';
import { allObjects, objectsOf, testMesh } from './support/synth';

/** httpbin as a team writes it with cdk8s-plus: a Deployment and a Service in cluster2's chart. */
function teamWorkloads() {
  const { app, mesh } = testMesh();
  const cluster1 = new MeshCluster(mesh, 'cluster1', { gateway: { address: '172.18.0.3' } });
  const cluster2 = new MeshCluster(mesh, 'cluster2', { gateway: { address: '172.18.0.4' } });
  const deployment = (cluster: MeshCluster, version: string) => new kplus.Deployment(cluster, `httpbin-${version}`, {
    metadata: { namespace: 'bar' },
    podMetadata: { labels: { app: 'httpbin', version } },
    containers: [{ image: 'docker.io/mccutchen/go-httpbin:v2.15.0', portNumber: 8080 }],
  });
  const v1 = deployment(cluster2, 'v1');
  const service = new kplus.Service(cluster2, 'httpbin', {
    metadata: { name: 'httpbin', namespace: 'bar' },
    ports: [{ name: 'http', port: 8000, targetPort: 8080 }],
  });
  service.selectLabel('app', 'httpbin');
  return { app, mesh, cluster1, cluster2, service, v1, deployment };
}

describe('GlobalService from cdk8s-plus objects', () => {
  test('name, namespace, ports with target ports, selector and serving cluster come from the Service', () => {
    const { app, mesh, service } = teamWorkloads();
    const global = GlobalService.fromServices(mesh, 'httpbin', [service]);
    expect(global.globalHost).toBe('httpbin.bar.global');
    expect(objectsOf(app, 'cluster2').get('ServiceEntry/bar/httpbin-global')?.spec).toMatchObject({
      ports: [{ name: 'http', number: 8000, protocol: 'HTTP', targetPort: 8080 }],
      workloadSelector: { labels: { app: 'httpbin' } },
    });
    expect(objectsOf(app, 'cluster1').has('ServiceEntry/bar/httpbin-global')).toBe(true);
    expect(app.notes).toEqual([]);
  });

  test('the team\'s own objects ship in the serving cluster\'s bundle, and Testing.synth shows them beside the mesh\'s', () => {
    const { app, mesh, service, cluster2 } = teamWorkloads();
    GlobalService.fromServices(mesh, 'httpbin', [service]);
    const kinds = Testing.synth(cluster2).map(o => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toEqual(expect.arrayContaining(['ServiceEntry/httpbin-global', 'Service/httpbin', expect.stringMatching(/^Deployment\//)]));
    expect(istioSchemaErrors(allObjects(app))).toEqual([]);
  });

  test('versions from workloads: the subset picks the labels the workloads share beyond the selector', () => {
    const { app, mesh, cluster1, cluster2, service, v1, deployment } = teamWorkloads();
    const global = GlobalService.fromServices(mesh, 'httpbin', [service]);
    const version1 = global.addVersionFromWorkloads('v1', [v1]);
    const version2 = global.addVersionFromWorkloads('v2', [deployment(cluster2, 'v2')]);
    expect(version2.labels).toEqual({ version: 'v2' });
    new VersionedRoute(mesh, 'r', { service: global, clients: [cluster1], defaultRoute: [{ version: version1, weight: 90 }, { version: version2, weight: 10 }] });
    expect(objectsOf(app, 'cluster2').get('DestinationRule/bar/httpbin-global')?.spec.subsets).toEqual([
      { name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } },
    ]);
  });

  test.each<[string, (t: ReturnType<typeof teamWorkloads>) => void, RegExp]>([
    ['a workload the service does not select', t => {
      const global = GlobalService.fromServices(t.mesh, 'httpbin', [t.service]);
      const stray = new kplus.Deployment(t.cluster2, 'stray', { containers: [{ image: 'x', portNumber: 80 }] });
      global.addVersionFromWorkloads('v9', [stray]);
    }, /\[mesh\/httpbin\] version "v9".workloads "mesh\/cluster2\/stray" has pods without app=httpbin, so httpbin does not select them/],
    ['workloads without a version label', t => {
      const global = GlobalService.fromServices(t.mesh, 'httpbin', [t.service]);
      const plain = new kplus.Deployment(t.cluster2, 'plain', { podMetadata: { labels: { app: 'httpbin' } }, containers: [{ image: 'x', portNumber: 80 }] });
      global.addVersionFromWorkloads('v9', [plain]);
    }, /share no pod label beyond the service's selector, so no subset can pick them/],
    ['a Service outside any MeshCluster', t => {
      const elsewhere = new kplus.Service(new (require('cdk8s').Chart)(t.app, 'team'), 'svc', { ports: [{ name: 'http', port: 80 }] });
      elsewhere.selectLabel('app', 'x');
      GlobalService.fromServices(t.mesh, 'svc', [elsewhere]);
    }, /\[mesh\] services\[0\] team\/svc is not in a MeshCluster: declare it with the cluster it runs in as its scope/],
    ['an unnamed port', t => {
      const svc = new kplus.Service(t.cluster2, 'svc', { ports: [{ port: 80 }] });
      svc.selectLabel('app', 'x');
      GlobalService.fromServices(t.mesh, 'svc', [svc]);
    }, /port 80 has no name: Istio reads the protocol from it/],
    ['Services that differ between clusters', t => {
      const other = new kplus.Service(t.cluster1, 'httpbin', { metadata: { name: 'httpbin', namespace: 'bar' }, ports: [{ name: 'http', port: 8000, targetPort: 80 }] });
      other.selectLabel('app', 'httpbin');
      GlobalService.fromServices(t.mesh, 'httpbin', [t.service, other]);
    }, /services\[1\] in cluster1 has ports .* but in cluster2 it is .*: a global service must be the same Service in every cluster that serves it/],
  ])('%s is an error', (_, declare, message) => {
    expect(() => declare(teamWorkloads())).toThrow(message);
  });
});

import { GlobalService, MeshCluster, VersionedRoute, VmWorkload } from '../../src';
import { bundleFile, testMesh } from '../support/synth';

test('mesh.md draws clusters, gateways, who consumes what, VMs and cross-cluster route shares', () => {
  const { app, mesh } = testMesh({ meshId: 'mesh1' });
  const c1 = new MeshCluster(mesh, 'cluster1', { network: 'network1', gateway: { address: '172.18.0.3' } });
  const c2 = new MeshCluster(mesh, 'cluster2', { network: 'network2', gateway: { address: '172.18.0.4', nodePort: 30001 }, locality: 'us-west-2' });
  new GlobalService(mesh, 'httpbin', { namespace: 'bar', ports: [{ name: 'http', number: 8000 }], servedBy: [c2] });
  const hello = new GlobalService(mesh, 'helloworld', { namespace: 'hello', ports: [{ name: 'http', number: 5000 }], servedBy: [c1, c2] });
  const v1 = hello.addVersion('v1', { clusters: [c1] });
  const v2 = hello.addVersion('v2', { clusters: [c2] });
  new VersionedRoute(mesh, 'route', { service: hello, clients: [c1], rules: [{ name: 'jason', match: [{ headers: { 'end-user': { exact: 'jason' } } }], to: [{ version: v2 }] }], defaultRoute: [{ version: v1 }] });
  new VmWorkload(mesh, 'whoami', { namespace: 'default', cluster: c1, ports: [{ name: 'http', number: 80, targetPort: 8888 }], instances: [{ name: 'vm1', address: '172.29.9.61' }] });

  const picture = bundleFile(app, 'mesh.md');
  expect(picture).toContain([
    '```mermaid',
    'flowchart LR',
    '  subgraph cluster1["cluster1 · network1"]',
    '    cluster1_gw{{"gateway 172.18.0.3:15443"}}',
    '    cluster1_vm_default_whoami_vm1[/"VM whoami/vm1 172.29.9.61"/]',
    '  end',
    '  subgraph cluster2["cluster2 · network2 · us-west-2"]',
    '    cluster2_gw{{"gateway 172.18.0.4:30001"}}',
    '  end',
    '  cluster1 -->|"helloworld.hello.global"| cluster2_gw',
    '  cluster1 -->|"httpbin.bar.global"| cluster2_gw',
    '  cluster1 -.->|"helloworld jason: v2 100%"| cluster2_gw',
    '```',
  ].join('\n'));
  expect(picture).toContain('| httpbin.bar.global | 240.0.0.2 | cluster2 | cluster1 |');
  expect(picture).toContain('cluster1: end-user=jason -> v2@cluster2 100%; otherwise -> v1@cluster1 100%');
  expect(picture).toContain('- whoami/vm1 at 172.29.9.61 in cluster1 (default), serves whoami.default.svc.cluster.local');
});

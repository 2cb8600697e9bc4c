/**
 * Istio's own multicluster install, from the same constructs: multi-primary on different networks with a
 * primary-remote pair. cluster1 and cluster3 run istiod on network1 and network2; cluster2 is a remote of
 * cluster1 on network1 (no istiod: cluster1's serves it through its east-west gateway). Services keep their
 * cluster.local names; helloworld v1 runs in cluster1, v2 in cluster3, and a route sends `end-user: jason`
 * to v2 across the networks; httpbin runs only in the remote and is called from network2.
 */
import * as path from 'path';
import { CacertsDelivery, GlobalService, Mesh, MeshApp, MeshCa, MeshCluster, MeshTopology, RemoteSecrets, VersionedRoute } from '../../src';

export function build(dir: string = __dirname): MeshApp {
  const app = new MeshApp({ outdir: path.join(dir, 'dist'), secretsOutdir: path.join(dir, 'secrets') });
  const mesh = new Mesh(app, 'mesh', {
    meshId: 'mesh1',
    topology: MeshTopology.MULTI_NETWORK,
    lockFile: path.join(dir, 'mesh.lock.json'),
    ca: MeshCa.generate({ keyStore: path.join(dir, '.mesh-keys'), delivery: CacertsDelivery.externalSecret({ storeName: 'vault' }) }),
    remoteSecrets: RemoteSecrets.externalSecret({ storeName: 'vault' }),
  });
  const cluster1 = new MeshCluster(mesh, 'cluster1', {
    network: 'network1', gateway: { address: '203.0.113.10' }, apiServer: 'https://203.0.113.1:6443', locality: 'us-east-1/us-east-1a',
  });
  const cluster2 = new MeshCluster(mesh, 'cluster2', { network: 'network1', primary: cluster1, apiServer: 'https://203.0.113.2:6443', locality: 'us-east-1/us-east-1b' });
  const cluster3 = new MeshCluster(mesh, 'cluster3', {
    network: 'network2', gateway: { address: 'eastwest.cluster3.example.com', nodePort: 31443 }, apiServer: 'https://cluster3.example.com:6443', locality: 'eu-west-1/eu-west-1a',
  });

  const helloworld = new GlobalService(mesh, 'helloworld', {
    namespace: 'sample',
    ports: [{ name: 'http', number: 5000, targetPort: 5000 }],
    servedBy: [cluster1, cluster3],
    consumers: [cluster2],
  });
  const v1 = helloworld.addVersion('v1', { clusters: [cluster1] });
  const v2 = helloworld.addVersion('v2', { clusters: [cluster3] });
  new VersionedRoute(mesh, 'helloworld-route', {
    service: helloworld,
    clients: [cluster1, cluster3],
    rules: [{ name: 'jason', match: [{ headers: { 'end-user': { exact: 'jason' } } }], to: [{ version: v2 }] }],
    defaultRoute: [{ version: v1 }],
  });

  new GlobalService(mesh, 'httpbin', {
    namespace: 'sample',
    ports: [{ name: 'http', number: 8000, targetPort: 8080 }],
    servedBy: [cluster2],
    consumers: [cluster3],
  });
  return app;
}

if (require.main === module) build().synth();

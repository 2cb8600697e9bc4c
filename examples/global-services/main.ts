/**
 * Seeds 000/003: `sleep` in cluster1 calls httpbin in cluster2 as httpbin.bar.global:8000, across the
 * clusters' 15443 gateways, with one shared root CA. Each other cluster shows one DNS mode for `.global`.
 */
import * as path from 'path';
import { GlobalDns, GlobalService, Mesh, MeshApp, MeshCa, MeshCluster } from '../../src';

export function build(dir = __dirname): MeshApp {
  const app = new MeshApp({ outdir: path.join(dir, 'dist'), secretsOutdir: path.join(dir, 'secrets') });
  const mesh = new Mesh(app, 'mesh', {
    meshId: 'mesh1',
    lockFile: path.join(dir, 'mesh.lock.json'),
    ca: MeshCa.generate({ keyStore: path.join(dir, '.mesh-keys') }),
  });
  // The cluster's CoreDNS configuration as it is today; the library appends the .global block to it.
  const corefileFile = path.join(__dirname, 'Corefile');

  const cluster1 = new MeshCluster(mesh, 'cluster1', {
    network: 'network1',
    gateway: { address: '172.18.0.3', nodePort: 30001 },
    // Current Istio: the sidecar's DNS proxy answers .global names from the ServiceEntry VIPs.
    dns: GlobalDns.dnsProxy(),
  });
  const cluster2 = new MeshCluster(mesh, 'cluster2', {
    network: 'network2',
    gateway: { address: '172.18.0.4', nodePort: 30001 },
    // No Istio plugin needed: CoreDNS answers every .global host from the VIPs known at synth time.
    dns: GlobalDns.staticZone({ corefileFile }),
  });
  // The articles' set-up, for clusters that still run istiocoredns:
  new MeshCluster(mesh, 'cluster3', { network: 'network3', dns: GlobalDns.coreDns({ corefileFile, istioCoreDnsIp: '10.96.0.100', renderIstioCoreDns: true }) });
  new MeshCluster(mesh, 'cluster4', { network: 'network4', dns: GlobalDns.kubeDns({ istioCoreDnsIp: '10.96.0.100' }) });
  new MeshCluster(mesh, 'cluster5', { network: 'network5', dns: GlobalDns.istioCoreDns({ clusterIp: '10.96.0.100' }) });

  cluster1.addNamespace('foo'); // where sleep runs
  new GlobalService(mesh, 'httpbin', {
    namespace: 'bar',
    ports: [{ name: 'http', number: 8000, targetPort: 8080 }],
    servedBy: [cluster2],
  });
  return app;
}

if (require.main === module) {
  build().synth();
}

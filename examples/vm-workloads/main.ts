/**
 * Seed 001: whoami runs on a VM (172.29.9.61:8888) and in pods labelled app=whoami; clients call
 * whoami.internal.com:80 and Istio balances over both. A second service runs on several VMs with
 * versions, per-instance ports, weights and localities. Each VM gets an onboarding kit.
 */
import * as path from 'path';
import { Duration } from 'cdk8s';
import { Mesh, MeshApp, MeshCa, MeshCluster, VmWorkload } from '../../src';

export function build(dir = __dirname): MeshApp {
  const app = new MeshApp({ outdir: path.join(dir, 'dist'), secretsOutdir: path.join(dir, 'secrets') });
  const mesh = new Mesh(app, 'mesh', {
    meshId: 'mesh1',
    lockFile: path.join(dir, 'mesh.lock.json'),
    ca: MeshCa.generate({ keyStore: path.join(dir, '.mesh-keys') }),
  });
  const cluster1 = new MeshCluster(mesh, 'cluster1', { network: 'network1', gateway: { address: '172.29.9.63' }, locality: 'us-east-1/us-east-1a' });
  const cluster2 = new MeshCluster(mesh, 'cluster2', { network: 'network2', gateway: { address: '172.29.9.64' }, locality: 'us-west-2/us-west-2a' });

  const whoami = new VmWorkload(mesh, 'whoami', {
    namespace: 'default',
    cluster: cluster1,
    host: 'whoami.internal.com',
    ports: [{ name: 'http', number: 80, targetPort: 8888 }],
    instances: [{ name: 'vm1', address: '172.29.9.61', labels: { 'instance-id': 'vm1' } }],
    probe: { httpGet: { path: '/health', port: 8888 }, period: Duration.seconds(5) },
    ingress: { hosts: ['whoami.internal.com'] },
  });
  // cluster2 reaches the VM as whoami.default.global.
  whoami.exportAsGlobalService({ consumers: [cluster2] });

  new VmWorkload(mesh, 'test', {
    namespace: 'legacy',
    cluster: cluster1,
    host: 'test.internal.com',
    ports: [{ name: 'http', number: 80, targetPort: 8080 }],
    instances: [
      { name: 'vm1', address: '192.168.0.10', labels: { version: 'v1' }, ports: { http: 8091 }, weight: 3, locality: 'us-east-1/us-east-1a' },
      { name: 'vm2', address: '192.168.0.11', labels: { version: 'v2' }, ports: { http: 8092 }, weight: 1, locality: 'us-east-1/us-east-1b' },
      { name: 'vm3', address: '192.168.0.12', labels: { version: 'v2' }, locality: 'us-west-2/us-west-2a' },
    ],
    probe: { tcpSocket: { port: 8080 } },
    trafficPolicy: {
      outlierDetection: { consecutive5xxErrors: 1, interval: Duration.seconds(1), baseEjectionTime: Duration.minutes(1) },
      localityFailover: [{ from: 'us-east-1', to: 'us-west-2' }],
    },
  });
  return app;
}

if (require.main === module) {
  build().synth();
}

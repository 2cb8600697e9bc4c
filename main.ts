import { GlobalService, Mesh, MeshApp, MeshCa, MeshCluster } from './src';

const app = new MeshApp();
const mesh = new Mesh(app, 'mesh', { meshId: 'mesh1', ca: MeshCa.generate() });
const cluster1 = new MeshCluster(mesh, 'cluster1', { network: 'network1', gateway: { address: '172.18.0.3', nodePort: 30001 } });
const cluster2 = new MeshCluster(mesh, 'cluster2', { network: 'network2', gateway: { address: '172.18.0.4', nodePort: 30001 } });
cluster1.addNamespace('foo');
new GlobalService(mesh, 'httpbin', { namespace: 'bar', ports: [{ name: 'http1', number: 8000 }], servedBy: [cluster2] });
app.synth();

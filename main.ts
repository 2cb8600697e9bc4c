/**
 * The quick start's mesh: three clusters on three networks, a shared root CA, a global service,
 * versioned routing across clusters, a VM brought into the mesh, an access policy, and a client namespace
 * whose sidecars see only what it calls.
 * `npm run synth` (or `npx ts-node main.ts`) renders it into dist/.
 */
import * as path from 'path';
import {
  AccessPolicy, ClientNamespace, GlobalDns, GlobalService, HttpMethod, Mesh, MeshApp, MeshCa, MeshCluster, Principal, VersionedRoute, VmWorkload,
} from './src';

const app = new MeshApp(); // bundles in dist/, cacerts Secrets in secrets/ (never committed)
const mesh = new Mesh(app, 'mesh', { meshId: 'mesh1', ca: MeshCa.generate() }); // keys kept in .mesh-keys/

const cluster1 = new MeshCluster(mesh, 'cluster1', {
  network: 'network1',
  gateway: { address: '172.18.0.3', nodePort: 30001 },
  locality: 'us-east-1/us-east-1a',
});
const cluster2 = new MeshCluster(mesh, 'cluster2', {
  network: 'network2',
  gateway: { address: '172.18.0.4', nodePort: 30001 },
  locality: 'us-west-2/us-west-2a',
  dns: GlobalDns.staticZone({ corefileFile: path.join(__dirname, 'examples', 'global-services', 'Corefile') }),
});
const cluster3 = new MeshCluster(mesh, 'cluster3', {
  network: 'network3',
  gateway: { address: 'gw.cluster3.example.com' },
  locality: 'us-west-2/us-west-2b',
});

// sleep in cluster1 and cluster3 call httpbin in cluster2 as httpbin.bar.global:8000.
const httpbin = new GlobalService(mesh, 'httpbin', { namespace: 'bar', ports: [{ name: 'http', number: 8000, targetPort: 8080 }], servedBy: [cluster2] });
new AccessPolicy(mesh, 'httpbin-readers', {
  namespace: 'bar',
  selector: { app: 'httpbin' },
  principals: [Principal.namespace('foo'), Principal.namespace('bar')],
  methods: [HttpMethod.GET, HttpMethod.POST],
});
// foo's sidecars (where sleep runs) get configuration for httpbin only: an Istio Sidecar in each cluster.
new ClientNamespace(mesh, 'foo-clients', { namespace: 'foo', clusters: [cluster1, cluster3], calls: [httpbin] });

// helloworld v1 in cluster1, v2 and v3 in cluster2: jason gets 70/30 v2/v3, everyone else v1.
// Only cluster1's clients call it (the route below), so cluster3 gets no entry for it.
const helloworld = new GlobalService(mesh, 'helloworld', {
  namespace: 'hello', ports: [{ name: 'http', number: 5000, targetPort: 5000 }], servedBy: [cluster1, cluster2], consumers: [cluster1],
});
const v1 = helloworld.addVersion('v1', { clusters: [cluster1] });
const v2 = helloworld.addVersion('v2', { clusters: [cluster2] });
const v3 = helloworld.addVersion('v3', { clusters: [cluster2] });
new VersionedRoute(mesh, 'helloworld-route', {
  service: helloworld,
  clients: [cluster1],
  rules: [{ name: 'jason', match: [{ headers: { 'end-user': { exact: 'jason' } } }], to: [{ version: v2, weight: 70 }, { version: v3, weight: 30 }] }],
  defaultRoute: [{ version: v1 }],
});

// whoami on a VM next to pods, exposed on the ingress gateway and reachable from cluster3 by .global name.
const whoami = new VmWorkload(mesh, 'whoami', {
  namespace: 'default',
  cluster: cluster1,
  host: 'whoami.internal.com',
  ports: [{ name: 'http', number: 80, targetPort: 8888 }],
  instances: [{ name: 'vm1', address: '172.29.9.61' }],
  probe: { httpGet: { path: '/health', port: 8888 } },
  ingress: { hosts: ['whoami.internal.com'] },
});
whoami.exportAsGlobalService({ consumers: [cluster3] });

app.synth();

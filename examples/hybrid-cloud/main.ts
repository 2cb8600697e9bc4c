/**
 * Seed 004, end to end, on Istio's current multi-network install: two primaries in two regions serving
 * `service` (v1 in us-east, v2 in us-west) with the seed's 70/30 region split for clients in both, STRICT
 * mTLS, its authorization policy (GET and POST from the default namespace), the hybrid-cloud `service.cloud`
 * outside the mesh, and monitoring and tracing that tell the clusters apart.
 */
import * as path from 'path';
import {
  AccessPolicy, DiscoveryScope, ExternalService, GlobalService, HttpMethod, Mesh, MeshApp, MeshCa, MeshCluster, MeshTopology, Principal, VersionedRoute,
} from '../../src';

export function build(dir: string = __dirname): MeshApp {
  const app = new MeshApp({ outdir: path.join(dir, 'dist'), secretsOutdir: path.join(dir, 'secrets') });
  const mesh = new Mesh(app, 'mesh', {
    meshId: 'hybrid',
    topology: MeshTopology.MULTI_NETWORK,
    // Each istiod watches only the mesh's namespaces, not every namespace of both clusters.
    discovery: DiscoveryScope.MESH_NAMESPACES,
    lockFile: path.join(dir, 'mesh.lock.json'),
    ca: MeshCa.generate({ keyStore: path.join(dir, '.mesh-keys') }),
    observability: {
      monitoring: { namespace: 'monitoring', interval: '15s' },
      tracing: { service: 'otel-collector.observability.svc.cluster.local', port: 4317, samplingPercent: 1 },
    },
  });
  const east = new MeshCluster(mesh, 'cluster1', { network: 'network1', locality: 'us-east', gateway: { address: 'gw.us-east.example.com' } });
  const west = new MeshCluster(mesh, 'cluster2', { network: 'network2', locality: 'us-west', gateway: { address: 'gw.us-west.example.com' } });

  const service = new GlobalService(mesh, 'service', {
    namespace: 'default',
    ports: [{ name: 'http', number: 80, targetPort: 8080 }],
    servedBy: [east, west],
  });
  const v1 = service.addVersion('v1', { clusters: [east] });
  const v2 = service.addVersion('v2', { clusters: [west] });
  new VersionedRoute(mesh, 'global-service', {
    service,
    clients: [east, west],
    defaultRoute: [{ version: v1, weight: 70 }, { version: v2, weight: 30 }],
  });

  new AccessPolicy(mesh, 'cross-cluster-authz', {
    namespace: 'default',
    selector: { app: 'service' },
    principals: [Principal.namespace('default')],
    methods: [HttpMethod.GET, HttpMethod.POST],
  });

  new ExternalService(mesh, 'cloud-service', {
    namespace: 'default',
    hosts: ['service.cloud'],
    ports: [{ name: 'http', number: 80 }],
    endpoints: [{ address: 'service.cloud.provider.com', ports: { http: 80 } }],
  });
  return app;
}

if (require.main === module) build().synth();

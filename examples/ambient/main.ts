/**
 * Istio's ambient multicluster on two networks: three primaries (east1 and east2 on network east, west on
 * network west), no sidecars. `reviews` runs everywhere, marked global; a waypoint-routed canary sends 10%
 * to v2 in west, and failover prefers the caller's cluster, then its network. An external catalogue is
 * called through each cluster's egress waypoint, which originates TLS.
 */
import * as path from 'path';
import { Duration } from 'cdk8s';
import {
  ExternalService, GlobalService, Mesh, MeshApp, MeshCa, MeshCluster, MeshTopology, RemoteSecrets, TlsOriginationMode, TrafficDistribution, VersionedRoute,
} from '../../src';

export function build(dir: string = __dirname): MeshApp {
  const app = new MeshApp({ outdir: path.join(dir, 'dist'), secretsOutdir: path.join(dir, 'secrets') });
  const mesh = new Mesh(app, 'mesh', {
    meshId: 'ambient-mesh',
    topology: MeshTopology.AMBIENT,
    lockFile: path.join(dir, 'mesh.lock.json'),
    ca: MeshCa.generate({ keyStore: path.join(dir, '.mesh-keys') }),
    remoteSecrets: RemoteSecrets.externalSecret({ storeName: 'vault' }),
  });
  const east1 = new MeshCluster(mesh, 'east1', { network: 'east', gateway: { address: '203.0.113.10' }, apiServer: 'https://203.0.113.1:6443' });
  const east2 = new MeshCluster(mesh, 'east2', { network: 'east', apiServer: 'https://203.0.113.2:6443' });
  const west = new MeshCluster(mesh, 'west', { network: 'west', gateway: { address: 'eastwest.west.example.com' }, apiServer: 'https://west.example.com:6443' });

  const reviews = new GlobalService(mesh, 'reviews', {
    namespace: 'bookinfo',
    ports: [{ name: 'http', number: 9080, targetPort: 9080 }],
    servedBy: [east1, east2, west],
  });
  const v1 = reviews.addVersion('v1', { clusters: [east1, east2, west] });
  const v2 = reviews.addVersion('v2', { clusters: [west] });
  new VersionedRoute(mesh, 'reviews-canary', {
    service: reviews,
    clients: [east1, east2, west],
    defaultRoute: [{ version: v1, weight: 90 }, { version: v2, weight: 10 }],
    trafficPolicy: {
      outlierDetection: { consecutive5xxErrors: 0, consecutiveGatewayErrors: 3, interval: Duration.seconds(5), baseEjectionTime: Duration.seconds(30) },
      failoverPriority: ['topology.istio.io/cluster', 'topology.istio.io/network'],
    },
  });

  // Called from east1 only, which does not run it: a stub there; calls go to the closest endpoints first.
  new GlobalService(mesh, 'ratings', {
    namespace: 'bookinfo', ports: [{ name: 'http', number: 9080 }], servedBy: [west], consumers: [east1], trafficDistribution: TrafficDistribution.PREFER_CLOSE,
  });

  // A book catalogue outside the mesh, called in plain HTTP: each cluster's egress waypoint (in istio-egress)
  // is where the traffic leaves, and it originates the TLS.
  new ExternalService(mesh, 'catalogue', {
    namespace: 'istio-egress',
    hosts: ['api.catalogue.example.com'],
    ports: [{ name: 'http', number: 80, targetPort: 443 }],
    tls: { mode: TlsOriginationMode.SIMPLE },
    egressGateway: true,
  });
  return app;
}

if (require.main === module) build().synth();

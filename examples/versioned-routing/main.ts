/**
 * Seed 000: helloworld v1 runs in cluster1, v2 and v3 in cluster2. Requests with `end-user: jason` go
 * 70% to v2 and 30% to v3 in cluster2; everyone else to v1 in cluster1.
 * Then a three-cluster, two-region variant: a canary spread over clusters, locality failover between
 * regions, and seed 004's 70/30 region split.
 */
import * as path from 'path';
import { Duration } from 'cdk8s';
import { GlobalService, HttpMethod, Mesh, MeshApp, MeshCa, MeshCluster, VersionedRoute } from '../../src';

function helloworld(dir: string): MeshApp {
  const app = new MeshApp({ outdir: path.join(dir, 'dist', 'helloworld'), secretsOutdir: path.join(dir, 'secrets', 'helloworld') });
  const mesh = new Mesh(app, 'mesh', {
    meshId: 'hello-mesh',
    lockFile: path.join(dir, 'helloworld.lock.json'),
    ca: MeshCa.generate({ keyStore: path.join(dir, '.mesh-keys') }),
  });
  const cluster1 = new MeshCluster(mesh, 'cluster1', { network: 'network1', gateway: { address: '172.18.0.3', nodePort: 30001 } });
  const cluster2 = new MeshCluster(mesh, 'cluster2', { network: 'network2', gateway: { address: '172.18.0.4', nodePort: 30001 } });

  const helloworld = new GlobalService(mesh, 'helloworld', {
    namespace: 'hello',
    ports: [{ name: 'http', number: 5000, targetPort: 5000 }],
    servedBy: [cluster1, cluster2],
  });
  const v1 = helloworld.addVersion('v1', { clusters: [cluster1] });
  const v2 = helloworld.addVersion('v2', { clusters: [cluster2] });
  const v3 = helloworld.addVersion('v3', { clusters: [cluster2] });

  new VersionedRoute(mesh, 'helloworld-route', {
    service: helloworld,
    clients: [cluster1],
    rules: [{
      name: 'jason',
      match: [{ headers: { 'end-user': { exact: 'jason' } } }],
      to: [{ version: v2, weight: 70 }, { version: v3, weight: 30 }],
    }],
    defaultRoute: [{ version: v1 }],
  });
  return app;
}

function regions(dir: string): MeshApp {
  const app = new MeshApp({ outdir: path.join(dir, 'dist', 'regions'), secretsOutdir: path.join(dir, 'secrets', 'regions') });
  const mesh = new Mesh(app, 'mesh', {
    meshId: 'regions-mesh',
    lockFile: path.join(dir, 'regions.lock.json'),
    ca: MeshCa.generate({ keyStore: path.join(dir, '.mesh-keys') }),
  });
  const east1 = new MeshCluster(mesh, 'east1', { network: 'east', gateway: { address: 'gw.east1.example.com' }, locality: 'us-east-1/us-east-1a' });
  const east2 = new MeshCluster(mesh, 'east2', { network: 'east', gateway: { address: 'gw.east2.example.com' }, locality: 'us-east-1/us-east-1b' });
  const west = new MeshCluster(mesh, 'west', { network: 'west', gateway: { address: 'gw.west.example.com' }, locality: 'us-west-2/us-west-2a' });

  const reviews = new GlobalService(mesh, 'reviews', {
    namespace: 'shop',
    ports: [{ name: 'http', number: 9080, targetPort: 9080 }],
    servedBy: [east2, west],
  });
  const stable = reviews.addVersion('stable', { clusters: [east2, west] });
  const canary = reviews.addVersion('canary', { clusters: [west] });
  new VersionedRoute(mesh, 'reviews-route', {
    service: reviews,
    clients: [east1],
    spread: true,
    rules: [{
      name: 'testers',
      match: [{ headers: { 'x-canary': { exact: 'always' } } }, { uri: { prefix: '/beta' }, method: HttpMethod.GET }],
      to: [{ version: canary }],
      timeout: Duration.seconds(3),
      retries: { attempts: 2, perTryTimeout: Duration.seconds(1), retryOn: '5xx,connect-failure' },
    }],
    defaultRoute: [{ version: stable, weight: 90 }, { version: canary, weight: 10 }],
    trafficPolicy: {
      // Each cross-cluster subset has one endpoint, the remote gateway: eject it for gateway errors (the
      // cluster is unreachable), never for any 5xx, which one bad pod behind the gateway would cause.
      outlierDetection: { consecutive5xxErrors: 0, consecutiveGatewayErrors: 3, interval: Duration.seconds(5), baseEjectionTime: Duration.seconds(30) },
      localityFailover: [{ from: 'us-east-1', to: 'us-west-2' }],
    },
  });

  // Seed 004: 70% of the traffic to us-east, 30% to us-west, whatever the version.
  const frontend = new GlobalService(mesh, 'frontend', { namespace: 'shop', ports: [{ name: 'http', number: 80, targetPort: 8080 }], servedBy: [east2, west] });
  const usEast = frontend.addVersion('us-east', { clusters: [east2], labels: { app: 'frontend' } });
  const usWest = frontend.addVersion('us-west', { clusters: [west], labels: { app: 'frontend' } });
  new VersionedRoute(mesh, 'frontend-by-region', {
    service: frontend,
    clients: [east1],
    defaultRoute: [{ version: usEast, weight: 70 }, { version: usWest, weight: 30 }],
  });
  return app;
}

export function build(dir = __dirname): MeshApp[] {
  return [helloworld(dir), regions(dir)];
}

if (require.main === module) {
  build().forEach(app => app.synth());
}

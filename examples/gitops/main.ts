/**
 * The same three-cluster mesh, installed from Git: once by Argo CD (an app of apps in sync waves), with
 * `cacerts` read from a secret store through an ExternalSecret; once by Flux (Kustomizations chained by
 * dependsOn), with `cacerts` sealed for the clusters' Sealed Secrets controller (sealed-secrets-cert.pem is
 * that controller's public certificate). Either way the CA layer is applied and ready before istiod's Helm
 * release starts.
 */
import * as path from 'path';
import { CacertsDelivery, GitOps, GlobalService, Mesh, MeshApp, MeshCa, MeshCluster } from '../../src';

function declareMesh(dir: string, tool: 'argo-cd' | 'flux', gitOps: GitOps, delivery: CacertsDelivery): MeshApp {
  const app = new MeshApp({ outdir: path.join(dir, 'dist', tool), secretsOutdir: path.join(dir, 'secrets', tool) });
  const mesh = new Mesh(app, 'mesh', {
    meshId: 'shop',
    lockFile: path.join(dir, `${tool}.lock.json`),
    ca: MeshCa.generate({
      keyStore: path.join(dir, '.mesh-keys'),
      delivery,
    }),
    injectionRevision: '1-30-3',
    gitOps,
  });
  const east = new MeshCluster(mesh, 'east', { network: 'east', gateway: { address: '203.0.113.10' } });
  const west = new MeshCluster(mesh, 'west', { network: 'west', gateway: { address: '198.51.100.20', nodePort: 31443 } });
  const edge = new MeshCluster(mesh, 'edge', { network: 'edge' });
  new GlobalService(mesh, 'checkout', {
    namespace: 'shop',
    ports: [{ name: 'http', number: 8080 }],
    servedBy: [east, west],
    consumers: [edge],
  });
  return app;
}

export function build(dir: string = __dirname): MeshApp[] {
  return [
    declareMesh(dir, 'argo-cd', GitOps.argoCd({
      repoUrl: 'https://git.example.com/platform/mesh.git',
      targetRevision: 'main',
      path: 'examples/gitops/dist/argo-cd',
      // The cluster that runs Argo CD itself is "in-cluster" there.
      destinations: { east: 'in-cluster' },
    }), CacertsDelivery.externalSecret({ storeName: 'vault', remoteKeyPrefix: 'platform/istio/cacerts' })),
    declareMesh(dir, 'flux', GitOps.flux({ path: './examples/gitops/dist/flux' }),
      CacertsDelivery.sealedSecret({ certFile: path.join(__dirname, 'sealed-secrets-cert.pem') })),
  ];
}

if (require.main === module) build().forEach(app => app.synth());

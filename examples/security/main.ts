/**
 * Seed 004: mesh-wide strict mTLS, and an AuthorizationPolicy that lets only workloads of the
 * `default` namespace (and the frontend's service account) GET or POST to app=service, in every cluster;
 * and the frontend's web pods calling a bank with a client certificate kept in Vault.
 */
import * as path from 'path';
import { AccessPolicy, ExternalService, HttpMethod, Mesh, MeshApp, MeshCa, MeshCluster, Principal, TlsOriginationMode } from '../../src';

export function build(dir = __dirname): MeshApp {
  const app = new MeshApp({ outdir: path.join(dir, 'dist'), secretsOutdir: path.join(dir, 'secrets') });
  const mesh = new Mesh(app, 'mesh', {
    meshId: 'mesh1',
    strictMtls: true,
    lockFile: path.join(dir, 'mesh.lock.json'),
    // Strict mTLS across clusters needs one root of trust.
    ca: MeshCa.generate({ keyStore: path.join(dir, '.mesh-keys') }),
  });
  const cluster1 = new MeshCluster(mesh, 'cluster1', { network: 'network1', gateway: { address: '172.18.0.3' } });
  const cluster2 = new MeshCluster(mesh, 'cluster2', { network: 'network2', gateway: { address: '172.18.0.4' } });

  new AccessPolicy(mesh, 'cross-cluster-authz', {
    namespace: 'default',
    selector: { app: 'service' },
    principals: [Principal.namespace('default'), Principal.serviceAccount('frontend', 'web')],
    methods: [HttpMethod.GET, HttpMethod.POST],
    // app=service runs in both clusters but is no global service of the mesh, so say where it runs.
    clusters: [cluster1, cluster2],
  });

  // The frontend's web pods call a bank with a client certificate: their sidecars originate mutual TLS with
  // the Secret of their own namespace, which the External Secrets Operator fills from Vault in each cluster.
  new ExternalService(mesh, 'bank', {
    hosts: ['ledger.bank.example.com'],
    ports: [{ name: 'http', number: 80, targetPort: 443 }],
    tls: {
      mode: TlsOriginationMode.MUTUAL,
      credentialName: 'ledger-client',
      credentialStore: { storeName: 'vault' },
      workloads: [{ namespace: 'frontend', selector: { app: 'web' } }],
    },
  });
  return app;
}

if (require.main === module) {
  build().synth();
}

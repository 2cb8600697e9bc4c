import * as fs from 'fs';
import * as path from 'path';
import { ClientNamespace, ExternalService, GlobalService, MeshCa, MeshCluster, MeshTopology, TlsOriginationMode, VersionedRoute } from '../../src';
import { ExpectedState } from '../../src/render/expected-state';
import { synthOnce, tempDir, testMesh } from '../support/synth';

/**
 * The mesh the recorded fixtures in test/fixtures/verify come from: c1 calls httpbin (v1/v2 split 50/50)
 * and echo in c2 through c2's gateway 192.0.2.2:15443; c1's frontend namespace calls httpbin and, from its
 * web pods, a bank with a client certificate (Secret frontend/ledger-client).
 */
export function verifyMesh(dir = tempDir()) {
  const { app, mesh } = testMesh({ meshId: 'mesh1', ca: MeshCa.generate({ keyStore: path.join(dir, 'keys'), rootKeySize: 2048, intermediateKeySize: 2048 }) }, dir);
  const c1 = new MeshCluster(mesh, 'c1');
  const c2 = new MeshCluster(mesh, 'c2', { gateway: { address: '192.0.2.2' } });
  const port = (number: number) => [{ name: 'http', number, targetPort: 8080 }];
  const httpbin = new GlobalService(mesh, 'httpbin', { namespace: 'demo', ports: port(8000), servedBy: [c2], consumers: [c1] });
  const v1 = httpbin.addVersion('v1', { clusters: [c2] });
  const v2 = httpbin.addVersion('v2', { clusters: [c2] });
  new VersionedRoute(mesh, 'httpbin-split', { service: httpbin, clients: [c1], defaultRoute: [{ version: v1, weight: 50 }, { version: v2, weight: 50 }] });
  new GlobalService(mesh, 'echo', { namespace: 'demo', ports: port(80), servedBy: [c2], consumers: [c1] });
  const ledger = new ExternalService(mesh, 'ledger', {
    hosts: ['ledger.bank.example.com'], ports: [{ name: 'http', number: 80, targetPort: 443 }], clusters: [c1],
    tls: { mode: TlsOriginationMode.MUTUAL, credentialName: 'ledger-client', workloads: [{ namespace: 'frontend', selector: { app: 'web' } }] },
  });
  new ClientNamespace(mesh, 'frontend', { namespace: 'frontend', clusters: [c1], calls: [httpbin], callsExternal: [ledger] });
  synthOnce(app);
  const expected = (cluster: string) => JSON.parse(fs.readFileSync(path.join(app.outdir, cluster, 'expected-state.json'), 'utf8')) as ExpectedState;
  return { app, dir, expected, topology: MeshTopology.GLOBAL_NAMES };
}

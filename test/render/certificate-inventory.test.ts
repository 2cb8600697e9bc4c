import * as fs from 'fs';
import * as path from 'path';
import { MeshCa, MeshCluster, VmWorkload } from '../../src';
import { generateRsaKeys, issueRootCa } from '../../src/pki/x509';
import { bundleFile, listFiles, tempDir, testMesh } from '../support/synth';

test('the inventory lists every root and intermediate with who carries it, changes only with the certificates, and holds no key', () => {
  const dir = tempDir();
  const [nextKey] = generateRsaKeys([2048]);
  const next = issueRootCa(nextKey, { validityDays: 400, subject: [{ shortName: 'CN', value: 'Next Root' }] });
  const declare = () => {
    const { app, mesh } = testMesh({
      meshId: 'mesh1',
      ca: MeshCa.generate({ keyStore: path.join(dir, 'keys'), rootKeySize: 2048, intermediateKeySize: 2048, additionalRootCerts: [next.certPem] }),
    }, dir);
    const c1 = new MeshCluster(mesh, 'c1', { gateway: { address: '10.0.0.1' } });
    new MeshCluster(mesh, 'c2');
    new VmWorkload(mesh, 'legacy', { namespace: 'shop', cluster: c1, ports: [{ name: 'http', number: 80 }], instances: [{ name: 'vm1', address: '10.1.0.9' }] });
    return app;
  };
  const app = declare();
  const inventory = JSON.parse(bundleFile(app, 'certificates.json'));
  expect(inventory.certificates.map((c: any) => [c.role, c.subject, c.keyBits, c.clusters, c.vmKits])).toEqual([
    ['root', 'O=Istio, CN=Root CA', 2048, ['c1', 'c2'], ['c1/vm/shop/legacy-vm1']],
    ['root', 'CN=Next Root', 2048, ['c1', 'c2'], ['c1/vm/shop/legacy-vm1']],
    ['intermediate', 'O=Istio, CN=Intermediate CA, L=c1', 2048, ['c1'], []],
    ['intermediate', 'O=Istio, CN=Intermediate CA, L=c2', 2048, ['c2'], []],
  ]);
  const stored = fs.readFileSync(path.join(dir, 'keys', 'mesh1', 'clusters', 'c1', 'cert.pem'), 'utf8');
  expect(inventory.certificates[2].fingerprintSha256).toBe(new (require('crypto').X509Certificate)(stored).fingerprint256);
  expect(inventory.certificates[1].notAfter.slice(0, 10)).toBe(new Date(Date.now() + 400 * 86_400_000).toISOString().slice(0, 10));
  const markdown = bundleFile(app, 'certificates.md');
  expect(markdown).toContain('| intermediate | O=Istio, CN=Intermediate CA, L=c2 |');
  for (const file of ['certificates.md', 'certificates.json']) expect(bundleFile(app, file)).not.toMatch(/PRIVATE KEY/);

  // A second synth of the same mesh rewrites neither file.
  const before = fs.statSync(path.join(app.bundlesOutdir, 'certificates.json')).mtimeMs;
  declare().synth();
  expect(fs.statSync(path.join(app.bundlesOutdir, 'certificates.json')).mtimeMs).toBe(before);
});

test('a mesh without a CA has no inventory', () => {
  const { app, mesh } = testMesh({ meshId: 'mesh1' });
  new MeshCluster(mesh, 'c1');
  app.synth();
  expect(listFiles(app.bundlesOutdir).filter(f => f.startsWith('certificates'))).toEqual([]);
});

import { execFileSync } from 'child_process';
import { constants, createDecipheriv, generateKeyPairSync, privateDecrypt } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CacertsDelivery, CacertsLayout, MeshCa, MeshCluster, SealingScope } from '../../src';
import { sealingLabel } from '../../src/pki/sealed-secrets';
import { allObjects, listFiles, objectsOf, tempDir, testMesh } from '../support/synth';
import { toolSchemaErrors } from '../support/tool-schema';

/** A Sealed Secrets controller's key pair, and its certificate as `kubeseal --fetch-cert` prints it. */
function controller(dir: string, name: string) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyFile = path.join(dir, `${name}.key`);
  fs.writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const certFile = path.join(dir, `${name}.crt`);
  execFileSync('openssl', ['req', '-x509', '-key', keyFile, '-subj', '/O=sealed-secret', '-days', '3650', '-out', certFile]);
  return { privateKey, certFile };
}

/**
 * The controller's decryption (`pkg/crypto` HybridDecrypt), written from its description: a 2-byte length,
 * the RSA-OAEP-SHA256 ciphertext of the session key under the scope's label, then AES-256-GCM with a zero
 * nonce and the tag last.
 */
function unseal(privateKey: ReturnType<typeof controller>['privateKey'], sealed: string, label: Buffer): string {
  const bytes = Buffer.from(sealed, 'base64');
  const rsaLength = bytes.readUInt16BE(0);
  const sessionKey = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: label }, bytes.subarray(2, 2 + rsaLength));
  const aes = bytes.subarray(2 + rsaLength);
  const decipher = createDecipheriv('aes-256-gcm', sessionKey, Buffer.alloc(12));
  decipher.setAuthTag(aes.subarray(aes.length - 16));
  return Buffer.concat([decipher.update(aes.subarray(0, aes.length - 16)), decipher.final()]).toString();
}

function sealedMesh(dir: string, delivery: CacertsDelivery, layout?: CacertsLayout) {
  const { app, mesh } = testMesh({ meshId: 'mesh1', ca: MeshCa.generate({ keyStore: path.join(dir, 'keys'), rootKeySize: 2048, intermediateKeySize: 2048, delivery, layout }) }, dir);
  new MeshCluster(mesh, 'east');
  new MeshCluster(mesh, 'west');
  return app;
}

describe('CacertsDelivery.sealedSecret', () => {
  const dir = tempDir();
  const east = controller(dir, 'east');
  const west = controller(dir, 'west');
  const app = sealedMesh(dir, CacertsDelivery.sealedSecret({ certFile: west.certFile, clusterCertFiles: { east: east.certFile } }));

  test('each cluster\'s controller unseals exactly the key store\'s material, and only as istio-system/cacerts', () => {
    for (const [cluster, key] of [['east', east.privateKey], ['west', west.privateKey]] as const) {
      const sealed = objectsOf(app, cluster).get('SealedSecret/istio-system/cacerts')!;
      expect(sealed.spec.template).toEqual({ metadata: { name: 'cacerts', namespace: 'istio-system' }, type: 'Opaque' });
      const store = path.join(dir, 'keys', 'mesh1');
      const data = Object.fromEntries(Object.entries(sealed.spec.encryptedData as Record<string, string>)
        .map(([k, v]) => [k, unseal(key, v, sealingLabel(SealingScope.STRICT, 'istio-system', 'cacerts'))]));
      expect(data['ca-cert.pem']).toBe(fs.readFileSync(path.join(store, 'clusters', cluster, 'cert.pem'), 'utf8'));
      expect(data['ca-key.pem']).toBe(fs.readFileSync(path.join(store, 'clusters', cluster, 'key.pem'), 'utf8'));
      expect(data['root-cert.pem']).toBe(fs.readFileSync(path.join(store, 'root', 'cert.pem'), 'utf8'));
      expect(data['cert-chain.pem']).toBe(data['ca-cert.pem'] + data['root-cert.pem']);
      // Strict scope: the label binds the value to its name; unsealing it as another Secret fails.
      expect(() => unseal(key, sealed.spec.encryptedData['ca-key.pem'], Buffer.from('istio-system/other'))).toThrow();
    }
    // The other cluster's controller cannot unseal it.
    const eastSealed = objectsOf(app, 'east').get('SealedSecret/istio-system/cacerts')!;
    expect(() => unseal(west.privateKey, eastSealed.spec.encryptedData['ca-key.pem'], Buffer.from('istio-system/cacerts'))).toThrow();
  });

  test('the CA layer applies it; nothing private is written in the clear, in the bundles or the secrets directory', () => {
    expect(objectsOf(app, 'east').get('SealedSecret/istio-system/cacerts')).toBeDefined();
    for (const file of listFiles(app.bundlesOutdir)) {
      expect([file, /PRIVATE KEY|LS0tLS1CRUdJTi/.test(fs.readFileSync(path.join(app.bundlesOutdir, file), 'utf8'))]).toEqual([file, false]);
    }
    expect(listFiles(app.secretsOutdir).filter(f => f.endsWith('cacerts.yaml'))).toEqual([]);
    expect(fs.readFileSync(path.join(app.bundlesOutdir, 'east/ca/kustomization.yaml'), 'utf8')).toContain('- cacerts.yaml');
    expect(toolSchemaErrors(allObjects(app))).toEqual([]);
  });

  test('sealing the same material again gives the same bytes: a synth that changes nothing changes no line', () => {
    const file = path.join(app.bundlesOutdir, 'east/ca/cacerts.yaml');
    const first = fs.readFileSync(file, 'utf8');
    sealedMesh(dir, CacertsDelivery.sealedSecret({ certFile: west.certFile, clusterCertFiles: { east: east.certFile } })).synth();
    expect(fs.readFileSync(file, 'utf8')).toBe(first);
  });

  test.each([
    [SealingScope.NAMESPACE_WIDE, { 'sealedsecrets.bitnami.com/namespace-wide': 'true' }, 'istio-system'],
    [SealingScope.CLUSTER_WIDE, { 'sealedsecrets.bitnami.com/cluster-wide': 'true' }, ''],
  ])('scope %s: the controller\'s annotation, and the label it decrypts with', (scope, annotations, label) => {
    const scoped = sealedMesh(tempDir(), CacertsDelivery.sealedSecret({ certFile: east.certFile, scope }), CacertsLayout.KUBERNETES_TLS);
    const sealed = objectsOf(scoped, 'west').get('SealedSecret/istio-system/cacerts')!;
    expect(sealed.metadata.annotations).toMatchObject(annotations);
    expect(sealed.spec.template.type).toBe('kubernetes.io/tls');
    expect(unseal(east.privateKey, sealed.spec.encryptedData['tls.key'], Buffer.from(label))).toMatch(/BEGIN (RSA )?PRIVATE KEY/);
  });

  test.each<[string, () => CacertsDelivery, RegExp]>([
    ['a cluster without a certificate', () => CacertsDelivery.sealedSecret({ clusterCertFiles: { east: east.certFile } }),
      /\[mesh\] ca.delivery has no Sealed Secrets certificate for cluster west: add clusterCertFiles.west or a certFile for all/],
    ['a certificate for a cluster the mesh lacks', () => CacertsDelivery.sealedSecret({ certFile: east.certFile, clusterCertFiles: { north: east.certFile } }),
      /\[mesh\] ca.delivery.clusterCertFiles names cluster "north", which the mesh does not have: use one of east, west/],
    ['a certificate file that is not one', () => CacertsDelivery.sealedSecret({ certFile: path.join(dir, 'east.key') }),
      /\[mesh\] Sealed Secrets certificate .*east.key is not a PEM certificate/],
  ])('%s is an error before any key is minted', (_, delivery, message) => {
    const scratch = tempDir();
    expect(() => sealedMesh(scratch, delivery()).synth()).toThrow(message);
    expect(fs.existsSync(path.join(scratch, 'keys'))).toBe(false);
  });
});

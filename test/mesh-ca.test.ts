import { execFileSync } from 'child_process';
// The module object itself, which the key generator calls into.
const childProcess: typeof import('child_process') = require('child_process');
import * as crypto from 'crypto';
// The module object itself (not an import's copy of it), which node-forge calls into.
const nodeCrypto: typeof crypto = require('crypto');
import * as fs from 'fs';
import * as path from 'path';
import { CacertsDelivery, CacertsLayout, MeshCa, MeshCaOptions, MeshCluster } from '../src';
import * as forge from 'node-forge';
import {
  CaCertOptions, certificateSerial, expiryWarning, generateRsaKeys, issueIntermediateCa, issueRootCa, KeyPairPem, signCertificate, TEST_KEY_POOL_ENV,
} from '../src/pki/x509';

/** A root CA with a fresh key, as the library issues one. */
const generateRootCa = (options: CaCertOptions) => issueRootCa(generateRsaKeys([options.keySize])[0], options);
/** An intermediate CA with a fresh key, signed by `root`. */
const generateIntermediateCa = (root: KeyPairPem, options: CaCertOptions) => issueIntermediateCa(root, generateRsaKeys([options.keySize])[0], options);
import { X509Certificate } from 'crypto';
import { listFiles, objectsOf, OutputDir, readYaml, synthOnce, tempDir, testMesh } from './support/synth';
import { toolSchemaErrors } from './support/tool-schema';

const FAST = { rootKeySize: 2048, intermediateKeySize: 2048 };

/** Runs a test of key generation itself without the suite's key pool (test/support/key-pool.ts). */
function generatingKeys(body: () => void): void {
  const pool = process.env[TEST_KEY_POOL_ENV];
  delete process.env[TEST_KEY_POOL_ENV];
  try {
    body();
  } finally {
    if (pool !== undefined) process.env[TEST_KEY_POOL_ENV] = pool;
  }
}

/** A two-cluster mesh with a CA whose key store lives in `dir`. */
function meshWithCa(dir: string, ca: (keyStore: string) => MeshCa, clusters = ['cluster1', 'cluster2']) {
  const { app, mesh } = testMesh({ meshId: 'mesh1', ca: ca(path.join(dir, 'keys')) }, dir);
  for (const name of clusters) new MeshCluster(mesh, name);
  return app;
}

const generated = (options: MeshCaOptions = {}) => (keyStore: string) => MeshCa.generate({ ...FAST, keyStore, ...options });

/** The decoded `cacerts` data of a cluster. */
function cacerts(app: ReturnType<typeof meshWithCa>, cluster: string, root: OutputDir = 'secrets'): Record<string, string> {
  const secret = objectsOf(app, cluster, root).get('Secret/istio-system/cacerts')!;
  return Object.fromEntries(Object.entries(secret.data!).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
}

function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8' });
}

describe('MeshCa', () => {
  test('every cluster\'s chain verifies against the one root, with Node and with openssl', () => {
    const dir = tempDir();
    const app = meshWithCa(dir, generated());
    const roots = new Set<string>();
    for (const cluster of ['cluster1', 'cluster2']) {
      const data = cacerts(app, cluster);
      expect(Object.keys(data).sort()).toEqual(['ca-cert.pem', 'ca-key.pem', 'cert-chain.pem', 'root-cert.pem']);
      const root = new crypto.X509Certificate(data['root-cert.pem']);
      const intermediate = new crypto.X509Certificate(data['ca-cert.pem']);
      expect(intermediate.verify(root.publicKey)).toBe(true);
      expect(intermediate.checkPrivateKey(crypto.createPrivateKey(data['ca-key.pem']))).toBe(true);
      expect(data['cert-chain.pem']).toBe(data['ca-cert.pem'] + data['root-cert.pem']);

      const files = path.join(dir, cluster);
      fs.mkdirSync(files);
      for (const [name, pem] of Object.entries(data)) fs.writeFileSync(path.join(files, name), pem);
      expect(openssl('verify', '-CAfile', path.join(files, 'root-cert.pem'), '-untrusted', path.join(files, 'cert-chain.pem'), path.join(files, 'ca-cert.pem')))
        .toBe(`${path.join(files, 'ca-cert.pem')}: OK\n`);
      roots.add(data['root-cert.pem']);
    }
    expect(roots.size).toBe(1);
  });

  test('extensions match Istio\'s Makefile.selfsigned.mk, field by field', () => {
    const dir = tempDir();
    const data = cacerts(meshWithCa(dir, generated()), 'cluster1');
    fs.writeFileSync(path.join(dir, 'root.pem'), data['root-cert.pem']);
    fs.writeFileSync(path.join(dir, 'ca.pem'), data['ca-cert.pem']);
    const root = openssl('x509', '-in', path.join(dir, 'root.pem'), '-noout', '-text', '-nameopt', 'compat');
    const ca = openssl('x509', '-in', path.join(dir, 'ca.pem'), '-noout', '-text', '-nameopt', 'compat');
    const KEY_USAGE = /X509v3 Key Usage: critical\n\s+Digital Signature, Non Repudiation, Key Encipherment, Certificate Sign\n/;

    expect(root).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
    expect(root).toMatch(/Subject: O=Istio, CN=Root CA\n/);
    expect(root).toMatch(/Issuer: O=Istio, CN=Root CA\n/);
    expect(root).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:TRUE\n/);
    expect(root).toMatch(KEY_USAGE);
    const rootSki = root.match(/X509v3 Subject Key Identifier: \n\s+([0-9A-F:]+)/)![1];

    expect(ca).toMatch(/Subject: O=Istio, CN=Intermediate CA, L=cluster1\n/);
    expect(ca).toMatch(/Issuer: O=Istio, CN=Root CA\n/);
    expect(ca).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:TRUE, pathlen:0\n/);
    expect(ca).toMatch(KEY_USAGE);
    expect(ca).toMatch(/X509v3 Subject Alternative Name: \n\s+DNS:istiod.istio-system.svc\n/);
    expect(ca).toMatch(/X509v3 Subject Key Identifier: \n\s+[0-9A-F:]+\n/);
    expect(ca).toMatch(new RegExp(`X509v3 Authority Key Identifier: \\n\\s+(keyid:)?${rootSki}\\n`));

    const days = (pem: string) => (new Date(new crypto.X509Certificate(pem).validTo).getTime() - Date.now()) / 86_400_000;
    expect(Math.round(days(data['root-cert.pem']))).toBe(3650);
    expect(Math.round(days(data['ca-cert.pem']))).toBe(730);
  });

  test('a fresh mesh\'s keys come from Node\'s native RSA, all at once in one concurrent batch; a single key in-process', () => generatingKeys(() => {
    const processes = jest.spyOn(childProcess, 'execFileSync');
    const inProcess = jest.spyOn(nodeCrypto, 'generateKeyPairSync');
    try {
      const dir = tempDir();
      meshWithCa(dir, generated()).synth();
      const batches = processes.mock.calls.filter(([file]) => file === process.execPath);
      expect(batches).toHaveLength(1); // root + two intermediates
      expect(JSON.parse((batches[0][1] as string[])[2])).toEqual([2048, 2048, 2048]);
      expect(inProcess).not.toHaveBeenCalled();

      meshWithCa(dir, generated(), ['cluster1', 'cluster2', 'cluster3']).synth();
      expect(inProcess).toHaveBeenCalledTimes(1);
      expect(inProcess.mock.calls[0][0]).toBe('rsa');
    } finally {
      processes.mockRestore();
      inProcess.mockRestore();
    }
  }));

  test('certificates signed through Node\'s crypto are byte for byte what node-forge signs', () => {
    const [keyPem] = generateRsaKeys([2048]);
    const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
    const make = () => {
      const cert = forge.pki.createCertificate();
      cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
      cert.serialNumber = '0123456789abcdef';
      cert.validity.notBefore = new Date('2026-01-01T00:00:00Z');
      cert.validity.notAfter = new Date('2036-01-01T00:00:00Z');
      cert.setSubject([{ shortName: 'CN', value: 'Root CA' }]);
      cert.setIssuer([{ shortName: 'CN', value: 'Root CA' }]);
      cert.setExtensions([{ name: 'basicConstraints', critical: true, cA: true }, { name: 'subjectKeyIdentifier' }]);
      return cert;
    };
    const byForge = make();
    byForge.sign(key, forge.md.sha256.create());
    const byNode = make();
    signCertificate(byNode, keyPem);
    expect(forge.pki.certificateToPem(byNode)).toBe(forge.pki.certificateToPem(byForge));
  });

  test('every random serial encodes as minimal, positive DER: certificates parse whatever the random bytes were', () => {
    // A serial whose first octet is 0x00 before one below 0x80 is non-minimal DER, and Node and OpenSSL
    // refuse the certificate ("illegal padding"); a first octet of 0x80 or more makes it negative.
    const [keyPem] = generateRsaKeys([2048]);
    const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
    const worstCases = [Buffer.alloc(16), Buffer.alloc(16, 0xff), Buffer.from([0x00, 0x7f, ...Buffer.alloc(14, 1)]), Buffer.from([0x80, ...Buffer.alloc(15)])];
    for (const random of worstCases) {
      const serial = certificateSerial(random);
      const cert = forge.pki.createCertificate();
      cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
      cert.serialNumber = serial;
      cert.setSubject([{ shortName: 'CN', value: 'Root CA' }]);
      cert.setIssuer([{ shortName: 'CN', value: 'Root CA' }]);
      signCertificate(cert, keyPem);
      expect(new X509Certificate(forge.pki.certificateToPem(cert)).serialNumber).toBe(serial.toUpperCase());
    }
    for (let first = 0; first < 256; first++) {
      expect(certificateSerial(Buffer.from([first, ...Buffer.alloc(15)]))).toMatch(/^[4-7][0-9a-f]{31}$/);
    }
  });

  test('a second synth generates no key and changes no byte; a new cluster adds one intermediate only', () => generatingKeys(() => {
    const dir = tempDir();
    const first = meshWithCa(dir, generated());
    first.synth();
    const snapshot = () => Object.fromEntries([path.dirname(first.outdir)].flatMap(root => listFiles(root)
      .filter(f => !f.endsWith('mesh.lock.json'))
      .map(f => [f, fs.readFileSync(path.join(root, f), 'utf8')])));
    const before = snapshot();

    const spy = jest.spyOn(nodeCrypto, 'generateKeyPairSync');
    try {
      meshWithCa(dir, generated()).synth();
      expect(spy).not.toHaveBeenCalled();

      meshWithCa(dir, generated(), ['cluster1', 'cluster2', 'cluster3']).synth();
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
    const after = snapshot();
    for (const [file, text] of Object.entries(before)) {
      // Only mesh-wide files (at the top of the output, beside the clusters' directories) may change when a cluster joins.
      if (!/^(dist|secrets)\/[^/]+$/.test(file)) expect([file, after[file]]).toEqual([file, text]);
    }
    expect(Object.keys(after).filter(f => !(f in before)).sort()).toEqual(expect.arrayContaining(['secrets/cluster3/cacerts.yaml']));
  }));

  test('key store and secrets: files 0600, directories 0700, ignored by git; no private key anywhere in dist/', () => {
    const dir = tempDir();
    const app = meshWithCa(dir, generated());
    app.synth();
    const keys = path.join(dir, 'keys');
    for (const file of listFiles(keys)) expect([file, fs.statSync(path.join(keys, file)).mode & 0o777]).toEqual([file, 0o600]);
    expect(fs.statSync(path.join(keys, 'mesh1', 'root')).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(path.join(keys, '.gitignore'), 'utf8')).toBe('*\n');
    expect(fs.statSync(path.join(app.secretsOutdir, 'cluster1', 'cacerts.yaml')).mode & 0o777).toBe(0o600);

    for (const file of listFiles(app.outdir)) {
      const text = fs.readFileSync(path.join(app.outdir, file), 'utf8');
      expect([file, /PRIVATE KEY|LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVk|ca-key\.pem|tls\.key/.test(text)]).toEqual([file, false]);
    }
    expect(fs.readFileSync(path.join(app.outdir, 'cluster1/ca/kustomization.yaml'), 'utf8')).not.toMatch(/cacerts/);
  });

  test('inline delivery is an explicit opt-in: the Secret joins the bundle and its kustomization', () => {
    const app = meshWithCa(tempDir(), generated({ delivery: CacertsDelivery.inlineInBundle() }));
    app.synth();
    expect(readYaml(path.join(app.outdir, 'cluster1/ca/kustomization.yaml'))[0].resources).toEqual(['namespace.yaml', 'cacerts.yaml']);
    expect(cacerts(app, 'cluster1', 'bundles')['ca-key.pem']).toMatch(/BEGIN (RSA )?PRIVATE KEY/);
    expect(listFiles(app.secretsOutdir)).toEqual([]);
  });

  test('an ExternalSecret delivery the External Secrets CRD or its operator would refuse is refused at synth', () => {
    const delivery = (options: Parameters<typeof CacertsDelivery.externalSecret>[0]) => () => meshWithCa(tempDir(), generated({ delivery: CacertsDelivery.externalSecret(options) }));
    expect(delivery({ storeName: 'vault_1' })).toThrow(/\[mesh\] ca.delivery.storeName "vault_1" is not a store name/);
    expect(delivery({ storeName: 'vault', refreshInterval: 'hourly' })).toThrow(/\[mesh\] ca.delivery.refreshInterval "hourly" is not a Go duration: use e.g. 1h, 30m or 1h30m \[MCM030\]/);
  });

  test('ExternalSecret delivery references the store; the material goes to the secrets directory for upload', () => {
    const app = meshWithCa(tempDir(), generated({ delivery: CacertsDelivery.externalSecret({ storeName: 'vault' }) }));
    const external = objectsOf(app, 'cluster1').get('ExternalSecret/istio-system/cacerts')!;
    expect(external.apiVersion).toBe('external-secrets.io/v1');
    expect(external.spec).toEqual({
      refreshInterval: '1h',
      secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' },
      target: { name: 'cacerts', creationPolicy: 'Owner', template: { type: 'Opaque' } },
      data: ['ca-cert.pem', 'ca-key.pem', 'cert-chain.pem', 'root-cert.pem']
        .map(key => ({ secretKey: key, remoteRef: { key: 'mesh1/cacerts/cluster1', property: key } })),
    });
    expect(JSON.stringify(external)).not.toMatch(/PRIVATE KEY|LS0tLS1CRUdJTi/);
    expect(toolSchemaErrors([external])).toEqual([]);
    expect(cacerts(app, 'cluster1')['ca-key.pem']).toMatch(/PRIVATE KEY/);
    // The store's shape: one property per key under the remote key, ready for `vault kv put key @file`.
    const storeFile = path.join(app.secretsOutdir, 'cluster1', 'cacerts.json');
    expect(JSON.parse(fs.readFileSync(storeFile, 'utf8'))).toEqual(cacerts(app, 'cluster1'));
    expect(fs.statSync(storeFile).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(app.outdir, 'cluster1', 'README.md'), 'utf8')).toContain('vault kv put mesh1/cacerts/cluster1 @<path to>/secrets/cluster1/cacerts.json');
  });

  test('the kubernetes.io/tls layout', () => {
    const app = meshWithCa(tempDir(), generated({ layout: CacertsLayout.KUBERNETES_TLS }));
    const secret = objectsOf(app, 'cluster1', 'secrets').get('Secret/istio-system/cacerts')!;
    expect(secret.type).toBe('kubernetes.io/tls');
    const data = cacerts(app, 'cluster1');
    expect(Object.keys(data).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    expect(new crypto.X509Certificate(data['tls.crt']).verify(new crypto.X509Certificate(data['ca.crt']).publicKey)).toBe(true);
  });

  test('root-cert.pem can carry further roots for a rotation', () => {
    const next = generateRootCa({ keySize: 2048, validityDays: 10, subject: [{ shortName: 'CN', value: 'Next Root' }] });
    const data = cacerts(meshWithCa(tempDir(), generated({ additionalRootCerts: [next.certPem] })), 'cluster1');
    expect(data['root-cert.pem'].match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(data['root-cert.pem'].endsWith(next.certPem)).toBe(true);
    expect(data['cert-chain.pem'].match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  describe('loaded roots', () => {
    function rootFiles(dir: string, root = generateRootCa({ keySize: 2048, validityDays: 100, subject: [{ shortName: 'O', value: 'Acme' }, { shortName: 'CN', value: 'Acme Root' }] })) {
      fs.writeFileSync(path.join(dir, 'root-cert.pem'), root.certPem);
      fs.writeFileSync(path.join(dir, 'root-key.pem'), root.keyPem);
      return { root, rootCertFile: path.join(dir, 'root-cert.pem'), rootKeyFile: path.join(dir, 'root-key.pem') };
    }

    test('fromFiles: intermediates are issued by the user\'s root, never beyond its validity', () => {
      const dir = tempDir();
      const { root, rootCertFile, rootKeyFile } = rootFiles(dir);
      const data = cacerts(meshWithCa(dir, keyStore => MeshCa.fromFiles({ rootCertFile, rootKeyFile, keyStore, intermediateKeySize: 2048, expiryWarningDays: 1 })), 'cluster1');
      expect(data['root-cert.pem']).toBe(root.certPem);
      const intermediate = new crypto.X509Certificate(data['ca-cert.pem']);
      expect(intermediate.verify(new crypto.X509Certificate(root.certPem).publicKey)).toBe(true);
      expect(new Date(intermediate.validTo).getTime()).toBeLessThanOrEqual(new Date(new crypto.X509Certificate(root.certPem).validTo).getTime());
    });

    test('offlineRoot: the user\'s intermediates are used as they are', () => {
      const dir = tempDir();
      const { root, rootCertFile } = rootFiles(dir);
      const intermediates = Object.fromEntries(['cluster1', 'cluster2'].map(name => {
        const pair = generateIntermediateCa(root, { keySize: 2048, validityDays: 60, subject: [{ shortName: 'CN', value: name }] });
        fs.writeFileSync(path.join(dir, `${name}.pem`), pair.certPem);
        fs.writeFileSync(path.join(dir, `${name}-key.pem`), pair.keyPem);
        return [name, { certFile: path.join(dir, `${name}.pem`), keyFile: path.join(dir, `${name}-key.pem`) }];
      }));
      const app = meshWithCa(dir, () => MeshCa.offlineRoot({ rootCertFile, intermediates }));
      expect(cacerts(app, 'cluster2')['ca-cert.pem']).toBe(fs.readFileSync(intermediates.cluster2.certFile, 'utf8'));
      expect(listFiles(path.join(dir, 'keys'))).toEqual([]);
    });

    describe('bad material: clear errors naming the file', () => {
      test('a root that does not parse', () => {
        const dir = tempDir();
        const { rootKeyFile } = rootFiles(dir);
        fs.writeFileSync(path.join(dir, 'junk.pem'), 'not a cert');
        expect(() => meshWithCa(dir, () => MeshCa.fromFiles({ rootCertFile: path.join(dir, 'junk.pem'), rootKeyFile })).synth())
          .toThrow(new RegExp(`\\[mesh\\] root certificate ${dir}/junk.pem is not a PEM certificate .*: give the file that starts with -----BEGIN CERTIFICATE-----`));
      });

      test('a bad root fails before any key is minted: the error comes at once, not after the intermediates\' key generation', () => {
        const dir = tempDir();
        fs.writeFileSync(path.join(dir, 'junk.pem'), 'not a cert');
        const processes = jest.spyOn(childProcess, 'execFileSync');
        const inProcess = jest.spyOn(nodeCrypto, 'generateKeyPairSync');
        try {
          expect(() => meshWithCa(dir, () => MeshCa.fromFiles({ rootCertFile: path.join(dir, 'junk.pem'), rootKeyFile: path.join(dir, 'junk.pem') })).synth()).toThrow(/is not a PEM certificate/);
          expect(processes.mock.calls.filter(([file]) => file === process.execPath)).toEqual([]);
          expect(inProcess).not.toHaveBeenCalled();
        } finally {
          processes.mockRestore();
          inProcess.mockRestore();
        }
      });

      test('a key that is not the root\'s', () => {
        const dir = tempDir();
        const { rootCertFile } = rootFiles(dir);
        const other = rootFiles(tempDir());
        expect(() => meshWithCa(dir, () => MeshCa.fromFiles({ rootCertFile, rootKeyFile: other.rootKeyFile })).synth())
          .toThrow(new RegExp(`rootKeyFile ${other.rootKeyFile} is not the key of ${rootCertFile}`));
      });

      test('a root that is not a CA', () => {
        const dir = tempDir();
        const { root, rootKeyFile } = rootFiles(dir);
        const leafPem = execFileSync('openssl', ['req', '-x509', '-key', rootKeyFile, '-subj', '/CN=leaf', '-days', '1', '-addext', 'basicConstraints=critical,CA:FALSE'], { encoding: 'utf8' });
        fs.writeFileSync(path.join(dir, 'leaf.pem'), leafPem);
        expect(root.certPem).not.toBe(leafPem);
        expect(() => meshWithCa(dir, () => MeshCa.fromFiles({ rootCertFile: path.join(dir, 'leaf.pem'), rootKeyFile })).synth())
          .toThrow(/leaf.pem is not a CA certificate \(basicConstraints CA:true is missing\)/);
      });

      test('an intermediate not signed by the root', () => {
        const dir = tempDir();
        const { rootCertFile } = rootFiles(dir);
        const stranger = rootFiles(tempDir()).root;
        const pair = generateIntermediateCa(stranger, { keySize: 2048, validityDays: 60, subject: [{ shortName: 'CN', value: 'x' }] });
        fs.writeFileSync(path.join(dir, 'i.pem'), pair.certPem);
        fs.writeFileSync(path.join(dir, 'i-key.pem'), pair.keyPem);
        const files = { certFile: path.join(dir, 'i.pem'), keyFile: path.join(dir, 'i-key.pem') };
        expect(() => meshWithCa(dir, () => MeshCa.offlineRoot({ rootCertFile, intermediates: { cluster1: files, cluster2: files } })).synth())
          .toThrow(/intermediates.cluster1.certFile .*i.pem is not signed by the root CA .*root-cert.pem: every cluster's intermediate must chain to the one shared root/);
      });

      test('a cluster without an intermediate under an offline root', () => {
        const dir = tempDir();
        const { rootCertFile } = rootFiles(dir);
        expect(() => meshWithCa(dir, () => MeshCa.offlineRoot({ rootCertFile, intermediates: {} })).synth())
          .toThrow(/ca.intermediates has no entry for cluster cluster1: .* add intermediates.cluster1 = \{ certFile, keyFile \}/);
      });

      test('an intermediate that expires within the warning window warns, with its date', () => {
        const dir = tempDir();
        const app = meshWithCa(dir, generated({ intermediateValidityDays: 10 }));
        const expiry = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
        synthOnce(app);
        expect(app.warnings).toContainEqual(expect.stringMatching(new RegExp(`intermediate CA of cluster1 .* expires on ${expiry}, within 30 days: rotate it now.* \\[MCM103\\]$`)));
      });
    });
  });
});

test('a root that expires within the warning window warns too, with its date; expired material fails', () => {
  const dir = tempDir();
  const { app, mesh } = testMesh({ ca: MeshCa.generate({ keyStore: path.join(dir, 'keys'), rootKeySize: 2048, intermediateKeySize: 2048, rootValidityDays: 20, intermediateValidityDays: 10, expiryWarningDays: 5 }) }, dir);
  new MeshCluster(mesh, 'cluster1');
  app.synth(); // keeps the 20-day root in the key store; 20 and 10 days are beyond a 5-day window

  const later = testMesh({ ca: MeshCa.generate({ keyStore: path.join(dir, 'keys'), expiryWarningDays: 25 }) }, dir);
  new MeshCluster(later.mesh, 'cluster1');
  const expiry = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
  synthOnce(later.app);
  expect(later.app.warnings).toContainEqual(expect.stringMatching(new RegExp(`root certificate .*root/cert.pem expires on ${expiry}, within 25 days: rotate it now`)));

  const root = new X509Certificate(fs.readFileSync(path.join(dir, 'keys', 'mesh', 'root', 'cert.pem')));
  const afterExpiry = new Date(Date.now() + 21 * 86_400_000);
  expect(() => expiryWarning(root, 5, 'the root', afterExpiry)).toThrow(new RegExp(`^the root expired on ${expiry}: issue a new one`));
});

describe('intermediate rotation and the expiry gate', () => {
  const declare = (dir: string, options: MeshCaOptions) => {
    const { app, mesh } = testMesh({ meshId: 'mesh1', ca: MeshCa.generate({ keyStore: path.join(dir, 'keys'), rootKeySize: 2048, intermediateKeySize: 2048, ...options }) }, dir);
    new MeshCluster(mesh, 'cluster1');
    new MeshCluster(mesh, 'cluster2');
    return app;
  };
  const stored = (dir: string, cluster: string) => new X509Certificate(fs.readFileSync(path.join(dir, 'keys', 'mesh1', 'clusters', cluster, 'cert.pem')));

  test('intermediates within the rotation window are issued anew under the same root, with a new key; the others stay', () => {
    const dir = tempDir();
    declare(dir, { intermediateValidityDays: 20 }).synth();
    const old = stored(dir, 'cluster1');
    fs.rmSync(path.join(dir, 'keys', 'mesh1', 'clusters', 'cluster2'), { recursive: true });
    declare(dir, { intermediateValidityDays: 400 }).synth(); // cluster2's new intermediate lasts 400 days
    const kept = stored(dir, 'cluster2');

    const app = declare(dir, { intermediateValidityDays: 400, rotateIntermediatesDaysBefore: 30 });
    app.synth();
    const renewed = stored(dir, 'cluster1');
    expect(renewed.fingerprint256).not.toBe(old.fingerprint256);
    expect(renewed.publicKey.export({ type: 'spki', format: 'pem' })).not.toBe(old.publicKey.export({ type: 'spki', format: 'pem' }));
    expect(renewed.verify(new X509Certificate(fs.readFileSync(path.join(dir, 'keys', 'mesh1', 'root', 'cert.pem'))).publicKey)).toBe(true);
    expect(stored(dir, 'cluster2').fingerprint256).toBe(kept.fingerprint256);
    expect(app.warnings).toContainEqual(expect.stringMatching(/rotated the intermediate CA of cluster1 \(the old one expires on \d{4}-\d{2}-\d{2}\): apply its new cacerts.* \[MCM104\]$/));
    expect(cacerts(app, 'cluster1')['ca-cert.pem']).toBe(renewed.toString());
  });

  test('in a pipeline, a due rotation is an error (it mints a key); expiryErrorDays fails the synth before expiry', () => {
    const dir = tempDir();
    declare(dir, { intermediateValidityDays: 20 }).synth();
    process.env.CI = 'true';
    try {
      expect(() => declare(dir, { rotateIntermediatesDaysBefore: 30 }).synth())
        .toThrow(/needs a new intermediate CA of cluster1 \(the stored one expires on .*, within rotateIntermediatesDaysBefore\).*CI is set/);
    } finally {
      delete process.env.CI;
    }
    expect(() => declare(dir, { expiryErrorDays: 25 }).synth()).toThrow(/intermediate CA of cluster1 .* expires on .*, within expiryErrorDays \(25\): rotate it before the synth can pass/);
    expect(() => MeshCa.offlineRoot({ rootCertFile: 'r.pem', intermediates: {}, rotateIntermediatesDaysBefore: 30 })._check(testMesh().mesh))
      .toThrow(/ca.rotateIntermediatesDaysBefore 30 cannot apply to an offline root/);
  });
});

describe('key material in pipelines', () => {
  afterEach(() => { delete process.env.CI; });

  test('the first synth mints the CA and says so loudly: what to back up, what to apply first', () => {
    const dir = tempDir();
    const app = meshWithCa(dir, generated());
    synthOnce(app);
    expect(app.warnings[0]).toMatch(/^\[mesh\] generated a NEW root CA, intermediate CA of cluster1, intermediate CA of cluster2 in .*keys\/mesh1\. Back up .*keys\/ now .*apply each cluster's cacerts Secret before installing Istio.* \[MCM102\]$/);
  });

  test('with CI set, an empty key store is an error that says where the keys must come from', () => {
    process.env.CI = 'true';
    const dir = tempDir();
    expect(() => meshWithCa(dir, generated()).synth())
      .toThrow(/\[mesh\] ca: the key store .* needs a new root CA .*, and CI is set: a pipeline must not mint CA keys .* Restore .* from your backup or secret store before the synth, use MeshCa.fromFiles\(\) or MeshCa.offlineRoot\(\), or set requireExisting: false/);
    expect(() => meshWithCa(tempDir(), generated({ requireExisting: false })).synth()).not.toThrow();
  });

  test('with CI set, existing keys render without a word about minting', () => {
    const dir = tempDir();
    meshWithCa(dir, generated()).synth();
    process.env.CI = 'true';
    const again = meshWithCa(dir, generated());
    synthOnce(again);
    expect(again.warnings.filter(w => w.includes('NEW'))).toEqual([]);
  });

  test('requireExisting refuses outside CI too', () => {
    expect(() => meshWithCa(tempDir(), generated({ requireExisting: true })).synth()).toThrow(/needs a new root CA .*, and requireExisting is set/);
  });
});

test.each([
  [{ rootKeySize: 1024 }, /\[mesh\] ca.rootKeySize 1024 is not an RSA key size Istio accepts: use 2048, 3072 or 4096/],
  [{ intermediateKeySize: 2048.5 }, /ca.intermediateKeySize 2048.5 is not an RSA key size/],
  [{ rootValidityDays: NaN }, /ca.rootValidityDays NaN is not a whole number of days above zero/],
  [{ intermediateValidityDays: Infinity }, /ca.intermediateValidityDays Infinity is not a whole number of days above zero/],
  [{ intermediateValidityDays: 0 }, /ca.intermediateValidityDays 0 is not a whole number of days above zero/],
  [{ expiryWarningDays: -1 }, /ca.expiryWarningDays -1 is not a whole number of days/],
])('CA parameters that Istio or X.509 refuse fail at once: %j', (options, message) => {
  expect(() => testMesh({ ca: MeshCa.generate(options) })).toThrow(message);
});

import { execFileSync } from 'child_process';
import { createPrivateKey, generateKeyPairSync, randomBytes, RSAKeyPairOptions, sign, X509Certificate } from 'crypto';
import * as fs from 'fs';
import { availableParallelism } from 'os';
import * as path from 'path';
import * as forge from 'node-forge';
import { MeshConfigError } from '../validation/errors';
import { CHECKS } from '../validation/findings';

/** A certificate with its private key, both PEM. */
export interface KeyPairPem {
  readonly certPem: string;
  readonly keyPem: string;
}

/** What a CA certificate is issued with. */
export interface CaCertOptions {
  readonly keySize: number;
  readonly validityDays: number;
  readonly subject: ReadonlyArray<{ readonly shortName: 'O' | 'CN' | 'L'; readonly value: string }>;
}

/** PEM with LF line endings: node-forge writes CRLF, which would show as noise in every diff. */
const lf = (pem: string) => pem.replace(/\r\n/g, '\n');

/** Node's options for an RSA key (e = 65537) whose private half is PKCS#1 PEM, as node-forge writes keys. */
const rsaOptions = (bits: number): RSAKeyPairOptions<'pem', 'pem'> => ({
  modulusLength: bits, publicExponent: 0x10001,
  publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
});

/**
 * A directory of pre-generated RSA keys (`rsa-<bits>-<n>.pem`) that key generation draws from instead of
 * generating. The test suite makes one per run, so that its many throwaway meshes do not each spend
 * seconds on RSA-4096; the tests of key generation itself unset it. Keys repeat from one mesh to the next:
 * never set it for a key store that matters.
 */
export const TEST_KEY_POOL_ENV = 'CDK8S_ISTIO_MULTICLUSTER_TEST_KEY_POOL';

let poolCursor = 0;

/** Keys of the pool, distinct within one call (and across calls until the pool wraps); undefined when a size is missing. */
function pooledKeys(dir: string, sizes: readonly number[]): string[] | undefined {
  const files = fs.readdirSync(dir).sort();
  const keys = sizes.map(bits => {
    const ofSize = files.filter(f => f.startsWith(`rsa-${bits}-`));
    return ofSize.length === 0 ? undefined : fs.readFileSync(path.join(dir, ofSize[poolCursor++ % ofSize.length]), 'utf8');
  });
  return keys.every((k): k is string => k !== undefined) ? keys : undefined;
}

/**
 * Generates RSA private keys (PKCS#1 PEM) with Node's native crypto. Several keys are generated concurrently
 * (libuv's thread pool, in a helper process, because synthesis is synchronous): a fresh mesh of N clusters
 * waits for about one key per core instead of N + 1 in a row.
 */
export function generateRsaKeys(sizes: readonly number[]): string[] {
  const pool = process.env[TEST_KEY_POOL_ENV];
  const pooled = pool ? pooledKeys(pool, sizes) : undefined;
  if (pooled) return pooled;
  if (sizes.length <= 1) return sizes.map(bits => generateKeyPairSync('rsa', rsaOptions(bits)).privateKey);
  const script = `const { generateKeyPair } = require('crypto');
const options = bits => ({ ...${JSON.stringify(rsaOptions(0))}, modulusLength: bits });
Promise.all(JSON.parse(process.argv[1]).map(bits => new Promise((resolve, reject) =>
  generateKeyPair('rsa', options(bits), (error, publicKey, privateKey) => (error ? reject(error) : resolve(privateKey))))))
  .then(keys => process.stdout.write(JSON.stringify(keys)));`;
  const out = execFileSync(process.execPath, ['-e', script, JSON.stringify(sizes)], {
    encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, UV_THREADPOOL_SIZE: String(Math.max(4, availableParallelism())) },
  });
  return JSON.parse(out) as string[];
}

/**
 * A random 16-byte certificate serial (RFC 5280: positive, at most 20 octets) as hex. The first byte is
 * kept in 0x40-0x7f: below 0x80 the DER INTEGER stays positive, and never 0x00, because forge writes the
 * hex as given and a leading zero octet before one below 0x80 is non-minimal DER, which OpenSSL and Node
 * refuse ("illegal padding"), one certificate in 32 when the first byte was left to chance.
 */
export function certificateSerial(random: Buffer = randomBytes(16)): string {
  const bytes = Buffer.from(random);
  bytes[0] = 0x40 | (bytes[0] & 0x3f);
  return bytes.toString('hex');
}

function newCertificate(publicKey: forge.pki.PublicKey, validityDays: number, notAfterCap?: Date): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = certificateSerial();
  const now = new Date();
  cert.validity.notBefore = now;
  const notAfter = new Date(now.getTime() + validityDays * 86_400_000);
  cert.validity.notAfter = notAfterCap && notAfterCap < notAfter ? notAfterCap : notAfter;
  return cert;
}

/**
 * Signs a certificate with SHA-256/RSA as node-forge's `cert.sign` does, but through Node's native crypto
 * (forge signs in JavaScript, ~40x slower for RSA 4096). PKCS#1 v1.5 signatures are deterministic, so the
 * certificate is byte for byte the one forge would make; a test holds it to that.
 */
export function signCertificate(cert: forge.pki.Certificate, issuerKeyPem: string): void {
  cert.md = forge.md.sha256.create();
  cert.signatureOid = cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption;
  // getTBSCertificate is part of forge's API, missing from its type definitions.
  cert.tbsCertificate = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  const tbs = Buffer.from(forge.asn1.toDer(cert.tbsCertificate).getBytes(), 'binary');
  cert.signature = sign('sha256', tbs, issuerKeyPem).toString('binary');
}

const publicKeyOf = (keyPem: string) => {
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  return forge.pki.setRsaPublicKey(key.n, key.e);
};

/** keyUsage of Istio's tools/certs/Makefile.selfsigned.mk, for the root and the intermediates. */
const CA_KEY_USAGE = { name: 'keyUsage', critical: true, digitalSignature: true, nonRepudiation: true, keyEncipherment: true, keyCertSign: true };

/** A self-signed root CA for `keyPem`, as Istio's Makefile.selfsigned.mk makes it (root-ca.conf). */
export function issueRootCa(keyPem: string, options: Omit<CaCertOptions, 'keySize'>): KeyPairPem {
  const cert = newCertificate(publicKeyOf(keyPem), options.validityDays);
  const subject = options.subject.map(a => ({ shortName: a.shortName, value: a.value }));
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', critical: true, cA: true },
    CA_KEY_USAGE,
    { name: 'subjectKeyIdentifier' },
  ]);
  signCertificate(cert, keyPem);
  return { certPem: lf(forge.pki.certificateToPem(cert)), keyPem: lf(keyPem) };
}

/**
 * An intermediate CA for one cluster's istiod with key `keyPem`, signed by the root (intermediate.conf):
 * pathlen 0, SAN `DNS:istiod.istio-system.svc`, and an authority key id that names the root's key.
 * Its validity never goes past the root's.
 */
export function issueIntermediateCa(root: KeyPairPem, keyPem: string, options: Omit<CaCertOptions, 'keySize'>): KeyPairPem {
  const rootCert = forge.pki.certificateFromPem(root.certPem);
  const cert = newCertificate(publicKeyOf(keyPem), options.validityDays, rootCert.validity.notAfter);
  cert.setSubject(options.subject.map(a => ({ shortName: a.shortName, value: a.value })));
  cert.setIssuer(rootCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', critical: true, cA: true, pathLenConstraint: 0 },
    CA_KEY_USAGE,
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'istiod.istio-system.svc' }] },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: rootCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  signCertificate(cert, root.keyPem);
  return { certPem: lf(forge.pki.certificateToPem(cert)), keyPem: lf(keyPem) };
}

/** Parses a PEM certificate; the error names where it came from. */
export function parseCertificate(pem: string, source: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (e) {
    throw new MeshConfigError(`${source} is not a PEM certificate (${(e as Error).message}): give the file that starts with -----BEGIN CERTIFICATE-----`, CHECKS.caMaterial);
  }
}

/** Every certificate of a PEM bundle (root-cert.pem may hold several roots). */
export function splitPemBundle(pem: string): string[] {
  return lf(pem).match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)?.map(p => `${p}\n`) ?? [];
}

/** Checks that `keyPem` parses and belongs to `cert`; errors name the key's source. */
export function checkKeyMatches(cert: X509Certificate, keyPem: string, certSource: string, keySource: string): void {
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch (e) {
    throw new MeshConfigError(`${keySource} is not a PEM private key (${(e as Error).message}): give the key file of ${certSource}`, CHECKS.caMaterial);
  }
  if (!cert.checkPrivateKey(key)) {
    throw new MeshConfigError(`${keySource} is not the key of ${certSource}: give the key the certificate was issued for`, CHECKS.caMaterial);
  }
}

/** Checks that a certificate is a CA (basicConstraints CA:true). */
export function checkIsCa(cert: X509Certificate, source: string): void {
  if (!cert.ca) {
    throw new MeshConfigError(`${source} is not a CA certificate (basicConstraints CA:true is missing): give the root CA's certificate`, CHECKS.caMaterial);
  }
}

/** Checks that `cert` was signed by `issuer`. */
export function checkSignedBy(cert: X509Certificate, issuer: X509Certificate, source: string, issuerSource: string): void {
  if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) {
    throw new MeshConfigError(`${source} is not signed by the root CA ${issuerSource}: every cluster's intermediate must chain to the one shared root (delete it to issue a new one, or give the right root)`, CHECKS.caMaterial);
  }
}

/**
 * Throws when a certificate has expired (nothing signed with it is trusted any more) or expires within
 * `errorDays` (the pipeline's gate); returns a warning when it expires within `days`, which still leaves
 * time to rotate.
 */
export function expiryWarning(cert: X509Certificate, days: number, source: string, now = new Date(), errorDays = 0): string | undefined {
  const notAfter = new Date(cert.validTo);
  if (notAfter <= now) {
    throw new MeshConfigError(`${source} expired on ${notAfter.toISOString().slice(0, 10)}: issue a new one (a generated one is reissued when you delete it from the key store)`, CHECKS.caMaterial);
  }
  if (notAfter.getTime() - now.getTime() < errorDays * 86_400_000) {
    throw new MeshConfigError(`${source} expires on ${notAfter.toISOString().slice(0, 10)}, within expiryErrorDays (${errorDays}): rotate it before the synth can pass (rotateIntermediatesDaysBefore reissues intermediates)`, CHECKS.caMaterial);
  }
  return notAfter.getTime() - now.getTime() < days * 86_400_000
    ? `${source} expires on ${notAfter.toISOString().slice(0, 10)}, within ${days} days: rotate it now (a generated one is reissued when you delete it from the key store)`
    : undefined;
}

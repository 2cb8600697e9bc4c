import { randomBytes, X509Certificate, createPrivateKey } from 'crypto';
import * as forge from 'node-forge';
import { MeshConfigError } from '../validation/errors';

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

const SHA256 = () => forge.md.sha256.create();

/** PEM with LF line endings: node-forge writes CRLF, which would show as noise in every diff. */
const lf = (pem: string) => pem.replace(/\r\n/g, '\n');

/**
 * An RSA key pair. Called without a callback, node-forge delegates to Node's native
 * `crypto.generateKeyPairSync` (pure-JS RSA would take minutes for 4096 bits); a test holds it to that.
 */
function generateKeyPair(bits: number): forge.pki.rsa.KeyPair {
  return forge.pki.rsa.generateKeyPair({ bits, e: 0x10001 });
}

function newCertificate(publicKey: forge.pki.PublicKey, validityDays: number, notAfterCap?: Date): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive 127-bit serial: random, as RFC 5280 asks, and never negative in DER.
  cert.serialNumber = `0${randomBytes(16).toString('hex').slice(1)}`;
  const now = new Date();
  cert.validity.notBefore = now;
  const notAfter = new Date(now.getTime() + validityDays * 86_400_000);
  cert.validity.notAfter = notAfterCap && notAfterCap < notAfter ? notAfterCap : notAfter;
  return cert;
}

/** keyUsage of Istio's tools/certs/Makefile.selfsigned.mk, for the root and the intermediates. */
const CA_KEY_USAGE = { name: 'keyUsage', critical: true, digitalSignature: true, nonRepudiation: true, keyEncipherment: true, keyCertSign: true };

/** A self-signed root CA, as Istio's Makefile.selfsigned.mk makes it (root-ca.conf). */
export function generateRootCa(options: CaCertOptions): KeyPairPem {
  const keys = generateKeyPair(options.keySize);
  const cert = newCertificate(keys.publicKey, options.validityDays);
  const subject = options.subject.map(a => ({ shortName: a.shortName, value: a.value }));
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', critical: true, cA: true },
    CA_KEY_USAGE,
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, SHA256());
  return { certPem: lf(forge.pki.certificateToPem(cert)), keyPem: lf(forge.pki.privateKeyToPem(keys.privateKey)) };
}

/**
 * An intermediate CA for one cluster's istiod, signed by the root (intermediate.conf):
 * pathlen 0, SAN `DNS:istiod.istio-system.svc`, and an authority key id that names the root's key.
 * Its validity never goes past the root's.
 */
export function generateIntermediateCa(root: KeyPairPem, options: CaCertOptions): KeyPairPem {
  const rootCert = forge.pki.certificateFromPem(root.certPem);
  const rootKey = forge.pki.privateKeyFromPem(root.keyPem);
  const keys = generateKeyPair(options.keySize);
  const cert = newCertificate(keys.publicKey, options.validityDays, rootCert.validity.notAfter);
  cert.setSubject(options.subject.map(a => ({ shortName: a.shortName, value: a.value })));
  cert.setIssuer(rootCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', critical: true, cA: true, pathLenConstraint: 0 },
    CA_KEY_USAGE,
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'istiod.istio-system.svc' }] },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: rootCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(rootKey, SHA256());
  return { certPem: lf(forge.pki.certificateToPem(cert)), keyPem: lf(forge.pki.privateKeyToPem(keys.privateKey)) };
}

/** Parses a PEM certificate; the error names where it came from. */
export function parseCertificate(pem: string, source: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (e) {
    throw new MeshConfigError(`${source} is not a PEM certificate (${(e as Error).message}): give the file that starts with -----BEGIN CERTIFICATE-----`);
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
    throw new MeshConfigError(`${keySource} is not a PEM private key (${(e as Error).message}): give the key file of ${certSource}`);
  }
  if (!cert.checkPrivateKey(key)) {
    throw new MeshConfigError(`${keySource} is not the key of ${certSource}: give the key the certificate was issued for`);
  }
}

/** Checks that a certificate is a CA (basicConstraints CA:true). */
export function checkIsCa(cert: X509Certificate, source: string): void {
  if (!cert.ca) {
    throw new MeshConfigError(`${source} is not a CA certificate (basicConstraints CA:true is missing): give the root CA's certificate`);
  }
}

/** Checks that `cert` was signed by `issuer`. */
export function checkSignedBy(cert: X509Certificate, issuer: X509Certificate, source: string, issuerSource: string): void {
  if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) {
    throw new MeshConfigError(`${source} is not signed by the root CA ${issuerSource}: every cluster's intermediate must chain to the one shared root (delete it to issue a new one, or give the right root)`);
  }
}

/**
 * Throws when a certificate has expired (nothing signed with it is trusted any more); returns a warning
 * when it expires within `days`, which still leaves time to rotate.
 */
export function expiryWarning(cert: X509Certificate, days: number, source: string, now = new Date()): string | undefined {
  const notAfter = new Date(cert.validTo);
  if (notAfter <= now) {
    throw new MeshConfigError(`${source} expired on ${notAfter.toISOString().slice(0, 10)}: issue a new one (a generated one is reissued when you delete it from the key store)`);
  }
  return notAfter.getTime() - now.getTime() < days * 86_400_000
    ? `${source} expires on ${notAfter.toISOString().slice(0, 10)}, within ${days} days: rotate it now (a generated one is reissued when you delete it from the key store)`
    : undefined;
}

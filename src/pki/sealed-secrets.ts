import { constants, createHash, createHmac, createCipheriv, KeyObject, publicEncrypt } from 'crypto';

/** Which Secret name and namespace a sealed value may be unsealed into (the controller's sealing scopes). */
export enum SealingScope {
  /** Only a Secret of this name in this namespace (kubeseal's default). */
  STRICT = 'strict',
  /** Any name, in this namespace. */
  NAMESPACE_WIDE = 'namespace-wide',
  /** Any name, any namespace. */
  CLUSTER_WIDE = 'cluster-wide',
}

/** The OAEP label the controller decrypts with: what binds a value to its scope. */
export function sealingLabel(scope: SealingScope, namespace: string, name: string): Buffer {
  switch (scope) {
    case SealingScope.CLUSTER_WIDE: return Buffer.alloc(0);
    case SealingScope.NAMESPACE_WIDE: return Buffer.from(namespace);
    default: return Buffer.from(`${namespace}/${name}`);
  }
}

const HASH_BYTES = 32;
const SESSION_KEY_BYTES = 32;

/** MGF1 with SHA-256 (RFC 8017, B.2.1). */
function mgf1(seed: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 0; blocks.length * HASH_BYTES < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    blocks.push(createHash('sha256').update(seed).update(c).digest());
  }
  return Buffer.concat(blocks).subarray(0, length);
}

const xor = (a: Buffer, b: Buffer) => Buffer.from(a.map((byte, i) => byte ^ b[i]));

/**
 * RSA-OAEP (SHA-256, MGF1-SHA-256) encryption with a given seed (RFC 8017, 7.1.1): Node's own OAEP always
 * draws a random seed, which would make every synth re-encrypt.
 */
function encryptOaep(publicKey: KeyObject, message: Buffer, label: Buffer, seed: Buffer): Buffer {
  const k = publicKey.asymmetricKeyDetails!.modulusLength! / 8;
  const db = Buffer.concat([
    createHash('sha256').update(label).digest(),
    Buffer.alloc(k - message.length - 2 * HASH_BYTES - 2),
    Buffer.from([1]),
    message,
  ]);
  const maskedDb = xor(db, mgf1(seed, k - HASH_BYTES - 1));
  const maskedSeed = xor(seed, mgf1(maskedDb, HASH_BYTES));
  return publicEncrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, Buffer.concat([Buffer.from([0]), maskedSeed, maskedDb]));
}

/**
 * Seals one value for a Sealed Secrets controller, in its format (`pkg/crypto` HybridEncrypt): the 2-byte
 * length of the RSA-OAEP-encrypted session key, that ciphertext, then the value encrypted with AES-256-GCM
 * under the session key and a zero nonce (the key is used once), base64.
 *
 * The session key and the OAEP seed are derived from `secret` (key material only the sealer holds), the
 * controller's key, the label and the value, instead of drawn at random: the same input seals to the same
 * bytes, so a synth that changes nothing changes no line of the bundle, and a changed value gets a fresh key.
 */
export function sealValue(controllerKey: KeyObject, value: Buffer, label: Buffer, secret: string): string {
  const derive = (purpose: string) => createHmac('sha256', secret)
    .update(purpose).update('\0')
    .update(controllerKey.export({ type: 'spki', format: 'der' })).update('\0')
    .update(label).update('\0')
    .update(createHash('sha256').update(value).digest())
    .digest();
  const sessionKey = derive('sealed-secrets session key').subarray(0, SESSION_KEY_BYTES);
  const rsaCiphertext = encryptOaep(controllerKey, sessionKey, label, derive('sealed-secrets oaep seed'));
  const cipher = createCipheriv('aes-256-gcm', sessionKey, Buffer.alloc(12));
  const aesCiphertext = Buffer.concat([cipher.update(value), cipher.final(), cipher.getAuthTag()]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(rsaCiphertext.length);
  return Buffer.concat([length, rsaCiphertext, aesCiphertext]).toString('base64');
}

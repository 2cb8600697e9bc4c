import { KeyObject, X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { MeshCa, RootCaSource, RootRotationStage } from '../mesh-ca';
import { MeshCluster } from '../mesh-cluster';
import { MeshConfigError } from '../validation/errors';
import { CHECKS, Finding, finding } from '../validation/findings';
import { OutputFile, OutputRoot } from '../write/output-file';
import { KeyStore } from './key-store';
import { bundleTransitionProblem, enterStage, readRotationState, RotationState, signsWithNew, trustsNew, trustsOld } from './root-rotation';
import {
  checkIsCa, checkKeyMatches, checkSignedBy, expiryWarning, generateRsaKeys, issueIntermediateCa, issueRootCa, KeyPairPem,
  parseCertificate, splitPemBundle,
} from './x509';

/** One cluster's CA material: what its `cacerts` Secret carries. */
export interface ClusterCaMaterial {
  /** The intermediate CA certificate (`ca-cert.pem`). */
  readonly caCert: string;
  /** Its private key (`ca-key.pem`). */
  readonly caKey: string;
  /** Every trusted root, the mesh root first (`root-cert.pem`). */
  readonly rootCerts: string;
  /** The intermediate, then the mesh root (`cert-chain.pem`). */
  readonly certChain: string;
}

/** The resolved PKI: material per cluster, and the key store files to persist when the synth succeeds. */
export interface ResolvedPki {
  readonly clusters: ReadonlyMap<MeshCluster, ClusterCaMaterial>;
  readonly keyStoreFiles: readonly OutputFile[];
  /** Key material minted by this synth, and certificates close to expiry: the user must hear of both. */
  readonly warnings: readonly Finding[];
  /** Each cluster's Sealed Secrets controller key, when `cacerts` is delivered sealed. */
  readonly sealingKeys: ReadonlyMap<MeshCluster, KeyObject>;
  /** The stage of a root rotation in progress. @default - no rotation */
  readonly rotationStage?: RootRotationStage;
}

/** The committed file that records a root rotation, relative to the working directory. */
export const DEFAULT_ROTATION_STATE_FILE = 'ca-rotation.json';

/** What to do after rendering each stage. */
const ROTATION_NEXT_STEP: { readonly [stage in RootRotationStage]: string } = {
  [RootRotationStage.PREPARE]: 'apply every cluster\'s install values, restart istiod and then the workloads (ISTIO_MULTIROOT_MESH and PROXY_CONFIG_XDS_AGENT take effect at start), then render trust-both',
  [RootRotationStage.TRUST_BOTH]: 'apply every cluster\'s cacerts and every VM kit\'s root-cert.pem; once every proxy holds both roots (check with ca-rotation-check.sh), render resign',
  [RootRotationStage.RESIGN]: 'apply every cluster\'s cacerts (new intermediates); once workloads have renewed their certificates, render drop-old',
  [RootRotationStage.DROP_OLD]: 'apply every cluster\'s cacerts and VM root-cert.pem; the old root is tombstoned. Remove rootRotation once applied everywhere',
};

/** Whether the synth runs in a pipeline (`CI` set, as CI services do), where minting keys must be asked for. */
export function runsInCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return !!env.CI && !['false', '0'].includes(env.CI.toLowerCase());
}

function readFile(file: string, what: string, owner: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new MeshConfigError(`[${owner}] ${what} ${file} cannot be read (${(e as NodeJS.ErrnoException).code}): check the path`, CHECKS.caMaterial);
  }
}

/** The Sealed Secrets controller key of every cluster, read from the certificates the delivery names. */
function sealingKeys(ca: MeshCa, owner: string, clusters: readonly MeshCluster[]): Map<MeshCluster, KeyObject> {
  const sealed = ca._options.delivery?.sealedSecret;
  if (!sealed) return new Map();
  const names = clusters.map(c => c.clusterName);
  const unknown = Object.keys(sealed.clusterCertFiles ?? {}).find(name => !names.includes(name));
  if (unknown) {
    throw new MeshConfigError(`[${owner}] ca.delivery.clusterCertFiles names cluster "${unknown}", which the mesh does not have: use one of ${names.join(', ')}`, CHECKS.caMaterial);
  }
  const keys = new Map<string, KeyObject>();
  return new Map(clusters.map(cluster => {
    const file = sealed.clusterCertFiles?.[cluster.clusterName] ?? sealed.certFile;
    if (!file) {
      throw new MeshConfigError(`[${owner}] ca.delivery has no Sealed Secrets certificate for cluster ${cluster.clusterName}: add clusterCertFiles.${cluster.clusterName} or a certFile for all (kubeseal --fetch-cert > cert.pem)`, CHECKS.caMaterial);
    }
    if (!keys.has(file)) {
      const source = `[${owner}] Sealed Secrets certificate ${file}`;
      const key = parseCertificate(readFile(file, 'Sealed Secrets certificate', owner), source).publicKey;
      if (key.asymmetricKeyType !== 'rsa') {
        throw new MeshConfigError(`${source} holds a ${key.asymmetricKeyType} key; the controller seals with RSA: give the certificate kubeseal --fetch-cert prints`, CHECKS.caMaterial);
      }
      keys.set(file, key);
    }
    return [cluster, keys.get(file)!];
  }));
}

interface RootSource {
  readonly certPem: string;
  readonly keyPem?: string;
  /** Where the certificate comes from, for messages. */
  readonly source: string;
  /** Where the key comes from, for messages. @default - no key */
  readonly keySource?: string;
}

interface CheckedRoot extends RootSource {
  readonly cert: X509Certificate;
  /** @default - no expiry warning */
  readonly warning?: string;
}

/** Parses the root and checks that it is a CA, unexpired, with its key (when the key is at hand). */
function checkedRoot<R extends RootSource>(ca: MeshCa, owner: string, root: R, now: Date): R & CheckedRoot {
  const o = ca._options;
  const cert = parseCertificate(root.certPem, `[${owner}] root certificate ${root.source}`);
  checkIsCa(cert, `[${owner}] root certificate ${root.source}`);
  const warning = expiryWarning(cert, o.expiryWarningDays ?? 30, `[${owner}] root certificate ${root.source}`, now, o.expiryErrorDays);
  if (root.keyPem) checkKeyMatches(cert, root.keyPem, root.source, `[${owner}] ${root.keySource}`);
  return { ...root, cert, warning };
}

/**
 * Resolves the mesh's CA: loads the root and every cluster's intermediate (from files or the key store),
 * generates what is missing, and checks that every chain ends at the one root, that keys match their
 * certificates and that no intermediate expires within the warning window.
 */
export function resolvePki(ca: MeshCa, meshId: string, owner: string, clusters: readonly MeshCluster[], istioVersion: string): ResolvedPki {
  const o = ca._options;
  const rotation = o.rootRotation;
  const stateFile = o.rotationStateFile ?? DEFAULT_ROTATION_STATE_FILE;
  const state = readRotationState(stateFile);
  const now = new Date();
  const enteredAt = rotation && enterStage(rotation, state, now, owner);
  // The same rotation goes on (its stage again, or the next); otherwise this synth starts one.
  const continuing = rotation && state && !(state.stage === RootRotationStage.DROP_OLD && rotation.stage === RootRotationStage.PREPARE);
  const keys = new KeyStore(o.keyStore ?? '.mesh-keys', meshId);
  const warnings: Finding[] = [];
  const warnIf = (warning: string | undefined) => warning && warnings.push(finding(CHECKS.certificateExpiring, warning));
  const requireExisting = o.requireExisting ?? runsInCi();
  // Before any key is minted: a delivery that cannot seal must not leave a new root behind.
  const sealing = sealingKeys(ca, owner, clusters);
  // What the key store already holds, and which keys a fresh mesh (or a new cluster) still needs.
  const { rootDir, nextRootDir } = keys;
  // Stored intermediates within the rotation window are issued anew (same root, so trust never breaks).
  const rotating = new Map<MeshCluster, string>();
  if (o.rotateIntermediatesDaysBefore !== undefined && ca.source !== RootCaSource.OFFLINE) {
    for (const cluster of clusters) {
      const pair = keys.pair(keys.clusterDir(cluster));
      const notAfter = pair && new Date(parseCertificate(pair.certPem, `[${owner}] ${path.join(keys.clusterDir(cluster), 'cert.pem')}`).validTo);
      if (notAfter && notAfter.getTime() - now.getTime() < o.rotateIntermediatesDaysBefore * 86_400_000) {
        rotating.set(cluster, notAfter.toISOString().slice(0, 10));
        keys.setAside(keys.clusterDir(cluster));
      }
    }
  }
  // A rotation's next root: generated when it starts (or read from the files given), the same one (by
  // fingerprint) at every later stage.
  const generatedNext = rotation && ca.source === RootCaSource.GENERATED;
  const loadedNext = rotation && !generatedNext ? checkedRoot(ca, owner, {
    certPem: readFile(rotation.nextRootCertFile!, 'rootRotation.nextRootCertFile', owner),
    keyPem: rotation.nextRootKeyFile === undefined ? undefined : readFile(rotation.nextRootKeyFile, 'rootRotation.nextRootKeyFile', owner),
    source: rotation.nextRootCertFile!,
    keySource: `rootRotation.nextRootKeyFile ${rotation.nextRootKeyFile}`,
  }, now) : undefined;
  if (generatedNext && !continuing) keys.setAside(nextRootDir);
  const nextCertPem = loadedNext?.certPem ?? (generatedNext ? keys.pair(nextRootDir)?.certPem : undefined);
  const nextFingerprint = nextCertPem && new X509Certificate(nextCertPem).fingerprint256;
  if (continuing && nextFingerprint !== state!.newRoot) {
    throw new MeshConfigError(`[${owner}] ca.rootRotation: the next root (${loadedNext?.source ?? nextRootDir}) is not the root this rotation started with (${state!.newRoot}, per ${stateFile}): restore ${loadedNext ? 'the file' : 'the key store'} it was started from`, CHECKS.caMaterial);
  }
  // From the re-sign stage on, intermediates are issued by the next root: stored ones from the old are reissued.
  if (rotation && signsWithNew(rotation.stage) && ca.source !== RootCaSource.OFFLINE) {
    const nextCert = new X509Certificate(nextCertPem!);
    for (const cluster of clusters) {
      const pair = keys.pair(keys.clusterDir(cluster));
      if (pair && !new X509Certificate(pair.certPem).checkIssued(nextCert)) keys.setAside(keys.clusterDir(cluster));
    }
  }
  const missing = [
    ...(ca.source === RootCaSource.GENERATED && !keys.pair(rootDir) ? [{ what: 'root CA', dir: rootDir, bits: o.rootKeySize ?? 4096 }] : []),
    ...(generatedNext && !keys.pair(nextRootDir) ? [{ what: 'next root CA (rotation)', dir: nextRootDir, bits: o.rootKeySize ?? 4096 }] : []),
    ...(ca.source === RootCaSource.OFFLINE ? [] : clusters.filter(c => !keys.pair(keys.clusterDir(c))).map(c => ({
      what: rotating.has(c) ? `intermediate CA of ${c.clusterName} (the stored one expires on ${rotating.get(c)}, within rotateIntermediatesDaysBefore)` : `intermediate CA of ${c.clusterName}`,
      dir: keys.clusterDir(c),
      bits: o.intermediateKeySize ?? 4096,
    }))),
  ];
  if (missing.length > 0 && requireExisting) {
    throw new MeshConfigError(`[${owner}] ca: the key store ${keys.dir} needs a new ${missing[0].what} (${missing[0].dir}), and ${o.requireExisting ? 'requireExisting is set' : 'CI is set'}: `
      + 'a pipeline must not mint CA keys (each run would make a different one, and clusters would stop trusting each other). '
      + `Restore ${o.keyStore ?? '.mesh-keys'}/ from your backup or secret store before the synth, use MeshCa.fromFiles() or MeshCa.offlineRoot(), `
      + 'or set requireExisting: false to mint it here on purpose', CHECKS.caMaterial);
  }
  // A root the user gives is read and checked before any key is minted: a bad file fails at once.
  const loadedRoot = ca.source === RootCaSource.GENERATED ? undefined : checkedRoot(ca, owner, {
    certPem: readFile(o.rootCertFile!, 'rootCertFile', owner),
    keyPem: ca.source === RootCaSource.FILES ? readFile(o.rootKeyFile!, 'rootKeyFile', owner) : undefined,
    source: o.rootCertFile!,
    keySource: `rootKeyFile ${o.rootKeyFile}`,
  }, now);
  // Every missing key at once, generated concurrently; each is then issued its certificate in order.
  const freshKeys = new Map(generateRsaKeys(missing.map(m => m.bits)).map((key, i) => [missing[i].dir, key]));
  const minted = missing.map(m => m.what);
  const mint: Mint = (dir, issue) => keys.pair(dir) ?? issue(freshKeys.get(dir)!);

  // A generated root (the mesh's, or a rotation's next): from the key store, or minted now.
  const generatedRoot = (dir: string): CheckedRoot & KeyPairPem => {
    const pair = mint(dir, key => issueRootCa(key, {
      validityDays: o.rootValidityDays ?? 3650,
      subject: [{ shortName: 'O', value: 'Istio' }, { shortName: 'CN', value: 'Root CA' }],
    }));
    return checkedRoot(ca, owner, { ...pair, source: path.join(dir, 'cert.pem'), keySource: path.join(dir, 'key.pem') }, now);
  };
  // The root: its certificate always, its key unless it is kept offline.
  const generated = loadedRoot ? undefined : generatedRoot(rootDir);
  const root = loadedRoot ?? generated!;
  // Dropping the old root writes the next one in its place (below).
  if (generated && rotation?.stage !== RootRotationStage.DROP_OLD) keys.keep(rootDir, generated);
  warnIf(root.warning);
  if (state?.retiredRoots.includes(root.cert.fingerprint256)) {
    throw new MeshConfigError(`[${owner}] ca: the root ${root.source} (${root.cert.fingerprint256}) was dropped by a finished rotation (${stateFile}) and must never be trusted again: restore the key store with its successor`, CHECKS.caMaterial);
  }
  // During a rotation: the next root, the root that signs intermediates, and the roots every cluster trusts.
  const generatedNextRoot = generatedNext ? generatedRoot(nextRootDir) : undefined;
  if (generatedNextRoot) keys.keep(nextRootDir, generatedNextRoot);
  const nextRoot = loadedNext ?? generatedNextRoot;
  const signing = nextRoot && signsWithNew(rotation!.stage) ? nextRoot : root;
  const extraRoots = (o.additionalRootCerts ?? []).map((pem, i) => {
    parseCertificate(pem, `[${owner}] additionalRootCerts[${i}]`);
    return splitPemBundle(pem)[0];
  });
  const trusted = [
    ...(!rotation || trustsOld(rotation.stage) ? [root] : []),
    ...(nextRoot && trustsNew(rotation!.stage) ? [nextRoot] : []),
  ].filter((r, i, all) => all.findIndex(other => other.cert.fingerprint256 === r.cert.fingerprint256) === i);
  // The old root's bytes come first, verbatim: Istio up to 1.29 accepts the next bundle only if it contains the current one.
  const rootCerts = [...trusted.map(r => splitPemBundle(r.certPem)[0]), ...extraRoots].join('');
  const rotationFiles: OutputFile[] = [];
  if (rotation) {
    const problem = state && continuing && bundleTransitionProblem(state.rootBundle, rootCerts, istioVersion);
    if (problem) {
      throw new MeshConfigError(`[${owner}] ca.rootRotation.stage ${rotation.stage}: every cluster's root-cert.pem would change from the bundle of ${state!.stage} (${stateFile}) in a way istiod refuses: ${problem}; restore ${stateFile} as the last stage wrote it`, CHECKS.caMaterial);
    }
    const oldRoot = continuing ? state!.oldRoot : root.cert.fingerprint256;
    const dropped = rotation.stage === RootRotationStage.DROP_OLD && oldRoot !== nextRoot!.cert.fingerprint256 ? [oldRoot] : [];
    const next: RotationState = {
      stage: rotation.stage,
      enteredAt: enteredAt!,
      oldRoot,
      newRoot: nextRoot!.cert.fingerprint256,
      rootBundle: rootCerts,
      retiredRoots: [...new Set([...state?.retiredRoots ?? [], ...dropped])],
    };
    rotationFiles.push({ root: OutputRoot.PROJECT, path: stateFile, content: `${JSON.stringify(next, null, 2)}\n` });
    // Dropping the old root: a generated next root becomes the root (a given one: switch rootCertFile to it).
    if (rotation.stage === RootRotationStage.DROP_OLD && generatedNextRoot) keys.keep(rootDir, generatedNextRoot);
  }

  const signingCert = splitPemBundle(signing.certPem)[0];
  const material = new Map(clusters.map((cluster): [MeshCluster, ClusterCaMaterial] => {
    const pair = intermediateOf(ca, owner, cluster, { keys, mint, signing, now, warnIf });
    const caCert = splitPemBundle(pair.certPem)[0];
    return [cluster, { caCert, caKey: pair.keyPem, rootCerts, certChain: `${caCert}${signingCert}` }];
  }));

  for (const [cluster, expiring] of rotating) {
    warnings.push(finding(CHECKS.intermediateRotated, `[${owner}] rotated the intermediate CA of ${cluster.clusterName} (the old one expires on ${expiring}): apply its new cacerts; istiod reloads it, and workloads pick up certificates from the new intermediate as theirs renew`));
  }
  if (minted.length > 0) {
    warnings.unshift(finding(CHECKS.keysMinted, `[${owner}] generated a NEW ${minted.join(', ')} in ${keys.dir}. Back up ${o.keyStore ?? '.mesh-keys'}/ now (it is git-ignored, and a lost root means re-issuing every cluster); `
      + 'apply each cluster\'s cacerts Secret before installing Istio (istiod reads it only at start)'));
  }
  if (rotation) {
    warnings.push(finding(CHECKS.rootRotation, `[${owner}] root rotation at ${rotation.stage} (${stateFile}, commit it): ${ROTATION_NEXT_STEP[rotation.stage]}`));
  }
  return { clusters: material, keyStoreFiles: [...keys.files, ...rotationFiles], warnings, sealingKeys: sealing, rotationStage: rotation?.stage };
}

/** Issues a certificate for a fresh key, unless the key store already holds the pair. */
type Mint = (dir: string, issue: (keyPem: string) => KeyPairPem) => KeyPairPem;

/**
 * A cluster's intermediate CA: from the files given (offline root), else from the key store, minted when
 * missing; checked to be a CA with its key, signed by the signing root and expiring before it.
 */
function intermediateOf(ca: MeshCa, owner: string, cluster: MeshCluster, { keys, mint, signing, now, warnIf }: {
  readonly keys: KeyStore;
  readonly mint: Mint;
  readonly signing: CheckedRoot;
  readonly now: Date;
  readonly warnIf: (warning: string | undefined) => void;
}): KeyPairPem {
  const o = ca._options;
  const name = cluster.clusterName;
  let pair: KeyPairPem;
  let certSource: string;
  let keySource: string;
  if (ca.source === RootCaSource.OFFLINE) {
    const files = o.intermediates?.[name];
    if (!files) {
      throw new MeshConfigError(`[${owner}] ca.intermediates has no entry for cluster ${name}: with an offline root, issue an intermediate for every cluster and add intermediates.${name} = { certFile, keyFile }`, CHECKS.caMaterial);
    }
    pair = { certPem: readFile(files.certFile, `intermediates.${name}.certFile`, owner), keyPem: readFile(files.keyFile, `intermediates.${name}.keyFile`, owner) };
    certSource = `[${owner}] intermediates.${name}.certFile ${files.certFile}`;
    keySource = `[${owner}] intermediates.${name}.keyFile ${files.keyFile}`;
  } else {
    const dir = keys.clusterDir(cluster);
    pair = mint(dir, key => issueIntermediateCa({ certPem: signing.certPem, keyPem: signing.keyPem! }, key, {
      validityDays: o.intermediateValidityDays ?? 730,
      subject: [{ shortName: 'O', value: 'Istio' }, { shortName: 'CN', value: 'Intermediate CA' }, { shortName: 'L', value: name }],
    }));
    keys.keep(dir, pair);
    certSource = `[${owner}] intermediate CA of ${name} ${path.join(dir, 'cert.pem')}`;
    keySource = `[${owner}] ${path.join(dir, 'key.pem')}`;
  }
  const cert = parseCertificate(pair.certPem, certSource);
  const rootCert = signing.cert;
  checkIsCa(cert, certSource);
  checkKeyMatches(cert, pair.keyPem, certSource, keySource);
  checkSignedBy(cert, rootCert, certSource, signing.source);
  if (new Date(cert.validTo) > new Date(rootCert.validTo)) {
    throw new MeshConfigError(`${certSource} outlives its root ${signing.source} (${cert.validTo} after ${rootCert.validTo}): no workload would trust its certificates after the root expires; reissue it`, CHECKS.caMaterial);
  }
  warnIf(expiryWarning(cert, o.expiryWarningDays ?? 30, certSource, now, o.expiryErrorDays));
  return pair;
}

import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { SealingScope } from './pki/sealed-secrets';
import { propError, unsetPropError } from './validation/errors';
import { checkOneOf, checkSecretStoreRef } from './validation/values';

/** Which keys the `cacerts` Secret carries. istiod reads either. */
export enum CacertsLayout {
  /** `ca-cert.pem`, `ca-key.pem`, `root-cert.pem`, `cert-chain.pem` (type Opaque). */
  ISTIO = 'istio',
  /** `tls.crt`, `tls.key`, `ca.crt` (type kubernetes.io/tls), as cert-manager writes them. */
  KUBERNETES_TLS = 'kubernetes.io/tls',
}

/** Where the `cacerts` Secret of each cluster goes. */
export enum CacertsDeliveryMode {
  /** A separate directory that is never committed (MeshApp's `secretsOutdir`), applied before Istio is installed. */
  SECRETS_DIR = 'secrets-dir',
  /** Inside the Git-facing bundle and its kustomization: the private key lands in Git. Opt-in only. */
  INLINE = 'inline',
  /** An ExternalSecret in the bundle that reads the material from a secret store; the material goes to the secrets directory for upload. */
  EXTERNAL_SECRET = 'external-secret',
  /** A SealedSecret in the bundle, encrypted offline for each cluster's Sealed Secrets controller. */
  SEALED_SECRET = 'sealed-secret',
}

/** Where an ExternalSecret reads from: {@link CacertsDelivery.externalSecret}, an external service's `tls.credentialStore`. */
export interface ExternalSecretOptions {
  /** The SecretStore or ClusterSecretStore to read from. */
  readonly storeName: string;

  /**
   * The kind of the store.
   * @default 'ClusterSecretStore'
   */
  readonly storeKind?: 'SecretStore' | 'ClusterSecretStore';

  /**
   * The remote key prefix, under which each Secret is one key with a property per Secret key: a cluster's
   * cacerts are read from `<prefix>/<cluster>`, a TLS origination credential from `<prefix>/<credentialName>`.
   * @default - '<meshId>/cacerts' for cacerts, '<meshId>/credentials' for credentials
   */
  readonly remoteKeyPrefix?: string;

  /**
   * How often the operator refreshes the Secret.
   * @default '1h'
   */
  readonly refreshInterval?: string;
}

/** Options of {@link CacertsDelivery.sealedSecret}. */
export interface SealedSecretOptions {
  /**
   * The Sealed Secrets controller's public certificate (PEM, what `kubeseal --fetch-cert` prints), for
   * every cluster not in `clusterCertFiles`.
   * @default - each cluster must be in clusterCertFiles
   */
  readonly certFile?: string;

  /** Each cluster's controller certificate, by cluster name, where clusters run their own controller. */
  readonly clusterCertFiles?: { readonly [clusterName: string]: string };

  /**
   * Where the sealed values may be unsealed.
   * @default SealingScope.STRICT (only as `istio-system/cacerts`)
   */
  readonly scope?: SealingScope;
}

/** How the `cacerts` Secrets reach the clusters. */
export class CacertsDelivery {
  /** Into MeshApp's `secretsOutdir`, outside the Git-facing bundles (the default). */
  public static secretsDir(): CacertsDelivery {
    return new CacertsDelivery(CacertsDeliveryMode.SECRETS_DIR);
  }

  /** Into each cluster's bundle and kustomization. The intermediate's private key then lands in Git. */
  public static inlineInBundle(): CacertsDelivery {
    return new CacertsDelivery(CacertsDeliveryMode.INLINE);
  }

  /** An external-secrets.io ExternalSecret that reads the material from a store. */
  public static externalSecret(options: ExternalSecretOptions): CacertsDelivery {
    return new CacertsDelivery(CacertsDeliveryMode.EXTERNAL_SECRET, options);
  }

  /**
   * A bitnami.com SealedSecret in each cluster's CA layer, sealed offline with the cluster's Sealed Secrets
   * controller certificate: the material reaches the cluster through Git, and only that controller can
   * unseal it. Re-sealing the same material gives the same bytes (nothing changes in Git until it does).
   */
  public static sealedSecret(options: SealedSecretOptions): CacertsDelivery {
    return new CacertsDelivery(CacertsDeliveryMode.SEALED_SECRET, undefined, options);
  }

  private constructor(
    public readonly mode: CacertsDeliveryMode,
    public readonly externalSecret?: ExternalSecretOptions,
    public readonly sealedSecret?: SealedSecretOptions,
  ) {}
}

/**
 * The stages of a root rotation, in order; each is one synth and one reviewable commit (Istio's own
 * cacert_rotation test: trust both roots, re-sign, drop the old root).
 */
export enum RootRotationStage {
  /** R0: istiod and proxies learn to hold several roots (`ISTIO_MULTIROOT_MESH`, `PROXY_CONFIG_XDS_AGENT`); the new root is generated. Needs a restart of istiod and workloads. */
  PREPARE = 'prepare',
  /** R1: every cluster and VM trusts the old root, then the new one (root-cert.pem holds both, old bytes first). */
  TRUST_BOTH = 'trust-both',
  /** R2: every cluster's intermediate is re-issued by the new root; both roots are still trusted. */
  RESIGN = 'resign',
  /** R3: the old root is dropped everywhere and tombstoned in the state file, never to be used again. */
  DROP_OLD = 'drop-old',
}

/** A root rotation in progress (generated roots). */
export interface RootRotationOptions {
  /** The stage to render; advance one stage per synth and commit. */
  readonly stage: RootRotationStage;

  /**
   * The least time between two stages: workloads renew their certificates (24 hours by default) and must
   * have done so under one stage before the next.
   * @default Duration.hours(24)
   */
  readonly dwell?: Duration;

  /**
   * Render the next stage before the dwell time is over (e.g. in a test mesh with short certificate TTLs).
   * @default false
   */
  readonly skipDwell?: boolean;

  /**
   * The next root's certificate (PEM), with `MeshCa.fromFiles` or `MeshCa.offlineRoot`. With an offline
   * root, give intermediates signed by it from the resign stage on.
   * @default - generated, with `MeshCa.generate`
   */
  readonly nextRootCertFile?: string;

  /**
   * The next root's key (PEM), with `MeshCa.fromFiles`: the library issues intermediates with it.
   * @default - none (generated roots keep theirs in the key store; offline roots keep theirs offline)
   */
  readonly nextRootKeyFile?: string;
}

/** Options every kind of mesh CA shares. */
export interface MeshCaOptions {
  /**
   * Directory that keeps generated keys and certificates across synths (0700, files 0600, with a
   * `.gitignore` that ignores everything), relative to the working directory.
   * @default '.mesh-keys'
   */
  readonly keyStore?: string;

  /**
   * Key size of generated intermediate CAs, in bits.
   * @default 4096
   */
  readonly intermediateKeySize?: number;

  /**
   * Validity of generated intermediate CAs, in days; never beyond the root's.
   * @default 730
   */
  readonly intermediateValidityDays?: number;

  /**
   * A synth warns when a root or intermediate expires within this many days (expired material fails).
   * @default 30
   */
  readonly expiryWarningDays?: number;

  /**
   * Fail the synth when a root or intermediate expires within this many days: the gate that stops a
   * pipeline before an outage, where `expiryWarningDays` only warns.
   * @default - only expired material fails
   */
  readonly expiryErrorDays?: number;

  /**
   * Issue a new intermediate (new key, same root) for every cluster whose stored intermediate expires within
   * this many days. Trust never breaks: workloads' certificates still chain to the one root, and istiod
   * reloads `cacerts` without a restart. Keys are minted, so a pipeline refuses it; rotate on the machine
   * that holds the key store, then apply each cluster's new `cacerts`.
   * @default - intermediates are reissued only when deleted from the key store
   */
  readonly rotateIntermediatesDaysBefore?: number;

  /**
   * A root rotation in progress (generated roots only): see {@link RootRotationStage}.
   * @default - no rotation
   */
  readonly rootRotation?: RootRotationOptions;

  /**
   * The committed file that records root rotations (stage, when it was entered, the roots' fingerprints, the
   * trusted bundle, the retired roots), relative to the working directory: every machine renders the same
   * stage, each stage is checked against the last, and a retired root is refused even after the rotation.
   * @default 'ca-rotation.json'
   */
  readonly rotationStateFile?: string;

  /**
   * Fail instead of generating key material that the key store lacks. Pipelines should never mint a
   * root: each run would make a different one. A first local synth generates and says so loudly.
   * @default - true when the `CI` environment variable is set (as CI services set it), else false
   */
  readonly requireExisting?: boolean;

  /**
   * Further root certificates (PEM) trusted alongside the mesh root, e.g. the next root during a rotation.
   * They are appended to `root-cert.pem`.
   * @default - only the mesh root
   */
  readonly additionalRootCerts?: string[];

  /**
   * The keys of the `cacerts` Secret.
   * @default CacertsLayout.ISTIO
   */
  readonly layout?: CacertsLayout;

  /**
   * Where the `cacerts` Secrets go.
   * @default CacertsDelivery.secretsDir()
   */
  readonly delivery?: CacertsDelivery;
}

/** Options of {@link MeshCa.generate}. */
export interface GeneratedRootCaOptions extends MeshCaOptions {
  /**
   * Key size of the generated root, in bits.
   * @default 4096
   */
  readonly rootKeySize?: number;

  /**
   * Validity of the generated root, in days.
   * @default 3650
   */
  readonly rootValidityDays?: number;
}

/** Options of {@link MeshCa.fromFiles}. */
export interface LoadedRootCaOptions extends MeshCaOptions {
  /** PEM file of the root certificate. */
  readonly rootCertFile: string;
  /** PEM file of the root's private key. */
  readonly rootKeyFile: string;
}

/** A cluster's intermediate CA, issued outside the library. */
export interface IntermediateCaFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** Options of {@link MeshCa.offlineRoot}. */
export interface OfflineRootCaOptions extends Omit<MeshCaOptions, 'keyStore' | 'intermediateKeySize' | 'intermediateValidityDays'> {
  /** PEM file of the root certificate; its key stays offline. */
  readonly rootCertFile: string;
  /** Each cluster's intermediate CA, by cluster name. */
  readonly intermediates: { readonly [clusterName: string]: IntermediateCaFiles };
}

/** Where the mesh root comes from. */
export enum RootCaSource {
  GENERATED = 'generated',
  FILES = 'files',
  OFFLINE = 'offline',
}

/**
 * The mesh's shared root of trust and one intermediate CA per cluster, rendered
 * as the `cacerts` Secret each cluster needs before Istio is installed.
 *
 * @example
 * new Mesh(app, 'mesh', { ca: MeshCa.generate() });
 */
export class MeshCa {
  /** Generates the root (RSA 4096, SHA-256, 10 years, `O=Istio, CN=Root CA`) and keeps it in the key store. */
  public static generate(options: GeneratedRootCaOptions = {}): MeshCa {
    return new MeshCa(RootCaSource.GENERATED, options);
  }

  /** Uses the root certificate and key from PEM files; intermediates are generated and kept in the key store. */
  public static fromFiles(options: LoadedRootCaOptions): MeshCa {
    return new MeshCa(RootCaSource.FILES, options);
  }

  /** Uses only the root certificate; every cluster's intermediate is issued by you and given as files. */
  public static offlineRoot(options: OfflineRootCaOptions): MeshCa {
    return new MeshCa(RootCaSource.OFFLINE, options);
  }

  private constructor(
    public readonly source: RootCaSource,
    /** @internal */
    public readonly _options: GeneratedRootCaOptions & Partial<LoadedRootCaOptions> & Partial<OfflineRootCaOptions>,
  ) {}

  /** Checks the numeric options against what Istio and X.509 accept; errors name the mesh and the option. @internal */
  public _check(mesh: IConstruct): void {
    const o = this._options;
    for (const key of ['rootKeySize', 'intermediateKeySize'] as const) {
      const bits = o[key];
      if (bits !== undefined && (!Number.isInteger(bits) || bits < 2048 || bits > 8192 || bits % 8 !== 0)) {
        throw propError(mesh, `ca.${key}`, bits, 'is not an RSA key size Istio accepts: use 2048, 3072 or 4096 (a multiple of 8 from 2048 to 8192)');
      }
    }
    for (const key of ['rootValidityDays', 'intermediateValidityDays'] as const) {
      const days = o[key];
      if (days !== undefined && (!Number.isInteger(days) || days < 1)) {
        throw propError(mesh, `ca.${key}`, days, 'is not a whole number of days above zero: use e.g. 730');
      }
    }
    if (o.delivery?.externalSecret) checkSecretStoreRef(mesh, 'ca.delivery', o.delivery.externalSecret);
    const sealed = o.delivery?.sealedSecret;
    if (sealed?.scope !== undefined) checkOneOf(mesh, 'ca.delivery.scope', sealed.scope, SealingScope, 'a sealing scope');
    for (const key of ['expiryWarningDays', 'expiryErrorDays', 'rotateIntermediatesDaysBefore'] as const) {
      const days = o[key];
      if (days !== undefined && (!Number.isInteger(days) || days < 0)) {
        throw propError(mesh, `ca.${key}`, days, 'is not a whole number of days (0 or more): use e.g. 30');
      }
    }
    if (o.rootRotation) {
      const r = o.rootRotation;
      const needs: { readonly [source in RootCaSource]: { readonly cert: boolean; readonly key: boolean } } = {
        [RootCaSource.GENERATED]: { cert: false, key: false },
        [RootCaSource.FILES]: { cert: true, key: true },
        [RootCaSource.OFFLINE]: { cert: true, key: false },
      };
      const need = needs[this.source];
      for (const [prop, given, required] of [['nextRootCertFile', r.nextRootCertFile, need.cert], ['nextRootKeyFile', r.nextRootKeyFile, need.key]] as const) {
        if (required && given === undefined) {
          throw unsetPropError(mesh, `ca.rootRotation.${prop}`, `rotating a ${this.source} root needs it: give the next root's PEM file`);
        }
        if (!required && given !== undefined) {
          throw propError(mesh, `ca.rootRotation.${prop}`, given, this.source === RootCaSource.GENERATED ? 'means nothing for a generated root: the next one is generated too' : 'means nothing for an offline root: its key stays offline');
        }
      }
      checkOneOf(mesh, 'ca.rootRotation.stage', o.rootRotation.stage, RootRotationStage, 'a stage (they run in the order listed)');
    }
    if (o.rotateIntermediatesDaysBefore !== undefined && this.source === RootCaSource.OFFLINE) {
      throw propError(mesh, 'ca.rotateIntermediatesDaysBefore', o.rotateIntermediatesDaysBefore, 'cannot apply to an offline root: the library cannot sign intermediates without the root key; issue new ones with your offline CA');
    }
  }
}

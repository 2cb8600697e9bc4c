import { IConstruct } from 'constructs';
import { checkOneOf } from './validation/values';

/** How the mesh's clusters find and reach each other's services. */
export enum MeshTopology {
  /**
   * Replicated control planes, services called across clusters as `<name>.<namespace>.global` through
   * ServiceEntries with VIPs and each serving cluster's 15443 gateway: the source articles' design.
   */
  GLOBAL_NAMES = 'global-names',
  /**
   * Istio's documented multi-primary (and primary-remote) install on different networks: services keep
   * their `<name>.<namespace>.svc.cluster.local` names, each istiod reads the other clusters' endpoints
   * through remote secrets, and east-west gateways expose `*.local` on 15443.
   */
  MULTI_NETWORK = 'multi-network',
  /**
   * Istio's ambient mode across networks (beta since Istio 1.29): no sidecars (ztunnel per node, waypoints
   * for L7), services marked `istio.io/global` in every cluster, an HBONE east-west gateway, remote secrets.
   */
  AMBIENT = 'ambient',
}

/** Whether services keep their cluster.local names and istiods read each other's clusters (multi-network or ambient). */
export const readsPeers = (topology: MeshTopology) => topology !== MeshTopology.GLOBAL_NAMES;

/** How remote secrets (an istiod's kubeconfig for another cluster's API server) reach the clusters. */
export enum RemoteSecretDeliveryMode {
  /** A script beside the bundles with the `istioctl create-remote-secret` commands to run. */
  SCRIPT = 'script',
  /** ExternalSecrets that read each peer's kubeconfig from a secret store. */
  EXTERNAL_SECRET = 'external-secret',
}

/** Options of {@link RemoteSecrets.externalSecret}. */
export interface RemoteSecretStoreOptions {
  /** The SecretStore or ClusterSecretStore to read from. */
  readonly storeName: string;

  /**
   * The kind of the store.
   * @default 'ClusterSecretStore'
   */
  readonly storeKind?: 'SecretStore' | 'ClusterSecretStore';

  /**
   * Each peer's kubeconfig is read from `<prefix>/<peer cluster>`, property `kubeconfig`.
   * @default '<meshId>/remote-secrets'
   */
  readonly remoteKeyPrefix?: string;
}

/**
 * How each istiod gets the kubeconfigs of the other clusters (multi-network topology). Kubeconfigs carry
 * credentials, so none is ever rendered into the bundles.
 */
export class RemoteSecrets {
  /**
   * `dist/remote-secrets.sh`: the exact `istioctl create-remote-secret` commands, for teams without a
   * secret store (the default).
   */
  public static script(): RemoteSecrets {
    return new RemoteSecrets(RemoteSecretDeliveryMode.SCRIPT);
  }

  /**
   * One ExternalSecret per (cluster, peer): the Secret istiod watches (`istio/multiCluster: "true"`), its
   * key the peer's cluster name, the kubeconfig read from a store.
   */
  public static externalSecret(options: RemoteSecretStoreOptions): RemoteSecrets {
    return new RemoteSecrets(RemoteSecretDeliveryMode.EXTERNAL_SECRET, options);
  }

  private constructor(public readonly mode: RemoteSecretDeliveryMode, public readonly store?: RemoteSecretStoreOptions) {}
}

/** Throws unless `value` is one of the topologies. @internal */
export function checkTopology(scope: IConstruct, value: MeshTopology): MeshTopology {
  return checkOneOf(scope, 'topology', value, MeshTopology, 'a topology');
}

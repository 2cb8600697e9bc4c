import { ExternalService, TlsOriginationMode } from '../external-service';
import { ExternalSecretOptions } from '../mesh-ca';
import { MeshCluster } from '../mesh-cluster';
import { byClusterName, byEntryKey } from '../order';

/** The keys of a credentialName Secret, in Istio's generic Secret form, in the order they are listed. */
const CREDENTIAL_KEYS = ['cert', 'key', 'cacert'] as const;
const KEYS_BY_MODE: { readonly [m in TlsOriginationMode]: ReadonlyArray<typeof CREDENTIAL_KEYS[number]> } = {
  [TlsOriginationMode.SIMPLE]: ['cacert'],
  [TlsOriginationMode.MUTUAL]: ['cert', 'key', 'cacert'],
};

/** A credential's store with its defaults applied, so that two declarations of one store compare equal. */
export type CredentialStore = Required<ExternalSecretOptions>;

/**
 * A Secret that proxies originate TLS to external services with (their `credentialName`), in one namespace:
 * istio-system for an egress gateway, else the originating workloads'.
 */
export interface CredentialSecret {
  readonly name: string;
  readonly namespace: string;
  /** What it must hold: `cacert`, and `cert` and `key` where a service originates mutual TLS with it. */
  readonly keys: readonly string[];
  /** The clusters whose proxies read it (a proxy's credential is read from its own cluster), sorted by name. */
  readonly clusters: readonly MeshCluster[];
  /** The services that originate with it, by construct path. */
  readonly services: readonly ExternalService[];
  /** The stores it is declared to come from, each once: none when it is created by hand, more than one is an error. */
  readonly stores: readonly CredentialStore[];
}

/** Where a service's credential is read from, defaults applied: `<prefix>/<credentialName>`. */
function storeOf(service: ExternalService): CredentialStore | undefined {
  const store = service.tls?.credentialStore;
  return store && {
    storeName: store.storeName,
    storeKind: store.storeKind ?? 'ClusterSecretStore',
    remoteKeyPrefix: store.remoteKeyPrefix ?? `${service.mesh.meshId}/credentials`,
    refreshInterval: store.refreshInterval ?? '1h',
  };
}

/**
 * Every credential Secret the mesh's proxies read, once per namespace and name however many services share
 * it, sorted by namespace and name. @param services sorted by construct path
 */
export function credentialSecrets(services: readonly ExternalService[], allClusters: readonly MeshCluster[]): CredentialSecret[] {
  interface Collected { name: string; namespace: string; keys: Set<string>; clusters: Set<MeshCluster>; services: ExternalService[]; stores: Map<string, CredentialStore> }
  const secrets = new Map<string, Collected>();
  for (const service of services) {
    const tls = service.tls;
    if (!tls?.credentialName) continue;
    const store = storeOf(service);
    for (const namespace of new Set(tls.workloads ? tls.workloads.map(w => w.namespace) : ['istio-system'])) {
      const key = `${namespace}/${tls.credentialName}`;
      const secret: Collected = secrets.get(key) ?? { name: tls.credentialName, namespace, keys: new Set(), clusters: new Set(), services: [], stores: new Map() };
      secrets.set(key, secret);
      KEYS_BY_MODE[tls.mode].forEach(k => secret.keys.add(k));
      service._clusters(allClusters).forEach(c => secret.clusters.add(c));
      secret.services.push(service);
      if (store) secret.stores.set(JSON.stringify(store), store);
    }
  }
  return [...secrets].sort(byEntryKey).map(([, s]) => ({
    name: s.name,
    namespace: s.namespace,
    keys: CREDENTIAL_KEYS.filter(k => s.keys.has(k)),
    clusters: [...s.clusters].sort(byClusterName),
    services: s.services,
    stores: [...s.stores.values()],
  }));
}

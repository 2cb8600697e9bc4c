import { X509Certificate } from 'crypto';
import { isIP } from 'net';
import { CROSS_CLUSTER_PORT, MeshCluster } from '../mesh-cluster';
import { ResolvedMesh } from '../resolve/resolved-mesh';
import { MeshTopology } from '../topology';
import { OutputFile, OutputRoot } from '../write/output-file';
import { byKey } from '../order';
import { BundleLayer, ISTIO_SYSTEM } from './cluster-bundle';
import { remoteSecretPairs } from './topologies/multi-network/remote-secrets';

/** The expected-state file of a cluster, beside its bundle and in no kustomization: `verify` reads it. */
export const EXPECTED_STATE_FILE = 'expected-state.json';
export const EXPECTED_STATE_FORMAT = 'cdk8s-istio-multicluster/expected-state/v1';

type Labels = { readonly [key: string]: string };

/**
 * One endpoint an Envoy cluster must hold: an IP and port, a hostname that Envoy resolves (any address on
 * the port), or the running pods that match labels (their IPs on the port).
 */
export interface ExpectedEndpoint {
  readonly port: number;
  /** @default - not an IP endpoint */
  readonly address?: string;
  /** @default - not a hostname endpoint */
  readonly hostname?: string;
  /** @default - not a pod selection */
  readonly pods?: { readonly namespace: string; readonly labels: Labels };
}

/** An outbound Envoy cluster of a `.global` host (a port, and a subset or none), as sidecars must hold it. */
export interface ExpectedCluster {
  /** Envoy's cluster name: `outbound|<port>|<subset>|<host>`. */
  readonly name: string;
  /** The SNI name sidecars send, which the serving gateway routes by: `outbound_.<port>_.<subset>_.<host>`. */
  readonly sni: string;
  readonly endpoints: readonly ExpectedEndpoint[];
}

/** What the sidecars of one client scope see of the mesh's `.global` clusters. */
export interface ExpectedScope {
  /** The namespace, or `*` for any namespace without a scope of its own. */
  readonly namespace: string;
  /** The workloads of the namespace it scopes. @default - the whole namespace */
  readonly selector?: Labels;
  /** Names of the `.global` clusters its sidecars hold. @default - every one of `outbound` */
  readonly clusters?: readonly string[];
  /** Whether its sidecars must hold no other `.global` cluster (an Istio Sidecar scopes them). */
  readonly exclusive: boolean;
}

/** What the live mesh must show in one cluster. */
export interface ExpectedState {
  readonly format: string;
  readonly mesh: string;
  readonly cluster: string;
  readonly topology: MeshTopology;
  /** The roots every workload must trust (`istio-ca-root-cert`), by SHA-256 fingerprint. */
  readonly roots: ReadonlyArray<{ readonly sha256: string; readonly subject: string; readonly notAfter: string }>;
  /** The `.global` clusters, by name (global-names topology). */
  readonly outbound: readonly ExpectedCluster[];
  readonly scopes: readonly ExpectedScope[];
  /** The cross-cluster gateway's SNI filter chains (global-names topology, clusters that have a gateway). @default - none */
  readonly gateway?: { readonly namespace: string; readonly selector: Labels; readonly listenerPort: number; readonly serverNames: readonly string[] };
  /** The clusters istiod must list as synced in `istioctl remote-clusters` (multi-primary topologies). @default - none */
  readonly remoteClusters?: readonly string[];
}

interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Labels };
  readonly spec?: any;
}

/** An endpoint with the labels that subsets select it by. */
type LabelledEndpoint = ExpectedEndpoint & { readonly labels: Labels };

const matches = (labels: Labels, selector: Labels) => Object.entries(selector).every(([k, v]) => labels[k] === v);

/** A root bundle's certificates, each with its fingerprint as `openssl x509 -fingerprint -sha256` prints it. */
function rootFacts(pem: string): ExpectedState['roots'] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).map(block => {
    const cert = new X509Certificate(block);
    return { sha256: cert.fingerprint256, subject: cert.subject.replace(/\n/g, ', '), notAfter: new Date(cert.validTo).toISOString() };
  }).sort(byKey(r => r.sha256));
}

/**
 * The Envoy clusters istiod builds for a cluster's `.global` ServiceEntries, the way it builds them: one
 * per port, one more per DestinationRule subset, endpoints from the entry's addresses or its selected pods
 * and WorkloadEntries, subsets narrowing them by label.
 */
function outboundClusters(objects: readonly KubeObject[], domain: string): ExpectedCluster[] {
  const of = (kind: string) => objects.filter(o => o.kind === kind && o.apiVersion.startsWith('networking.istio.io/'));
  const workloadEntries = groupBy(of('WorkloadEntry'), we => we.metadata.namespace!);
  const rules = groupBy(of('DestinationRule'), r => r.spec.host as string);
  const clusters: ExpectedCluster[] = [];
  for (const entry of of('ServiceEntry')) {
    const namespace = entry.metadata.namespace!;
    const selector: Labels | undefined = entry.spec.workloadSelector?.labels;
    for (const host of (entry.spec.hosts as string[]).filter(h => h.endsWith(`.${domain}`))) {
      for (const port of entry.spec.ports as Array<{ name: string; number: number; targetPort?: number }>) {
        const servingPort = port.targetPort ?? port.number;
        const endpoints: LabelledEndpoint[] = selector
          ? [
            { port: servingPort, pods: { namespace, labels: selector }, labels: selector },
            ...(workloadEntries.get(namespace) ?? []).filter(we => matches(we.spec.labels ?? {}, selector))
              .map(we => ({ port: we.spec.ports?.[port.name] ?? servingPort, address: we.spec.address, labels: we.spec.labels ?? {} })),
          ]
          : (entry.spec.endpoints as Array<{ address: string; ports?: { [name: string]: number }; labels?: Labels }>).map(e => ({
            port: e.ports?.[port.name] ?? servingPort,
            ...(isIP(e.address) ? { address: e.address } : { hostname: e.address }),
            labels: e.labels ?? {},
          }));
        const all = withoutLabels(endpoints);
        clusters.push(outboundCluster(port.number, '', host, all));
        for (const rule of rules.get(host) ?? []) {
          for (const subset of rule.spec.subsets ?? [] as Array<{ name: string; labels: Labels }>) {
            const selected = endpoints.flatMap((e): LabelledEndpoint[] => {
              if (e.pods) return [{ ...e, pods: { namespace, labels: { ...e.pods.labels, ...subset.labels } } }];
              return matches(e.labels, subset.labels) ? [e] : [];
            });
            // Subsets that keep every endpoint share the list, which the file then writes once per entry.
            clusters.push(outboundCluster(port.number, subset.name, host, selected.every((e, i) => e === endpoints[i]) && selected.length === endpoints.length ? all : withoutLabels(selected)));
          }
        }
      }
    }
  }
  // In the bundle's order (entries by namespace and name, then port and subset): deterministic, and no sort.
  return clusters;
}

const withoutLabels = (endpoints: readonly LabelledEndpoint[]): ExpectedEndpoint[] => endpoints.map(({ labels: _, ...endpoint }) => endpoint);

/** An Envoy cluster as Istio names it, and the SNI name it sends. */
const outboundCluster = (port: number, subset: string, host: string, endpoints: readonly ExpectedEndpoint[]): ExpectedCluster =>
  ({ name: `outbound|${port}|${subset}|${host}`, sni: `outbound_.${port}_.${subset}_.${host}`, endpoints });

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * Whether a Sidecar's egress hosts (`<namespace>/<host>`) let a proxy in `namespace` see a host whose
 * entry lives in `entryNamespace`: parsed once per Sidecar, as a mesh has thousands of hosts.
 */
function egressMatcher(egress: readonly string[], namespace: string): (host: string, entryNamespace: string) => boolean {
  const exact = new Set<string>();
  const patterns: Array<{ readonly ns: string; readonly host: string }> = [];
  for (const entry of egress) {
    const [ns, host] = entry.split('/');
    const resolvedNs = ns === '.' ? namespace : ns;
    if (resolvedNs !== '*' && resolvedNs !== '~' && !host.includes('*')) exact.add(`${resolvedNs}/${host}`);
    else patterns.push({ ns: resolvedNs, host });
  }
  return (host, entryNamespace) => exact.has(`${entryNamespace}/${host}`) || patterns.some(p =>
    (p.ns === '*' || p.ns === entryNamespace) && (p.host === '*' || p.host === host || (p.host.startsWith('*.') && host.endsWith(p.host.slice(1)))));
}

/**
 * The client scopes: namespaces without a Sidecar see every cluster (`*`); each rendered Sidecar's
 * namespace (or workloads) sees the clusters of the hosts its egress admits, and nothing else.
 */
function clientScopes(objects: readonly KubeObject[], outbound: readonly ExpectedCluster[]): ExpectedScope[] {
  const sidecars = objects.filter(o => o.kind === 'Sidecar' && o.apiVersion.startsWith('networking.istio.io/'));
  const entryNamespaces = new Map(sidecars.length === 0 ? [] : objects.filter(o => o.kind === 'ServiceEntry')
    .flatMap(o => (o.spec.hosts as string[]).map(h => [h, o.metadata.namespace!] as const)));
  return [
    { namespace: '*', exclusive: false },
    ...sidecars.map(sidecar => {
      const namespace = sidecar.metadata.namespace!;
      const admits = egressMatcher((sidecar.spec.egress ?? []).flatMap((e: { hosts: string[] }) => e.hosts), namespace);
      return {
        namespace,
        selector: sidecar.spec.workloadSelector?.labels,
        clusters: outbound.filter(c => admits(hostOf(c.name), entryNamespaces.get(hostOf(c.name))!)).map(c => c.name),
        exclusive: true,
      };
    }),
  ];
}

/** The names of the clusters a scope's sidecars hold. */
export const scopeClusters = (state: ExpectedState, scope: ExpectedScope): readonly string[] => scope.clusters ?? state.outbound.map(c => c.name);

/** The host of an Envoy cluster name, `outbound|<port>|<subset>|<host>`. */
export const hostOf = (clusterName: string) => clusterName.slice(clusterName.lastIndexOf('|') + 1);

/** The expected state of every cluster, from its rendered mesh layer. */
export function expectedStates(model: ResolvedMesh, bundleFiles: readonly OutputFile[]): Map<MeshCluster, ExpectedState> {
  const { mesh } = model;
  return new Map(model.clusters.map(cluster => {
    const prefix = `${cluster.clusterName}/${BundleLayer.MESH}/`;
    const objects = bundleFiles
      .filter(f => f.root === OutputRoot.BUNDLES && f.path.startsWith(prefix) && !f.path.endsWith('kustomization.yaml') && typeof f.content !== 'string')
      .flatMap(f => f.content as KubeObject[]);
    const globalNames = mesh.topology === MeshTopology.GLOBAL_NAMES;
    const outbound = globalNames ? outboundClusters(objects, mesh.globalDomain) : [];
    const roots = model.pki?.clusters.get(cluster.configCluster)?.rootCerts;
    const state: ExpectedState = {
      format: EXPECTED_STATE_FORMAT,
      mesh: mesh.meshId,
      cluster: cluster.clusterName,
      topology: mesh.topology,
      roots: roots ? rootFacts(roots) : [],
      outbound,
      scopes: globalNames ? clientScopes(objects, outbound) : [],
      gateway: globalNames && cluster.gateway ? {
        namespace: ISTIO_SYSTEM,
        selector: { ...cluster.gateway.selector },
        listenerPort: CROSS_CLUSTER_PORT,
        serverNames: outbound.map(c => c.sni),
      } : undefined,
      remoteClusters: globalNames || cluster.isRemote ? undefined
        : [cluster.clusterName, ...remoteSecretPairs(model.clusters).filter(p => p.holder === cluster).map(p => p.peer.clusterName)].sort(),
    };
    return [cluster, state];
  }));
}

/**
 * `dist/<cluster>/expected-state.json`, which `verify` reads: indented, with one line per outbound cluster,
 * so that a review diff shows each changed cluster on its own line at a fraction of fully indented JSON's size.
 */
export function expectedStateFile(state: ExpectedState): OutputFile {
  const { outbound, ...rest } = state;
  const endpointsJson = new Map<readonly ExpectedEndpoint[], string>();
  const json = (endpoints: readonly ExpectedEndpoint[]) => {
    let text = endpointsJson.get(endpoints);
    if (text === undefined) endpointsJson.set(endpoints, text = JSON.stringify(endpoints));
    return text;
  };
  // Names are made of DNS names, digits and `|_.`: nothing JSON escapes.
  const lines = outbound.map(c => `    {"name":"${c.name}","sni":"${c.sni}","endpoints":${json(c.endpoints)}}`).join(',\n');
  const text = JSON.stringify({ ...rest, outbound: '<outbound>' }, null, 2)
    .replace('"outbound": "<outbound>"', outbound.length === 0 ? '"outbound": []' : `"outbound": [\n${lines}\n  ]`);
  return { root: OutputRoot.BUNDLES, path: `${state.cluster}/${EXPECTED_STATE_FILE}`, content: `${text}\n` };
}

import { isIP } from 'net';
import { CROSS_CLUSTER_PORT, MeshCluster } from '../mesh-cluster';
import { ResolvedMesh } from '../resolve/resolved-mesh';
import { MeshTopology } from '../topology';
import { splitPemBundle } from '../pki/x509';
import { formatLabels, hostMatches, selectorMatches } from '../validation/names';
import { ManifestObject, manifestsOf, OutputFile, OutputRoot } from '../write/output-file';
import { addToGroup } from '../groups';
import { byKey } from '../order';
import { certificateFacts } from './certificate-inventory';
import { BundleLayer, ISTIO_SYSTEM } from './cluster-bundle';
import { discoveryLabelSets } from './namespace-labels';
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
  /**
   * Whether the cluster may hold endpoints besides these: in the multi-network topology, the pods of the
   * clusters on the client's own network, which no bundle names. @default false
   */
  readonly partial?: boolean;
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

/** A global service as the ztunnels of an ambient cluster must know it. */
export interface ExpectedAmbientService {
  /** Its cluster.local host, the same in every cluster. */
  readonly host: string;
  /** Whether this cluster runs its pods. */
  readonly servedHere: boolean;
  /** The other clusters that run its pods, whose endpoints istiod must send to this cluster's ztunnels. */
  readonly servedElsewhere: readonly string[];
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
  /**
   * The cross-cluster gateway, where the cluster has one: in the global-names topology its listener holds
   * an SNI filter chain for every outbound cluster's `sni`; in multi-network, one for each `serverNames`
   * (the services it serves to other networks). @default - none
   */
  readonly gateway?: { readonly namespace: string; readonly selector: Labels; readonly listenerPort: number; readonly serverNames?: readonly string[] };
  /** The clusters istiod must list as synced in `istioctl remote-clusters` (multi-primary topologies). @default - none */
  readonly remoteClusters?: readonly string[];
  /** The global services the cluster's ztunnels must know (ambient topology). @default - not an ambient cluster */
  readonly ambientServices?: readonly ExpectedAmbientService[];
  /**
   * The waypoints the bundle renders (ambient topology: routes' and egress), each of which istiod must have
   * programmed. @default - none
   */
  readonly waypoints?: ReadonlyArray<{ readonly namespace: string; readonly name: string }>;
  /**
   * The label sets of which istiod discovers a namespace that carries every label of one (the mesh's
   * `meshConfig.discoverySelectors`): each namespace where pods with a sidecar run must carry one.
   * @default - istiod discovers every namespace
   */
  readonly discovery?: readonly Labels[];
  /**
   * The Secrets the cluster's proxies originate TLS to external services with (`credentialName`), each with
   * the keys it must hold. @default - none: no proxy of the cluster originates with a credential
   */
  readonly credentials?: ReadonlyArray<{ readonly namespace: string; readonly name: string; readonly keys: readonly string[] }>;
}


/** An endpoint with the labels that subsets select it by: pods, or an address (an IP or a hostname, told apart when written). */
interface LabelledEndpoint {
  readonly port: number;
  readonly address?: string;
  readonly pods?: { readonly namespace: string; readonly labels: Labels };
  readonly labels: Labels;
}

/** A root bundle's certificates, each with its fingerprint as `openssl x509 -fingerprint -sha256` prints it, as the inventory describes them. */
function rootFacts(pem: string): ExpectedState['roots'] {
  return splitPemBundle(pem).map(certificateFacts)
    .map(facts => ({ sha256: facts.fingerprintSha256, subject: facts.subject, notAfter: facts.notAfter }))
    .sort(byKey(r => r.sha256));
}

/** What a cluster's expected state renders to, and the counts the budgets report reads off it. */
export interface RenderedExpectedState {
  readonly file: OutputFile;
  /** Distinct `.global` hosts the sidecars of each client scope see (`*`: namespaces without a scope). */
  readonly visibleHosts: { readonly [scope: string]: number };
  /** The gateway's SNI filter chains: one per outbound cluster, where the cluster has a gateway. */
  readonly gatewayFilterChains: number;
}

/** A scope of a rendered Sidecar, filled while the outbound clusters are listed. */
interface SidecarScope {
  readonly scope: { readonly namespace: string; readonly selector?: Labels; readonly clusters: string[]; readonly exclusive: true };
  readonly admits: (host: string, entryNamespace: string) => boolean;
  readonly hosts: Set<string>;
}

/**
 * Collects the outbound clusters of one cluster's expected state, each written straight to its line of
 * the file (a mesh of thousands of services has tens of thousands of them) and to the Sidecar scopes that
 * admit its host.
 */
class OutboundLines {
  public readonly lines: string[] = [];
  private readonly hosts = new Set<string>();

  public constructor(private readonly sidecars: readonly SidecarScope[]) {}

  /** The distinct hosts listed. */
  public get hostCount(): number {
    return this.hosts.size;
  }

  /** Adds a cluster of a host that `admitting` listed. */
  public add(host: string, port: number, subset: string, endpointsJson: string, admitting: readonly SidecarScope[], partial?: boolean): void {
    this.push(outboundLine(host, port, subset, endpointsJson, partial), admitting);
  }

  /** Adds a host's clusters, already written as lines. */
  public addLines(host: string, namespace: string, lines: readonly OutboundLine[]): void {
    const admitting = this.admitting(host, namespace);
    for (const line of lines) this.push(line, admitting);
  }

  /** Lists a host whose entry (or Service) lives in `namespace`: returns the Sidecar scopes whose sidecars see it. */
  public admitting(host: string, namespace: string): readonly SidecarScope[] {
    this.hosts.add(host);
    if (this.sidecars.length === 0) return NO_SCOPES;
    const admitting = this.sidecars.filter(s => s.admits(host, namespace));
    admitting.forEach(s => s.hosts.add(host));
    return admitting;
  }

  private push({ name, line }: OutboundLine, admitting: readonly SidecarScope[]): void {
    // Stored at the end, not pushed: each cluster's lines start as a new empty array, which V8 makes for
    // small integers, and an optimized push of a string into it deoptimizes every function the push was
    // inlined into (the whole outbound walk), to be compiled again (`--trace-deopt` on Node 22 and 26:
    // "not a Smi").
    this.lines[this.lines.length] = line;
    for (const sidecar of admitting) sidecar.scope.clusters.push(name);
  }
}

const NO_SCOPES: readonly SidecarScope[] = [];

/** An outbound cluster's name and its line of the file. */
interface OutboundLine {
  readonly name: string;
  readonly line: string;
}

function outboundLine(host: string, port: number, subset: string, endpointsJson: string, partial?: boolean): OutboundLine {
  const name = `outbound|${port}|${subset}|${host}`;
  // Names are DNS names, digits and `|_.`: nothing that JSON escapes. Joined, not concatenated: a flat
  // string, which each cluster's file copies as it is, where a concatenation is a rope walked every time.
  return { name, line: ['    {"name":"', name, '","sni":"outbound_.', port, '_.', subset, '_.', host, '","endpoints":', endpointsJson, partial ? ',"partial":true}' : '}'].join('') };
}

/**
 * The Envoy clusters istiod builds for a cluster's `.global` ServiceEntries, the way it builds them: one
 * per port, one more per DestinationRule subset, endpoints from the entry's addresses or its selected pods
 * and WorkloadEntries, subsets narrowing them by label.
 */
function globalNamesOutbound(objects: readonly ManifestObject[], domain: string, out: OutboundLines): void {
  // One pass over the cluster's objects, instead of a filter per kind.
  const entries: ManifestObject[] = [];
  const workloadEntries = new Map<string, ManifestObject[]>();
  const rules = new Map<string, ManifestObject[]>();
  for (const object of objects) {
    if (!object.apiVersion.startsWith('networking.istio.io/')) continue;
    if (object.kind === 'ServiceEntry') entries.push(object);
    else if (object.kind === 'WorkloadEntry') addToGroup(workloadEntries, object.metadata.namespace!, object);
    else if (object.kind === 'DestinationRule') addToGroup(rules, object.spec.host, object);
  }
  const suffix = `.${domain}`;
  for (const entry of entries) {
    const namespace = entry.metadata.namespace!;
    const selector: Labels | undefined = entry.spec.workloadSelector?.labels;
    for (const host of entry.spec.hosts as string[]) {
      if (!host.endsWith(suffix)) continue;
      const subsetRules = rules.get(host);
      if (!selector && !subsetRules) out.addLines(host, namespace, addressedLines(entry.spec, host));
      else labelledClusters(entry, host, selector, subsetRules ?? [], workloadEntries.get(namespace) ?? [], out);
    }
  }
}

/**
 * The clusters of an entry's host whose endpoints are picked by labels: its selected pods and
 * WorkloadEntries, or its own endpoints narrowed by the subsets of DestinationRules.
 */
function labelledClusters(entry: ManifestObject, host: string, selector: Labels | undefined, subsetRules: readonly ManifestObject[],
  workloadEntries: readonly ManifestObject[], out: OutboundLines): void {
  const namespace = entry.metadata.namespace!;
  const admitting = out.admitting(host, namespace);
  // Indexed loops, no closures or spreads: this runs for thousands of entries, and V8's optimizing
  // compiler spent longer on the functional form (iterators, inlined callbacks) than the synth running it.
  const addressed: DeclaredEndpoint[] = [];
  if (selector) {
    for (const we of workloadEntries) if (selectorMatches(selector, we.spec.labels ?? {})) addressed.push(we.spec);
  } else {
    for (const e of declaredEndpoints(entry.spec, host)) addressed.push(e);
  }
  const ports = entry.spec.ports as EntryPort[];
  for (let p = 0; p < ports.length; p++) {
    const port = ports[p];
    const servingPort = port.targetPort ?? port.number;
    const endpoints: LabelledEndpoint[] = selector ? [{ port: servingPort, pods: { namespace, labels: selector }, labels: selector }] : [];
    for (let i = 0; i < addressed.length; i++) {
      const e = addressed[i];
      endpoints.push({ port: e.ports?.[port.name] ?? servingPort, address: e.address, labels: e.labels ?? {} });
    }
    const all = endpointsJson(endpoints);
    out.add(host, port.number, '', all, admitting);
    for (let r = 0; r < subsetRules.length; r++) {
      const subsets = (subsetRules[r].spec.subsets ?? []) as Array<{ name: string; labels: Labels }>;
      for (let s = 0; s < subsets.length; s++) {
        const subset = subsets[s];
        // A subset narrows pods by adding its labels, and keeps the addressed endpoints its labels match.
        const selected: LabelledEndpoint[] = [];
        for (let i = 0; i < endpoints.length; i++) {
          const e = endpoints[i];
          if (e.pods) selected.push({ port: e.port, pods: { namespace, labels: { ...e.pods.labels, ...subset.labels } }, labels: e.labels });
          else if (selectorMatches(subset.labels, e.labels)) selected.push(e);
        }
        const unchanged = !selector && selected.length === endpoints.length;
        out.add(host, port.number, subset.name, unchanged ? all : endpointsJson(selected), admitting);
      }
    }
  }
}

interface EntryPort {
  readonly name: string;
  readonly number: number;
  readonly targetPort?: number;
}

type DeclaredEndpoint = { readonly address: string; readonly ports?: { readonly [name: string]: number }; readonly labels?: Labels };

/** An entry's endpoints: without any, a DNS entry's endpoint is its host itself; any other resolution then has none. */
function declaredEndpoints(spec: ManifestObject['spec'], host: string): readonly DeclaredEndpoint[] {
  return spec.endpoints ?? (/^DNS/.test(spec.resolution ?? '') ? [{ address: host }] : []);
}

/**
 * The clusters of an entry's host in the common case: its own endpoints, no subsets, a cluster per port.
 * Remembered by spec, as the consumers that reach the same serving clusters share one.
 */
const addressedLinesBySpec = new WeakMap<object, { readonly host: string; readonly lines: readonly OutboundLine[] }>();
function addressedLines(spec: ManifestObject['spec'], host: string): readonly OutboundLine[] {
  const known = addressedLinesBySpec.get(spec);
  if (known?.host === host) return known.lines;
  const declared = declaredEndpoints(spec, host);
  const lines: OutboundLine[] = [];
  for (const port of spec.ports as EntryPort[]) {
    // Addresses are IPs or DNS names: nothing to escape.
    const endpoints = declared.map(e => addressEndpointJson(e.ports?.[port.name] ?? port.targetPort ?? port.number, e.address));
    lines.push(outboundLine(host, port.number, '', `[${endpoints.join(',')}]`));
  }
  addressedLinesBySpec.set(spec, { host, lines });
  return lines;
}

/**
 * The clusters of the global services a cluster reaches in the multi-network topology: the service's
 * cluster.local host, whose endpoints must include every serving network's east-west gateways (the
 * address the peer Gateway gives, on its port) and, where the cluster serves it, its own pods; the pods of
 * other clusters on its network come too, which no bundle names, so the list is partial.
 */
function multiNetworkOutbound(model: ResolvedMesh, cluster: MeshCluster, out: OutboundLines): void {
  const network = cluster.network;
  for (const rs of model.services) {
    const here = rs.servedBy.includes(cluster);
    if (!here && !rs.consumers.includes(cluster)) continue;
    const { service } = rs;
    const admitting = out.admitting(rs.host, service.namespace);
    const networks = new Set(rs.servedBy.map(s => s.network).filter(n => n !== network));
    const gateways = model.clusters.filter(c => c.gateway && networks.has(c.network));
    for (const port of service.ports) {
      const endpoints = [
        ...(here ? [podsEndpointJson(port.targetPort ?? port.number, { namespace: service.namespace, labels: service.workloadLabels })] : []),
        ...gateways.map(g => addressEndpointJson(g.gateway!.remotePort, g.gateway!.address)),
      ];
      out.add(rs.host, port.number, '', `[${endpoints.join(',')}]`, admitting, true);
    }
  }
}

/**
 * Endpoints as the file writes them (tens of thousands per mesh, so written directly): an IP or a hostname
 * on a port, which are DNS names or addresses and need no escaping, or a selection of pods.
 */
const addressEndpointJson = (port: number, address: string) => `{"port":${port},"${isIP(address) ? 'address' : 'hostname'}":"${address}"}`;
const podsEndpointJson = (port: number, pods: { readonly namespace: string; readonly labels: Labels }) => `{"port":${port},"pods":${JSON.stringify(pods)}}`;

/** Endpoints without the labels subsets select them by. */
function endpointsJson(endpoints: readonly LabelledEndpoint[]): string {
  const written: string[] = [];
  for (let i = 0; i < endpoints.length; i++) {
    const e = endpoints[i];
    written.push(e.pods ? podsEndpointJson(e.port, e.pods) : addressEndpointJson(e.port, e.address!));
  }
  return `[${written.join(',')}]`;
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
  return (host, entryNamespace) => exact.has(`${entryNamespace}/${host}`)
    || patterns.some(p => (p.ns === '*' || p.ns === entryNamespace) && hostMatches(p.host, host));
}

/** The scopes of a cluster's rendered Sidecars, to be filled with the clusters their egress admits. */
function sidecarScopes(objects: readonly ManifestObject[]): SidecarScope[] {
  return objects.filter(o => o.kind === 'Sidecar' && o.apiVersion.startsWith('networking.istio.io/')).map(sidecar => {
    const namespace = sidecar.metadata.namespace!;
    return {
      scope: { namespace, selector: sidecar.spec.workloadSelector?.labels, clusters: [], exclusive: true },
      admits: egressMatcher((sidecar.spec.egress ?? []).flatMap((e: { hosts: string[] }) => e.hosts), namespace),
      hosts: new Set<string>(),
    };
  });
}

/**
 * The SNI names a multi-network east-west gateway must route: each port of each global service the
 * cluster serves to a consumer on another network.
 */
function servedAcrossNetworks(model: ResolvedMesh, cluster: MeshCluster): string[] {
  return model.services
    .filter(rs => rs.servedBy.includes(cluster) && rs.consumers.some(c => c.network !== cluster.network))
    .flatMap(rs => rs.service.ports.map(p => `outbound_.${p.number}_._.${rs.host}`));
}

/** The global services an ambient cluster serves or consumes, as its ztunnels must know them. */
function ambientServices(model: ResolvedMesh, cluster: MeshCluster): ExpectedAmbientService[] {
  return model.services.flatMap(rs => {
    const servedHere = rs.servedBy.includes(cluster);
    if (!servedHere && !rs.consumers.includes(cluster)) return [];
    return [{ host: rs.host, servedHere, servedElsewhere: rs.servedBy.filter(c => c !== cluster).map(c => c.clusterName) }];
  }).sort(byKey(s => s.host));
}

/** The key of a scope in the budgets report: its namespace, and its selector if it has one. */
const scopeKey = (scope: ExpectedScope) => (scope.selector ? `${scope.namespace}/${formatLabels(scope.selector)}` : scope.namespace);

/** The names of the clusters a scope's sidecars hold. */
export const scopeClusters = (state: ExpectedState, scope: ExpectedScope): readonly string[] => scope.clusters ?? state.outbound.map(c => c.name);

/** Whether a scope has anything to check: not where the cluster holds no .global cluster and no Sidecar scopes the namespace. */
export const scopeToCheck = (state: ExpectedState, scope: ExpectedScope): boolean => scope.exclusive || state.outbound.length > 0;

/** The host of an Envoy cluster name, `outbound|<port>|<subset>|<host>`. */
export const hostOf = (clusterName: string) => clusterName.slice(clusterName.lastIndexOf('|') + 1);

/** The waypoints among a cluster's objects (Gateway API Gateways of class istio-waypoint). @returns undefined where there are none */
function waypointsOf(objects: readonly ManifestObject[]): ExpectedState['waypoints'] {
  const waypoints = objects.filter(o => o.kind === 'Gateway' && o.apiVersion.startsWith('gateway.networking.k8s.io/') && o.spec?.gatewayClassName === 'istio-waypoint')
    .map(o => ({ namespace: o.metadata.namespace!, name: o.metadata.name }));
  return waypoints.length === 0 ? undefined : waypoints;
}

/** The credential Secrets a cluster's proxies read. @returns undefined where they read none */
function credentialsOf(model: ResolvedMesh, cluster: MeshCluster): ExpectedState['credentials'] {
  const here = model.credentials.filter(c => c.clusters.includes(cluster));
  return here.length === 0 ? undefined : here.map(({ namespace, name, keys }) => ({ namespace, name, keys: [...keys] }));
}

/**
 * The expected state of every cluster, from its rendered mesh layer: `dist/<cluster>/expected-state.json`,
 * indented, with one line per outbound cluster, so that a review diff shows each changed cluster on its
 * own line at a fraction of fully indented JSON's size.
 */
export function expectedStates(model: ResolvedMesh, clusterFiles: ReadonlyMap<MeshCluster, readonly OutputFile[]>): Map<MeshCluster, RenderedExpectedState> {
  const { mesh } = model;
  const globalNames = mesh.topology === MeshTopology.GLOBAL_NAMES;
  return new Map([...clusterFiles].map(([cluster, files]) => {
    // What the mesh layer configures, which is what istiod builds the proxies' clusters from.
    const objects = manifestsOf(files.filter(f => f.path.startsWith(`${cluster.clusterName}/${BundleLayer.MESH}/`)));
    // Ambient workloads have no sidecar: their ztunnels are asked for the global services instead.
    const sidecarTopology = mesh.topology !== MeshTopology.AMBIENT;
    const sidecars = sidecarTopology ? sidecarScopes(objects) : [];
    const outbound = new OutboundLines(sidecars);
    if (globalNames) globalNamesOutbound(objects, mesh.globalDomain, outbound);
    else if (sidecarTopology) multiNetworkOutbound(model, cluster, outbound);
    const roots = model.pki?.clusters.get(cluster.configCluster)?.rootCerts;
    const scopes: ExpectedScope[] = sidecarTopology ? [{ namespace: '*', exclusive: false }, ...sidecars.map(s => s.scope)] : [];
    const state: Omit<ExpectedState, 'outbound'> = {
      format: EXPECTED_STATE_FORMAT,
      mesh: mesh.meshId,
      cluster: cluster.clusterName,
      topology: mesh.topology,
      roots: roots ? rootFacts(roots) : [],
      scopes,
      gateway: !cluster.gateway || !sidecarTopology ? undefined : globalNames
        ? { namespace: ISTIO_SYSTEM, selector: { ...cluster.gateway.selector }, listenerPort: CROSS_CLUSTER_PORT }
        : { namespace: ISTIO_SYSTEM, selector: { ...cluster.gateway.selector }, listenerPort: CROSS_CLUSTER_PORT, serverNames: servedAcrossNetworks(model, cluster) },
      remoteClusters: globalNames || cluster.isRemote ? undefined
        : [cluster.clusterName, ...remoteSecretPairs(model.clusters).filter(p => p.holder === cluster).map(p => p.peer.clusterName)].sort(),
      ambientServices: sidecarTopology ? undefined : ambientServices(model, cluster),
      waypoints: sidecarTopology ? undefined : waypointsOf(objects),
      discovery: discoveryLabelSets(mesh),
      credentials: credentialsOf(model, cluster),
    };
    // The header as indented JSON, then the outbound clusters a line each, as the last member.
    const header = JSON.stringify(state, null, 2);
    const text = `${header.slice(0, -2)},\n  "outbound": [${outbound.lines.length === 0 ? ']' : `\n${outbound.lines.join(',\n')}\n  ]`}\n}`;
    return [cluster, {
      file: { root: OutputRoot.BUNDLES, path: `${cluster.clusterName}/${EXPECTED_STATE_FILE}`, content: `${text}\n` },
      visibleHosts: Object.fromEntries(scopes.map(scope => [scopeKey(scope), scope.exclusive ? sidecars.find(s => s.scope === scope)!.hosts.size : outbound.hostCount])),
      gatewayFilterChains: state.gateway ? state.gateway.serverNames?.length ?? outbound.lines.length : 0,
    }];
  }));
}

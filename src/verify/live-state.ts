import { ExpectedState, scopeToCheck } from '../render/expected-state';
import { byEntryKey } from '../order';
import { formatLabels } from '../validation/names';

/** A host of an Envoy cluster, as `istioctl proxy-config endpoint -o json` prints Envoy's /clusters. */
export interface EnvoyHostStatus {
  readonly address?: { readonly socketAddress?: { readonly address: string; readonly portValue: number } };
  readonly healthStatus?: { readonly edsHealthStatus?: string; readonly failedOutlierCheck?: boolean };
}

/** An Envoy cluster's endpoints (`istioctl proxy-config endpoint <pod> -o json`). */
export interface EnvoyClusterStatus {
  readonly name: string;
  readonly hostStatuses?: readonly EnvoyHostStatus[];
}

/** The part of an Envoy cluster's configuration `verify` reads (`istioctl proxy-config cluster <pod> -o json`). */
export interface EnvoyCluster {
  readonly name: string;
  readonly transportSocket?: EnvoyTransportSocket;
  /** With auto-mTLS, Istio puts the TLS socket under the `tlsMode-istio` match. */
  readonly transportSocketMatches?: ReadonlyArray<{ readonly name: string; readonly transportSocket?: EnvoyTransportSocket }>;
}

interface EnvoyTransportSocket {
  readonly typedConfig?: { readonly sni?: string };
}

/** An Envoy listener's filter chain matches (`istioctl proxy-config listener <pod> --port 15443 -o json`). */
export interface EnvoyListener {
  readonly filterChains?: ReadonlyArray<{ readonly filterChainMatch?: { readonly serverNames?: readonly string[] } }>;
}

/** A service as a ztunnel knows it (`istioctl ztunnel-config services <pod> -o json`), the parts verify reads. */
export interface ZtunnelService {
  readonly hostname: string;
  /** `<network>/<ip>` of each of its addresses. */
  readonly vips?: readonly string[];
  /** Its endpoints, by workload UID (`<cluster>//Pod/<namespace>/<name>` for pods). */
  readonly endpoints?: { readonly [workloadUid: string]: { readonly workloadUid: string; readonly service: string } };
}

/** One sidecar's outbound configuration, as `istioctl proxy-config` prints it. */
export interface LiveProxy {
  /** `<pod>.<namespace>`. */
  readonly pod: string;
  readonly clusters: readonly EnvoyCluster[];
  readonly endpoints: readonly EnvoyClusterStatus[];
}

/** One client scope's proxies, as read from the live cluster (in the order of the expected state's scopes). */
export interface LiveScope {
  readonly namespace: string;
  /** The first running pod with a sidecar, or every one (`allPods`); none when no such pod runs. */
  readonly proxies: readonly LiveProxy[];
}

/** How much of a cluster `collectLiveState` reads. */
export interface CollectOptions {
  /**
   * Whether to ask every running pod with a sidecar of each scope, not only the first: a proxy that
   * missed an update (stale, or connected to another istiod) then shows. One `istioctl` pair per pod.
   * @default false
   */
  readonly allPods?: boolean;
}

/** What `verify` reads from one cluster, everything as the tools print it. */
export interface LiveState {
  /** `istio-ca-root-cert`'s `root-cert.pem`. @default - the ConfigMap was not found */
  readonly rootCertPem?: string;
  readonly scopes: readonly LiveScope[];
  /** Running pod IPs per selection (`<namespace>/<k=v,...>`). */
  readonly podIps: { readonly [selection: string]: readonly string[] };
  /** `<pod>.<namespace>` of the gateway read. @default - no running gateway pod was found */
  readonly gatewayPod?: string;
  readonly gatewayListeners: readonly EnvoyListener[];
  /** `istioctl remote-clusters` output. @default - not read (not a multi-primary topology) */
  readonly remoteClustersText?: string;
  /** `<pod>.<namespace>` of the ztunnel read. @default - not ambient, or no running ztunnel was found */
  readonly ztunnelPod?: string;
  /** The services that ztunnel knows. @default - none read */
  readonly ztunnelServices?: readonly ZtunnelService[];
  /**
   * The labels of each namespace where pods with a sidecar run, in any phase (an injected pod istiod does
   * not discover never starts). @default - not read: istiod discovers every namespace
   */
  readonly sidecarNamespaces?: { readonly [namespace: string]: { readonly [key: string]: string } };
  /**
   * Each expected credential Secret (`<namespace>/<name>`): the keys it holds (never their values), or why
   * it could not be read. @default - none expected
   */
  readonly credentialKeys?: { readonly [secret: string]: { readonly keys: readonly string[] } | { readonly error: string } };
  /**
   * Each expected waypoint (`<namespace>/<name>`): its Gateway's `Programmed` condition, or why it could not be
   * read. @default - none expected
   */
  readonly waypointStatus?: { readonly [waypoint: string]: { readonly programmed: boolean; readonly reason?: string; readonly message?: string } | { readonly error: string } };
}

/** A Gateway API Gateway's status, the part verify reads. */
interface GatewayStatus {
  readonly status?: { readonly conditions?: ReadonlyArray<{ readonly type: string; readonly status: string; readonly reason?: string; readonly message?: string }> };
}

/** Runs a command and returns its standard output; throws when it fails. */
export type CommandRunner = (command: string, args: readonly string[]) => string;

interface KubePod {
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels?: { readonly [key: string]: string } };
  /** Native sidecars (Kubernetes 1.29+) run `istio-proxy` as an init container. */
  readonly spec: { readonly containers: ReadonlyArray<{ readonly name: string }>; readonly initContainers?: ReadonlyArray<{ readonly name: string }> };
  readonly status: { readonly phase?: string; readonly podIP?: string };
}

const hasSidecar = (pod: KubePod) => [...pod.spec.containers, ...pod.spec.initContainers ?? []].some(c => c.name === 'istio-proxy');

/** How istioctl takes a pod: `<pod>.<namespace>`. @returns undefined when there is no pod */
const podRef = (pod: KubePod | undefined) => pod && `${pod.metadata.name}.${pod.metadata.namespace}`;

/** A pod selection's key in `LiveState.podIps`: `<namespace>/<k=v,...>`. */
export const selectionKey = (namespace: string, labels: { readonly [key: string]: string }) => `${namespace}/${formatLabels(labels)}`;

const SYSTEM_NAMESPACES = /^(istio-system|kube-.*)$/;

/** Lists a Secret's data keys, a line each. */
const SECRET_KEYS_TEMPLATE = '{{range $key, $value := .data}}{{$key}}{{"\\n"}}{{end}}';

/**
 * Reads one object per expected item, keyed `<namespace>/<name>`; a read that fails (not found, forbidden) is
 * kept as its error's first line. @returns undefined where nothing is expected
 */
function readEach<R>(items: ReadonlyArray<{ readonly namespace: string; readonly name: string }> | undefined, read: (namespace: string, name: string) => R):
  { [key: string]: R | { readonly error: string } } | undefined {
  return items && Object.fromEntries(items.map(({ namespace, name }) => {
    try {
      return [`${namespace}/${name}`, read(namespace, name)];
    } catch (e) {
      return [`${namespace}/${name}`, { error: (e as Error).message.split('\n')[0] }];
    }
  }));
}

/** Reads the live state `expected` is checked against, through kubectl and istioctl on a kube context. */
export function collectLiveState(expected: ExpectedState, run: CommandRunner, context: string, options: CollectOptions = {}): LiveState {
  const kubectl = (...args: string[]) => run('kubectl', ['--context', context, ...args]);
  const istioctl = (...args: string[]) => run('istioctl', ['--context', context, ...args]);
  const json = <T>(text: string): T => JSON.parse(text) as T;
  const listPods = (namespace: string | undefined, selector?: { readonly [key: string]: string }) => json<{ items: KubePod[] }>(kubectl(
    'get', 'pods', ...(namespace ? ['-n', namespace] : ['--all-namespaces']), ...(selector ? ['-l', formatLabels(selector)] : []), '-o', 'json',
  )).items;
  // Every pod of the cluster, in any phase, is read at most once: the unscoped clients and the discovery check both need them.
  let everyPod: KubePod[] | undefined;
  const allPods = () => (everyPod ??= listPods(undefined));
  const pods = (namespace: string | undefined, selector?: { readonly [key: string]: string }) => (namespace || selector ? listPods(namespace, selector) : allPods())
    .filter(p => p.status.phase === 'Running').sort((a, b) => (`${a.metadata.namespace}/${a.metadata.name}` < `${b.metadata.namespace}/${b.metadata.name}` ? -1 : 1));

  let rootCertPem: string | undefined;
  try {
    rootCertPem = json<{ data?: { 'root-cert.pem'?: string } }>(kubectl('get', 'configmap', 'istio-ca-root-cert', '-n', 'istio-system', '-o', 'json')).data?.['root-cert.pem'];
  } catch {
    rootCertPem = undefined;
  }

  const scoped = new Set(expected.scopes.filter(s => s.namespace !== '*').map(s => s.namespace));
  const scopes = expected.scopes.map((scope): LiveScope => {
    if (!scopeToCheck(expected, scope)) return { namespace: scope.namespace, proxies: [] };
    const candidates = pods(scope.namespace === '*' ? undefined : scope.namespace, scope.selector)
      .filter(hasSidecar)
      .filter(p => scope.namespace !== '*' || (!SYSTEM_NAMESPACES.test(p.metadata.namespace) && !scoped.has(p.metadata.namespace)));
    return {
      namespace: scope.namespace,
      proxies: (options.allPods ? candidates : candidates.slice(0, 1)).map(candidate => {
        const pod = podRef(candidate)!;
        return {
          pod,
          clusters: json<EnvoyCluster[]>(istioctl('proxy-config', 'cluster', pod, '-o', 'json')),
          endpoints: json<EnvoyClusterStatus[]>(istioctl('proxy-config', 'endpoint', pod, '-o', 'json')),
        };
      }),
    };
  });

  const selections = new Map<string, { namespace: string; labels: { readonly [key: string]: string } }>();
  expected.outbound.flatMap(c => c.endpoints).forEach(e => e.pods && selections.set(selectionKey(e.pods.namespace, e.pods.labels), e.pods));
  const podIps = Object.fromEntries([...selections].sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, s]) => [key, pods(s.namespace, s.labels).map(p => p.status.podIP).filter((ip): ip is string => !!ip).sort()]));

  let gatewayPod: string | undefined;
  let gatewayListeners: EnvoyListener[] = [];
  if (expected.gateway) {
    gatewayPod = podRef(pods(expected.gateway.namespace, expected.gateway.selector)[0]);
    if (gatewayPod) gatewayListeners = json<EnvoyListener[]>(istioctl('proxy-config', 'listener', gatewayPod, '--port', String(expected.gateway.listenerPort), '-o', 'json'));
  }

  let ztunnelPod: string | undefined;
  let ztunnelServices: ZtunnelService[] | undefined;
  if (expected.ambientServices) {
    ztunnelPod = podRef(pods('istio-system', { app: 'ztunnel' })[0]);
    if (ztunnelPod) ztunnelServices = json<ZtunnelService[]>(istioctl('ztunnel-config', 'services', ztunnelPod, '-o', 'json'));
  }

  let sidecarNamespaces: { [namespace: string]: { readonly [key: string]: string } } | undefined;
  if (expected.discovery) {
    const withSidecars = new Set(allPods().filter(hasSidecar).map(p => p.metadata.namespace));
    const namespaces = json<{ items: Array<{ metadata: { name: string; labels?: { readonly [key: string]: string } } }> }>(kubectl('get', 'namespaces', '-o', 'json')).items;
    sidecarNamespaces = Object.fromEntries(namespaces.filter(n => withSidecars.has(n.metadata.name)).map(n => [n.metadata.name, n.metadata.labels ?? {}] as const)
      .sort(byEntryKey));
  }

  // A go-template that lists the Secret's keys only: its values never leave the cluster.
  const credentialKeys = readEach(expected.credentials, (namespace, name) =>
    ({ keys: kubectl('get', 'secret', name, '-n', namespace, '-o', `go-template=${SECRET_KEYS_TEMPLATE}`).split('\n').filter(Boolean).sort() }));
  const waypointStatus = readEach(expected.waypoints, (namespace, name) => {
    const programmed = json<GatewayStatus>(kubectl('get', 'gateways.gateway.networking.k8s.io', name, '-n', namespace, '-o', 'json')).status?.conditions?.find(c => c.type === 'Programmed');
    return { programmed: programmed?.status === 'True', reason: programmed?.reason, message: programmed?.message };
  });

  return {
    rootCertPem, scopes, podIps, gatewayPod, gatewayListeners, credentialKeys, waypointStatus,
    remoteClustersText: expected.remoteClusters ? istioctl('remote-clusters') : undefined,
    ztunnelPod, ztunnelServices, sidecarNamespaces,
  };
}

import { Construct } from 'constructs';
import { ExternalService } from './external-service';
import { GlobalService } from './global-service';
import { Mesh } from './mesh';
import { MeshCluster } from './mesh-cluster';
import { propError } from './validation/errors';
import { checkDnsLabel, checkLabels, isDnsLabel, isHostName, isQualifiedHostName, isSystemNamespace } from './validation/names';

const CLIENT_NAMESPACE_SYMBOL = Symbol.for('cdk8s-istio-multicluster.ClientNamespace');

/** Properties of a {@link ClientNamespace}. */
export interface ClientNamespaceProps {
  /** The namespace of the calling workloads. */
  readonly namespace: string;
  /** The clusters where the namespace's workloads run. */
  readonly clusters: MeshCluster[];
  /** The global services its workloads call. */
  readonly calls: GlobalService[];
  /**
   * The external services its workloads call.
   * @default - none
   */
  readonly callsExternal?: ExternalService[];
  /**
   * Further Istio Sidecar egress hosts (`<namespace>/<host>`, `<namespace>/*` or `*\/<host>`), for
   * services the mesh does not declare, such as a database in another namespace of the same cluster.
   * @default - none: the namespace's own services and istio-system stay visible in any case
   */
  readonly extraEgressHosts?: string[];
  /**
   * Scope only the workloads with these labels (an Istio Sidecar with a workload selector).
   * @default - every workload of the namespace (the namespace's default Sidecar)
   */
  readonly selector?: { readonly [label: string]: string };
  /**
   * The name of the rendered Sidecar.
   * @default 'default' for a whole namespace, else the construct id
   */
  readonly name?: string;
}

/**
 * The services a namespace's workloads call: a typed dependency from clients to global (and external)
 * services. Each cluster where the namespace runs gets an Istio `Sidecar` whose egress hosts are exactly
 * those services, so its sidecars receive configuration only for what they call. Beyond about a thousand
 * visible services, sidecar startup and memory degrade sharply (istio/istio#51160); this is Istio's answer.
 *
 * With `Mesh({ pruneUncalledServices: true })`, a service without explicit consumers is consumed only by
 * the clusters where some ClientNamespace calls it, instead of every other cluster.
 *
 * @example
 * new ClientNamespace(mesh, 'frontend', { namespace: 'frontend', clusters: [east, west], calls: [httpbin] });
 */
export class ClientNamespace extends Construct {
  /** Whether `x` is a ClientNamespace (works across copies of this library). */
  public static isClientNamespace(x: unknown): x is ClientNamespace {
    return x !== null && typeof x === 'object' && CLIENT_NAMESPACE_SYMBOL in x;
  }

  public readonly mesh: Mesh;
  public readonly namespace: string;
  public readonly clusters: readonly MeshCluster[];
  public readonly calls: readonly GlobalService[];
  public readonly callsExternal: readonly ExternalService[];
  public readonly extraEgressHosts: readonly string[];
  /** @default - the whole namespace */
  public readonly selector?: { readonly [label: string]: string };
  public readonly sidecarName: string;

  public constructor(scope: Construct, id: string, props: ClientNamespaceProps) {
    super(scope, id);
    Object.defineProperty(this, CLIENT_NAMESPACE_SYMBOL, { value: true });
    this.mesh = Mesh.of(this);
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace);
    if (isSystemNamespace(this.namespace)) {
      throw propError(this, 'namespace', this.namespace, 'is a system namespace, whose proxies (gateways, istiod) must see the whole mesh: scope application namespaces only');
    }
    if (props.clusters.length === 0) throw propError(this, 'clusters', [], 'is empty: name the clusters where the namespace\'s workloads run');
    props.clusters.forEach((c, i) => {
      if (c.mesh !== this.mesh) throw propError(this, `clusters[${i}]`, c.node.path, `is a cluster of another mesh: use clusters of ${this.mesh.node.path}`);
    });
    this.clusters = [...new Set(props.clusters)];
    const callsExternal = props.callsExternal ?? [];
    if (props.calls.length === 0 && callsExternal.length === 0) {
      throw propError(this, 'calls', [], 'is empty, and so is callsExternal: a namespace that calls nothing needs no scope; name the services its workloads call');
    }
    props.calls.forEach((s, i) => {
      if (s.mesh !== this.mesh) throw propError(this, `calls[${i}]`, s.node.path, `is a service of another mesh: use services of ${this.mesh.node.path}`);
    });
    callsExternal.forEach((s, i) => {
      if (s.mesh !== this.mesh) throw propError(this, `callsExternal[${i}]`, s.node.path, `is a service of another mesh: use services of ${this.mesh.node.path}`);
    });
    this.calls = [...new Set(props.calls)];
    this.callsExternal = [...new Set(callsExternal)];
    this.extraEgressHosts = (props.extraEgressHosts ?? []).map((host, i) => {
      if (host === '*/*') {
        throw propError(this, `extraEgressHosts[${i}]`, host, 'imports every namespace\'s services, which is what an unscoped namespace sees: drop the ClientNamespace, or name the namespaces');
      }
      if (!isEgressHost(host)) {
        throw propError(this, `extraEgressHosts[${i}]`, host, 'is not a Sidecar egress host: use <namespace>/<host> with a fully qualified host, <namespace>/* or */<host> (e.g. data/postgres.data.svc.cluster.local)');
      }
      return host;
    });
    if (props.selector !== undefined && Object.keys(props.selector).length === 0) {
      throw propError(this, 'selector', {}, 'is empty: leave it out to scope the whole namespace, or give the labels of the workloads to scope');
    }
    this.selector = props.selector && { ...checkLabels(this, 'selector', props.selector) };
    this.sidecarName = checkDnsLabel(this, 'name', props.name ?? (this.selector ? id : 'default'));
    this.calls.forEach(service => this.clusters.forEach(cluster => service._addCaller(cluster)));
  }
}

/**
 * `<namespace>/<host>` where the namespace is a name, `.`, `~` or `*`, and the host `*`, `*.suffix` or a fully
 * qualified name: istiod refuses short names there (`data/postgres`).
 */
function isEgressHost(value: string): boolean {
  const parts = egressHostParts(value);
  if (!parts) return false;
  const { namespace, host } = parts;
  if (!(['.', '~', '*'].includes(namespace) || isDnsLabel(namespace))) return false;
  if (host === '*') return true;
  return host.startsWith('*.') ? isHostName(host.slice(2)) : isQualifiedHostName(host);
}

/** A Sidecar egress host's namespace and host, if it has exactly one `/`. @internal */
export function egressHostParts(value: string): { readonly namespace: string; readonly host: string } | undefined {
  const [namespace, host, extra] = value.split('/');
  return host === undefined || extra !== undefined ? undefined : { namespace, host };
}

import { CHECKS } from './validation/findings';
import type * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { clusterOf, podLabels, serviceShape } from './cdk8s-plus-refs';
import { Mesh } from './mesh';
import { MeshTopology, readsPeers } from './topology';
import { MeshCluster } from './mesh-cluster';
import { checkPinnedVip } from './validation/vip-range';
import { ResolvedPort, resolvePorts, ServicePort } from './service-port';
import { MeshConfigError, propError } from './validation/errors';
import { checkDnsLabel, checkLabels, isNeverInjected } from './validation/names';
import { byClusterName, byKey } from './order';
import { checkOneOf } from './validation/values';

const GLOBAL_SERVICE_SYMBOL = Symbol.for('cdk8s-istio-multicluster.GlobalService');

/** How a serving cluster's own entry for the `.global` host reaches the service's pods. */
export enum ServingEntry {
  /**
   * A ServiceEntry whose `workloadSelector` selects the pods (resolution STATIC). The gateway then sees
   * each pod with its labels, so DestinationRule subsets (versions) work across clusters.
   */
  WORKLOAD_SELECTOR = 'workload-selector',
  /**
   * Seed 003's form: one DNS endpoint, `<name>.<namespace>.svc.cluster.local`. Simpler, but every pod
   * looks the same to the gateway, so subsets cannot pick versions.
   */
  LOCAL_DNS = 'local-dns',
}

/** Options of {@link GlobalService.addVersion}. */
export interface ServiceVersionOptions {
  /** The clusters this version runs in; each must serve the service. */
  readonly clusters: MeshCluster[];

  /**
   * Pod labels that identify the version: the labels of its DestinationRule subset.
   * @default { version: <name> }
   */
  readonly labels?: { readonly [label: string]: string };
}

/** One version of a global service: a subset name, the pod labels that pick it, where it runs. */
export class ServiceVersion {
  /** @internal */
  public constructor(
    public readonly service: GlobalService,
    public readonly name: string,
    public readonly labels: { readonly [label: string]: string },
    /** Sorted by cluster name. */
    public readonly clusters: readonly MeshCluster[],
  ) {}

  /** `<service>/<version>`, as errors name it. */
  public toString(): string {
    return `${this.service.serviceName}/${this.name}`;
  }
}

/** Options of {@link GlobalService.fromServices}: what the Services do not say. */
export interface GlobalServiceFromServicesOptions {
  /**
   * Clusters whose workloads call the service by its `.global` name. An empty list means none.
   * @default - every cluster of the mesh that does not serve it (with the mesh's pruneUncalledServices, those where a ClientNamespace calls it), unless consumers are added
   */
  readonly consumers?: MeshCluster[];

  /**
   * A fixed VIP for the `.global` host, inside class E (240.0.0.0/4).
   * @default - allocated from the mesh's VIP range and kept in the lock file
   */
  readonly vip?: string;

  /**
   * How each serving cluster's own entry for the `.global` host selects the pods.
   * @default ServingEntry.WORKLOAD_SELECTOR
   */
  readonly servingEntry?: ServingEntry;
}

/** Properties of a {@link GlobalService}. */
export interface GlobalServiceProps {
  /**
   * The Kubernetes service name; the service is reached as `<name>.<namespace>.<globalDomain>`.
   * @default - the construct id
   */
  readonly name?: string;

  /** The namespace the service's workloads run in. */
  readonly namespace: string;

  /** The service's ports, named `<protocol>[-<suffix>]` or with an explicit protocol. */
  readonly ports: ServicePort[];

  /** The clusters the service runs in. */
  readonly servedBy: MeshCluster[];

  /**
   * Labels that select the service's pods in the serving clusters.
   * @default { app: <name> }
   */
  readonly workloadLabels?: { readonly [label: string]: string };

  /**
   * Clusters whose workloads call the service by its `.global` name; each gets a ServiceEntry that
   * sends the traffic to the serving clusters' gateways (a serving cluster's own clients: to the others',
   * or, where it is the only one, to its own pods). More can be added with `addConsumer()`.
   * An empty list means none (only the clients of routes to the service).
   * @default - every cluster of the mesh that does not serve it (with the mesh's pruneUncalledServices, those where a ClientNamespace calls it), unless consumers are added
   */
  readonly consumers?: MeshCluster[];

  /**
   * A fixed VIP for the `.global` host, inside class E (240.0.0.0/4).
   * @default - allocated from the mesh's VIP range and kept in the lock file
   */
  readonly vip?: string;

  /**
   * How each serving cluster's own entry for the `.global` host selects the pods.
   * @default ServingEntry.WORKLOAD_SELECTOR
   */
  readonly servingEntry?: ServingEntry;

  /**
   * While a mesh moves from the global-names to the multi-network topology: keep the service's `.global`
   * name too, with its VIP from the lock file, through the east-west gateways, so that clients not yet
   * moved keep working. Remove it once none calls the `.global` name; the lock file keeps the VIP
   * reserved meanwhile. Multi-network topology only.
   * @default false
   */
  readonly keepGlobalName?: boolean;

  /**
   * How the ambient data plane spreads calls over the service's endpoints across clusters (the Service's
   * `networking.istio.io/traffic-distribution` annotation). Ambient topology only.
   * @default - Istio's default: every endpoint alike
   */
  readonly trafficDistribution?: TrafficDistribution;
}

/** Where ambient sends a global service's calls first. */
export enum TrafficDistribution {
  /** Endpoints close to the caller first (its zone, then region, then anywhere), failing over when none is healthy. */
  PREFER_CLOSE = 'PreferClose',
}

/**
 * A service that runs in one or more clusters and is called from the others as
 * `<name>.<namespace>.global` through the serving clusters' 15443 gateways.
 *
 * In each consuming cluster it renders a MESH_INTERNAL ServiceEntry with the service's VIP and one
 * endpoint per serving cluster's gateway. In each serving cluster it renders the companion entry for the
 * same host and ports: current Istio gateways route an SNI name only to a service they know, so without it
 * the gateway answers 503.
 *
 * @example
 * new GlobalService(mesh, 'httpbin', {
 *   namespace: 'bar',
 *   ports: [{ name: 'http1', number: 8000 }],
 *   servedBy: [cluster2],
 * });
 */
export class GlobalService extends Construct {
  /** Whether `x` is a GlobalService (works across copies of this library). */
  public static isGlobalService(x: unknown): x is GlobalService {
    return x !== null && typeof x === 'object' && GLOBAL_SERVICE_SYMBOL in x;
  }

  /**
   * A global service declared from the team's cdk8s-plus Services, one per serving cluster (each in its
   * MeshCluster's chart): name, namespace, ports with their target ports and the pod selector come from
   * them, so the serving entry selects exactly the pods the Service selects. The Services must agree.
   *
   * @example
   * const svc = new kplus.Service(cluster2, 'httpbin', { metadata: { name: 'httpbin', namespace: 'bar' }, ports: [{ name: 'http', port: 8000, targetPort: 8080 }] });
   * svc.select(deployment);
   * GlobalService.fromServices(mesh, 'httpbin', [svc]);
   */
  public static fromServices(scope: Construct, id: string, services: kplus.Service[], options: GlobalServiceFromServicesOptions = {}): GlobalService {
    if (services.length === 0) {
      throw new MeshConfigError(`[${scope.node.path}/${id}] services [] is empty: pass the Service of each cluster that runs it`, CHECKS.invalidProperty);
    }
    const shapes = services.map((service, i) => serviceShape(scope, `services[${i}]`, service));
    const [first] = shapes;
    shapes.slice(1).forEach((shape, i) => {
      for (const field of ['name', 'namespace', 'ports', 'selector'] as const) {
        if (JSON.stringify(shape[field]) !== JSON.stringify(first[field])) {
          throw new MeshConfigError(`[${scope.node.path}/${id}] services[${i + 1}] in ${shape.cluster.clusterName} has ${field} ${JSON.stringify(shape[field])}, `
            + `but in ${first.cluster.clusterName} it is ${JSON.stringify(first[field])}: a global service must be the same Service in every cluster that serves it`, CHECKS.invalidProperty);
        }
      }
    });
    return new GlobalService(scope, id, {
      ...options,
      name: first.name,
      namespace: first.namespace,
      ports: first.ports,
      workloadLabels: first.selector,
      servedBy: shapes.map(shape => shape.cluster),
    });
  }

  public readonly mesh: Mesh;
  public readonly serviceName: string;
  public readonly namespace: string;
  public readonly ports: readonly ResolvedPort[];
  public readonly servedBy: readonly MeshCluster[];
  public readonly workloadLabels: { readonly [label: string]: string };
  public readonly vip?: string;
  public readonly servingEntry: ServingEntry;
  /** Whether the service keeps its `.global` name while the mesh moves to multi-network. */
  public readonly keepGlobalName: boolean;
  /** @default - Istio's default */
  public readonly trafficDistribution?: TrafficDistribution;
  /** The name clients use in every cluster: `<name>.<namespace>.<globalDomain>`. */
  public readonly globalHost: string;
  private readonly explicitConsumers = new Set<MeshCluster>();
  /** Whether consumers were declared (even as an empty list), which replaces the every-other-cluster default. */
  private consumersDeclared: boolean;
  private readonly versionsByName = new Map<string, ServiceVersion>();
  private readonly routeClients = new Set<MeshCluster>();
  private readonly callers = new Set<MeshCluster>();

  public constructor(scope: Construct, id: string, props: GlobalServiceProps) {
    super(scope, id);
    Object.defineProperty(this, GLOBAL_SERVICE_SYMBOL, { value: true });
    this.mesh = Mesh.of(this);
    this.serviceName = checkDnsLabel(this, 'name', props.name ?? id);
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace);
    // The mTLS other clusters send through the gateway needs a proxy at the pod to end it.
    if (isNeverInjected(this.namespace)) {
      throw propError(this, 'namespace', this.namespace, 'is a namespace whose pods Istio never gives a sidecar, so the mTLS other clusters send would reach them unterminated: serve the service from an application namespace');
    }
    // Set here, not on first use: the synth reads it for thousands of services, and a field that changes
    // from undefined to a string after V8 has optimized code for the class deoptimizes all of that code.
    this.globalHost = `${this.serviceName}.${this.namespace}.${this.mesh.globalDomain}`;
    this.ports = resolvePorts(this, props.ports);
    if (props.servedBy.length === 0) {
      throw propError(this, 'servedBy', [], 'is empty: name the cluster(s) the service runs in');
    }
    props.servedBy.forEach((cluster, i) => this.checkMember(cluster, `servedBy[${i}]`));
    this.servedBy = [...new Set(props.servedBy)];
    this.workloadLabels = { ...checkLabels(this, 'workloadLabels', props.workloadLabels ?? { app: this.serviceName }) };
    if (Object.keys(this.workloadLabels).length === 0) {
      throw propError(this, 'workloadLabels', {}, 'is empty: it would select every pod; give the labels of the service\'s pods, e.g. { app: "httpbin" }');
    }
    this.keepGlobalName = props.keepGlobalName ?? false;
    if (props.trafficDistribution !== undefined && this.mesh.topology !== MeshTopology.AMBIENT) {
      throw propError(this, 'trafficDistribution', props.trafficDistribution, 'is the ambient data plane\'s: with sidecars, use a VersionedRoute\'s trafficPolicy (localityFailover, failoverPriority)');
    }
    this.trafficDistribution = props.trafficDistribution && checkOneOf(this, 'trafficDistribution', props.trafficDistribution, TrafficDistribution, 'a traffic distribution');
    if (this.mesh.topology === MeshTopology.AMBIENT && this.keepGlobalName) {
      throw propError(this, 'keepGlobalName', true, 'means nothing in the ambient topology: a .global mesh moves to MeshTopology.MULTI_NETWORK (sidecars) first');
    }
    if (readsPeers(this.mesh.topology) && !this.keepGlobalName) {
      const foreign = (['vip', 'servingEntry'] as const).find(key => props[key] !== undefined);
      if (foreign) {
        throw propError(this, foreign, props[foreign], 'means nothing in the multi-network topology, where the service keeps its cluster.local name and istiod finds its endpoints in every cluster (unless keepGlobalName keeps its .global name during a move); remove it');
      }
    }
    if (this.mesh.topology === MeshTopology.GLOBAL_NAMES && this.keepGlobalName) {
      throw propError(this, 'keepGlobalName', true, 'means nothing in the global-names topology, where every service has its .global name: it keeps the name while a mesh moves to MeshTopology.MULTI_NETWORK');
    }
    this.vip = props.vip === undefined ? undefined : checkPinnedVip(this.node.path, props.vip);
    this.servingEntry = checkOneOf(this, 'servingEntry', props.servingEntry ?? ServingEntry.WORKLOAD_SELECTOR, ServingEntry, 'a serving entry');
    this.consumersDeclared = props.consumers !== undefined;
    (props.consumers ?? []).forEach((cluster, i) => this.declareConsumer(cluster, `consumers[${i}]`));
  }

  /** The service's in-cluster name: `<name>.<namespace>.svc.cluster.local`. */
  public get localHost(): string {
    return `${this.serviceName}.${this.namespace}.svc.cluster.local`;
  }

  /** The name other clusters call it by in the mesh's topology: the `.global` name, or the cluster.local one. */
  public get meshHost(): string {
    return readsPeers(this.mesh.topology) ? this.localHost : this.globalHost;
  }

  /** The versions declared with `addVersion`, sorted by name. */
  public get versions(): readonly ServiceVersion[] {
    return [...this.versionsByName.values()].sort(byKey(v => v.name));
  }

  /**
   * Declares a version of the service (a DestinationRule subset), for {@link VersionedRoute}s.
   *
   * @example
   * const v2 = helloworld.addVersion('v2', { clusters: [cluster2] });
   */
  public addVersion(name: string, options: ServiceVersionOptions): ServiceVersion {
    const prop = `version "${name}"`;
    checkDnsLabel(this, 'version name', name);
    if (this.versionsByName.has(name)) {
      throw propError(this, 'version name', name, 'is declared twice: version names must be unique per service');
    }
    if (options.clusters.length === 0) {
      throw propError(this, `${prop}.clusters`, [], 'is empty: name the cluster(s) the version runs in');
    }
    for (const cluster of options.clusters) {
      if (!this.servedBy.includes(cluster)) {
        throw propError(this, `${prop}.clusters`, cluster.clusterName, `does not serve ${this.serviceName}: add it to servedBy, or run the version where the service is served`);
      }
    }
    const labels = checkLabels(this, `${prop}.labels`, options.labels ?? { version: name });
    if (Object.keys(labels).length === 0) {
      throw propError(this, `${prop}.labels`, {}, 'is empty: a subset needs labels that pick the version\'s pods, e.g. { version: "v2" }');
    }
    for (const [label, value] of Object.entries(labels)) {
      if (label in this.workloadLabels && this.workloadLabels[label] !== value) {
        throw propError(this, `${prop}.labels.${label}`, value,
          `contradicts the service's workload label ${label}=${this.workloadLabels[label]}: no pod of the service can carry both, so the subset would select nothing`);
      }
    }
    const clusters = [...new Set(options.clusters)].sort(byClusterName);
    const version = new ServiceVersion(this, name, { ...labels }, clusters);
    this.versionsByName.set(name, version);
    return version;
  }

  /**
   * Declares a version from the team's cdk8s-plus workloads that run it, one per cluster (each in its
   * MeshCluster's chart): the subset selects the pod labels the workloads share beyond the service's
   * selector (e.g. `version: v2`), and the version runs in the workloads' clusters.
   */
  public addVersionFromWorkloads(name: string, workloads: kplus.Workload[]): ServiceVersion {
    const prop = `version "${name}"`;
    if (workloads.length === 0) {
      throw propError(this, `${prop}.workloads`, [], 'is empty: pass the workload of each cluster that runs the version');
    }
    const labelsOf = workloads.map(workload => {
      const labels = podLabels(workload);
      const missing = Object.entries(this.workloadLabels).filter(([k, v]) => labels[k] !== v);
      if (missing.length > 0) {
        throw propError(this, `${prop}.workloads`, workload.node.path,
          `has pods without ${missing.map(([k, v]) => `${k}=${v}`).join(', ')}, so ${this.serviceName} does not select them: label its pods (podMetadata) like the service's selector`);
      }
      return labels;
    });
    const shared = Object.fromEntries(Object.entries(labelsOf[0])
      .filter(([k, v]) => this.workloadLabels[k] !== v && labelsOf.every(labels => labels[k] === v)));
    if (Object.keys(shared).length === 0) {
      throw propError(this, `${prop}.workloads`, workloads.map(w => w.node.path),
        'share no pod label beyond the service\'s selector, so no subset can pick them: give their pods a version label, e.g. podMetadata: { labels: { version: "v2" } }');
    }
    return this.addVersion(name, { clusters: workloads.map((w, i) => clusterOf(this, `${prop}.workloads[${i}]`, w)), labels: shared });
  }

  /** Declares that workloads in `cluster` call this service by its `.global` name. */
  public addConsumer(cluster: MeshCluster): void {
    this.declareConsumer(cluster, 'consumer');
  }

  /**
   * The consuming clusters: the explicit ones (else every cluster that does not serve the service),
   * plus the client clusters of routes to it. @internal
   */
  public _consumers(allClusters: readonly MeshCluster[]): MeshCluster[] {
    const declared = this.consumersDeclared
      ? [...this.explicitConsumers]
      : this.mesh.pruneUncalledServices
        ? [...this.callers].filter(c => !this.servedBy.includes(c))
        : allClusters.filter(c => !this.servedBy.includes(c));
    return [...new Set([...declared, ...this.routeClients])];
  }

  /** Records a cluster where a ClientNamespace calls this service. @internal */
  public _addCaller(cluster: MeshCluster): void {
    this.checkMember(cluster, 'caller');
    this.callers.add(cluster);
  }

  /** Serving clusters that some of `consumers` reach through `.global`: they need the serving-side entry. @internal */
  public _reachedServers(consumers: readonly MeshCluster[]): MeshCluster[] {
    return this.servedBy.filter(server => consumers.some(c => c !== server));
  }

  /** Records a route's client cluster, which consumes the service. @internal */
  public _addRouteClient(cluster: MeshCluster): void {
    this.checkMember(cluster, 'client');
    this.routeClients.add(cluster);
  }

  private declareConsumer(cluster: MeshCluster, prop: string): void {
    this.checkMember(cluster, prop);
    this.consumersDeclared = true;
    this.explicitConsumers.add(cluster);
  }

  private checkMember(cluster: MeshCluster, prop: string): void {
    if (cluster.mesh !== this.mesh) {
      throw propError(this, prop, cluster.node.path, `is a cluster of another mesh (${cluster.mesh.node.path}): use clusters of ${this.mesh.node.path}`);
    }
  }
}

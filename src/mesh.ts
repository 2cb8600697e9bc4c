import { CHECKS } from './validation/findings';
import { App } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { MeshCa } from './mesh-ca';
import { GitOps } from './gitops';
import { checkIstioVersion, DEFAULT_ISTIO_VERSION } from './istio-version';
import { checkObservability, ObservabilityOptions } from './observability';
import { checkTopology, MeshTopology, RemoteSecrets } from './topology';
import { parseVipRange, VipRange } from './validation/vip-range';
import { MeshConfigError, propError } from './validation/errors';
import { checkAnnotations, checkDnsLabel, checkDnsSubdomain, checkHostName, checkLabels, isSystemNamespace } from './validation/names';
import { checkOneOf, checkSecretStoreRef } from './validation/values';

const MESH_SYMBOL = Symbol.for('cdk8s-istio-multicluster.Mesh');
/** Brand of MeshApp, looked up by key so that this file need not import the app. */
export const MESH_APP_SYMBOL = Symbol.for('cdk8s-istio-multicluster.MeshApp');

/** What a cluster chart needs of its app to synthesize: MeshApp, seen through its brand. */
export interface ClusterRenderer {
  _clusterManifests(cluster: IConstruct): object[];
}

export const isClusterRenderer = (app: IConstruct): app is IConstruct & ClusterRenderer => MESH_APP_SYMBOL in app;

/** Why a mesh needs a MeshApp, and how to combine it with an existing cdk8s app. */
export const meshAppRequired = 'a Mesh renders only inside a MeshApp, which writes its per-cluster bundles, cacerts and VIP lock file: '
  + 'create your app with `new MeshApp()` instead of `new App()` (it synthesizes your other charts as App does), '
  + 'and in tests use `new MeshApp({ outdir })` with `Testing.synth(cluster)`';

/** The Istio API version that rendered Istio objects carry. */
export enum IstioApiVersion {
  /** `networking.istio.io/v1`, `security.istio.io/v1`: the storage version since Istio 1.22. */
  V1 = 'v1',
  /** `v1beta1`, for control planes older than Istio 1.22. The object shapes are the same. */
  V1BETA1 = 'v1beta1',
}

/** Who owns the namespaces the mesh's objects and workloads live in. */
export enum NamespaceManagement {
  /**
   * Render every namespace the mesh uses, so applying a bundle creates what is missing; the ones where mesh
   * workloads run get the injection label. GitOps tools never prune them (annotations for Argo CD and Flux).
   */
  CREATE = 'create',
  /**
   * Render only the injection labels of the namespaces where mesh workloads run, applied server-side as a
   * merge (Argo CD `ServerSideApply`, Flux `ssa: Merge`): the team that owns a namespace keeps owning it,
   * and nothing is ever pruned. Namespaces must exist before the bundle is applied.
   */
  LABEL_ONLY = 'label-only',
  /** Render no namespace but `istio-system`: namespaces and their injection labels belong to the platform. */
  NONE = 'none',
}

/** Which namespaces each istiod discovers (`meshConfig.discoverySelectors`). */
export class DiscoveryScope {
  /** Every namespace of its cluster and of the clusters it reads: Istio's default. */
  public static readonly ALL_NAMESPACES = new DiscoveryScope(false, []);

  /**
   * Only the mesh's: namespaces labelled for injection (or for the ambient data plane) by this mesh's label,
   * and the ones labelled `istio-discovery: enabled`, which every namespace the bundles render carries.
   * istiod then ignores the Services, pods and Istio configuration of every other namespace, and gives them
   * no `istio-ca-root-cert`.
   */
  public static readonly MESH_NAMESPACES = new DiscoveryScope(true, []);

  /**
   * The mesh's namespaces (as MESH_NAMESPACES), and also every namespace that carries all the labels of one
   * of `labelSets`: the label your platform already gives the namespaces of mesh clients
   * (`{ 'platform.example.com/mesh': 'member' }`), so that they need no `istio-discovery` label of their own.
   */
  public static meshNamespacesAnd(labelSets: ReadonlyArray<{ readonly [key: string]: string }>): DiscoveryScope {
    return new DiscoveryScope(true, labelSets.map(labels => ({ ...labels })));
  }

  private constructor(
    /** @internal whether istiod discovers only the selected namespaces */
    public readonly _selective: boolean,
    /** @internal the label sets that select namespaces beyond the mesh's own */
    public readonly _platformLabelSets: ReadonlyArray<{ readonly [key: string]: string }>,
  ) {}

  /** Throws unless each label set is a non-empty set of valid labels. @internal */
  public _check(scope: IConstruct): void {
    this._platformLabelSets.forEach((labels, index) => {
      const prop = `discovery.labelSets[${index}]`;
      if (Object.keys(labels).length === 0) {
        throw propError(scope, prop, labels, 'is empty, and an empty selector selects every namespace: give at least one label, or use DiscoveryScope.ALL_NAMESPACES');
      }
      checkLabels(scope, prop, labels);
    });
  }
}

/** What sidecars may call outside the mesh (`meshConfig.outboundTrafficPolicy.mode`). */
export enum OutboundTrafficPolicy {
  /** Any host: unknown ones pass through. */
  ALLOW_ANY = 'ALLOW_ANY',
  /** Only hosts the mesh knows: its services and the declared ExternalServices. */
  REGISTRY_ONLY = 'REGISTRY_ONLY',
}

const GLOBAL_NAME_OPTIONS = ['globalDomain', 'vipRange', 'pruneVips'] as const;
const CROSS_CLUSTER_OPTIONS = ['remoteSecrets', 'clusterLocalHosts'] as const;

/**
 * Options of one topology mean nothing in another: refuses them rather than ignore them. Returns the
 * `.global` options set in multi-network, where they still serve services that keep their `.global` name
 * while a mesh moves (checked at synth).
 */
function checkTopologyOptions(mesh: Construct, topology: MeshTopology, props: MeshProps): ReadonlyArray<keyof MeshProps> {
  const refuse = (keys: ReadonlyArray<keyof MeshProps>, why: string) => {
    const key = keys.find(k => props[k] !== undefined);
    if (key) throw propError(mesh, key, props[key], why);
  };
  switch (topology) {
    case MeshTopology.GLOBAL_NAMES:
      refuse(CROSS_CLUSTER_OPTIONS, 'means nothing in the global-names topology: each cluster\'s istiod sees only its own cluster there, so remote secrets and cluster-local hosts exist only in MeshTopology.MULTI_NETWORK; remove it');
      return [];
    case MeshTopology.AMBIENT:
      refuse(GLOBAL_NAME_OPTIONS, 'means nothing in the ambient topology, which has no .global names or VIPs; remove it');
      return [];
    default:
      return GLOBAL_NAME_OPTIONS.filter(key => props[key] !== undefined);
  }
}

/** Hosts that stay in their own cluster: `<name>.<namespace>.svc.cluster.local`, a namespace's wildcard, or all. */
function checkClusterLocalHosts(mesh: Construct, hosts: readonly string[]): string[] {
  return hosts.map((host, i) => {
    if (!/^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?)\.[a-z0-9]([-a-z0-9]*[a-z0-9])?\.svc\.cluster\.local$/.test(host) && !/^\*\.svc\.cluster\.local$/.test(host)) {
      throw propError(mesh, `clusterLocalHosts[${i}]`, host, 'is not a cluster.local service host: use <name>.<namespace>.svc.cluster.local or *.<namespace>.svc.cluster.local');
    }
    return host;
  });
}

const checkNamespaceManagement = (mesh: Construct, prop: string, management: NamespaceManagement) =>
  checkOneOf(mesh, prop, management, NamespaceManagement, 'a namespace management');

/** Per-namespace overrides: application namespaces only, each a namespace management. Returns a copy. */
function checkNamespaceOverrides(mesh: Construct, overrides: { readonly [namespace: string]: NamespaceManagement }): { [namespace: string]: NamespaceManagement } {
  for (const [namespace, management] of Object.entries(overrides)) {
    checkDnsLabel(mesh, 'namespaceOverrides key', namespace);
    if (isSystemNamespace(namespace)) {
      throw propError(mesh, 'namespaceOverrides key', namespace, 'is never an application namespace: istio-system is always rendered (it carries the network label and comes first), kube-* never');
    }
    checkNamespaceManagement(mesh, `namespaceOverrides.${namespace}`, management);
  }
  return { ...overrides };
}

/** Properties of a {@link Mesh}. */
export interface MeshProps {
  /**
   * The mesh ID that every cluster's control plane is installed with (`values.global.meshID`).
   * @default - the construct id
   */
  readonly meshId?: string;

  /**
   * The trust domain of workload identities (`spiffe://<trustDomain>/ns/<ns>/sa/<sa>`).
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;

  /**
   * The Istio release the clusters run (1.29.x, 1.30.x or 1.31.x): its Helm charts are the ones installed,
   * and what is rendered targets it.
   * @default '1.30.3'
   */
  readonly istioVersion?: string;

  /**
   * How the clusters find and reach each other's services: switching it re-renders the same constructs
   * for another Istio topology.
   * @default MeshTopology.GLOBAL_NAMES
   */
  readonly topology?: MeshTopology;

  /**
   * Services that must never leave their cluster (multi-network topology only): their calls stay on the
   * caller's cluster's endpoints (`meshConfig.serviceSettings[].settings.clusterLocal`). Hosts such as
   * `metrics.monitoring.svc.cluster.local` or `*.kube-system.svc.cluster.local`.
   * @default - every service may be reached across clusters
   */
  readonly clusterLocalHosts?: string[];

  /**
   * How each istiod gets the other clusters' kubeconfigs (multi-network topology only).
   * @default RemoteSecrets.script()
   */
  readonly remoteSecrets?: RemoteSecrets;

  /**
   * The DNS suffix under which services are reached across clusters (`<name>.<namespace>.<suffix>`).
   * Global-names topology only.
   * @default 'global'
   */
  readonly globalDomain?: string;

  /**
   * The API version of rendered Istio objects.
   * @default IstioApiVersion.V1
   */
  readonly apiVersion?: IstioApiVersion;

  /**
   * Render a mesh-wide STRICT mTLS `PeerAuthentication` named `default` in `istio-system` of every cluster.
   * @default true
   */
  readonly strictMtls?: boolean;

  /**
   * The range `.global` VIPs are allocated from: inside class E (240.0.0.0/4), clear of Istio's own
   * auto-allocation range 240.240.0.0/16. A VIP is never routed; the sidecar captures the traffic.
   * Global-names topology only.
   * @default '240.0.0.0/16'
   */
  readonly vipRange?: string;

  /**
   * The file that keeps every `.global` host's VIP across synths, relative to the working directory.
   * Commit it: it is what keeps VIPs from moving when services are added, removed or reordered.
   * @default 'mesh.lock.json'
   */
  readonly lockFile?: string;

  /**
   * Free the VIPs of services that left the mesh. Until then they stay reserved, so that no new
   * service gets an address that clients may still have cached for an old one.
   * @default false
   */
  readonly pruneVips?: boolean;

  /**
   * Render a global service without explicit `consumers` only into the clusters where a
   * {@link ClientNamespace} calls it (and its route clients), instead of every other cluster: sidecars
   * then receive, and gateways serve, only what is called. Declare every caller first.
   * @default false
   */
  readonly pruneUncalledServices?: boolean;

  /**
   * The shared root CA and per-cluster intermediates, rendered as each cluster's `cacerts` Secret.
   * Without it every istiod makes its own self-signed root and the clusters cannot talk.
   * @default - no `cacerts` rendered (a warning says so at synth)
   */
  readonly ca?: MeshCa;

  /**
   * Whether bundles create the namespaces they use, only label them, or leave them alone.
   * @default NamespaceManagement.CREATE
   */
  readonly namespaces?: NamespaceManagement;

  /**
   * Namespaces managed otherwise than `namespaces` says, by name: e.g. `{ payments: NamespaceManagement.NONE }`
   * where another team's GitOps owns that Namespace, or LABEL_ONLY where the platform creates it.
   * @default - every namespace as `namespaces` says
   */
  readonly namespaceOverrides?: { readonly [namespace: string]: NamespaceManagement };

  /**
   * The Istio revision that injects sidecars: namespaces are then labelled `istio.io/rev: <revision>`
   * (revision-based upgrades) instead of `istio-injection: enabled`.
   * @default - `istio-injection: enabled`
   */
  readonly injectionRevision?: string;

  /**
   * Which namespaces each istiod discovers. In large clusters, MESH_NAMESPACES keeps istiod from watching
   * and pushing the Services and pods of namespaces that take no part in the mesh. A namespace whose pods
   * call the mesh must then be labelled for injection (or `istio-discovery: enabled`, or with one of the
   * scope's own label sets: `DiscoveryScope.meshNamespacesAnd`): pods injected by a pod label in a namespace
   * istiod does not discover find no `istio-ca-root-cert` and do not start.
   * @default DiscoveryScope.ALL_NAMESPACES
   */
  readonly discovery?: DiscoveryScope;

  /**
   * Labels on every object the mesh renders (team, cost centre, GitOps selectors), after the standard
   * `app.kubernetes.io/managed-by` and `app.kubernetes.io/part-of` ones; an object's own labels win.
   * @default - only the standard ownership labels
   */
  readonly labels?: { readonly [key: string]: string };

  /**
   * Annotations on every object the mesh renders (e.g. Argo CD sync waves); an object's own annotations win.
   * @default - none
   */
  readonly annotations?: { readonly [key: string]: string };

  /**
   * What sidecars may call outside the mesh: with REGISTRY_ONLY, only the services the mesh knows (its
   * services and the ExternalServices), so the declared external services are the allow-list.
   * @default OutboundTrafficPolicy.ALLOW_ANY (Istio's default)
   */
  readonly outboundTrafficPolicy?: OutboundTrafficPolicy;

  /**
   * Monitoring, tracing and access logging in every cluster.
   * @default - none
   */
  readonly observability?: ObservabilityOptions;

  /**
   * The GitOps tool that installs Istio and applies the bundles in order (CA, Istio, mesh configuration):
   * its manifests are rendered next to the bundles.
   * @default - no GitOps manifests: each cluster's README.md gives the kubectl, helm and istioctl commands
   */
  readonly gitOps?: GitOps;
}

/**
 * An Istio mesh spanning several clusters with replicated control planes, joined through gateways.
 *
 * Clusters, services, routes and VMs are declared as constructs inside it; a {@link MeshApp} resolves
 * the whole mesh at synth time and writes one bundle per cluster.
 *
 * @example
 * const app = new MeshApp();
 * const mesh = new Mesh(app, 'mesh', { meshId: 'mesh1' });
 * new MeshCluster(mesh, 'cluster1', { network: 'network1', gateway: { address: '172.18.0.3' } });
 * app.synth();
 */
export class Mesh extends Construct {
  /** Whether `x` is a Mesh (works across copies of this library). */
  public static isMesh(x: unknown): x is Mesh {
    return x !== null && typeof x === 'object' && MESH_SYMBOL in x;
  }

  /** The Mesh that `construct` belongs to. */
  public static of(construct: IConstruct): Mesh {
    const mesh = construct.node.scopes.slice().reverse().find(Mesh.isMesh);
    if (!mesh) {
      throw new MeshConfigError(`[${construct.node.path}] is not inside a Mesh: create it with a Mesh (or a construct inside one) as its scope`, CHECKS.appSetup);
    }
    return mesh;
  }

  public readonly meshId: string;
  public readonly trustDomain: string;
  public readonly istioVersion: string;
  public readonly topology: MeshTopology;
  public readonly remoteSecrets: RemoteSecrets;
  public readonly clusterLocalHosts: readonly string[];
  /** The `.global` options given to a multi-network mesh, which only services keeping their `.global` name use. @internal */
  public readonly _globalNameOptions: readonly string[];
  public readonly globalDomain: string;
  public readonly apiVersion: IstioApiVersion;
  public readonly strictMtls: boolean;
  public readonly vipRange: VipRange;
  public readonly lockFile: string;
  public readonly pruneVips: boolean;
  public readonly pruneUncalledServices: boolean;
  public readonly ca?: MeshCa;
  public readonly namespaceManagement: NamespaceManagement;
  private readonly namespaceOverrides: { readonly [namespace: string]: NamespaceManagement };
  /** @default - `istio-injection: enabled` */
  public readonly injectionRevision?: string;
  public readonly discovery: DiscoveryScope;
  /** Labels of every rendered object: the ownership labels, then the ones given. */
  public readonly labels: { readonly [key: string]: string };
  public readonly annotations: { readonly [key: string]: string };
  public readonly gitOps?: GitOps;
  /** @default - Istio's default, ALLOW_ANY */
  public readonly outboundTrafficPolicy?: OutboundTrafficPolicy;
  public readonly observability: ObservabilityOptions;

  public constructor(scope: Construct, id: string, props: MeshProps = {}) {
    super(scope, id);
    Object.defineProperty(this, MESH_SYMBOL, { value: true });
    this.meshId = checkDnsLabel(this, 'meshId', props.meshId ?? id);
    this.trustDomain = checkDnsSubdomain(this, 'trustDomain', props.trustDomain ?? 'cluster.local');
    this.istioVersion = checkIstioVersion(this, props.istioVersion ?? DEFAULT_ISTIO_VERSION);
    this.topology = checkTopology(this, props.topology ?? MeshTopology.GLOBAL_NAMES);
    this._globalNameOptions = checkTopologyOptions(this, this.topology, props);
    this.remoteSecrets = props.remoteSecrets ?? RemoteSecrets.script();
    if (this.remoteSecrets.store) checkSecretStoreRef(this, 'remoteSecrets', this.remoteSecrets.store);
    this.clusterLocalHosts = checkClusterLocalHosts(this, props.clusterLocalHosts ?? []);
    this.globalDomain = checkHostName(this, 'globalDomain', props.globalDomain ?? 'global');
    this.apiVersion = checkOneOf(this, 'apiVersion', props.apiVersion ?? IstioApiVersion.V1, IstioApiVersion, 'an Istio API version the library renders');
    this.strictMtls = props.strictMtls ?? true;
    this.vipRange = parseVipRange(this.node.path, props.vipRange ?? '240.0.0.0/16');
    this.lockFile = props.lockFile ?? 'mesh.lock.json';
    this.pruneVips = props.pruneVips ?? false;
    this.pruneUncalledServices = props.pruneUncalledServices ?? false;
    props.ca?._check(this);
    this.ca = props.ca;
    this.namespaceManagement = checkNamespaceManagement(this, 'namespaces', props.namespaces ?? NamespaceManagement.CREATE);
    this.namespaceOverrides = checkNamespaceOverrides(this, props.namespaceOverrides ?? {});
    this.injectionRevision = props.injectionRevision === undefined ? undefined : checkDnsLabel(this, 'injectionRevision', props.injectionRevision);
    this.discovery = props.discovery ?? DiscoveryScope.ALL_NAMESPACES;
    this.discovery._check(this);
    this.labels = {
      'app.kubernetes.io/managed-by': 'cdk8s-istio-multicluster',
      'app.kubernetes.io/part-of': this.meshId,
      ...checkLabels(this, 'labels', props.labels ?? {}),
    };
    this.annotations = { ...checkAnnotations(this, 'annotations', props.annotations ?? {}) };
    props.gitOps?._check(this);
    this.gitOps = props.gitOps;
    this.outboundTrafficPolicy = props.outboundTrafficPolicy && checkOneOf(this, 'outboundTrafficPolicy', props.outboundTrafficPolicy, OutboundTrafficPolicy, 'a policy');
    this.observability = checkObservability(this, props.observability ?? {});
    this.node.addValidation({ validate: () => (isClusterRenderer(App.of(this)) ? [] : [meshAppRequired]) });
  }

  /** How the bundles manage a namespace: its override, else the mesh's `namespaces`. */
  public namespaceManagementOf(namespace: string): NamespaceManagement {
    return this.namespaceOverrides[namespace] ?? this.namespaceManagement;
  }
}

import { CHECKS } from '../validation/findings';
import { ApiObject, ApiObjectMetadata, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { IstioApiVersion, Mesh, NamespaceManagement } from '../mesh';
import { MeshCluster } from '../mesh-cluster';
import { ResolvedPort } from '../service-port';
import { metadataLayer, MetadataLayer } from '../mesh-metadata';
import { MeshConfigError } from '../validation/errors';
import { isSystemNamespace } from '../validation/names';
import { OutputFile, OutputRoot } from '../write/output-file';
import { addToGroup } from '../groups';
import { byEntryKey, byKey, inKeyOrder } from '../order';
import { ApiObjectClass, manifestOf, withApiVersion } from './manifest';
import { DISCOVERY_LABEL, enrollmentLabels } from './namespace-labels';

export const ISTIO_SYSTEM = 'istio-system';

/** What a namespace of a cluster is used for. */
export enum NamespaceUse {
  /** Mesh workloads run there (serving pods, VMs, protected workloads): sidecars need injection. */
  WORKLOADS = 'workloads',
  /** Only configuration lives there (a consumer's entries, a client's routes). */
  CONFIG = 'config',
}

/**
 * Istio's annotation that silences `istioctl analyze` findings on one object, for findings that are false
 * positives of this design; each use says why.
 */
export const suppressAnalysis = (...codes: string[]) => ({ 'galley.istio.io/analyze-suppress': codes.join(',') });

/**
 * The layers of a cluster bundle, in apply order: each is a directory that GitOps tools (or `kubectl apply
 * -k`) apply as one unit, after the previous one is healthy. istiod reads `cacerts` only when it starts, so
 * the CA comes before Istio; the mesh configuration uses Istio's CRDs, so it comes after.
 */
export enum BundleLayer {
  /** `istio-system` and the `cacerts` Secret (or what delivers it): before Istio is installed. */
  CA = 'ca',
  /** Istio's install: Helm values for the base, istiod and gateway charts, and the istioctl overlay. */
  ISTIO = 'istio',
  /** The mesh configuration: namespaces, gateway, security, DNS, services, routes, workloads. */
  MESH = 'mesh',
}

/**
 * What a rendered object is for. Each concern is one file of a directory of the cluster's bundle (a layer,
 * or the GitOps tool's), in this order; the order is also the order of that directory's kustomization.
 */
export const CONCERNS = {
  'control-plane-namespace': { dir: BundleLayer.CA, file: 'namespace.yaml', root: OutputRoot.BUNDLES, kustomize: true },
  // Only when the user opts in to the Secret in Git, or for an ExternalSecret or SealedSecret.
  'ca': { dir: BundleLayer.CA, file: 'cacerts.yaml', root: OutputRoot.BUNDLES, kustomize: true },
  // Applied with `istioctl install -f`, not kubectl: no kustomization lists it.
  'install': { dir: BundleLayer.ISTIO, file: 'istio-operator.yaml', root: OutputRoot.BUNDLES, kustomize: false },
  'namespaces': { dir: BundleLayer.MESH, file: 'namespaces.yaml', root: OutputRoot.BUNDLES, kustomize: true },
  'mesh-gateway': { dir: BundleLayer.MESH, file: 'mesh-gateway.yaml', root: OutputRoot.BUNDLES, kustomize: true },
  'security': { dir: BundleLayer.MESH, file: 'security.yaml', root: OutputRoot.BUNDLES, kustomize: true },
  // Multi-network: the other clusters' kubeconfigs, read from a secret store.
  'remote-secrets': { dir: BundleLayer.MESH, file: 'remote-secrets.yaml', root: OutputRoot.BUNDLES, kustomize: true },
  'dns': { dir: BundleLayer.MESH, file: 'dns.yaml', root: OutputRoot.BUNDLES, kustomize: true },
  'global-services': { dir: BundleLayer.MESH, file: 'global-services.yaml', root: OutputRoot.BUNDLES, kustomize: true },
  'routing': { dir: BundleLayer.MESH, file: 'routing.yaml', root: OutputRoot.BUNDLES, kustomize: true },
  'workloads': { dir: BundleLayer.MESH, file: 'workloads.yaml', root: OutputRoot.BUNDLES, kustomize: true },
  // Istio Sidecars that scope client namespaces to the services they call.
  'client-scopes': { dir: BundleLayer.MESH, file: 'sidecars.yaml', root: OutputRoot.BUNDLES, kustomize: true },
  'external-services': { dir: BundleLayer.MESH, file: 'external-services.yaml', root: OutputRoot.BUNDLES, kustomize: true },
  'observability': { dir: BundleLayer.MESH, file: 'observability.yaml', root: OutputRoot.BUNDLES, kustomize: true },
  // Objects the user added to the cluster's chart, applied with the mesh configuration.
  'resources': { dir: BundleLayer.MESH, file: 'resources.yaml', root: OutputRoot.BUNDLES, kustomize: true },
  // The cluster's Flux applies the layers in order; the second directory holds Istio's HelmReleases.
  'flux-layers': { dir: 'flux', file: 'layers.yaml', root: OutputRoot.BUNDLES, kustomize: true },
  'flux-istio': { dir: 'flux/istio', file: 'releases.yaml', root: OutputRoot.BUNDLES, kustomize: true },
  // Applied by hand before Istio is installed; carries private keys.
  'secrets': { dir: undefined, file: 'cacerts.yaml', root: OutputRoot.SECRETS, kustomize: false },
} as const;

/** Where a concern's file lives, relative to the output root. */
export function concernPath(cluster: string, concern: Concern): string {
  const { dir, file } = CONCERNS[concern];
  return dir ? `${cluster}/${dir}/${file}` : `${cluster}/${file}`;
}

/** The layers that `kubectl apply -k` applies, in order: each has its own kustomization. */
export const KUSTOMIZED_LAYERS = [BundleLayer.CA, BundleLayer.MESH] as const;

export type Concern = keyof typeof CONCERNS;

/** Metadata every rendered object must carry: rendered names are part of the public contract. */
export interface RenderedMetadata extends ApiObjectMetadata {
  readonly name: string;
}

/** The kinds that must come first in a file; the rest follow alphabetically. */
const KIND_ORDER = ['Namespace', 'ServiceAccount', 'Secret', 'ConfigMap', 'Service'];

interface Entry {
  readonly concern: Concern;
  /** The rendered manifest (JSON), or an object the user added to the cluster's chart. */
  readonly object: object | ApiObject;
  readonly origin: IConstruct;
  readonly sortKey: string;
}

/** The labels and annotations of the mesh's props, in key order (see `isCanonical` in manifest.ts). */
const propsLayer = (mesh: Mesh): MetadataLayer => ({ labels: inKeyOrder(mesh.labels), annotations: inKeyOrder(mesh.annotations) });

/** The mesh's labels and annotations, and those added to it with MeshMetadata. */
export function meshMetadata(mesh: Mesh): MetadataLayer {
  return metadataLayer(propsLayer(mesh), [mesh]);
}

/**
 * Metadata under the object's own labels and annotations, which win (selectors depend on them), with
 * its keys in order (see `isCanonical` in manifest.ts); the layer's own objects where nothing is merged into them.
 */
export function withMetadata<P extends { readonly metadata: RenderedMetadata }>(layer: MetadataLayer, props: P): P {
  const source = props.metadata;
  const { labels, annotations, name, namespace } = source;
  const merged = {
    annotations: annotations ? inKeyOrder({ ...layer.annotations, ...annotations }) : Object.keys(layer.annotations).length > 0 ? layer.annotations : undefined,
    labels: labels ? inKeyOrder({ ...layer.labels, ...labels }) : layer.labels,
  };
  if (!hasOnlyKeys(source, COMMON_METADATA)) return { ...props, metadata: inKeyOrder({ ...source, ...merged }) };
  // Most objects have only these four: set in key order, no sorting needed.
  const metadata: { -readonly [K in keyof RenderedMetadata]: RenderedMetadata[K] } = {} as RenderedMetadata;
  if (merged.annotations) metadata.annotations = merged.annotations;
  if (merged.labels) metadata.labels = merged.labels;
  metadata.name = name;
  if (namespace !== undefined && namespace !== null) metadata.namespace = namespace;
  return { ...props, metadata };
}

const COMMON_METADATA = new Set(['annotations', 'labels', 'name', 'namespace']);

/** Whether every key of a record is one of `keys`. */
function hasOnlyKeys(record: object, keys: ReadonlySet<string>): boolean {
  for (const key in record) {
    if (!keys.has(key)) return false;
  }
  return true;
}

/** Identifies an object in a cluster: API group, kind, namespace and name. */
const objectKey = (apiVersion: string, kind: string, namespace: string, name: string) => `${memoized(apiGroups, apiVersion, () => apiVersion.split('/')[0])}|${kind}|${namespace}|${name}`;

/** Kinds first in KIND_ORDER, then alphabetically; within a kind by namespace and name. */
function sortKeyOf(kind: string, namespace: string, name: string): string {
  const rankedKind = memoized(rankedKinds, kind, () => {
    const rank = KIND_ORDER.indexOf(kind);
    return `${String(rank < 0 ? KIND_ORDER.length : rank).padStart(2, '0')}|${kind}`;
  });
  return `${rankedKind}|${namespace}|${name}`;
}

/** The key prefixes, made once per kind: a mesh adds tens of thousands of objects of a few kinds. */
const apiGroups = new Map<string, string>();
const rankedKinds = new Map<string, string>();
function memoized(cache: Map<string, string>, key: string, make: () => string): string {
  let value = cache.get(key);
  if (value === undefined) {
    value = make();
    cache.set(key, value);
  }
  return value;
}

/**
 * Everything rendered into one cluster: its objects grouped by concern, plus text files.
 * Renderers add to it; `toFiles()` emits the cluster's bundle.
 */
export class ClusterBundle {
  private readonly entries = new Map<string, Entry>();
  /** Namespaces the cluster's objects live in, and whether mesh workloads run there (true) or only config. */
  private readonly namespaces = new Map<string, boolean>();
  private readonly extraFiles: OutputFile[] = [];
  private readonly routeTables: string[] = [];
  private readonly metadataByOrigin = new Map<IConstruct, MetadataLayer>();
  /** The labels and annotations of the mesh's props, which every object's metadata starts from. */
  private readonly meshLayer: MetadataLayer;
  private readonly istioVersion: IstioApiVersion;
  /** Proxy metadata the install overlay sets mesh-wide (`meshConfig.defaultConfig.proxyMetadata`). */
  public readonly proxyMetadata: { [key: string]: string } = {};
  /** Whether istiod is exposed on the gateway, for VMs or remote clusters (the install then opens 15012). */
  public exposesIstiod = false;
  /** Whether istiod's webhooks are exposed too, for remote clusters (the install then opens 15017). */
  public exposesIstiodWebhook = false;
  /** Ports of external services that leave through the egress gateway, by number (the install then adds one). */
  public readonly egressPorts = new Map<number, ResolvedPort>();
  /**
   * Namespaces that istiod must discover for nothing else than this cluster's configuration (or the tracing
   * collector), which the bundle leaves alone (NamespaceManagement.NONE) where istiod discovers only
   * labelled namespaces: someone must label them.
   */
  public readonly undiscoveredNamespaces: string[] = [];
  /** `.global` hosts this cluster knows, with their VIPs: what a static DNS zone answers. */
  public readonly globalHosts = new Map<string, string>();

  public constructor(public readonly cluster: MeshCluster, public readonly mesh: Mesh) {
    this.istioVersion = mesh.apiVersion;
    this.meshLayer = propsLayer(mesh);
    cluster._namespaces.forEach(ns => this.useNamespace(ns, NamespaceUse.WORKLOADS));
  }

  /**
   * Renders one object into this cluster. Two objects of the same kind, namespace and name are an error
   * naming both origins, never a silent overwrite. Props already in canonical form (see `isCanonical` in manifest.ts) are
   * kept as given, and may be shared with other objects: never change them after adding them.
   */
  public add<C extends ApiObjectClass>(
    concern: Concern, origin: IConstruct, type: C, props: ConstructorParameters<C>[2] & { readonly metadata: RenderedMetadata },
  ): void {
    // Read once: renderers pass classes and props of many shapes, and each place that reads them makes
    // V8 deoptimize the optimized add again when a shape new to it arrives.
    const { apiVersion, kind } = type.GVK;
    const { name, namespace = '' } = (props as { readonly metadata: RenderedMetadata }).metadata;
    const key = objectKey(apiVersion, kind, namespace, name);
    const existing = this.entries.get(key);
    if (existing) {
      const where = namespace ? `${namespace}/${name}` : name;
      throw new MeshConfigError(`[${this.cluster.node.path}] ${kind} "${where}" is rendered twice, by ${existing.origin.node.path} and by ${origin.node.path}: give one of them another name`, CHECKS.nameClash);
    }
    // A plain manifest, not an ApiObject construct: a mesh renders tens of thousands of objects, and the
    // cluster chart hands them to cdk8s through its toJson().
    const object = manifestOf(type, withMetadata(this.metadataFor(origin), props));
    this.entries.set(key, { concern, object, origin, sortKey: sortKeyOf(kind, namespace, name) });
  }

  /** Whether an object of this kind, namespace and name is already rendered into this cluster. */
  public has(type: ApiObjectClass, namespace: string, name: string): boolean {
    return this.entries.has(objectKey(type.GVK.apiVersion, type.GVK.kind, namespace, name));
  }

  /**
   * Whether a layer of this cluster holds objects of a kind (one that needs CRDs the cluster may lack): the
   * layer's kinds are read in one pass, and the returned test asks them.
   */
  public kindsIn(layer: BundleLayer): (type: ApiObjectClass) => boolean {
    const kinds = new Set<string>();
    for (const { object, concern } of this.entries.values()) {
      const { apiVersion, kind } = object as { readonly apiVersion?: string; readonly kind?: string };
      if (CONCERNS[concern].dir === layer) kinds.add(`${apiVersion} ${kind}`);
    }
    return type => kinds.has(`${type.GVK.apiVersion} ${type.GVK.kind}`);
  }

  /**
   * Declares that the cluster's objects live in a namespace, and whether mesh workloads run there (its
   * sidecars need injection) or it only holds configuration (a consumer's entries and routes, which any
   * namespace's sidecars see). istio-system and the `kube-*` namespaces are never rendered here: sidecars
   * there would break the control plane and cluster DNS.
   */
  public useNamespace(namespace: string, use: NamespaceUse): void {
    if (!isSystemNamespace(namespace)) {
      this.namespaces.set(namespace, this.namespaces.get(namespace) === true || use === NamespaceUse.WORKLOADS);
    }
  }

  /** Adds a text file; its path is relative to the cluster's directory. */
  public addFile(file: OutputFile): void {
    this.extraFiles.push({ ...file, path: `${this.cluster.clusterName}/${file.path}` });
  }

  /** Adds a route's section to the cluster's `routes.md`, the routing table reviewers read. */
  public addRouteTable(markdown: string): void {
    this.routeTables.push(markdown);
  }

  /**
   * The metadata of objects rendered from `origin`: the mesh's, the cluster's, then the origin's and its
   * scopes' (MeshMetadata), computed once per origin.
   */
  private metadataFor(origin: IConstruct): MetadataLayer {
    let layer = this.metadataByOrigin.get(origin);
    if (!layer) {
      layer = metadataLayer(this.meshLayer, [this.cluster, origin]);
      this.metadataByOrigin.set(origin, layer);
    }
    return layer;
  }

  /** Emits the bundle: one file per concern, text files, and the kustomization that lists the applied ones. */
  public toFiles(): OutputFile[] {
    this.renderNamespaces();
    this.collectUserObjects();
    const byConcern = new Map<Concern, Entry[]>();
    for (const entry of this.entries.values()) addToGroup(byConcern, entry.concern, entry);
    const files: OutputFile[] = [];
    const kustomized = new Map<string, string[]>(KUSTOMIZED_LAYERS.map(layer => [layer, []]));
    for (const concern of Object.keys(CONCERNS) as Concern[]) {
      const entries = byConcern.get(concern);
      if (!entries) continue;
      const target = CONCERNS[concern];
      entries.sort(byKey(e => e.sortKey));
      files.push({
        root: target.root,
        path: concernPath(this.cluster.clusterName, concern),
        content: entries.map(e => this.emit(e.object)),
        private: target.root === OutputRoot.SECRETS,
      });
      if (target.kustomize) kustomized.set(target.dir, [...kustomized.get(target.dir) ?? [], target.file]);
    }
    for (const [dir, resources] of kustomized) {
      files.push({
        root: OutputRoot.BUNDLES,
        path: `${this.cluster.clusterName}/${dir}/kustomization.yaml`,
        content: [{ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources }],
      });
    }
    if (this.routeTables.length > 0) {
      files.push({
        root: OutputRoot.BUNDLES,
        path: `${this.cluster.clusterName}/routes.md`,
        content: `# Routing in ${this.cluster.clusterName}\n\nFirst matching rule wins. Generated by cdk8s-istio-multicluster.\n\n${[...this.routeTables].sort().join('\n')}`,
      });
    }
    return [...files, ...this.extraFiles];
  }

  /**
   * Objects the user added to the cluster's chart (it is a cdk8s Chart) join the bundle, so nothing in the
   * chart is dropped; one that clashes with a rendered object is an error naming both.
   */
  private collectUserObjects(): void {
    const own = this.cluster.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c) && Chart.of(c) === this.cluster);
    for (const apiObject of own) {
      const name = apiObject.name;
      const namespace = apiObject.metadata.namespace ?? '';
      const key = objectKey(apiObject.apiVersion, apiObject.kind, namespace, name);
      const existing = this.entries.get(key);
      if (existing) {
        const where = namespace ? `${namespace}/${name}` : name;
        throw new MeshConfigError(`[${this.cluster.node.path}] ${apiObject.kind} "${where}" is rendered by ${existing.origin.node.path} and added by you as ${apiObject.node.path}: give yours another name`, CHECKS.nameClash);
      }
      this.entries.set(key, { concern: 'resources', object: apiObject, origin: apiObject, sortKey: sortKeyOf(apiObject.kind, namespace, name) });
    }
  }

  private emit(object: object | ApiObject): object {
    const json = (ApiObject.isApiObject(object) ? object.toJson() : object) as { apiVersion: string };
    // Only networking and security serve v1beta1; telemetry went from v1alpha1 to v1.
    if (this.istioVersion !== IstioApiVersion.V1 && /^(networking|security)\.istio\.io\/v1$/.test(json.apiVersion)) {
      return withApiVersion(json, json.apiVersion.replace(/v1$/, this.istioVersion));
    }
    return json;
  }

  /**
   * The namespaces, as the mesh's namespace management says. Every rendered Namespace is safe to prune: a
   * bundle that stops rendering one never makes Argo CD or Flux delete it, and the workloads in it.
   */
  private renderNamespaces(): void {
    const pruneSafe = (management: NamespaceManagement) => {
      const labelOnly = management === NamespaceManagement.LABEL_ONLY;
      return {
        'argocd.argoproj.io/sync-options': labelOnly ? 'Prune=false,ServerSideApply=true' : 'Prune=false',
        'kustomize.toolkit.fluxcd.io/prune': 'disabled',
        ...(labelOnly ? { 'kustomize.toolkit.fluxcd.io/ssa': 'Merge' } : {}),
      };
    };
    const network = this.cluster.network;
    // When istiod discovers only the mesh's namespaces, each namespace the bundle renders says it is one.
    const discovery = this.mesh.discovery._selective ? DISCOVERY_LABEL : undefined;
    const systemLabels = { ...discovery, ...(network ? { 'topology.istio.io/network': network } : {}) };
    this.add('control-plane-namespace', this.cluster, k8s.KubeNamespace, {
      metadata: { name: ISTIO_SYSTEM, labels: Object.keys(systemLabels).length > 0 ? systemLabels : undefined, annotations: pruneSafe(this.mesh.namespaceManagement) },
    });
    const enrollment = enrollmentLabels(this.mesh);
    for (const [namespace, workloads] of [...this.namespaces].sort(byEntryKey)) {
      const management = this.mesh.namespaceManagementOf(namespace);
      if (management === NamespaceManagement.NONE) {
        // Nothing enrolls a namespace without mesh workloads: istiod would ignore it unless it is labelled.
        if (discovery && !workloads) this.undiscoveredNamespaces.push(namespace);
        continue;
      }
      // A namespace that only holds a consumer's config needs no injection, and label-only has nothing to say
      // there unless istiod must be told to discover it.
      if (!workloads && management === NamespaceManagement.LABEL_ONLY && !discovery) continue;
      const labels = workloads ? { ...enrollment, ...discovery } : discovery;
      this.add('namespaces', this.cluster, k8s.KubeNamespace, {
        metadata: { name: namespace, labels: labels && { ...labels }, annotations: pruneSafe(management) },
      });
    }
  }

}

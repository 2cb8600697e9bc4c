import { CHECKS } from '../validation/findings';
import { ApiObject, ApiObjectMetadata, Chart, GroupVersionKind } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { IstioApiVersion, Mesh, NamespaceManagement } from '../mesh';
import { MeshCluster } from '../mesh-cluster';
import { MeshTopology } from '../topology';
import { ResolvedPort } from '../service-port';
import { metadataLayer, MetadataLayer } from '../mesh-metadata';
import { MeshConfigError } from '../validation/errors';
import { isKubeSystemNamespace } from '../validation/names';
import { OutputFile, OutputRoot } from '../write/output-file';
import { byEntryKey, byKey, inKeyOrder, sortInPlace } from '../order';

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

/**
 * A generated cdk8s class: a static GVK, a (scope, id, props) constructor for its props' type, and the static
 * `manifest(props)` that renders those props as cdk8s would, without a construct.
 */
export interface ApiObjectClass {
  readonly GVK: GroupVersionKind;
  new (scope: Construct, id: string, props: never): ApiObject;
  manifest(props: never): object;
}

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

/**
 * A props object as cdk8s hands it to a generated class: keys sorted, undefined and null dropped (what
 * cdk8s's own sanitizer does), so that `manifest()` writes exactly what an ApiObject would. `into` receives
 * the top level after the keys it already has (a manifest's apiVersion and kind), saving a copy.
 */
export function sanitized(value: unknown, renames?: { readonly [key: string]: string }, into?: Record<string, unknown>): unknown {
  if (Array.isArray(value)) {
    copiedBytes += 1 + Math.max(value.length, 1);
    return value.map(item => sanitized(item, renames));
  }
  if (countedScalar(value)) return value;
  const out: Record<string, unknown> = into ?? {};
  const keys = Object.keys(value as object);
  sortInPlace(keys);
  let kept = 0;
  for (const key of keys) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined && item !== null) {
      const name = renames && Object.hasOwn(renames, key) ? renames[key] : key;
      copiedBytes += name.length + 3;
      out[name] = sanitized(item, renames);
      kept++;
    }
  }
  copiedBytes += 1 + Math.max(kept, 1);
  return out;
}

/** Counts a scalar's size as JSON; false for an object or array, which the caller walks. */
function countedScalar(value: unknown): boolean {
  if (typeof value === 'string') {
    copiedBytes += value.length + 2;
    return true;
  }
  if (typeof value !== 'object' || value === null) {
    copiedBytes += String(value).length;
    return true;
  }
  return false;
}

/**
 * Whether a value already writes what `sanitized` makes of it (plain objects, keys in order, no null
 * member, no key to rename; undefined members are skipped, as JSON and YAML writers skip them), counting
 * its JSON size as `sanitized` does. Renderers of the objects a mesh has thousands of write them so, and
 * skip the copy: it was a tenth of a large mesh's synth.
 */
function isCanonical(value: unknown, renames?: { readonly [key: string]: string }, memoizeMembers = false): boolean {
  if (Array.isArray(value)) {
    copiedBytes += 1 + Math.max(value.length, 1);
    for (const item of value) {
      if (!isCanonical(item, renames)) return false;
    }
    return true;
  }
  if (countedScalar(value)) return true;
  if (Object.getPrototypeOf(value as object) !== Object.prototype) return false;
  let previous = '';
  let kept = 0;
  for (const key in value as object) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined) continue;
    if (item === null || key < previous || (renames && Object.hasOwn(renames, key))) return false;
    previous = key;
    copiedBytes += key.length + 3;
    // Metadata is made per object (withMetadata): only the other members can be shared.
    if (!(memoizeMembers && key !== 'metadata' ? isCanonicalMember(item, renames) : isCanonical(item, renames))) return false;
    kept++;
  }
  copiedBytes += 1 + Math.max(kept, 1);
  return true;
}

/**
 * `isCanonical` of a manifest's member, remembered by identity (its JSON size, or -1): renderers share one
 * spec among the objects of many clusters, and walking it again for each was most of what adding cost.
 */
const canonicalMembers = new WeakMap<object, number>();
function isCanonicalMember(value: unknown, renames?: { readonly [key: string]: string }): boolean {
  if (typeof value !== 'object' || value === null) return isCanonical(value, renames);
  const known = canonicalMembers.get(value);
  if (known !== undefined) {
    if (known >= 0) copiedBytes += known;
    return known >= 0;
  }
  const before = copiedBytes;
  const canonical = isCanonical(value, renames);
  canonicalMembers.set(value, canonical ? copiedBytes - before : -1);
  return canonical;
}

/**
 * A rendered object without its undefined members (see `isCanonical`), for writers that would print them
 * as null (cdk8s's YAML): the object itself when it has none, else a copy of the parts that do.
 */
export function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = withoutUndefined(value[i]);
      if (item !== value[i]) (copy ??= [...value])[i] = item;
    }
    return (copy ?? value) as T;
  }
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    const kept = item === undefined ? item : withoutUndefined(item);
    if (item === undefined || kept !== item) {
      copy ??= { ...(value as Record<string, unknown>) };
      if (item === undefined) delete copy[key];
      else copy[key] = kept;
    }
  }
  return (copy ?? value) as T;
}

/**
 * The size as compact JSON of what `sanitized` copies, counted while it copies (the budgets report needs
 * every object's size, and a second walk of tens of thousands of objects costs as much as the copy).
 */
let copiedBytes = 0;

/** The JSON size of rendered Istio objects, counted as they were made: see `jsonBytes`. */
const renderedBytes = new WeakMap<object, number>();

/**
 * The length of an object as compact JSON (exact for ASCII without escapes, which is what the library
 * renders): remembered for the Istio objects a bundle renders, counted for anything else.
 */
export function jsonBytes(value: unknown): number {
  const known = typeof value === 'object' && value !== null ? renderedBytes.get(value) : undefined;
  if (known !== undefined) return known;
  copiedBytes = 0;
  sanitized(value);
  return copiedBytes;
}

/**
 * The generated Istio classes' `toJson_*` functions copy props key by key (in the same sorted order) and
 * rename only these; doing it in one pass saves most of the render time of a large mesh. A test holds the
 * result equal to `manifest()`, key order included.
 */
const ISTIO_JSON_RENAMES: { readonly [tsName: string]: string } = { consecutive5XxErrors: 'consecutive5xxErrors', mirrorPercent: 'mirror_percent' };
const ISTIO_API = /^[a-z]+\.istio\.io\//;

/** The manifest of a rendered object: what `type.manifest(props)` returns, for Istio kinds without its copying. */
export function manifestOf(type: ApiObjectClass, props: object): object {
  if (!ISTIO_API.test(type.GVK.apiVersion)) return type.manifest(sanitized(props) as never);
  const { apiVersion, kind } = type.GVK;
  // `"apiVersion":"...","kind":"...",` ahead of what the props count.
  const header = apiVersion.length + kind.length + 26;
  copiedBytes = header;
  let manifest: object;
  if (isCanonical(props, ISTIO_JSON_RENAMES, true)) {
    manifest = { apiVersion, kind, ...props };
  } else {
    copiedBytes = header; // counted again by the copy
    manifest = sanitized(props, ISTIO_JSON_RENAMES, { apiVersion, kind }) as object;
  }
  renderedBytes.set(manifest, copiedBytes);
  return manifest;
}

/** The labels and annotations of the mesh's props, in key order (see `isCanonical`). */
const propsLayer = (mesh: Mesh): MetadataLayer => ({ labels: inKeyOrder(mesh.labels), annotations: inKeyOrder(mesh.annotations) });

/** The mesh's labels and annotations, and those added to it with MeshMetadata. */
export function meshMetadata(mesh: Mesh): MetadataLayer {
  return metadataLayer(propsLayer(mesh), [mesh]);
}

/**
 * Metadata under the object's own labels and annotations, which win (selectors depend on them), with
 * its keys in order (see `isCanonical`); the layer's own objects where nothing is merged into them.
 */
export function withMetadata<P extends { readonly metadata: RenderedMetadata }>(layer: MetadataLayer, props: P): P {
  const { labels, annotations, name, namespace } = props.metadata;
  const merged = {
    annotations: annotations ? inKeyOrder({ ...layer.annotations, ...annotations }) : Object.keys(layer.annotations).length > 0 ? layer.annotations : undefined,
    labels: labels ? inKeyOrder({ ...layer.labels, ...labels }) : layer.labels,
  };
  if (!hasOnlyKeys(props.metadata, COMMON_METADATA)) return { ...props, metadata: inKeyOrder({ ...props.metadata, ...merged }) };
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
  /** `.global` hosts this cluster knows, with their VIPs: what a static DNS zone answers. */
  public readonly globalHosts = new Map<string, string>();

  public constructor(public readonly cluster: MeshCluster, public readonly mesh: Mesh) {
    this.istioVersion = mesh.apiVersion;
    this.meshLayer = propsLayer(mesh);
    cluster._namespaces.forEach(ns => this.useNamespace(ns, NamespaceUse.WORKLOADS));
  }

  /**
   * Renders one object into this cluster. Two objects of the same kind, namespace and name are an error
   * naming both origins, never a silent overwrite. Props already in canonical form (see `isCanonical`) are
   * kept as given, and may be shared with other objects: never change them after adding them.
   */
  public add<C extends ApiObjectClass>(
    concern: Concern, origin: IConstruct, type: C, props: ConstructorParameters<C>[2] & { readonly metadata: RenderedMetadata },
  ): void {
    const { name, namespace = '' } = (props as { readonly metadata: RenderedMetadata }).metadata;
    const key = objectKey(type.GVK.apiVersion, type.GVK.kind, namespace, name);
    const existing = this.entries.get(key);
    if (existing) {
      const where = namespace ? `${namespace}/${name}` : name;
      throw new MeshConfigError(`[${this.cluster.node.path}] ${type.GVK.kind} "${where}" is rendered twice, by ${existing.origin.node.path} and by ${origin.node.path}: give one of them another name`, CHECKS.nameClash);
    }
    // A plain manifest, not an ApiObject construct: a mesh renders tens of thousands of objects, and the
    // cluster chart hands them to cdk8s through its toJson().
    const object = manifestOf(type, withMetadata(this.metadataFor(origin), props));
    this.entries.set(key, { concern, object, origin, sortKey: sortKeyOf(type.GVK.kind, namespace, name) });
  }

  /** Whether an object of this kind, namespace and name is already rendered into this cluster. */
  public has(type: ApiObjectClass, namespace: string, name: string): boolean {
    return this.entries.has(objectKey(type.GVK.apiVersion, type.GVK.kind, namespace, name));
  }

  /**
   * Declares that the cluster's objects live in a namespace, and whether mesh workloads run there (its
   * sidecars need injection) or it only holds configuration (a consumer's entries and routes, which any
   * namespace's sidecars see). istio-system and the `kube-*` namespaces are never rendered here: sidecars
   * there would break the control plane and cluster DNS.
   */
  public useNamespace(namespace: string, use: NamespaceUse): void {
    if (namespace !== ISTIO_SYSTEM && !isKubeSystemNamespace(namespace)) {
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
    for (const entry of this.entries.values()) {
      const list = byConcern.get(entry.concern);
      if (list) list.push(entry);
      else byConcern.set(entry.concern, [entry]);
    }
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
      const older = { ...json, apiVersion: json.apiVersion.replace(/v1$/, this.istioVersion) };
      const bytes = renderedBytes.get(json);
      if (bytes !== undefined) renderedBytes.set(older, bytes + this.istioVersion.length - 2);
      return older;
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
    this.add('control-plane-namespace', this.cluster, k8s.KubeNamespace, {
      metadata: { name: ISTIO_SYSTEM, labels: network ? { 'topology.istio.io/network': network } : undefined, annotations: pruneSafe(this.mesh.namespaceManagement) },
    });
    // Ambient workloads join through ztunnel, not injection: the namespace opts into the ambient data plane.
    const injection: { [key: string]: string } = this.mesh.topology === MeshTopology.AMBIENT
      ? { 'istio.io/dataplane-mode': 'ambient', ...(this.mesh.injectionRevision ? { 'istio.io/rev': this.mesh.injectionRevision } : {}) }
      : this.mesh.injectionRevision ? { 'istio.io/rev': this.mesh.injectionRevision } : { 'istio-injection': 'enabled' };
    for (const [namespace, workloads] of [...this.namespaces].sort(byEntryKey)) {
      const management = this.mesh.namespaceManagementOf(namespace);
      // A namespace that only holds a consumer's config needs no injection, and label-only has nothing to say there.
      if (management === NamespaceManagement.NONE || (!workloads && management === NamespaceManagement.LABEL_ONLY)) continue;
      this.add('namespaces', this.cluster, k8s.KubeNamespace, {
        metadata: { name: namespace, labels: workloads ? injection : undefined, annotations: pruneSafe(management) },
      });
    }
  }

}

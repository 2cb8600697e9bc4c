import { MeshCluster } from '../mesh-cluster';
import { CHECKS, Finding, finding } from '../validation/findings';
import { MeshConfigError } from '../validation/errors';
import { ManifestObject, manifestRef, manifestsOf, OutputFile, OutputRoot } from '../write/output-file';
import { jsonBytes } from './manifest';
import { RenderedExpectedState } from './expected-state';

/** The budgets report beside the bundles: what each cluster's proxies and API server are given. */
export const BUDGETS_FILE = 'budgets.json';

/**
 * The thresholds, each with where it comes from. Above `visibleHosts`, sidecar startup and memory degrade
 * sharply (istio/istio#51160: about 2,000 ServiceEntries made startup take minutes). Every filter chain is
 * part of the gateway's one 15443 listener, which istiod pushes whole on each change. `kubectl apply`
 * (client side) keeps the object in an annotation, and annotations are capped at 256 KiB in total; etcd
 * refuses requests over 1.5 MiB (its default `--max-request-bytes`). ServiceEntry lists are capped by
 * Istio's CRD schema.
 */
export const BUDGETS = {
  visibleHosts: 1000,
  gatewayFilterChains: 10000,
  clientSideApplyBytes: 256 * 1024,
  etcdObjectBytes: 1.5 * 1024 * 1024,
  serviceEntryLists: { hosts: 256, addresses: 256, ports: 256, endpoints: 4096 },
} as const;

/** What one cluster is given, counted from its rendered bundle and its expected state. */
export interface ClusterBudget {
  readonly cluster: string;
  /** Distinct `.global` hosts the sidecars of each client scope see (`*`: namespaces without a scope). */
  readonly visibleHosts: { readonly [scope: string]: number };
  readonly gatewayFilterChains: number;
  readonly objects: number;
  /** The objects' size as compact JSON, which is about what the API server stores. */
  readonly bytes: number;
  readonly largestObject?: { readonly object: string; readonly bytes: number };
  readonly maxServiceEntryEndpoints: number;
}

const SERVICE_ENTRY_LISTS = Object.keys(BUDGETS.serviceEntryLists) as ReadonlyArray<keyof typeof BUDGETS.serviceEntryLists>;

/**
 * Whether any of a ServiceEntry's lists is over Istio's cap. Each list is read by its name, as this runs for
 * every entry of the mesh (a test of every cap in BUDGETS keeps the list complete).
 */
function overCaps(spec: { readonly [list: string]: unknown[] | undefined } | undefined): boolean {
  const caps = BUDGETS.serviceEntryLists;
  return (spec?.hosts?.length ?? 0) > caps.hosts || (spec?.addresses?.length ?? 0) > caps.addresses
    || (spec?.ports?.length ?? 0) > caps.ports || (spec?.endpoints?.length ?? 0) > caps.endpoints;
}

/**
 * Counts one cluster's budget; beside it, the problems over a hard limit (errors) and the objects too large
 * for client-side apply (warnings).
 */
function countCluster(cluster: MeshCluster, files: readonly OutputFile[], state: RenderedExpectedState): { budget: ClusterBudget; overLimit: string[]; large: Finding[] } {
  const objects = manifestsOf(files);
  const overLimit: string[] = [];
  const large: Finding[] = [];
  let bytes = 0;
  let largest: { readonly object: ManifestObject; readonly bytes: number } | undefined;
  let maxEndpoints = 0;
  for (const object of objects) {
    // Counted while rendering (see jsonBytes); over the lower threshold, worth measuring exactly.
    const estimate = jsonBytes(object);
    const size = estimate > BUDGETS.clientSideApplyBytes ? Buffer.byteLength(JSON.stringify(object)) : estimate;
    bytes += size;
    if (!largest || size > largest.bytes) largest = { object, bytes: size };
    if (size > BUDGETS.etcdObjectBytes) {
      overLimit.push(`[${cluster.node.path}] ${manifestRef(object)} is ${size} bytes, over etcd's ${BUDGETS.etcdObjectBytes}-byte request limit (--max-request-bytes): the API server refuses it; split what it holds`);
    } else if (size > BUDGETS.clientSideApplyBytes) {
      large.push(finding(CHECKS.largeObject, `[${cluster.node.path}] ${manifestRef(object)} is ${size} bytes: \`kubectl apply\` (client side) keeps a copy in an annotation, and annotations are capped at ${BUDGETS.clientSideApplyBytes} bytes; apply with --server-side (Argo CD: ServerSideApply=true)`));
    }
    if (object.kind === 'ServiceEntry') {
      maxEndpoints = Math.max(maxEndpoints, object.spec?.endpoints?.length ?? 0);
      if (!overCaps(object.spec)) continue;
      for (const list of SERVICE_ENTRY_LISTS) {
        const cap = BUDGETS.serviceEntryLists[list];
        const length = object.spec?.[list]?.length ?? 0;
        if (length > cap) overLimit.push(`[${cluster.node.path}] ${manifestRef(object)} has ${length} ${list}, over the ${cap} that Istio's CRD allows: the API server refuses it; split it into several entries`);
      }
    }
  }
  const budget: ClusterBudget = {
    cluster: cluster.clusterName,
    visibleHosts: state.visibleHosts,
    gatewayFilterChains: state.gatewayFilterChains,
    objects: objects.length,
    bytes,
    largestObject: largest && { object: manifestRef(largest.object), bytes: largest.bytes },
    maxServiceEntryEndpoints: maxEndpoints,
  };
  return { budget, overLimit, large };
}

/** The warnings of one cluster's budget: each names the threshold and where it comes from. */
function budgetWarnings(cluster: MeshCluster, budget: ClusterBudget): Finding[] {
  const scoped = Object.keys(budget.visibleHosts).filter(s => s !== '*');
  const unscoped = budget.visibleHosts['*'] ?? 0;
  return [
    ...(unscoped > BUDGETS.visibleHosts ? [finding(CHECKS.visibleHosts,
      `[${cluster.node.path}] every sidecar of ${cluster.clusterName}${scoped.length ? ` outside ${scoped.join(', ')}` : ''} sees ${unscoped} .global ServiceEntries, over the budget of ${BUDGETS.visibleHosts}: above it sidecar startup and memory grow sharply (istio/istio#51160); give services explicit consumers, or scope namespaces with ClientNamespace (Istio Sidecar egress hosts)`)] : []),
    ...(budget.gatewayFilterChains > BUDGETS.gatewayFilterChains ? [finding(CHECKS.gatewayFilterChains,
      `[${cluster.node.path}] the cross-cluster gateway of ${cluster.clusterName} holds ${budget.gatewayFilterChains} SNI filter chains, over the budget of ${BUDGETS.gatewayFilterChains}: they form one listener, which istiod pushes whole on every change; serve fewer hosts or subsets from this cluster, or prune uncalled services (pruneUncalledServices)`)] : []),
  ];
}

/**
 * Counts every cluster's budget, refuses what the API server would refuse (an error naming the object and
 * the limit), and returns `budgets.json` with the warnings.
 */
export function renderBudgets(clusterFiles: ReadonlyMap<MeshCluster, readonly OutputFile[]>, states: ReadonlyMap<MeshCluster, RenderedExpectedState>, owner: string): { file: OutputFile; warnings: Finding[] } {
  const counted = [...clusterFiles].map(([cluster, files]) => ({ cluster, ...countCluster(cluster, files, states.get(cluster)!) }));
  const overLimit = counted.flatMap(c => c.overLimit);
  if (overLimit.length > 0) {
    throw new MeshConfigError(`[${owner}] the rendered bundles exceed what Kubernetes accepts; nothing was written:\n  ${overLimit.map(p => `${p} [${CHECKS.overLimit.code}]`).join('\n  ')}`);
  }
  return {
    file: { root: OutputRoot.BUNDLES, path: BUDGETS_FILE, content: `${JSON.stringify({ budgets: BUDGETS, clusters: counted.map(c => c.budget) }, null, 2)}\n` },
    warnings: counted.flatMap(c => [...budgetWarnings(c.cluster, c.budget), ...c.large]),
  };
}

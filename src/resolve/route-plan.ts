import { CHECKS } from '../validation/findings';
import type { ServiceVersion } from '../global-service';
import type { MeshCluster } from '../mesh-cluster';
import type { RequestMatch, ResolvedRule, StringMatch, VersionedRoute } from '../versioned-route';
import { MeshConfigError } from '../validation/errors';
import { isDnsLabel } from '../validation/names';
import { sortedEntries } from '../order';

/** One destination of a rule, as seen from a client cluster. */
export interface Hop {
  readonly version: ServiceVersion;
  /** The cluster the traffic lands in. */
  readonly cluster: MeshCluster;
  /** True when the hop stays in the client's cluster (local host), false when it crosses (`.global` host). */
  readonly local: boolean;
  /** The subset name; the same on both ends of a cross-cluster hop. */
  readonly subset: string;
  readonly weight: number;
}

export interface PlannedRule {
  readonly rule: ResolvedRule;
  /** The rule's condition as the routing table writes it, e.g. `end-user=jason`. */
  readonly condition: string;
  readonly hops: readonly Hop[];
}

export interface ClientPlan {
  readonly client: MeshCluster;
  readonly rules: readonly PlannedRule[];
}

/** Where a route sends each client's traffic, and the subsets each cluster needs for it. */
export interface RoutePlan {
  readonly clients: readonly ClientPlan[];
  /** Per serving cluster: subsets of the `.global` host reached from other clusters, by name -> pod labels. */
  readonly servingSubsets: ReadonlyMap<MeshCluster, ReadonlyMap<string, { readonly [label: string]: string }>>;
  /** Per client cluster: subsets of the `.global` host it sends to, by name -> serving cluster. */
  readonly consumerSubsets: ReadonlyMap<MeshCluster, ReadonlyMap<string, MeshCluster>>;
}

/** Splits `weight` over `n` destinations in whole percents, the remainder to the first ones. */
export function split(weight: number, n: number): number[] {
  const base = Math.floor(weight / n);
  return Array.from({ length: n }, (_, i) => base + (i < weight - base * n ? 1 : 0));
}

/** The hops of one weighted version from a client: local first, unless the route spreads. */
function hopsOf(version: ServiceVersion, weight: number, client: MeshCluster, spread: boolean): Hop[] {
  const runsHere = version.clusters.includes(client);
  const targets = spread ? version.clusters : [runsHere ? client : version.clusters[0]];
  const weights = split(weight, targets.length);
  return targets.map((cluster, i) => {
    const local = cluster === client;
    return { version, cluster, local, weight: weights[i], subset: local || !spread ? version.name : `${version.name}-${cluster.clusterName}` };
  });
}

const describeString = (m: StringMatch, name: string) =>
  (m.exact !== undefined ? `${name}=${m.exact}` : m.prefix !== undefined ? `${name}^=${m.prefix}` : `${name}~=${m.regex}`);

/** A match as the routing table writes it: `end-user=jason and uri^=/api`. */
export function describeMatch(m: RequestMatch): string {
  const parts = [
    ...sortedEntries(m.headers ?? {}).map(([k, v]) => describeString(v, k)),
    ...(m.uri ? [describeString(m.uri, 'uri')] : []),
    ...(m.method ? [`method=${m.method}`] : []),
    ...sortedEntries(m.queryParams ?? {}).map(([k, v]) => describeString(v, `?${k}`)),
    ...sortedEntries(m.sourceLabels ?? {}).map(([k, v]) => `from ${k}=${v}`),
  ];
  return parts.length === 0 ? 'any request' : parts.join(' and ');
}

/** A hop's share as the routing table writes it: `v2@cluster2 70%`. */
export const describeHop = (h: Hop) => `${h.version.name}@${h.cluster.clusterName} ${h.weight}%`;

/**
 * The routing table of a plan, one line per client cluster:
 * `cluster1: end-user=jason -> v2@cluster2 70%, v3@cluster2 30%; otherwise -> v1@cluster1 100%`.
 */
export function describePlan(plan: RoutePlan): string {
  return plan.clients.map(client => `${client.client.clusterName}: ${client.rules
    .map(rule => `${rule.condition} -> ${rule.hops.map(describeHop).join(', ')}`)
    .join('; ')}`).join('\n');
}

/**
 * Throws unless every subset name a route renders stands for one version in one cluster and is a DNS label
 * (Istio's rule for subset names). Spread names `<version>-<cluster>` can collide: `v2-canary` in `east`
 * and `v2` in `canary-east` are both `v2-canary-east`, and clients would silently reach the wrong pods.
 */
export function checkSubsetNames(route: VersionedRoute, clients: readonly ClientPlan[]): void {
  const meaning = new Map<string, string>();
  for (const hop of clients.flatMap(c => c.rules.flatMap(r => r.hops))) {
    const target = hop.subset === hop.version.name ? `version ${hop.version.name}` : `version ${hop.version.name} in ${hop.cluster.clusterName}`;
    const other = meaning.get(hop.subset);
    if (other !== undefined && other !== target) {
      throw new MeshConfigError(`[${route.node.path}] subset name "${hop.subset}" stands for both ${other} and ${target} (spread subsets are named <version>-<cluster>): rename a version or a cluster so that the names differ`, CHECKS.invalidProperty);
    }
    meaning.set(hop.subset, target);
    if (!isDnsLabel(hop.subset)) {
      throw new MeshConfigError(`[${route.node.path}] subset name "${hop.subset}" for ${target} is longer than 63 characters, which Istio rejects: shorten the version or cluster name`, CHECKS.invalidProperty);
    }
  }
}

/** Plans a route for each of its client clusters. */
export function planRoute(route: VersionedRoute): RoutePlan {
  const servingSubsets = new Map<MeshCluster, Map<string, { readonly [label: string]: string }>>();
  const consumerSubsets = new Map<MeshCluster, Map<string, MeshCluster>>();
  const clients = route.clients.map(client => ({
    client,
    rules: route.rules.map(rule => {
      const hops = rule.to.flatMap(t => hopsOf(t.version, t.weight ?? 100, client, route.spread));
      for (const hop of hops.filter(h => !h.local)) {
        if (!servingSubsets.has(hop.cluster)) servingSubsets.set(hop.cluster, new Map());
        servingSubsets.get(hop.cluster)!.set(hop.subset, hop.version.labels);
        if (!consumerSubsets.has(client)) consumerSubsets.set(client, new Map());
        consumerSubsets.get(client)!.set(hop.subset, hop.cluster);
      }
      return { rule, hops, condition: rule.isDefault ? 'otherwise' : rule.match.map(describeMatch).join(' or ') };
    }),
  }));
  checkSubsetNames(route, clients);
  return { clients, servingSubsets, consumerSubsets };
}

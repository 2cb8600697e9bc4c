import { DestinationRule, VirtualService, VirtualServiceSpecHttp, VirtualServiceSpecHttpMatch } from '../../imports/networking.istio.io';
import { byEntryKey, inKeyOrder, sortedEntries } from '../order';
import { ClientPlan, describeHop, Hop, RoutePlan } from '../resolve/route-plan';
import { RequestMatch, StringMatch, VersionedRoute } from '../versioned-route';
import { ClusterBundle, NamespaceUse, suppressAnalysis } from './cluster-bundle';
import { istioDuration, renderTrafficPolicy } from './traffic-policy';

/** The label istiod puts on every endpoint: the cluster it runs in. */
export const CLUSTER_LABEL = 'topology.istio.io/cluster';

/** DestinationRule subsets from name -> labels, sorted by name. */
export const sortedSubsets = (subsets: Iterable<[string, { readonly [label: string]: string }]>) =>
  [...subsets].sort(byEntryKey).map(([name, labels]) => ({ labels: inKeyOrder(labels), name }));

/**
 * A client's VirtualService rules for a route, in match order; `hostOf` names the host each hop goes to,
 * which is what the topologies disagree on. Keys are written in order, so that the bundle keeps the rules
 * as they are instead of copying them (see `manifestOf`).
 */
export function renderHttpRoutes(route: VersionedRoute, client: ClientPlan, hostOf: (hop: Hop) => string): VirtualServiceSpecHttp[] {
  // Every match names the routed port, so the route never captures the service's other ports (or ports
  // of the Kubernetes Service that the mesh description does not list); the destination names it too.
  const port = route.port.number;
  return client.rules.map(({ rule, hops }) => ({
    fault: rule.fault && {
      abort: rule.fault.abort && { httpStatus: rule.fault.abort.httpStatus, percentage: { value: rule.fault.abort.percent } },
      delay: rule.fault.delay && { fixedDelay: istioDuration(rule.fault.delay.fixedDelay), percentage: { value: rule.fault.delay.percent } },
    },
    match: rule.isDefault ? [{ port }] : rule.match.map(m => renderMatch(m, port)),
    name: rule.name,
    retries: rule.retries && {
      attempts: rule.retries.attempts,
      perTryTimeout: rule.retries.perTryTimeout && istioDuration(rule.retries.perTryTimeout),
      retryOn: rule.retries.retryOn,
    },
    route: hops.map(hop => ({
      destination: { host: hostOf(hop), port: { number: port }, subset: hop.subset },
      weight: hops.length > 1 ? hop.weight : undefined,
    })),
    timeout: rule.timeout && istioDuration(rule.timeout),
  }));
}

const stringMatch = (m: StringMatch) => ({ exact: m.exact, prefix: m.prefix, regex: m.regex });
const stringMatches = (record?: { readonly [name: string]: StringMatch }) =>
  record && Object.fromEntries(sortedEntries(record).map(([k, v]) => [k, stringMatch(v)]));

/** A request match on the routed port, keys in order. */
function renderMatch(m: RequestMatch, port: number): VirtualServiceSpecHttpMatch {
  return {
    headers: stringMatches(m.headers),
    method: m.method && { exact: m.method },
    port,
    queryParams: stringMatches(m.queryParams),
    sourceLabels: m.sourceLabels && inKeyOrder(m.sourceLabels),
    uri: m.uri && stringMatch(m.uri),
  };
}

/** The route's section of a cluster's routes.md: one row per rule, in match order. */
export function routeTable(route: VersionedRoute, client: ClientPlan, plan: RoutePlan): string {
  const rows = client.rules.map(r => `| ${r.rule.name} | ${r.condition} | ${r.hops.map(describeHop).join(', ')} |`);
  const crossing = plan.consumerSubsets.get(client.client);
  return [
    `## ${route.service.meshHost} (${route.node.path})`,
    '',
    '| rule | when | to |',
    '| --- | --- | --- |',
    ...rows,
    '',
    crossing ? `Cross-cluster subsets: ${[...crossing].sort(byEntryKey).map(([s, c]) => `${s} -> ${c.clusterName}`).join(', ')}.` : 'All traffic stays in this cluster.',
    '',
  ].join('\n');
}

/**
 * Renders a client's route on the service's cluster.local name, as the topologies without `.global` names
 * do: a DestinationRule whose subsets pick a version's pods by their labels and by the cluster they run in
 * (`topology.istio.io/cluster`), and the VirtualService that weighs them.
 */
export function renderClusterPinnedRoute(bundle: ClusterBundle, route: VersionedRoute, client: ClientPlan): void {
  const { service } = route;
  const namespace = service.namespace;
  bundle.useNamespace(namespace, NamespaceUse.CONFIG);
  const subsets = new Map<string, { readonly [label: string]: string }>();
  for (const hop of client.rules.flatMap(r => r.hops)) subsets.set(hop.subset, { ...hop.version.labels, [CLUSTER_LABEL]: hop.cluster.clusterName });
  bundle.add('routing', route, DestinationRule, {
    // IST0173 matches subset labels against pod labels; topology.istio.io/cluster is an endpoint label
    // that istiod adds, which no pod carries.
    metadata: { name: service.serviceName, namespace, annotations: suppressAnalysis('IST0173') },
    spec: { host: service.localHost, subsets: sortedSubsets(subsets), trafficPolicy: renderTrafficPolicy(route.trafficPolicy) },
  });
  bundle.add('routing', route, VirtualService, {
    metadata: { name: service.serviceName, namespace },
    spec: { hosts: [service.localHost], http: renderHttpRoutes(route, client, () => service.localHost) },
  });
}

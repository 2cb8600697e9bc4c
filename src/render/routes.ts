import { VirtualServiceSpecHttp, VirtualServiceSpecHttpMatch } from '../../imports/networking.istio.io';
import { byEntryKey } from '../order';
import { ClientPlan, describeHop, Hop, RoutePlan } from '../resolve/route-plan';
import { RequestMatch, StringMatch, VersionedRoute } from '../versioned-route';
import { istioDuration } from './traffic-policy';

/** DestinationRule subsets from name -> labels, sorted by name. */
export const sortedSubsets = (subsets: Iterable<[string, { readonly [label: string]: string }]>) =>
  [...subsets].sort(byEntryKey).map(([name, labels]) => ({ name, labels: { ...labels } }));

/**
 * A client's VirtualService rules for a route, in match order; `hostOf` names the host each hop goes to,
 * which is what the topologies disagree on.
 */
export function renderHttpRoutes(route: VersionedRoute, client: ClientPlan, hostOf: (hop: Hop) => string): VirtualServiceSpecHttp[] {
  // Every match names the routed port, so the route never captures the service's other ports (or ports
  // of the Kubernetes Service that the mesh description does not list); the destination names it too.
  const port = route.port.number;
  return client.rules.map(({ rule, hops }) => ({
    name: rule.isDefault ? 'default' : rule.name,
    match: rule.isDefault ? [{ port }] : rule.match.map(m => ({ ...renderMatch(m), port })),
    route: hops.map(hop => ({
      destination: { host: hostOf(hop), subset: hop.subset, port: { number: port } },
      weight: hops.length > 1 ? hop.weight : undefined,
    })),
    timeout: rule.timeout && istioDuration(rule.timeout),
    retries: rule.retries && {
      attempts: rule.retries.attempts,
      perTryTimeout: rule.retries.perTryTimeout && istioDuration(rule.retries.perTryTimeout),
      retryOn: rule.retries.retryOn,
    },
    fault: rule.fault && {
      delay: rule.fault.delay && { fixedDelay: istioDuration(rule.fault.delay.fixedDelay), percentage: { value: rule.fault.delay.percent } },
      abort: rule.fault.abort && { httpStatus: rule.fault.abort.httpStatus, percentage: { value: rule.fault.abort.percent } },
    },
  }));
}

const stringMatch = (m: StringMatch) => ({ exact: m.exact, prefix: m.prefix, regex: m.regex });
const stringMatches = (record?: { readonly [name: string]: StringMatch }) =>
  record && Object.fromEntries(Object.entries(record).map(([k, v]) => [k, stringMatch(v)]));

function renderMatch(m: RequestMatch): VirtualServiceSpecHttpMatch {
  return {
    headers: stringMatches(m.headers),
    uri: m.uri && stringMatch(m.uri),
    method: m.method && { exact: m.method },
    queryParams: stringMatches(m.queryParams),
    sourceLabels: m.sourceLabels && { ...m.sourceLabels },
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

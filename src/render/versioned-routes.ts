import { DestinationRule, VirtualService, VirtualServiceSpecHttp, VirtualServiceSpecHttpMatch } from '../../imports/networking.istio.io';
import { MeshCluster } from '../mesh-cluster';
import { ClientPlan, describeHop, RoutePlan } from '../resolve/route-plan';
import { RequestMatch, StringMatch, VersionedRoute } from '../versioned-route';
import { ClusterBundle, NamespaceUse, suppressAnalysis } from './cluster-bundle';
import { istioDuration, renderTrafficPolicy } from './traffic-policy';
import { byEntryKey } from '../order';

const sortedSubsets = (subsets: Iterable<[string, { readonly [label: string]: string }]>) =>
  [...subsets].sort(byEntryKey).map(([name, labels]) => ({ name, labels: { ...labels } }));

/**
 * Renders a route into every cluster it touches:
 * - where versions run: the local DestinationRule with a subset per local version;
 * - in each client: the `.global` DestinationRule whose subsets pick serving clusters by the
 *   ServiceEntry endpoint label `cluster`, and the VirtualService over both hosts;
 * - in each serving cluster reached across: the `.global` DestinationRule with the same subset names,
 *   picking pods by version labels, so its gateway can route the subset's SNI name.
 */
export function renderVersionedRoute(route: VersionedRoute, plan: RoutePlan, bundleOf: (cluster: MeshCluster) => ClusterBundle): void {
  const { service } = route;
  const policy = renderTrafficPolicy(route.trafficPolicy);
  const namespace = service.namespace;

  const versionClusters = [...new Set(service.versions.flatMap(v => v.clusters))];
  for (const cluster of versionClusters) {
    const bundle = bundleOf(cluster);
    bundle.useNamespace(namespace, NamespaceUse.WORKLOADS);
    bundle.add('routing', route, DestinationRule, {
      metadata: { name: service.serviceName, namespace },
      spec: {
        host: service.localHost,
        trafficPolicy: policy,
        subsets: sortedSubsets(service.versions.filter(v => v.clusters.includes(cluster)).map(v => [v.name, v.labels])),
      },
    });
  }
  for (const [server, subsets] of plan.servingSubsets) {
    bundleOf(server).add('routing', route, DestinationRule, {
      metadata: { name: `${service.serviceName}-global`, namespace },
      spec: { host: service.globalHost, trafficPolicy: policy, subsets: sortedSubsets(subsets) },
    });
  }
  for (const client of plan.clients) {
    const bundle = bundleOf(client.client);
    bundle.useNamespace(namespace, NamespaceUse.CONFIG);
    const subsets = plan.consumerSubsets.get(client.client);
    if (subsets) {
      bundle.add('routing', route, DestinationRule, {
        // IST0173 matches subset labels against pods only; these subsets select ServiceEntry endpoints
        // (the remote gateways, by their `cluster` label), which the analyzer does not look at.
        metadata: { name: `${service.serviceName}-global`, namespace, annotations: suppressAnalysis('IST0173') },
        spec: {
          host: service.globalHost,
          trafficPolicy: policy,
          subsets: sortedSubsets([...subsets].map(([name, cluster]) => [name, { cluster: cluster.clusterName }])),
        },
      });
    }
    bundle.add('routing', route, VirtualService, {
      metadata: { name: service.serviceName, namespace },
      spec: { hosts: [service.localHost, service.globalHost], http: renderHttpRoutes(route, client) },
    });
    bundle.addRouteTable(routeTable(route, client, plan));
  }
}

function renderHttpRoutes(route: VersionedRoute, client: ClientPlan): VirtualServiceSpecHttp[] {
  const { service } = route;
  // Every match names the routed port, so the route never captures the service's other ports (or ports
  // of the Kubernetes Service that the mesh description does not list); the destination names it too.
  const port = route.port.number;
  return client.rules.map(({ rule, hops }) => ({
    name: rule.isDefault ? 'default' : rule.name,
    match: rule.isDefault ? [{ port }] : rule.match.map(m => ({ ...renderMatch(m), port })),
    route: hops.map(hop => ({
      destination: { host: hop.local ? service.localHost : service.globalHost, subset: hop.subset, port: { number: port } },
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
function routeTable(route: VersionedRoute, client: ClientPlan, plan: RoutePlan): string {
  const rows = client.rules.map(r => `| ${r.rule.name} | ${r.condition} | ${r.hops.map(describeHop).join(', ')} |`);
  const crossing = plan.consumerSubsets.get(client.client);
  return [
    `## ${route.service.globalHost} (${route.node.path})`,
    '',
    '| rule | when | to |',
    '| --- | --- | --- |',
    ...rows,
    '',
    crossing ? `Cross-cluster subsets: ${[...crossing].sort(byEntryKey).map(([s, c]) => `${s} -> ${c.clusterName}`).join(', ')}.` : 'All traffic stays in this cluster.',
    '',
  ].join('\n');
}

import { DestinationRule, VirtualService } from '../../../../imports/networking.istio.io';
import { RoutePlan } from '../../../resolve/route-plan';
import { VersionedRoute } from '../../../versioned-route';
import { NamespaceUse, suppressAnalysis } from '../../cluster-bundle';
import { renderHttpRoutes, routeTable, sortedSubsets } from '../../routes';
import { renderTrafficPolicy } from '../../traffic-policy';
import { BundleOf } from '../topology-renderer';

/** The label istiod puts on every endpoint: the cluster it runs in. */
const CLUSTER_LABEL = 'topology.istio.io/cluster';

/**
 * Renders a route the multi-network way, in each client cluster: one host, the cluster.local name; a
 * DestinationRule whose subsets pick a version's pods by their labels and by the cluster they run in
 * (`topology.istio.io/cluster`, which istiod puts on every endpoint), and the VirtualService that weighs them.
 */
export function renderMultiNetworkRoute(route: VersionedRoute, plan: RoutePlan, bundleOf: BundleOf): void {
  const { service } = route;
  const namespace = service.namespace;
  for (const client of plan.clients) {
    const bundle = bundleOf(client.client);
    bundle.useNamespace(namespace, NamespaceUse.CONFIG);
    const subsets = new Map<string, { readonly [label: string]: string }>();
    for (const hop of client.rules.flatMap(r => r.hops)) {
      subsets.set(hop.subset, { ...hop.version.labels, [CLUSTER_LABEL]: hop.cluster.clusterName });
    }
    bundle.add('routing', route, DestinationRule, {
      // IST0173 matches subset labels against pod labels; topology.istio.io/cluster is an endpoint label
      // that istiod adds, which no pod carries.
      metadata: { name: service.serviceName, namespace, annotations: suppressAnalysis('IST0173') },
      spec: { host: service.localHost, trafficPolicy: renderTrafficPolicy(route.trafficPolicy), subsets: sortedSubsets(subsets) },
    });
    bundle.add('routing', route, VirtualService, {
      metadata: { name: service.serviceName, namespace },
      spec: { hosts: [service.localHost], http: renderHttpRoutes(route, client, () => service.localHost) },
    });
    bundle.addRouteTable(routeTable(route, client, plan));
  }
}

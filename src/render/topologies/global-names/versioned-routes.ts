import { DestinationRule, VirtualService } from '../../../../imports/networking.istio.io';
import { ResolvedRoute } from '../../../resolve/resolved-mesh';
import { NamespaceUse, suppressAnalysis } from '../../cluster-bundle';
import { renderHttpRoutes, routeTable, sortedSubsets } from '../../routes';
import { renderTrafficPolicy } from '../../traffic-policy';
import { BundleOf } from '../topology-renderer';

/**
 * Renders a route into every cluster it touches:
 * - where versions run: the local DestinationRule with a subset per local version;
 * - in each client: the `.global` DestinationRule whose subsets pick serving clusters by the
 *   ServiceEntry endpoint label `cluster`, and the VirtualService over both hosts;
 * - in each serving cluster reached across: the `.global` DestinationRule with the same subset names,
 *   picking pods by version labels, so its gateway can route the subset's SNI name.
 */
export function renderVersionedRoute({ route, plan }: ResolvedRoute, bundleOf: BundleOf): void {
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
        subsets: sortedSubsets(service.versions.filter(v => v.clusters.includes(cluster)).map(v => [v.name, v.labels])),
        trafficPolicy: policy,
      },
    });
  }
  for (const [server, subsets] of plan.servingSubsets) {
    bundleOf(server).add('routing', route, DestinationRule, {
      metadata: { name: `${service.serviceName}-global`, namespace },
      spec: { host: service.globalHost, subsets: sortedSubsets(subsets), trafficPolicy: policy },
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
          subsets: sortedSubsets([...subsets].map(([name, cluster]) => [name, { cluster: cluster.clusterName }])),
          trafficPolicy: policy,
        },
      });
    }
    bundle.add('routing', route, VirtualService, {
      metadata: { name: service.serviceName, namespace },
      spec: { hosts: [service.localHost, service.globalHost], http: renderHttpRoutes(route, client, hop => (hop.local ? service.localHost : service.globalHost)) },
    });
    bundle.addRouteTable(routeTable(route, client, plan));
  }
}

import { DestinationRule, VirtualService } from '../../../../imports/networking.istio.io';
import { HBONE_PORT, MeshCluster } from '../../../mesh-cluster';
import { checkSubsetNames, ClientPlan, Hop, split } from '../../../resolve/route-plan';
import { VersionedRoute } from '../../../versioned-route';
import { NamespaceUse, suppressAnalysis } from '../../cluster-bundle';
import { renderHttpRoutes, sortedSubsets } from '../../routes';
import { renderTrafficPolicy } from '../../traffic-policy';
import { BundleOf } from '../topology-renderer';
import { GatewayApiGateway } from '../multi-network/gateway-api';
import { GLOBAL_LABEL, WAYPOINT_NAME } from './services';

const CLUSTER_LABEL = 'topology.istio.io/cluster';

/**
 * The route as every waypoint applies it, whichever cluster the request comes from: each version's share
 * split over the clusters it runs in, as subsets pinned by cluster. Istio requires the rules to be the same
 * in every cluster, so the plan cannot prefer the caller's cluster as the sidecar topologies do.
 */
function meshWidePlan(route: VersionedRoute, anyClient: MeshCluster): ClientPlan {
  const plan: ClientPlan = {
    client: anyClient,
    rules: route.rules.map(rule => ({
      rule,
      condition: '',
      hops: rule.to.flatMap(t => {
        const weights = split(t.weight ?? 100, t.version.clusters.length);
        return t.version.clusters.map((cluster, i): Hop => ({
          version: t.version, cluster, local: false, weight: weights[i], subset: `${t.version.name}-${cluster.clusterName}`,
        }));
      }),
    })),
  };
  checkSubsetNames(route, [plan]);
  return plan;
}

/**
 * Renders a route the ambient way (L7 needs a waypoint): in every cluster where the service exists, the
 * namespace's waypoint (class `istio-waypoint`, its Service global) and the same DestinationRule and
 * VirtualService. A VirtualService, not an HTTPRoute: the route weighs cluster-pinned subsets, and an
 * HTTPRoute can only name Services.
 */
export function renderAmbientRoute(route: VersionedRoute, clusters: readonly MeshCluster[], bundleOf: BundleOf, waypoints: Set<string>): void {
  const { service } = route;
  const namespace = service.namespace;
  const plan = meshWidePlan(route, route.clients[0]);
  const subsets = new Map<string, { readonly [label: string]: string }>();
  for (const hop of plan.rules.flatMap(r => r.hops)) subsets.set(hop.subset, { ...hop.version.labels, [CLUSTER_LABEL]: hop.cluster.clusterName });
  for (const cluster of clusters) {
    const bundle = bundleOf(cluster);
    bundle.useNamespace(namespace, NamespaceUse.CONFIG);
    const waypoint = `${cluster.clusterName}/${namespace}`;
    if (!waypoints.has(waypoint)) {
      waypoints.add(waypoint);
      bundle.add('routing', route, GatewayApiGateway, {
        metadata: { name: WAYPOINT_NAME, namespace, labels: { 'istio.io/waypoint-for': 'service' } },
        spec: {
          gatewayClassName: 'istio-waypoint',
          listeners: [{ name: 'mesh', port: HBONE_PORT, protocol: 'HBONE' }],
          infrastructure: { labels: { ...GLOBAL_LABEL } },
        },
      });
    }
    bundle.add('routing', route, DestinationRule, {
      // IST0173 matches subset labels against pod labels; topology.istio.io/cluster is an endpoint label istiod adds.
      metadata: { name: service.serviceName, namespace, annotations: suppressAnalysis('IST0173') },
      spec: { host: service.localHost, trafficPolicy: renderTrafficPolicy(route.trafficPolicy), subsets: sortedSubsets(subsets) },
    });
    bundle.add('routing', route, VirtualService, {
      metadata: { name: service.serviceName, namespace },
      spec: { hosts: [service.localHost], http: renderHttpRoutes(route, plan, () => service.localHost) },
    });
  }
}

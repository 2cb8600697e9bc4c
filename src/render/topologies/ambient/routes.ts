import { MeshCluster } from '../../../mesh-cluster';
import { ResolvedRoute } from '../../../resolve/resolved-mesh';
import { checkSubsetNames, ClientPlan, Hop, split } from '../../../resolve/route-plan';
import { VersionedRoute } from '../../../versioned-route';
import { renderClusterPinnedRoute } from '../../routes';
import { BundleOf } from '../topology-renderer';
import { GLOBAL_LABEL, WAYPOINT_NAME } from './services';
import { addWaypoint } from './waypoint';

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
export function renderAmbientRoute({ route, service: resolved }: ResolvedRoute, bundleOf: BundleOf): void {
  const namespace = route.service.namespace;
  const plan = meshWidePlan(route, route.clients[0]);
  for (const cluster of new Set([...resolved.servedBy, ...resolved.consumers, ...route.clients])) {
    const bundle = bundleOf(cluster);
    // One waypoint per namespace, shared by its routed services, its Service global.
    addWaypoint(bundle, 'routing', route, namespace, WAYPOINT_NAME, GLOBAL_LABEL);
    renderClusterPinnedRoute(bundle, route, plan);
  }
}

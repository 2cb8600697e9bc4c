import { ResolvedRoute } from '../../../resolve/resolved-mesh';
import { renderClusterPinnedRoute, routeTable } from '../../routes';
import { BundleOf } from '../topology-renderer';

/**
 * Renders a route the multi-network way, in each client cluster: one host, the cluster.local name, its
 * subsets pinned by cluster; each client's plan prefers its own cluster.
 */
export function renderMultiNetworkRoute({ route, plan }: ResolvedRoute, bundleOf: BundleOf): void {
  for (const client of plan.clients) {
    const bundle = bundleOf(client.client);
    renderClusterPinnedRoute(bundle, route, client);
    bundle.addRouteTable(routeTable(route, client, plan));
  }
}

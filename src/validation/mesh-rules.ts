import { ClientNamespace } from '../client-namespace';
import { unknownDestinations } from '../gitops';
import { addToGroup } from '../groups';
import type { GlobalService } from '../global-service';
import { selectedWorkloads } from '../resolve/policy-placement';
import type { VmWorkload } from '../vm-workload';
import { Mesh } from '../mesh';
import { MeshTopology } from '../topology';
import { MeshInventory } from '../resolve/resolved-mesh';
import { MeshRule } from './errors';
import { CHECKS } from './findings';
import { formatLabels, hostMatches, selectorMatches } from './names';

/** Whole-mesh rules, checked at synth time once every construct is declared. */
export function meshRules(mesh: Mesh, inventory: MeshInventory): MeshRule[] {
  const { clusters, services, routes, externalServices, clientNamespaces, policies, consumers, reachedServers } = inventory;
  const globalNames = mesh.topology === MeshTopology.GLOBAL_NAMES;
  return [
    {
      rule: CHECKS.noCluster,
      check: () => clusters.length === 0
        ? ['the mesh has no cluster: add one with `new MeshCluster(mesh, "cluster1", { ... })`']
        : [],
    },
    {
      rule: CHECKS.clusterNameTwice,
      check: () => duplicates(clusters.map(c => c.clusterName))
        .map(name => `cluster name "${name}" is used by ${clusters.filter(c => c.clusterName === name).map(c => c.node.path).join(' and ')}: cluster names must be unique in the mesh`),
    },
    {
      rule: CHECKS.hostTwice,
      check: () => duplicates(services.map(s => s.globalHost))
        .map(host => `${host} is declared by ${services.filter(s => s.globalHost === host).map(s => s.node.path).join(' and ')}: declare each global service once, with all the clusters that serve it in servedBy`),
    },
    {
      // One .global host cannot be both the local pods' entry and the remote gateways' entry in a cluster.
      // The only serving cluster consumes nothing from others: its own clients use its serving entry.
      rule: CHECKS.servesAndConsumes,
      check: () => services.filter(s => globalNames || s.keepGlobalName).flatMap(s => {
        const reached = reachedServers.get(s)!;
        return consumers.get(s)!
          .filter(c => reached.includes(c) && s.servedBy.some(server => server !== c))
          .map(c => `[${s.node.path}] cluster ${c.clusterName} both serves ${s.globalHost} to other clusters and consumes it from them: a cluster can hold only one entry for the host; drop it from the consumers (or route clients), or stop other clusters from consuming its instance`);
      }),
    },
    {
      rule: CHECKS.servesWithoutGateway,
      check: () => services.filter(s => globalNames || s.keepGlobalName).flatMap(s => {
        return reachedServers.get(s)!
          .filter(server => !server.gateway)
          .map(server => `[${s.node.path}] cluster ${server.clusterName} serves ${s.globalHost} to ${consumers.get(s)!.filter(c => c !== server).map(c => c.clusterName).join(', ')} but has no gateway: set gateway.address on ${server.node.path}`);
      }),
    },
    {
      rule: CHECKS.routeTwice,
      check: () => duplicates(routes.map(r => r.service.globalHost))
        .map(host => `${host} has several VersionedRoutes (${routes.filter(r => r.service.globalHost === host).map(r => r.node.path).join(', ')}): declare one route per service with all its rules and clients`),
    },
    {
      rule: CHECKS.policySelectsNothing,
      check: () => policies
        .filter(policy => inventory.policyClusters.get(policy)!.length === 0)
        .map(policy => `[${policy.node.path}] selector ${JSON.stringify(policy.selector)} in namespace ${policy.namespace} selects no workload the mesh declares (global services' pods, VMs): fix the selector, or set clusters to render the policy where those workloads run`),
    },
    {
      rule: CHECKS.unknownDestination,
      check: () => unknownDestinations(mesh.gitOps, clusters.map(c => c.clusterName)),
    },
    {
      rule: CHECKS.externalHostTwice,
      check: () => duplicates(externalServices.flatMap(e => [...e.hosts]))
        .map(host => `${host} is declared by ${externalServices.filter(e => e.hosts.includes(host)).map(e => e.node.path).join(' and ')}: declare each external host once (one ServiceEntry per host)`),
    },
    {
      // A Sidecar that scopes the originating pods without the host leaves them no route to it: the rule that
      // originates their TLS never applies.
      rule: CHECKS.originationScopedAway,
      check: () => externalServices.flatMap(service => (service.tls?.workloads ?? []).flatMap(w => clientNamespaces
        .filter(c => c.namespace === w.namespace && (!c.selector || selectorMatches(c.selector, w.selector)) && !c.callsExternal.includes(service)
          && c.clusters.some(cluster => service._clusters(clusters).includes(cluster)))
        .map(c => `[${service.node.path}] tls.workloads names ${w.namespace} ${formatLabels(w.selector)}, whose sidecars ${c.node.path} scopes to what it calls, `
          + `which leaves out ${service.hosts.join(', ')}: their calls never reach the rule that originates TLS; add ${service.node.path} to its callsExternal, or drop the workloads`))),
    },
    {
      rule: CHECKS.credentialFromTwoStores,
      check: () => inventory.credentials.filter(c => c.stores.length > 1).map(c => `Secret ${c.namespace}/${c.name} is read from ${c.stores.length} different stores `
        + `by ${c.services.map(s => s.node.path).join(' and ')} (${c.stores.map(s => `${s.storeKind} ${s.storeName}, ${s.remoteKeyPrefix}/${c.name}`).join('; ')}): `
        + 'an ExternalSecret writes it from one: give them the same credentialStore, or different credentialNames'),
    },
    {
      // A call from a cluster that holds no entry for the host (nor runs the service) resolves nowhere.
      rule: CHECKS.callResolvesNowhere,
      check: () => clientNamespaces.flatMap(client => [
        ...client.calls.flatMap(service => {
          const consuming = consumers.get(service) ?? [];
          return client.clusters.filter(c => !consuming.includes(c) && !service.servedBy.includes(c)).map(c =>
            `[${client.node.path}] namespace ${client.namespace} in ${c.clusterName} calls ${service.meshHost}, which ${c.clusterName} neither serves nor consumes (consumers: ${consuming.map(x => x.clusterName).join(', ') || 'none'}): add ${c.clusterName} to ${service.node.path}'s consumers, or drop the call`);
        }),
        // An external service's entry exists only in the clusters that declare it.
        ...client.callsExternal.flatMap(external => {
          const calling = external._clusters(clusters);
          return client.clusters.filter(c => !calling.includes(c)).map(c =>
            `[${client.node.path}] namespace ${client.namespace} in ${c.clusterName} calls ${external.hosts.join(', ')}, which ${external.node.path} does not declare there (clusters: ${calling.map(x => x.clusterName).join(', ')}): add ${c.clusterName} to ${external.node.path}'s clusters, or drop the call`);
        }),
      ]),
    },
    {
      rule: CHECKS.sidecarsOverlap,
      check: () => sidecarOverlaps(clientNamespaces),
    },
    {
      rule: CHECKS.clientScopeInAmbient,
      check: () => (mesh.topology !== MeshTopology.AMBIENT ? [] : clientNamespaces.map(client =>
        `[${client.node.path}] ambient workloads have no sidecar, and ztunnel reads no Istio Sidecar: drop the ClientNamespace, or use MeshTopology.MULTI_NETWORK`)),
    },
    ...(globalNames ? [] : multiNetworkRules(mesh, inventory)),
  ];
}

/**
 * ClientNamespaces whose Sidecars would apply to the same workloads in one cluster's configuration (a remote's
 * is its primary's). Istio gives a workload one Sidecar, the one with a selector before the namespace's
 * default, and leaves it undefined which of two alike (istioctl analyze IST0110, IST0111).
 */
function sidecarOverlaps(clients: readonly ClientNamespace[]): string[] {
  const byScope = new Map<string, ClientNamespace[]>();
  for (const client of clients) {
    for (const cluster of new Set(client.clusters.map(c => c.configCluster))) addToGroup(byScope, `${client.namespace} in ${cluster.clusterName}`, client);
  }
  const problems: string[] = [];
  byScope.forEach((group, scope) => group.forEach((a, i) => group.slice(i + 1).forEach(b => {
    const prefix = `[${a.node.path}] namespace ${scope} is scoped by ${b.node.path} too`;
    if (!a.selector && !b.selector) {
      problems.push(`${prefix}, both for every workload (no selector): Istio takes one such Sidecar per namespace, either of them (istioctl analyze IST0111); declare the namespace once with all its calls, or give one of them a selector`);
      return;
    }
    if (!a.selector || !b.selector) return;
    // The workloads that carry the narrower selector's labels carry the wider one's too.
    const narrower = selectorMatches(a.selector, b.selector) ? b.selector : selectorMatches(b.selector, a.selector) ? a.selector : undefined;
    if (narrower) {
      problems.push(`${prefix}, and both select the workloads labelled ${formatLabels(narrower)}: Istio applies one of their Sidecars to each, either of them (istioctl analyze IST0110); merge the two, or select different workloads`);
    }
  })));
  return problems;
}

/** What the multi-network topology needs beyond the constructs' own checks. */
function multiNetworkRules(mesh: Mesh, { clusters, services, routes, vms, policies, consumers, externalServices, policyPlacements }: MeshInventory): MeshRule[] {
  const gatewayOf = (network: string) => clusters.find(c => c.network === network && c.gateway);
  const keeping = services.filter(s => s.keepGlobalName);
  return [
    {
      rule: CHECKS.globalOptionUnused,
      check: () => (keeping.length > 0 ? [] : mesh._globalNameOptions.map(option =>
        `${option} means nothing in the multi-network topology unless a service keeps its .global name (keepGlobalName) while the mesh moves: remove it`)),
    },
    {
      // A .global name is served and consumed through each cluster's own istiod: remotes have none.
      rule: CHECKS.keptNameOnRemote,
      check: () => keeping.flatMap(s => [...s.servedBy, ...consumers.get(s)!].filter(c => c.isRemote).map(c =>
        `[${s.node.path}] keepGlobalName reaches remote cluster ${c.clusterName}, but the global-names design never had remotes: keep .global names only between primaries, or drop keepGlobalName`)),
    },
    {
      rule: CHECKS.clusterLocalShadows,
      check: () => services.flatMap(s => mesh.clusterLocalHosts.filter(pattern => hostMatches(pattern, s.localHost)).map(pattern =>
        `[${s.node.path}] ${s.localHost} is served across clusters, but clusterLocalHosts has ${pattern}, which keeps its calls in each cluster: remove it from clusterLocalHosts, or narrow the pattern`)),
    },
    {
      // Endpoints on another network are reached through that network's east-west gateway.
      rule: CHECKS.networkWithoutGateway,
      check: () => services.flatMap(s => consumers.get(s)!.flatMap(consumer => s.servedBy
        .filter(server => server.network !== consumer.network && !gatewayOf(server.network!))
        .map(server => `[${s.node.path}] cluster ${consumer.clusterName} (network ${consumer.network}) consumes ${s.localHost} from ${server.clusterName} on network ${server.network}, which has no east-west gateway: set gateway.address on a cluster of network ${server.network}`))),
    },
    {
      rule: CHECKS.remoteRouteClient,
      check: () => routes.flatMap(route => route.clients.filter(c => c.isRemote).map(c =>
        `[${route.node.path}] client ${c.clusterName} is a remote of ${c.primary!.clusterName}: Istio reads a remote's routes from its primary, so name ${c.primary!.clusterName} as the client (its routes then serve ${c.clusterName}'s sidecars too)`)),
    },
    {
      // ztunnel enforces L4 only: an L7 rule it is given denies everything rather than checking methods.
      rule: CHECKS.l7PolicyInAmbient,
      check: () => (mesh.topology !== MeshTopology.AMBIENT ? [] : policies.filter(p => p.methods?.length || p.paths?.length).map(p =>
        `[${p.node.path}] methods and paths are L7, which ambient enforces only in a waypoint (ztunnel would deny every request): drop them to allow by identity, or use MeshTopology.MULTI_NETWORK`)),
    },
    {
      // ztunnel is L4: TLS is originated in a waypoint, ambient's egress gateway (istio.io, ambient egress gateways),
      // and there are no sidecars to read a credential. A waypoint is not given credentialName Secrets (istio/istio#55329).
      rule: CHECKS.externalOptionInAmbient,
      check: () => (mesh.topology !== MeshTopology.AMBIENT ? [] : externalServices.flatMap(service => [
        ...(service.tls && !service.egressGateway ? [`[${service.node.path}] tls ${service.tls.mode}: ztunnel does not originate TLS, the egress waypoint does: `
          + 'set egressGateway: true, or let the workloads speak TLS to the service (drop tls)'] : []),
        ...(service.tls?.credentialName ? [`[${service.node.path}] tls.credentialName ${service.tls.credentialName}: in ambient TLS is originated by the egress waypoint, `
          + 'which istiod does not give credentialName Secrets (istio/istio#55329): originate without it (SIMPLE, the system\'s roots), let the workloads speak TLS, '
          + 'or use MeshTopology.MULTI_NETWORK'] : []),
      ])),
    },
    {
      // A waypoint opens its own connection to the pods, so their ztunnel sees the waypoint's identity, not the
      // caller's (istio.io, ambient policy: waypoints do not impersonate the source): a pod-level ALLOW for the
      // callers refuses every call that comes through the route's waypoint.
      rule: CHECKS.policyBehindWaypoint,
      check: () => {
        if (mesh.topology !== MeshTopology.AMBIENT) return [];
        const routed = new Set<GlobalService | VmWorkload>(routes.map(route => route.service));
        return policies.flatMap(policy => selectedWorkloads(policyPlacements.get(policy)!).filter(w => routed.has(w)).map(service =>
          `[${policy.node.path}] selects the pods of ${service.node.path}, which a VersionedRoute sends through its namespace's waypoint: their ztunnel sees the `
          + 'waypoint\'s identity, not the callers\', so the policy would refuse every routed call (and the library does not attach policies to waypoints): '
          + 'drop the policy or the route, or use MeshTopology.MULTI_NETWORK'));
      },
    },
    {
      rule: CHECKS.vmInAmbient,
      check: () => (mesh.topology !== MeshTopology.AMBIENT ? [] : vms.map(vm =>
        `[${vm.node.path}] VMs are not supported by Istio's ambient multicluster (1.29-1.31): run it in a cluster, or use MeshTopology.MULTI_NETWORK`)),
    },
    {
      rule: CHECKS.vmOnRemote,
      check: () => vms.filter(vm => vm.cluster.isRemote).map(vm =>
        `[${vm.node.path}] cluster ${vm.cluster.clusterName} is a remote: a VM joins through a cluster that runs istiod; use its primary ${vm.cluster.primary!.clusterName}`),
    },
  ];
}

/** The values that occur more than once, sorted. */
export function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const value of values) {
    (seen.has(value) ? repeated : seen).add(value);
  }
  return [...repeated].sort();
}

import { ServiceEntry, ServiceEntrySpecLocation, ServiceEntrySpecResolution } from '../../../../imports/networking.istio.io';
import { ServingEntry } from '../../../global-service';
import { MeshCluster } from '../../../mesh-cluster';
import { ResolvedService } from '../../../resolve/resolved-mesh';
import { ClusterBundle, NamespaceUse } from '../../cluster-bundle';
import { BundleOf } from '../topology-renderer';

/** The name of the ServiceEntry for a service's `.global` host, the same on both ends. */
const globalEntryName = (rs: ResolvedService) => `${rs.service.serviceName}-global`;

/**
 * Renders a global service into the clusters at both ends of each cross-cluster hop:
 * - each consumer gets a ServiceEntry that sends `<host>` to every serving cluster's gateway;
 * - each serving cluster gets the companion entry for the same host and ports, selecting its own pods,
 *   without which its AUTO_PASSTHROUGH gateway cannot route the SNI name and answers 503.
 */
export function renderGlobalService(rs: ResolvedService, bundleOf: BundleOf): void {
  for (const consumer of rs.consumers) {
    const remote = rs.servedBy.filter(server => server !== consumer);
    if (remote.length > 0) renderConsumerEntry(rs, remote, bundleOf(consumer));
  }
  for (const server of rs.reachedServers) {
    renderServingEntry(rs, bundleOf(server));
  }
}

function renderConsumerEntry(rs: ResolvedService, remote: readonly MeshCluster[], bundle: ClusterBundle): void {
  const { service } = rs;
  bundle.useNamespace(service.namespace, NamespaceUse.CONFIG);
  bundle.globalHosts.set(rs.host, rs.vip!);
  bundle.add('global-services', service, ServiceEntry, {
    metadata: { name: globalEntryName(rs), namespace: service.namespace },
    spec: {
      hosts: [rs.host],
      location: ServiceEntrySpecLocation.MESH_UNDERSCORE_INTERNAL,
      resolution: ServiceEntrySpecResolution.DNS,
      addresses: [rs.vip!],
      ports: service.ports.map(p => ({ name: p.name, number: p.number, protocol: p.protocol })),
      // No `network` field: the endpoint already is the remote network's gateway, and a network would
      // only ask Istio to look for a meshNetworks gateway that this design does not declare. (Istio keeps
      // an endpoint whose network has no known gateway, so leaving it off changes no routing.)
      endpoints: remote.map(server => ({
        address: server.gateway!.address,
        ports: Object.fromEntries(service.ports.map(p => [p.name, server.gateway!.remotePort])),
        // tlsMode makes auto-mTLS send ISTIO_MUTUAL even under a user's DestinationRule without `tls`;
        // the gateway's AUTO_PASSTHROUGH listener resets plaintext.
        labels: { 'cluster': server.clusterName, 'security.istio.io/tlsMode': 'istio' },
        locality: server.locality,
      })),
    },
  });
}

function renderServingEntry(rs: ResolvedService, bundle: ClusterBundle): void {
  const { service } = rs;
  bundle.useNamespace(service.namespace, NamespaceUse.WORKLOADS);
  bundle.globalHosts.set(rs.host, rs.vip!);
  const common = {
    hosts: [rs.host],
    location: ServiceEntrySpecLocation.MESH_UNDERSCORE_INTERNAL,
    addresses: [rs.vip!],
    ports: service.ports.map(p => ({ name: p.name, number: p.number, protocol: p.protocol, targetPort: p.targetPort })),
  };
  bundle.add('global-services', service, ServiceEntry, {
    metadata: { name: globalEntryName(rs), namespace: service.namespace },
    spec: service.servingEntry === ServingEntry.WORKLOAD_SELECTOR
      ? { ...common, resolution: ServiceEntrySpecResolution.STATIC, workloadSelector: { labels: { ...service.workloadLabels } } }
      : {
        ...common,
        resolution: ServiceEntrySpecResolution.DNS,
        endpoints: [{ address: service.localHost, ports: Object.fromEntries(service.ports.map(p => [p.name, p.number])) }],
      },
  });
}

import { ServiceEntry, ServiceEntrySpec, ServiceEntrySpecLocation, ServiceEntrySpecResolution } from '../../../../imports/networking.istio.io';
import { ServingEntry } from '../../../global-service';
import { MeshCluster } from '../../../mesh-cluster';
import { ResolvedService } from '../../../resolve/resolved-mesh';
import { ClusterBundle, NamespaceUse } from '../../cluster-bundle';
import { BundleOf } from '../topology-renderer';
import { inKeyOrder } from '../../../order';

/** The name of the ServiceEntry for a service's `.global` host, the same on both ends. */
const globalEntryName = (rs: ResolvedService) => `${rs.service.serviceName}-global`;

/**
 * Renders a global service into the clusters at both ends of each cross-cluster hop:
 * - each consumer gets a ServiceEntry that sends `<host>` to every serving cluster's gateway;
 * - each serving cluster gets the companion entry for the same host and ports, selecting its own pods,
 *   without which its AUTO_PASSTHROUGH gateway cannot route the SNI name and answers 503.
 */
export function renderGlobalService(rs: ResolvedService, bundleOf: BundleOf): void {
  // Consumers that reach the same serving clusters get the same spec, made once: a service consumed by
  // every other cluster of a large mesh would otherwise hold tens of copies of it.
  const specs = new Map<string, ServiceEntrySpec>();
  for (const consumer of rs.consumers) {
    const remote = rs.servedBy.filter(server => server !== consumer);
    if (remote.length === 0) continue;
    const key = remote.map(server => server.clusterName).join(' ');
    let spec = specs.get(key);
    if (!spec) {
      spec = consumerSpec(rs, remote);
      specs.set(key, spec);
    }
    renderConsumerEntry(rs, spec, bundleOf(consumer));
  }
  for (const server of rs.reachedServers) {
    renderServingEntry(rs, bundleOf(server));
  }
}

// A mesh renders thousands of these entries: their keys are written in order, with no undefined member,
// so that the bundle keeps them as they are instead of copying each (see `manifestOf`).

/** A consumer's entry: the host's VIP, sent to the gateways of the serving clusters. */
function consumerSpec(rs: ResolvedService, remote: readonly MeshCluster[]): ServiceEntrySpec {
  const { service } = rs;
  return {
    addresses: [rs.vip!],
    // No `network` field: the endpoint already is the remote network's gateway, and a network would
    // only ask Istio to look for a meshNetworks gateway that this design does not declare. (Istio keeps
    // an endpoint whose network has no known gateway, so leaving it off changes no routing.)
    endpoints: remote.map(server => ({
      address: server.gateway!.address,
      // tlsMode makes auto-mTLS send ISTIO_MUTUAL even under a user's DestinationRule without `tls`;
      // the gateway's AUTO_PASSTHROUGH listener resets plaintext.
      labels: { 'cluster': server.clusterName, 'security.istio.io/tlsMode': 'istio' },
      ...server.locality ? { locality: server.locality } : {},
      ports: inKeyOrder(Object.fromEntries(service.ports.map(p => [p.name, server.gateway!.remotePort]))),
    })),
    hosts: [rs.host],
    location: ServiceEntrySpecLocation.MESH_UNDERSCORE_INTERNAL,
    ports: service.ports.map(p => ({ name: p.name, number: p.number, protocol: p.protocol })),
    resolution: ServiceEntrySpecResolution.DNS,
  };
}

function renderConsumerEntry(rs: ResolvedService, spec: ServiceEntrySpec, bundle: ClusterBundle): void {
  const { service } = rs;
  bundle.useNamespace(service.namespace, NamespaceUse.CONFIG);
  bundle.globalHosts.set(rs.host, rs.vip!);
  bundle.add('global-services', service, ServiceEntry, { metadata: { name: globalEntryName(rs), namespace: service.namespace }, spec });
}

function renderServingEntry(rs: ResolvedService, bundle: ClusterBundle): void {
  const { service } = rs;
  bundle.useNamespace(service.namespace, NamespaceUse.WORKLOADS);
  bundle.globalHosts.set(rs.host, rs.vip!);
  const ports = service.ports.map(p => ({ name: p.name, number: p.number, protocol: p.protocol, ...p.targetPort !== undefined ? { targetPort: p.targetPort } : {} }));
  const hosts = [rs.host];
  const location = ServiceEntrySpecLocation.MESH_UNDERSCORE_INTERNAL;
  bundle.add('global-services', service, ServiceEntry, {
    metadata: { name: globalEntryName(rs), namespace: service.namespace },
    spec: service.servingEntry === ServingEntry.WORKLOAD_SELECTOR
      ? { addresses: [rs.vip!], hosts, location, ports, resolution: ServiceEntrySpecResolution.STATIC, workloadSelector: { labels: inKeyOrder(service.workloadLabels) } }
      : {
        addresses: [rs.vip!],
        endpoints: [{ address: service.localHost, ports: inKeyOrder(Object.fromEntries(service.ports.map(p => [p.name, p.number]))) }],
        hosts, location, ports,
        resolution: ServiceEntrySpecResolution.DNS,
      },
  });
}

import { ServiceEntry, ServiceEntrySpec, ServiceEntrySpecEndpoints, ServiceEntrySpecLocation, ServiceEntrySpecPorts, ServiceEntrySpecResolution } from '../../../../imports/networking.istio.io';
import { ServingEntry } from '../../../global-service';
import { MeshCluster } from '../../../mesh-cluster';
import { ResolvedService } from '../../../resolve/resolved-mesh';
import { ClusterBundle, NamespaceUse } from '../../cluster-bundle';
import { BundleOf } from '../topology-renderer';
import { inKeyOrder, sortInPlace } from '../../../order';

/** The name of the ServiceEntry for a service's `.global` host, the same on both ends. */
const globalEntryName = (rs: ResolvedService) => `${rs.service.serviceName}-global`;

/**
 * Renders a global service into the clusters at both ends of each cross-cluster hop:
 * - each consumer gets a ServiceEntry that sends `<host>` to every serving cluster's gateway;
 * - each serving cluster gets the companion entry for the same host and ports, selecting its own pods,
 *   without which its AUTO_PASSTHROUGH gateway cannot route the SNI name and answers 503.
 */
export function renderGlobalService(rs: ResolvedService, bundleOf: BundleOf): void {
  const shared = sharedParts(rs);
  // A consumer reaches every serving cluster but itself, so consumers that do not serve the service share
  // one spec, made once: a service consumed by every other cluster of a large mesh would otherwise hold
  // tens of copies of it. Keyed by the serving cluster left out (undefined: none).
  const specs = new Map<MeshCluster | undefined, ServiceEntrySpec | undefined>();
  for (const consumer of rs.consumers) {
    const self = rs.servedBy.includes(consumer) ? consumer : undefined;
    let spec = specs.get(self);
    if (!specs.has(self)) {
      const remote = self ? rs.servedBy.filter(server => server !== self) : rs.servedBy;
      spec = remote.length > 0 ? consumerSpec(shared, remote) : undefined;
      specs.set(self, spec);
    }
    if (spec) renderConsumerEntry(rs, shared, spec, bundleOf(consumer));
    // Without a spec, the consumer is the only serving cluster: no other cluster to reach, its clients call
    // the .global name and reach its own pods through the serving-side entry (below, when others reach it).
    else if (!rs.reachedServers.includes(consumer)) renderServingEntry(rs, shared, bundleOf(consumer));
  }
  for (const server of rs.reachedServers) {
    renderServingEntry(rs, shared, bundleOf(server));
  }
}

// A mesh renders thousands of these entries: their keys are written in order, so that the bundle keeps
// them as they are instead of copying each (see `manifestOf`; undefined members are skipped). They run for
// every service, so they are plain loops: the JIT compiles them in a fraction of the time that
// map/fromEntries/spread chains take, which at 2,000 services is as much as running them.

/** What every entry of a service holds alike, made once per service and shared (canonical objects are never changed). */
interface SharedParts {
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly hosts: readonly string[];
  readonly addresses: readonly string[];
  /** The entry's ports as consumers declare them. */
  readonly ports: ReadonlyArray<{ readonly name: string; readonly number: number; readonly protocol: string }>;
  /** The port names, in key order. */
  readonly portNames: readonly string[];
}

function sharedParts(rs: ResolvedService): SharedParts {
  const { service } = rs;
  const ports: Array<SharedParts['ports'][number]> = [];
  const portNames: string[] = [];
  for (const p of service.ports) {
    ports.push({ name: p.name, number: p.number, protocol: p.protocol });
    portNames.push(p.name);
  }
  sortInPlace(portNames);
  return { metadata: { name: globalEntryName(rs), namespace: service.namespace }, hosts: [rs.host], addresses: [rs.vip!], ports, portNames };
}

/** A record of the port names, in key order, each to `port`. */
function namedPorts(portNames: readonly string[], port: (name: string) => number): { [name: string]: number } {
  const ports: { [name: string]: number } = {};
  for (const name of portNames) ports[name] = port(name);
  return ports;
}

/** A consumer's entry: the host's VIP, sent to the gateways of the serving clusters. */
function consumerSpec(shared: SharedParts, remote: readonly MeshCluster[]): ServiceEntrySpec {
  const endpoints: ServiceEntrySpecEndpoints[] = [];
  for (const server of remote) {
    const gateway = server.gateway!;
    // No `network` field: the endpoint already is the remote network's gateway, and a network would
    // only ask Istio to look for a meshNetworks gateway that this design does not declare. (Istio keeps
    // an endpoint whose network has no known gateway, so leaving it off changes no routing.)
    // tlsMode makes auto-mTLS send ISTIO_MUTUAL even under a user's DestinationRule without `tls`;
    // the gateway's AUTO_PASSTHROUGH listener resets plaintext.
    const labels = { 'cluster': server.clusterName, 'security.istio.io/tlsMode': 'istio' };
    const ports = namedPorts(shared.portNames, () => gateway.remotePort);
    endpoints.push({ address: gateway.address, labels, locality: server.locality, ports });
  }
  return {
    addresses: shared.addresses as string[],
    endpoints,
    hosts: shared.hosts as string[],
    location: ServiceEntrySpecLocation.MESH_UNDERSCORE_INTERNAL,
    ports: shared.ports as ServiceEntrySpecPorts[],
    resolution: ServiceEntrySpecResolution.DNS,
  };
}

function renderConsumerEntry(rs: ResolvedService, shared: SharedParts, spec: ServiceEntrySpec, bundle: ClusterBundle): void {
  bundle.useNamespace(shared.metadata.namespace, NamespaceUse.CONFIG);
  bundle.globalHosts.set(rs.host, rs.vip!);
  bundle.add('global-services', rs.service, ServiceEntry, { metadata: shared.metadata, spec });
}

function renderServingEntry(rs: ResolvedService, shared: SharedParts, bundle: ClusterBundle): void {
  const { service } = rs;
  bundle.useNamespace(service.namespace, NamespaceUse.WORKLOADS);
  bundle.globalHosts.set(rs.host, rs.vip!);
  const ports: ServiceEntrySpecPorts[] = [];
  for (const p of service.ports) ports.push({ name: p.name, number: p.number, protocol: p.protocol, targetPort: p.targetPort });
  const addresses = shared.addresses as string[];
  const hosts = shared.hosts as string[];
  const location = ServiceEntrySpecLocation.MESH_UNDERSCORE_INTERNAL;
  bundle.add('global-services', service, ServiceEntry, {
    metadata: shared.metadata,
    spec: service.servingEntry === ServingEntry.WORKLOAD_SELECTOR
      ? { addresses, hosts, location, ports, resolution: ServiceEntrySpecResolution.STATIC, workloadSelector: { labels: inKeyOrder(service.workloadLabels) } }
      : {
        addresses,
        endpoints: [{ address: service.localHost, ports: namedPorts(shared.portNames, name => service.ports.find(p => p.name === name)!.number) }],
        hosts, location, ports,
        resolution: ServiceEntrySpecResolution.DNS,
      },
  });
}

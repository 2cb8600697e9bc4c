import { addToGroup } from '../groups';
import type { MeshCluster } from '../mesh-cluster';
import { isHttpProtocol, isTlsProtocol } from '../service-port';
import { ManifestObject, manifestRef, manifestsOf, OutputFile } from '../write/output-file';
import { CHECKS } from './findings';
import { formatLabels, hostMatches } from './names';

/** Whether two host patterns (`*`, `*.suffix` or a name) can match one name. */
export function hostsOverlap(a: string, b: string): boolean {
  // Two wildcards overlap when one's suffix ends the other's: some name matches both.
  const sample = (pattern: string) => (pattern.startsWith('*.') ? `x${pattern.slice(1)}` : pattern);
  return hostMatches(a, sample(b)) || hostMatches(b, sample(a));
}

/** How a gateway's listener on a port speaks: Envoy builds one listener per port, either plain HTTP, TLS (by SNI) or TCP. */
function listenerKind(protocol: string): 'http' | 'tls' | 'tcp' {
  if (isHttpProtocol(protocol)) return 'http';
  return isTlsProtocol(protocol) ? 'tls' : 'tcp';
}

/**
 * Servers of two Gateways on the same pods and port that cannot share the port's listener: different
 * kinds of listener (plain HTTP beside TLS, say), where istiod keeps one and drops the other, or
 * AUTO_PASSTHROUGH with overlapping hosts, where Envoy gets two filter chains for one SNI name and istiod
 * drops one (istioctl analyze: IST0145 ConflictingGateways).
 */
function gatewayConflicts(cluster: string, gateways: readonly ManifestObject[]): string[] {
  type Server = { gateway: ManifestObject; selector: string; port: number; protocol: string; passthrough: boolean; hosts: string[] };
  const servers: Server[] = gateways.flatMap(gateway => (gateway.spec?.servers ?? [])
    .map((server: { port: { number: number; protocol: string }; hosts: string[]; tls?: { mode?: string } }) => ({
      gateway, selector: formatLabels(gateway.spec.selector ?? {}), port: server.port.number, protocol: server.port.protocol,
      passthrough: server.tls?.mode === 'AUTO_PASSTHROUGH', hosts: server.hosts.map(h => h.slice(h.indexOf('/') + 1)),
    })));
  const problems: string[] = [];
  servers.forEach((a, i) => servers.slice(i + 1).forEach(b => {
    if (a.gateway === b.gateway || a.selector !== b.selector || a.port !== b.port) return;
    const both = `${manifestRef(a.gateway)} and ${manifestRef(b.gateway)}`;
    if (listenerKind(a.protocol) !== listenerKind(b.protocol)) {
      problems.push(`[${cluster}] ${both} serve port ${a.port} of the same gateway pods as ${a.protocol} and ${b.protocol}, which cannot share the port's listener: istiod keeps one and drops the other; move one to another port [${CHECKS.gatewayProtocolConflict.code}]`);
      return;
    }
    if (!a.passthrough || !b.passthrough) return;
    const overlap = a.hosts.flatMap(x => b.hosts.filter(y => hostsOverlap(x, y)).map(y => (x === y ? x : `${x} and ${y}`)));
    if (overlap.length > 0) {
      problems.push(`[${cluster}] ${both} both pass through ${overlap.join(', ')} on port ${a.port} of the same gateway pods: Envoy can hold one filter chain per SNI name (istioctl analyze IST0145); remove one, or narrow its hosts [${CHECKS.passthroughOverlap.code}]`);
    }
  }));
  return problems;
}

/**
 * One host in ServiceEntries of two namespaces, or one host and port with two protocols: which one a
 * sidecar uses depends on namespace visibility and creation order, so calls go to either.
 */
function hostConflicts(cluster: string, entries: readonly ManifestObject[]): string[] {
  const byHost = new Map<string, ManifestObject[]>();
  // Indexed: a large mesh's clusters hold tens of thousands of entries, each with a host or two.
  for (let e = 0; e < entries.length; e++) {
    const hosts: readonly string[] = entries[e].spec?.hosts ?? [];
    for (let h = 0; h < hosts.length; h++) addToGroup(byHost, hosts[h], entries[e]);
  }
  const problems: string[] = [];
  for (const [host, declaring] of byHost) {
    if (declaring.length < 2) continue;
    const namespaces = [...new Set(declaring.map(e => e.metadata.namespace))];
    if (namespaces.length > 1) {
      problems.push(`[${cluster}] ${host} is declared in ${namespaces.length} namespaces (${declaring.map(manifestRef).join(', ')}): sidecars would use either; declare it once [${CHECKS.hostConflict.code}]`);
      continue;
    }
    const protocols = new Map<number, Set<string>>();
    // A port without a protocol is left to Istio's inference from its name: only declared ones can clash.
    declaring.forEach(e => (e.spec?.ports ?? []).filter((p: { protocol?: string }) => p.protocol).forEach((p: { number: number; protocol: string }) =>
      protocols.set(p.number, new Set([...protocols.get(p.number) ?? [], p.protocol]))));
    for (const [port, set] of protocols) {
      if (set.size > 1) problems.push(`[${cluster}] ${host} port ${port} is declared with protocols ${[...set].sort().join(' and ')} (${declaring.map(manifestRef).join(', ')}): Istio keeps one; give the port one protocol [${CHECKS.hostConflict.code}]`);
    }
  }
  return problems;
}

/** Conflicts between the objects of each cluster's bundle, the mesh's and the user's own: one problem per conflict. */
export function renderedConflicts(clusterFiles: ReadonlyMap<MeshCluster, readonly OutputFile[]>): string[] {
  return [...clusterFiles].flatMap(([cluster, files]) => {
    // Only the kinds that can conflict are kept, in one pass: a mesh renders tens of thousands of objects.
    const gateways: ManifestObject[] = [];
    const entries: ManifestObject[] = [];
    for (const object of manifestsOf(files)) {
      if (!object.apiVersion.startsWith('networking.istio.io/')) continue;
      if (object.kind === 'ServiceEntry') entries.push(object);
      else if (object.kind === 'Gateway') gateways.push(object);
    }
    return [...gatewayConflicts(cluster.node.path, gateways), ...hostConflicts(cluster.node.path, entries)];
  });
}

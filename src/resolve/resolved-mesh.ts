import * as fs from 'fs';
import { IConstruct } from 'constructs';
import { AccessPolicy } from '../access-policy';
import { ClientNamespace } from '../client-namespace';
import { ExternalResolution, ExternalService } from '../external-service';
import { GlobalService } from '../global-service';
import { Mesh, OutboundTrafficPolicy } from '../mesh';
import { joinClusterNames, MeshCluster } from '../mesh-cluster';
import { isHttpPort, namesHost, ProxyKind, proxyPortUse, ResolvedPort } from '../service-port';
import { resolvePki, ResolvedPki } from '../pki/resolve-pki';
import { CorefileForm, GlobalDnsMode } from '../global-dns';
import { CHECKS, Finding, finding } from '../validation/findings';
import { MeshTopology } from '../topology';
import { CROSS_CLUSTER_OUTLIER_EXAMPLE, ejectsOn5xx } from '../traffic-policy';
import { VersionedRoute } from '../versioned-route';
import { VmWorkload } from '../vm-workload';
import { CredentialSecret, credentialSecrets } from './credentials';
import { PolicyPlacement, policyClusters, policyPlacements, selectedWorkloads } from './policy-placement';
import { RoutePlan } from './route-plan';
import { allocateVips, readVipLock, renderVipLock } from './vips';
import { byClusterName, byKey } from '../order';

/** A global service with its VIP and the clusters on both ends decided. */
export interface ResolvedService {
  readonly service: GlobalService;
  /** The name other clusters call: `<name>.<namespace>.<globalDomain>`, or its cluster.local name (multi-network). */
  readonly host: string;
  /** The `.global` host's VIP. @default - none: the multi-network topology has no VIPs */
  readonly vip?: string;
  /** Serving clusters, sorted by name. */
  readonly servedBy: readonly MeshCluster[];
  /** Consuming clusters, sorted by name. */
  readonly consumers: readonly MeshCluster[];
  /** Serving clusters that some consumer reaches through the `.global` host, sorted by name. */
  readonly reachedServers: readonly MeshCluster[];
  /** Whether a versioned route splits the service's traffic. */
  readonly routed: boolean;
}

/** A route with where it sends each client's traffic, planned once per synth. */
export interface ResolvedRoute {
  readonly route: VersionedRoute;
  readonly plan: RoutePlan;
  /** The routed service. */
  readonly service: ResolvedService;
}

/** An external service with the clusters whose configuration declares it. */
export interface ResolvedExternalService {
  readonly service: ExternalService;
  /** Sorted by name; a remote's configuration is its primary's. */
  readonly clusters: readonly MeshCluster[];
  /** The calling clusters whose sidecars match its host-less ports by port alone (see `portOnlyCallers`). */
  readonly portOnlyCallers: readonly MeshCluster[];
}

/** An access policy with the clusters it is rendered in. */
export interface ResolvedPolicy {
  readonly policy: AccessPolicy;
  /** Sorted by name. */
  readonly clusters: readonly MeshCluster[];
}

/** A client namespace with the clusters whose configuration scopes it. */
export interface ResolvedClientNamespace {
  readonly client: ClientNamespace;
  /** Sorted by name; a remote's configuration is its primary's. */
  readonly clusters: readonly MeshCluster[];
}

/** A mesh with every cross-construct question answered: what the renderers read. */
export interface ResolvedMesh {
  readonly mesh: Mesh;
  /** Clusters sorted by name. */
  readonly clusters: readonly MeshCluster[];
  /** Global services sorted by host. */
  readonly services: readonly ResolvedService[];
  /** Versioned routes sorted by service host, each with its plan. */
  readonly routes: readonly ResolvedRoute[];
  /** VM workloads sorted by construct path. */
  readonly vms: readonly VmWorkload[];
  /** Access policies sorted by construct path. */
  readonly policies: readonly ResolvedPolicy[];
  /** External services sorted by construct path. */
  readonly externals: readonly ResolvedExternalService[];
  /** The Secrets the external services originate TLS with, each from one store at most, sorted by namespace and name. */
  readonly credentials: readonly CredentialSecret[];
  /** Client namespaces sorted by construct path. */
  readonly clientNamespaces: readonly ResolvedClientNamespace[];
  /** The VIP lock file's new content. @default - none: the topology has no VIPs */
  readonly vipLock?: string;
  /** Hosts whose VIPs stay reserved although no service uses them any more. */
  readonly staleVips: readonly string[];
  /** The CA material of every cluster, when the mesh has a CA. */
  readonly pki?: ResolvedPki;
  /** Things that are likely wrong but do not stop the synth. */
  readonly warnings: readonly Finding[];
  /** Assumptions the output rests on, which the user should confirm once. */
  readonly notes: readonly Finding[];
}

const byPath = byKey<IConstruct>(c => c.node.path);

/** The clusters of a mesh, sorted by name so that output never depends on declaration order. */
export function meshClusters(mesh: Mesh): MeshCluster[] {
  return mesh.node.children.filter(MeshCluster.isMeshCluster).sort(byClusterName);
}

/** A mesh's constructs by kind, each sorted so that output never depends on declaration order. */
export interface MeshInventory {
  readonly clusters: readonly MeshCluster[];
  /** Sorted by host. */
  readonly services: readonly GlobalService[];
  /** Sorted by their service's host. */
  readonly routes: readonly VersionedRoute[];
  /** The rest sorted by construct path. */
  readonly vms: readonly VmWorkload[];
  readonly externalServices: readonly ExternalService[];
  readonly clientNamespaces: readonly ClientNamespace[];
  readonly policies: readonly AccessPolicy[];
  /** Each service's consuming clusters, sorted by name. */
  readonly consumers: ReadonlyMap<GlobalService, readonly MeshCluster[]>;
  /** Each service's serving clusters that some consumer reaches through the `.global` host, sorted by name. */
  readonly reachedServers: ReadonlyMap<GlobalService, readonly MeshCluster[]>;
  /** Where each access policy selects workloads the mesh declares (see `policyPlacements`). */
  readonly policyPlacements: ReadonlyMap<AccessPolicy, readonly PolicyPlacement[]>;
  /** The clusters each access policy is rendered in (see `policyClusters`). */
  readonly policyClusters: ReadonlyMap<AccessPolicy, readonly MeshCluster[]>;
  /** The Secrets external services originate TLS with (see `credentialSecrets`). */
  readonly credentials: readonly CredentialSecret[];
}

/**
 * Lists a mesh's constructs in one walk of its tree, who consumes each service and where each policy
 * goes: a mesh of thousands of services must not walk it per kind, nor work these out for each rule that
 * asks and again for the resolution.
 */
export function meshInventory(mesh: Mesh): MeshInventory {
  const all = mesh.node.findAll();
  const clusters = meshClusters(mesh);
  const services = all.filter(GlobalService.isGlobalService).sort(byKey(s => s.globalHost));
  const consumers = new Map(services.map(s => [s, s._consumers(clusters).sort(byClusterName)]));
  const vms = all.filter(VmWorkload.isVmWorkload).sort(byPath);
  const policies = all.filter(AccessPolicy.isAccessPolicy).sort(byPath);
  const placements = new Map(policies.map(policy => [policy, policyPlacements(policy, services, vms)]));
  const externalServices = all.filter(ExternalService.isExternalService).sort(byPath);
  return {
    clusters,
    services,
    consumers,
    reachedServers: new Map(services.map(s => [s, s._reachedServers(consumers.get(s)!).sort(byClusterName)])),
    routes: all.filter(VersionedRoute.isVersionedRoute).sort(byKey(r => r.service.globalHost)),
    vms,
    externalServices,
    clientNamespaces: all.filter(ClientNamespace.isClientNamespace).sort(byPath),
    policies,
    policyPlacements: placements,
    policyClusters: new Map(policies.map(policy => [policy, policyClusters(policy, placements.get(policy)!)])),
    credentials: credentialSecrets(externalServices, clusters),
  };
}

/** The clusters whose configuration serves these clusters (a remote's is its primary's), once each, sorted by name. */
const configClusters = (clusters: readonly MeshCluster[]) => [...new Set(clusters.map(c => c.configCluster))].sort(byClusterName);

/**
 * Locality failover only moves traffic from clients in the `from` region to endpoints in the `to` region:
 * a rule without either never engages.
 */
function failoverWarnings(route: VersionedRoute): string[] {
  const region = (cluster: MeshCluster) => cluster.locality?.split('/')[0];
  const clientRegions = new Set(route.clients.map(region));
  const servingRegions = new Set(route.service.versions.flatMap(v => v.clusters).map(region));
  return (route.trafficPolicy?.localityFailover ?? []).flatMap(f => [
    ...(clientRegions.has(f.from) ? [] : [`[${route.node.path}] localityFailover ${f.from} -> ${f.to} never engages: no client of the route is in ${f.from}`]),
    ...(servingRegions.has(f.to) ? [] : [`[${route.node.path}] localityFailover ${f.from} -> ${f.to} never engages: no version of ${route.service.serviceName} runs in ${f.to}`]),
  ]);
}

/** Resolves a validated mesh: VIPs from the lock file, serving and consuming clusters of each service. */
export function resolveMesh(mesh: Mesh, inventory: MeshInventory): ResolvedMesh {
  const { clusters, services, routes, vms, externalServices, clientNamespaces, policies } = inventory;
  // A remote runs no istiod, so it needs no intermediate CA: its primary signs its workloads.
  const pki = mesh.ca && resolvePki(mesh.ca, mesh.meshId, mesh.node.path, clusters.filter(c => !c.isRemote), mesh.istioVersion);
  // VIPs exist only for .global names: every service's in the global-names topology; in multi-network, those
  // of services that keep their .global name while a mesh moves, and the lock file keeps the rest reserved.
  const globalNamed = mesh.topology === MeshTopology.GLOBAL_NAMES ? services : services.filter(s => s.keepGlobalName);
  const allocation = mesh.topology === MeshTopology.GLOBAL_NAMES || globalNamed.length > 0 || fs.existsSync(mesh.lockFile) ? allocateVips(
    globalNamed.map(s => ({ host: s.globalHost, owner: s.node.path, pinned: s.vip })),
    readVipLock(mesh.lockFile), mesh.vipRange, mesh.pruneVips, mesh.node.path) : undefined;
  const stale = allocation?.stale ?? [];
  const routedServices = new Set(routes.map(route => route.service));
  const resolvedServices = new Map(services.map((service): [GlobalService, ResolvedService] => [service, {
    service,
    host: service.meshHost,
    vip: allocation?.vips.get(service.globalHost),
    servedBy: [...service.servedBy].sort(byClusterName),
    consumers: inventory.consumers.get(service)!,
    reachedServers: inventory.reachedServers.get(service)!,
    routed: routedServices.has(service),
  }]));
  const externals = externalServices.map((service): ResolvedExternalService => ({
    service,
    clusters: configClusters(service._clusters(clusters)),
    portOnlyCallers: portOnlyCallers(service, clusters),
  }));
  const resolvedRoutes: ResolvedRoute[] = routes.map(route => ({ route, plan: route._plan, service: resolvedServices.get(route.service)! }));
  return {
    mesh,
    clusters,
    services: [...resolvedServices.values()],
    routes: resolvedRoutes,
    vms,
    policies: policies.map(policy => ({ policy, clusters: inventory.policyClusters.get(policy)! })),
    externals,
    credentials: inventory.credentials,
    clientNamespaces: clientNamespaces.map(client => ({
      client,
      clusters: configClusters(client.clusters),
    })),
    vipLock: allocation && renderVipLock(allocation.lock),
    staleVips: stale,
    pki,
    warnings: [
      ...pki?.warnings ?? [],
      ...(mesh.ca || clusters.length < 2 ? [] : [finding(CHECKS.noCa, `[${mesh.node.path}] no ca: each istiod will make its own root and the clusters will not trust each other; set ca: MeshCa.generate() or MeshCa.fromFiles(...)`)]),
      ...routes.flatMap(route => route._shadowedRules()),
      ...routes.flatMap(failoverWarnings).map(w => finding(CHECKS.failoverNeverEngages, w)),
      ...resolvedRoutes.flatMap(oneHostSubsetWarnings).map(w => finding(CHECKS.oneHostSubsets, w)),
      ...clusters.filter(c => ISTIO_COREDNS_MODES.includes(c.dns.mode)).map(c => finding(CHECKS.istioCoreDns,
        `[${c.node.path}] dns ${c.dns.mode} sends .global queries to istiocoredns, which Istio removed in 1.9 (deprecated in 1.8): keep it only if this cluster still runs the istiocoredns plugin; on current Istio use GlobalDns.dnsProxy() or GlobalDns.staticZone()`)),
      ...proxyPortWarnings([...services, ...vms], mesh.topology === MeshTopology.AMBIENT),
      ...clusters.flatMap(nodePortWarnings),
      ...externals.flatMap(portOnlyWarnings),
      ...policies.flatMap(policy => opaquePortWarnings(policy, inventory.policyPlacements.get(policy)!)),
      // The allow-list is an Envoy setting; ztunnel forwards any address (istio/istio#54281).
      ...(mesh.topology === MeshTopology.AMBIENT && mesh.outboundTrafficPolicy === OutboundTrafficPolicy.REGISTRY_ONLY
        ? [finding(CHECKS.registryOnlyInAmbient, `[${mesh.node.path}] outboundTrafficPolicy REGISTRY_ONLY: ztunnel does not enforce it (istio/istio#54281), so ambient `
          + 'workloads still reach any address, declared or not: control egress with the egress waypoint (egressGateway: true) and AuthorizationPolicies, or drop it')]
        : []),
      ...(stale.length === 0 ? [] : [finding(CHECKS.staleVips, `[${mesh.node.path}] ${mesh.lockFile} keeps VIPs of removed services: ${stale.join(', ')}; free them with pruneVips: true`)]),
    ],
    // Multi-network serves through the user's own Service, whose targetPort the mesh does not render.
    notes: mesh.topology !== MeshTopology.GLOBAL_NAMES ? [] : [
      ...services.flatMap(service => {
        const assumed = service.ports.filter(p => p.targetPort === undefined).map(p => `${p.name} ${p.number}`);
        return assumed.length === 0 ? [] : [finding(CHECKS.targetPortAssumed,
          `[${service.node.path}] serving clusters send ${service.globalHost} traffic to the pods' port ${assumed.join(', ')} (no targetPort): make sure the containers listen there, or set targetPort`),
        ];
      }),
      // Through coredns-custom the cluster's Corefile is not the mesh's to see, nor to fix: the README says to restart.
      ...clusters.filter(c => c.dns.coreDnsReloads === false && c.dns.corefileForm === CorefileForm.REPLACE).map(c => finding(CHECKS.corefileWithoutReload,
        `[${c.node.path}] dns: the cluster's Corefile has no reload plugin, so CoreDNS keeps its old configuration until it restarts: `
        + `add reload to the Corefile, or restart CoreDNS after applying ${c.clusterName}'s mesh/ (its README says how)`)),
    ],
  };
}

/**
 * Workloads that would listen where their Istio proxy does: the pods (or VMs) at `targetPort`, else at the
 * service port, and VM instances at the ports they override. Loops that make nothing for a port that is
 * free, as they run for every port of every service.
 */
function proxyPortWarnings(workloads: ReadonlyArray<GlobalService | VmWorkload>, ambient: boolean): Finding[] {
  const found: Finding[] = [];
  const check = (workload: GlobalService | VmWorkload, listenPort: number, where: () => string, fix: string) => {
    const use = proxyPortUse(listenPort, ambient ? ProxyKind.AMBIENT_POD : ProxyKind.SIDECAR);
    if (use === undefined) return;
    found.push(finding(CHECKS.proxyPort, `[${workload.node.path}] ${where()} listens on ${listenPort}, the Istio proxy's ${use} port in every `
      + `${ambient ? 'ambient pod' : 'workload with a sidecar'}: the application cannot bind it, or the proxy takes its traffic; move the application to another port and ${fix}`));
  };
  for (const workload of workloads) {
    workload.ports.forEach((port, i) => check(workload, port.targetPort ?? port.number, () => `ports[${i}] ${port.name}`, 'set targetPort'));
    if (!VmWorkload.isVmWorkload(workload)) continue;
    for (const instance of workload.instances) {
      for (const [name, own] of Object.entries(instance.ports ?? {})) check(workload, own, () => `instance ${instance.name}'s ${name} port`, 'set the instance\'s port');
    }
  }
  return found;
}

/** Kubernetes' default `--service-node-port-range`: the API server refuses a Service with a NodePort outside its range. */
const DEFAULT_NODE_PORTS = { min: 30000, max: 32767 };

/** A cluster's gateway NodePorts outside the default range, which most clusters refuse. */
function nodePortWarnings(cluster: MeshCluster): Finding[] {
  const gateway = cluster.gateway;
  if (!gateway) return [];
  return ([['nodePort', gateway.nodePort], ['istiodNodePort', gateway.istiodNodePort]] as const)
    .filter(([, port]) => port !== undefined && (port < DEFAULT_NODE_PORTS.min || port > DEFAULT_NODE_PORTS.max))
    .map(([prop, port]) => finding(CHECKS.nodePortRange, `[${cluster.node.path}] gateway.${prop} ${port} is outside Kubernetes' default NodePort range `
      + `(${DEFAULT_NODE_PORTS.min}-${DEFAULT_NODE_PORTS.max}): the API server refuses the gateway's Service unless its --service-node-port-range holds the port; use one from the range`));
}

/**
 * The ports an access policy with methods or paths shuts: an ALLOW rule's HTTP-only fields match no
 * connection on a port that carries no HTTP (TCP, TLS, MySQL, ...), so Istio denies every one there.
 */
function opaquePortWarnings(policy: AccessPolicy, placements: readonly PolicyPlacement[]): Finding[] {
  if (!policy.methods && !policy.paths) return [];
  // The port the proxy in front of the workload sees: what `ports` names.
  const workloadPort = (port: ResolvedPort) => port.targetPort ?? port.number;
  const covered = (port: ResolvedPort) => !policy.ports || policy.ports.includes(workloadPort(port));
  return selectedWorkloads(placements).flatMap(workload => workload.ports.filter(port => !isHttpPort(port) && covered(port)).map(port => finding(CHECKS.l7PolicyOnOpaquePort,
    `[${policy.node.path}] methods and paths are HTTP-only, and the policy selects the workloads of ${workload.node.path}, whose port ${port.name} ${port.number} (${port.protocol}) `
    + 'carries no HTTP: an ALLOW rule with HTTP-only fields matches no connection there, so Istio denies every connection to that port; '
    + `set ports to the HTTP ones, and allow ${workloadPort(port)} in a policy without methods and paths if it must stay reachable`)));
}

/**
 * The calling clusters whose sidecars match an external service's host-less ports (TCP, MySQL, ...) by port
 * alone (istio.io, ServiceEntry `addresses`; istioctl analyze IST0134): an entry without addresses gets a
 * listener on 0.0.0.0 for such a port unless the sidecar takes the address Istio allocates, which it does
 * only when it captures DNS, and never for a wildcard host. Resolution NONE asks for that listener.
 */
function portOnlyCallers(service: ExternalService, clusters: readonly MeshCluster[]): MeshCluster[] {
  if (service.addresses.length > 0 || service.resolution === ExternalResolution.NONE || service.ports.every(namesHost)) return [];
  const calling = service._clusters(clusters);
  return wildcardHost(service) ? [...calling] : calling.filter(c => c.dns.mode !== GlobalDnsMode.DNS_PROXY);
}

const wildcardHost = (service: ExternalService) => service.hosts.find(host => host.startsWith('*.'));

/** A warning per host-less port of an external service that some callers match by port alone. */
function portOnlyWarnings({ service, portOnlyCallers: blind }: ResolvedExternalService): Finding[] {
  if (blind.length === 0) return [];
  const wildcard = wildcardHost(service);
  const names = joinClusterNames(blind, ', ');
  return service.ports.filter(port => !namesHost(port)).map(port => {
    const why = wildcard
      ? `Istio allocates no address to the wildcard host ${wildcard}, so the sidecars of ${names}`
      : `the sidecars of ${names} do not capture DNS and so take no address Istio allocates: they`;
    return finding(CHECKS.portOnlyExternal, `[${service.node.path}] port ${port.name} ${port.number} (${port.protocol}) carries no host name and the service has no addresses: `
      + `${why} match port ${port.number} alone, sending every connection on it that no other service claims to ${service.hosts.join(', ')}; `
      + `give the service's addresses${wildcard ? '' : ', or use GlobalDns.dnsProxy() in those clusters'}`);
  });
}

const ISTIO_COREDNS_MODES = [GlobalDnsMode.COREDNS, GlobalDnsMode.KUBE_DNS, GlobalDnsMode.ISTIO_COREDNS];

/**
 * A client's cross-cluster subset has one endpoint, the remote gateway: outlier detection that ejects on
 * any 5xx lets one bad pod behind it take the whole cluster out of the rotation.
 */
function oneHostSubsetWarnings({ route, plan }: ResolvedRoute): string[] {
  const outlier = route.trafficPolicy?.outlierDetection;
  if (!outlier || !ejectsOn5xx(outlier) || plan.consumerSubsets.size === 0) return [];
  const clients = [...plan.consumerSubsets.keys()].map(c => c.clusterName).sort().join(', ');
  return [`[${route.node.path}] trafficPolicy.outlierDetection ejects on 5xx answers (consecutive5xxErrors ${outlier.consecutive5xxErrors ?? '5, Istio\'s default'}), but in ${clients} each cross-cluster subset has one endpoint, the remote gateway: a few 5xx from one pod eject that whole cluster for baseEjectionTime. Eject on gateway errors instead, e.g. ${CROSS_CLUSTER_OUTLIER_EXAMPLE}`];
}

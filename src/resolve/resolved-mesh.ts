import { IConstruct } from 'constructs';
import { AccessPolicy } from '../access-policy';
import { GlobalService } from '../global-service';
import { Mesh } from '../mesh';
import { MeshCluster } from '../mesh-cluster';
import { resolvePki, ResolvedPki } from '../pki/resolve-pki';
import { VersionedRoute } from '../versioned-route';
import { VmWorkload } from '../vm-workload';
import { planRoute, RoutePlan } from './route-plan';
import { allocateVips, readVipLock, renderVipLock } from './vips';
import { byClusterName, byKey } from './order';

/** A global service with its VIP and the clusters on both ends decided. */
export interface ResolvedService {
  readonly service: GlobalService;
  /** `<name>.<namespace>.<globalDomain>`. */
  readonly host: string;
  readonly vip: string;
  /** Serving clusters, sorted by name. */
  readonly servedBy: readonly MeshCluster[];
  /** Consuming clusters, sorted by name. */
  readonly consumers: readonly MeshCluster[];
  /** Serving clusters that some consumer reaches through the `.global` host, sorted by name. */
  readonly reachedServers: readonly MeshCluster[];
}

/** A route with where it sends each client's traffic, planned once per synth. */
export interface ResolvedRoute {
  readonly route: VersionedRoute;
  readonly plan: RoutePlan;
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
  readonly policies: readonly AccessPolicy[];
  /** The VIP lock file's new content. */
  readonly vipLock: string;
  /** Hosts whose VIPs stay reserved although no service uses them any more. */
  readonly staleVips: readonly string[];
  /** The CA material of every cluster, when the mesh has a CA. */
  readonly pki?: ResolvedPki;
  /** Things worth telling the user that do not stop the synth. */
  readonly warnings: readonly string[];
}

const byPath = byKey<IConstruct>(c => c.node.path);

/** The clusters of a mesh, sorted by name so that output never depends on declaration order. */
export function meshClusters(mesh: Mesh): MeshCluster[] {
  return mesh.node.children.filter(MeshCluster.isMeshCluster).sort(byClusterName);
}

/** The global services declared anywhere in a mesh, sorted by host. */
export function meshServices(mesh: Mesh): GlobalService[] {
  return mesh.node.findAll().filter(GlobalService.isGlobalService)
    .sort(byKey(s => s.globalHost));
}

/** The versioned routes declared anywhere in a mesh, sorted by their service's host. */
export function meshRoutes(mesh: Mesh): VersionedRoute[] {
  return mesh.node.findAll().filter(VersionedRoute.isVersionedRoute)
    .sort(byKey(r => r.service.globalHost));
}

/** Resolves a validated mesh: VIPs from the lock file, serving and consuming clusters of each service. */
export function resolveMesh(mesh: Mesh): ResolvedMesh {
  const clusters = meshClusters(mesh);
  const services = meshServices(mesh);
  const routes = meshRoutes(mesh);
  const allocation = allocateVips(
    services.map(s => ({ host: s.globalHost, owner: s.node.path, pinned: s.vip })),
    readVipLock(mesh.lockFile), mesh.vipRange, mesh.pruneVips, mesh.node.path);
  return {
    mesh,
    clusters,
    services: services.map(service => ({
      service,
      host: service.globalHost,
      vip: allocation.vips.get(service.globalHost)!,
      servedBy: [...service.servedBy].sort(byClusterName),
      consumers: service._consumers(clusters).sort(byClusterName),
      reachedServers: service._reachedServers(clusters).sort(byClusterName),
    })),
    routes: routes.map(route => ({ route, plan: planRoute(route) })),
    vms: mesh.node.findAll().filter(VmWorkload.isVmWorkload).sort(byPath),
    policies: mesh.node.findAll().filter(AccessPolicy.isAccessPolicy).sort(byPath),
    vipLock: renderVipLock(allocation.lock),
    staleVips: allocation.stale,
    pki: mesh.ca && resolvePki(mesh.ca, mesh.meshId, mesh.node.path, clusters),
    warnings: [
      ...(mesh.ca || clusters.length < 2 ? [] : [`[${mesh.node.path}] no ca: each istiod will make its own root and the clusters will not trust each other; set ca: MeshCa.generate() or MeshCa.fromFiles(...)`]),
      ...routes.flatMap(route => route._unreachableRules()),
      ...(allocation.stale.length === 0 ? [] : [`[${mesh.node.path}] ${mesh.lockFile} keeps VIPs of removed services: ${allocation.stale.join(', ')}; free them with pruneVips: true`]),
    ],
  };
}

import { Mesh } from '../mesh';
import { MeshCluster } from '../mesh-cluster';

/** A mesh with every cross-construct question answered: what the renderers read. */
export interface ResolvedMesh {
  readonly mesh: Mesh;
  /** Clusters sorted by name. */
  readonly clusters: readonly MeshCluster[];
}

/** The clusters of a mesh, sorted by name so that output never depends on declaration order. */
export function meshClusters(mesh: Mesh): MeshCluster[] {
  return mesh.node.children
    .filter(MeshCluster.isMeshCluster)
    .sort((a, b) => a.clusterName.localeCompare(b.clusterName));
}

/** Resolves a validated mesh. */
export function resolveMesh(mesh: Mesh): ResolvedMesh {
  return { mesh, clusters: meshClusters(mesh) };
}

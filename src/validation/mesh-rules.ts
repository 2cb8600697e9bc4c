import { Mesh } from '../mesh';
import { meshClusters } from '../resolve/resolved-mesh';
import { MeshRule } from './errors';

/** Whole-mesh rules, checked at synth time once every construct is declared. */
export function meshRules(mesh: Mesh): MeshRule[] {
  const clusters = () => meshClusters(mesh);
  return [
    {
      check: () => clusters().length === 0
        ? ['the mesh has no cluster: add one with `new MeshCluster(mesh, "cluster1", { ... })`']
        : [],
    },
    {
      check: () => duplicates(clusters().map(c => c.clusterName))
        .map(name => `cluster name "${name}" is used by ${clusters().filter(c => c.clusterName === name).map(c => c.node.path).join(' and ')}: cluster names must be unique in the mesh`),
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

import type { AccessPolicy } from '../access-policy';
import type { GlobalService } from '../global-service';
import type { MeshCluster } from '../mesh-cluster';
import type { VmWorkload } from '../vm-workload';
import { byClusterName } from '../order';
import { selectorMatches } from '../validation/names';

type Labels = { readonly [label: string]: string };

/** Whether a selector picks a workload that carries at least `labels` (and maybe one of `variants` on top). */
function selects(selector: Labels, labels: Labels, variants: readonly Labels[]): boolean {
  return selectorMatches(selector, labels) || variants.some(variant => selectorMatches(selector, { ...labels, ...variant }));
}

/** A workload the mesh declares that a policy selects, and a cluster where it runs so. */
export interface PolicyPlacement {
  readonly workload: GlobalService | VmWorkload;
  readonly cluster: MeshCluster;
}

/**
 * Where a policy selects workloads the mesh declares: each global service whose pods match its namespace
 * and selector in a serving cluster (with the versions that run there), and each matching VM.
 */
export function policyPlacements(policy: AccessPolicy, services: readonly GlobalService[], vms: readonly VmWorkload[]): PolicyPlacement[] {
  const placements: PolicyPlacement[] = [];
  for (const service of services.filter(s => s.namespace === policy.namespace)) {
    for (const cluster of service.servedBy) {
      const versions = service.versions.filter(v => v.clusters.includes(cluster)).map(v => v.labels);
      if (selects(policy.selector, service.workloadLabels, versions)) placements.push({ workload: service, cluster });
    }
  }
  for (const vm of vms.filter(v => v.namespace === policy.namespace)) {
    if (selects(policy.selector, vm.labels, vm.instances.map(i => i.allLabels))) placements.push({ workload: vm, cluster: vm.cluster });
  }
  return placements;
}

/**
 * The clusters an AccessPolicy is rendered in: the ones it names, else the clusters where it selects a
 * workload the mesh declares. Rendering it elsewhere would select nothing (istioctl analyze IST0127).
 */
export function policyClusters(policy: AccessPolicy, placements: readonly PolicyPlacement[]): MeshCluster[] {
  if (policy.clusters) return [...policy.clusters].sort(byClusterName);
  return [...new Set(placements.map(p => p.cluster))].sort(byClusterName);
}

/** The workloads a policy selects, once each, from its placements. */
export const selectedWorkloads = (placements: readonly PolicyPlacement[]) => [...new Set(placements.map(p => p.workload))];

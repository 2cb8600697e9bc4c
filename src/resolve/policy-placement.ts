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

/**
 * The clusters an AccessPolicy is rendered in: the ones it names, else the clusters where a workload the
 * mesh declares (a global service's pods, or a VM) matches its namespace and selector. Rendering it
 * elsewhere would select nothing (istioctl analyze IST0127).
 */
export function policyClusters(policy: AccessPolicy, services: readonly GlobalService[], vms: readonly VmWorkload[]): MeshCluster[] {
  if (policy.clusters) return [...policy.clusters].sort(byClusterName);
  const clusters = new Set<MeshCluster>();
  for (const service of services.filter(s => s.namespace === policy.namespace)) {
    for (const cluster of service.servedBy) {
      const versions = service.versions.filter(v => v.clusters.includes(cluster)).map(v => v.labels);
      if (selects(policy.selector, service.workloadLabels, versions)) clusters.add(cluster);
    }
  }
  for (const vm of vms.filter(v => v.namespace === policy.namespace)) {
    if (selects(policy.selector, vm.labels, vm.instances.map(i => i.allLabels))) clusters.add(vm.cluster);
  }
  return [...clusters].sort(byClusterName);
}

import { MeshCluster } from '../../../mesh-cluster';
import { ManifestObject, manifestsOf, OutputFile } from '../../../write/output-file';

/**
 * The fields Istio's ambient multicluster requires to be the same in every cluster that holds an object, by
 * kind (its docs: Services of global services, waypoints, DestinationRules, routes); undefined when the
 * object is not one of those. A stub Service has no selector, so a Service is compared by labels and ports.
 */
function uniformFields(object: ManifestObject): { readonly [field: string]: unknown } | undefined {
  if (object.kind === 'Service' && object.metadata.labels?.['istio.io/global'] === 'true') {
    return { 'metadata.labels': object.metadata.labels, 'metadata.annotations': (object.metadata as { annotations?: object }).annotations, 'spec.ports': object.spec?.ports };
  }
  const waypoint = object.kind === 'Gateway' && object.spec?.gatewayClassName === 'istio-waypoint';
  if (waypoint || (['DestinationRule', 'VirtualService', 'HTTPRoute'].includes(object.kind) && object.apiVersion.includes('.'))) {
    return { spec: object.spec };
  }
  return undefined;
}

/**
 * Checks the rendered bundles (the mesh's objects and the user's own) for objects that must be uniform
 * across clusters and are not: one problem per object and field, naming both clusters.
 */
export function samenessProblems(clusterFiles: ReadonlyMap<MeshCluster, readonly OutputFile[]>): string[] {
  const seen = new Map<string, { readonly cluster: string; readonly fields: { readonly [field: string]: unknown } }>();
  const problems: string[] = [];
  for (const [{ clusterName: cluster }, files] of clusterFiles) {
    for (const object of manifestsOf(files)) {
      const fields = uniformFields(object);
      if (!fields) continue;
      const key = `${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}`;
      const first = seen.get(key);
      if (!first) {
        seen.set(key, { cluster, fields });
        continue;
      }
      for (const [field, value] of Object.entries(fields)) {
        if (JSON.stringify(value) !== JSON.stringify(first.fields[field])) {
          problems.push(`${key} differs between ${first.cluster} and ${cluster} in ${field}: ambient multicluster needs it identical in every cluster that holds it (Istio merges them into one); make them the same`);
        }
      }
    }
  }
  return problems;
}

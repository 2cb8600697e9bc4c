import { Mesh } from '../mesh';
import { formatLabels } from '../validation/names';
import { MeshTopology } from '../topology';

/** The label of the namespaces istiod discovers beyond the enrolled ones, when it discovers only the mesh's. */
export const DISCOVERY_LABEL: { readonly [key: string]: string } = { 'istio-discovery': 'enabled' };

/**
 * The labels that enroll a namespace's workloads in the mesh: its revision's (or the default) sidecar
 * injection, or in the ambient topology the ambient data plane (with the revision, when the mesh has one).
 */
export function enrollmentLabels(mesh: Mesh): { readonly [key: string]: string } {
  const revision = mesh.injectionRevision ? { 'istio.io/rev': mesh.injectionRevision } : undefined;
  if (mesh.topology === MeshTopology.AMBIENT) return { 'istio.io/dataplane-mode': 'ambient', ...revision };
  return revision ?? { 'istio-injection': 'enabled' };
}

/**
 * The label sets of which istiod discovers a namespace that carries every label of one, when it discovers
 * only the mesh's namespaces: the enrolled ones (so a namespace labelled for injection is never one whose
 * pods istiod ignores), the ones the bundles mark, and the platform's own, each once.
 * @returns undefined where istiod discovers every namespace
 */
export function discoveryLabelSets(mesh: Mesh): Array<{ readonly [key: string]: string }> | undefined {
  if (!mesh.discovery._selective) return undefined;
  const sets = new Map<string, { readonly [key: string]: string }>();
  for (const labels of [enrollmentLabels(mesh), DISCOVERY_LABEL, ...mesh.discovery._platformLabelSets]) sets.set(formatLabels(labels), { ...labels });
  return [...sets.values()];
}

/** `meshConfig.discoverySelectors`: the discovery label sets as namespace selectors. */
export const discoverySelectors = (mesh: Mesh) => discoveryLabelSets(mesh)?.map(matchLabels => ({ matchLabels }));

/**
 * How to make a namespace one istiod discovers, for messages: the bundles' label, or one of the platform's own
 * sets where the mesh names some (enrollment aside, which does more than make istiod discover it).
 */
export function discoveryLabelHint(mesh: Mesh): string {
  const enrollment = formatLabels(enrollmentLabels(mesh));
  return (discoveryLabelSets(mesh) ?? [DISCOVERY_LABEL]).map(labels => formatLabels(labels)).filter(labels => labels !== enrollment).join(' or ');
}

import * as path from 'path';
import { MeshApp } from '../../src';
import { selectorMatches } from '../../src/validation/names';
import { objectsOf, readYaml, synthOnce } from './synth';

/** A namespace selector of `meshConfig.discoverySelectors`, as the library renders them (matchLabels only). */
export interface NamespaceSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
}

/** A cluster's `meshConfig.discoverySelectors`; the Helm values and the istioctl overlay must say the same. */
export function discoverySelectorsOf(app: MeshApp, cluster: string): NamespaceSelector[] | undefined {
  synthOnce(app);
  const read = (file: string) => readYaml(path.join(app.bundlesOutdir, cluster, 'istio', file))[0];
  const helm = read('istiod-values.yaml').meshConfig.discoverySelectors;
  expect(read('istio-operator.yaml').spec.meshConfig.discoverySelectors).toEqual(helm);
  return helm;
}

/** Whether istiod discovers a namespace with these labels: one selector whose labels it all carries (matchLabels). */
export const discovers = (selectors: readonly NamespaceSelector[], labels: Readonly<Record<string, string>> = {}) =>
  selectors.some(({ matchLabels }) => selectorMatches(matchLabels, labels));

/** Whether istiod reads objects of this kind: Istio's configuration, Gateway API's, and Services. */
const readByIstiod = (o: { apiVersion: string; kind: string }) => /\.istio\.io\/|^gateway\.networking\.k8s\.io\//.test(o.apiVersion) || o.kind === 'Service';

/**
 * The namespaces of a cluster's bundle that istiod would not discover: those holding objects it reads, and
 * `extra` ones, by the labels of the Namespaces the bundle renders.
 */
export function undiscovered(app: MeshApp, cluster: string, extra: readonly string[] = []): string[] {
  const selectors = discoverySelectorsOf(app, cluster)!;
  const objects = [...objectsOf(app, cluster).values()];
  const labels = new Map(objects.filter(o => o.kind === 'Namespace').map(ns => [ns.metadata.name as string, ns.metadata.labels ?? {}]));
  const used = new Set([...objects.filter(readByIstiod).map(o => o.metadata.namespace as string | undefined).filter((ns): ns is string => !!ns), ...extra]);
  return [...used].sort().filter(ns => !discovers(selectors, labels.get(ns)));
}

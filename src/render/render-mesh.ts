import { ResolvedMesh } from '../resolve/resolved-mesh';
import { OutputFile } from '../write/output-file';
import { renderClusterBaseline } from './cluster-baseline';
import { ClusterBundle } from './cluster-bundle';

/** Renders a resolved mesh into one bundle per cluster. */
export function renderMesh(model: ResolvedMesh): OutputFile[] {
  const bundles = model.clusters.map(cluster => new ClusterBundle(cluster, model.mesh));
  // The baseline goes last: the install overlay collects what the other renderers asked of it.
  bundles.forEach(renderClusterBaseline);
  return bundles.flatMap(bundle => bundle.toFiles());
}

import { MeshCluster } from '../../mesh-cluster';
import { ResolvedMesh, ResolvedRoute, ResolvedService } from '../../resolve/resolved-mesh';
import { OutputFile } from '../../write/output-file';
import { ClusterBundle } from '../cluster-bundle';
import { GatewayComponent, TopologyInstall } from '../istio-install';

/** A cluster's bundle, by cluster. */
export type BundleOf = (cluster: MeshCluster) => ClusterBundle;

/**
 * What one topology renders: how services are named and reached across clusters, how routes pick versions
 * in other clusters, and what each cluster needs to take part. Everything else (CA, VMs, access policies,
 * the install plan, GitOps) is shared; a new topology is a new folder implementing this.
 */
export interface TopologyRenderer {
  /** Renders a global service into the clusters that serve and consume it. */
  renderService(service: ResolvedService, bundleOf: BundleOf): void;

  /** Renders a versioned route into the clusters it touches. */
  renderRoute(route: ResolvedRoute, bundleOf: BundleOf): void;

  /**
   * Renders what a cluster needs to take part (its cross-cluster gateway's objects, DNS, peers). Runs after
   * services, routes and VMs, so it can collect what they registered.
   */
  renderCluster(bundle: ClusterBundle, model: ResolvedMesh, bundleOf: BundleOf): void;

  /** The cross-cluster gateway the cluster's Istio install adds, if the cluster has one. */
  gatewayComponent(bundle: ClusterBundle): GatewayComponent | undefined;

  /** What else the topology adds to the cluster's install (a profile, istiod's environment, data-plane releases). */
  install?(bundle: ClusterBundle): TopologyInstall;

  /** Files for the whole mesh, beside the bundles. */
  meshFiles(model: ResolvedMesh): OutputFile[];

  /** Paragraphs a cluster's README adds after its install commands: the steps the topology needs beyond them. */
  applySteps?(bundle: ClusterBundle, model: ResolvedMesh): string[];

  /** Problems in the rendered files that the topology forbids (e.g. objects that must be uniform across clusters). */
  checkRendered?(clusterFiles: ReadonlyMap<MeshCluster, readonly OutputFile[]>): string[];
}

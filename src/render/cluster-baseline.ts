import { PeerAuthentication, PeerAuthenticationSpecMtlsMode } from '../../imports/security.istio.io';
import { ClusterBundle, ISTIO_SYSTEM } from './cluster-bundle';
import { IstioRelease, renderIstioInstall } from './istio-install';
import { renderIstiodExposure } from './istiod-exposure';
import { TopologyRenderer } from './topologies/topology-renderer';

/**
 * Renders what every cluster needs whatever the topology: istiod's exposure on the gateway where VMs or
 * remotes need it, mesh-wide strict mTLS, and Istio's install (Helm values and the istioctl overlay) with the
 * topology's cross-cluster gateway. Runs after the other
 * renderers, because the install collects what they asked of it.
 */
export function renderClusterBaseline(bundle: ClusterBundle, topology: TopologyRenderer): IstioRelease[] {
  const { mesh, cluster } = bundle;
  renderIstiodExposure(bundle);
  // A remote's Istio configuration is its primary's, mesh-wide policy included.
  if (mesh.strictMtls && !cluster.isRemote) {
    bundle.add('security', mesh, PeerAuthentication, {
      metadata: { name: 'default', namespace: ISTIO_SYSTEM },
      spec: { mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT } },
    });
  }
  return renderIstioInstall(bundle, topology.gatewayComponent(bundle), topology.install?.(bundle));
}

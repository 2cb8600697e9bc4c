import { TopologyRenderer } from '../topology-renderer';
import { IstioChart } from '../../istio-install';
import { remoteSecretsScript, remoteSecretsStep, renderRemoteSecrets } from '../multi-network/remote-secrets';
import { renderAmbientEastWest, renderAmbientPeers } from './east-west';
import { renderAmbientRoute } from './routes';
import { samenessProblems } from './sameness';
import { renderAmbientService } from './services';

/**
 * Istio's ambient multicluster on different networks: the ambient profile with multi-network on (istiod,
 * istio-cni, ztunnel), global services marked `istio.io/global` with stubs, an HBONE east-west gateway,
 * peers pinned by istio-remote Gateways, remote secrets, and waypoints for L7 routes.
 */
export const AMBIENT_RENDERER: TopologyRenderer = {
  renderService: renderAmbientService,
  renderRoute: renderAmbientRoute,
  renderCluster: (bundle, model) => {
    renderAmbientEastWest(bundle);
    renderAmbientPeers(bundle, model.clusters);
    renderRemoteSecrets(bundle, model.clusters);
  },
  // istiod provisions the east-west gateway from its Gateway: nothing to install.
  gatewayComponent: () => undefined,
  install: bundle => ({
    profile: 'ambient',
    istiodEnv: { AMBIENT_ENABLE_MULTI_NETWORK: 'true' },
    dataPlane: [
      { id: 'cni', chart: IstioChart.CNI, releaseName: 'istio-cni', valuesFile: 'cni-values.yaml', values: { profile: 'ambient' } },
      {
        id: 'ztunnel', chart: IstioChart.ZTUNNEL, releaseName: 'ztunnel', valuesFile: 'ztunnel-values.yaml',
        values: { multiCluster: { clusterName: bundle.cluster.clusterName }, network: bundle.cluster.network },
      },
    ],
  }),
  meshFiles: model => remoteSecretsScript(model.mesh, model.clusters),
  applySteps: (bundle, model) => remoteSecretsStep(bundle, model.clusters),
  checkRendered: clusterFiles => samenessProblems(clusterFiles),
};

import { renderGlobalService } from '../global-names/global-services';
import { renderGlobalGateway } from '../global-names/mesh-gateway';
import { TopologyRenderer } from '../topology-renderer';
import { eastWestGateway, renderCrossNetworkGateway, renderPeerGateways } from './east-west';
import { remoteSecretsScript, remoteSecretsStep, renderRemoteSecrets } from './remote-secrets';
import { renderMultiNetworkRoute } from './routes';
import { renderMultiNetworkService } from './services';

/**
 * Istio's multi-primary (and primary-remote) install on different networks: cluster.local names, east-west
 * gateways exposing `*.local`, peers pinned with `istio-remote` Gateways, remote secrets.
 */
export const MULTI_NETWORK_RENDERER: TopologyRenderer = {
  renderService: (service, bundleOf) => {
    renderMultiNetworkService(service, bundleOf);
    // While the mesh moves: the .global name too, exactly as the global-names topology rendered it.
    if (service.service.keepGlobalName) renderGlobalService({ ...service, host: service.service.globalHost }, bundleOf);
  },
  renderRoute: renderMultiNetworkRoute,
  renderCluster: (bundle, model, bundleOf) => {
    const { cluster } = bundle;
    // Sidecars resolve the consumed cluster.local names through DNS capture (stub Services give DNS the name).
    bundle.proxyMetadata.ISTIO_META_DNS_CAPTURE = 'true';
    renderCrossNetworkGateway(cluster, bundleOf);
    if (bundle.globalHosts.size > 0) renderGlobalGateway(bundle);
    if (cluster.isRemote) return;
    renderPeerGateways(bundle, model.clusters);
    renderRemoteSecrets(bundle, model.clusters);
    // A primary serves its remotes' sidecars and webhooks through its east-west gateway.
    if (model.clusters.some(c => c.primary === cluster)) {
      bundle.exposesIstiod = true;
      bundle.exposesIstiodWebhook = true;
    }
  },
  gatewayComponent: eastWestGateway,
  meshFiles: model => remoteSecretsScript(model.mesh, model.clusters),
  applySteps: (bundle, model) => remoteSecretsStep(bundle, model.clusters),
};

import { TopologyRenderer } from '../topology-renderer';
import { eastWestGateway, renderCrossNetworkGateway, renderPeerGateways } from './east-west';
import { remoteSecretsScript, renderRemoteSecrets } from './remote-secrets';
import { renderMultiNetworkRoute } from './routes';
import { renderMultiNetworkService } from './services';

/**
 * Istio's multi-primary (and primary-remote) install on different networks: cluster.local names, east-west
 * gateways exposing `*.local`, peers pinned with `istio-remote` Gateways, remote secrets.
 */
export const MULTI_NETWORK_RENDERER: TopologyRenderer = {
  renderService: renderMultiNetworkService,
  renderRoute: renderMultiNetworkRoute,
  renderCluster: (bundle, model, bundleOf) => {
    const { cluster } = bundle;
    // Sidecars resolve the consumed cluster.local names through DNS capture (stub Services give DNS the name).
    bundle.proxyMetadata.ISTIO_META_DNS_CAPTURE = 'true';
    renderCrossNetworkGateway(cluster, bundleOf);
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
};

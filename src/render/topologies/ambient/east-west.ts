import { HBONE_PORT, MeshCluster } from '../../../mesh-cluster';
import { ClusterBundle, ISTIO_SYSTEM } from '../../cluster-bundle';
import { NETWORK_LABEL, renderPeerGateways } from '../multi-network/east-west';
import { GatewayApiGateway } from '../multi-network/gateway-api';

/**
 * The ambient east-west gateway, as Istio's gen-eastwest-gateway.sh --ambient renders it: a Gateway API
 * Gateway of class `istio-east-west` that istiod provisions, terminating HBONE with the mesh's mTLS.
 */
export function renderAmbientEastWest(bundle: ClusterBundle): void {
  const { cluster } = bundle;
  if (!cluster.gateway) return;
  bundle.add('mesh-gateway', cluster, GatewayApiGateway, {
    metadata: { name: 'istio-eastwestgateway', namespace: ISTIO_SYSTEM, labels: { [NETWORK_LABEL]: cluster.network! } },
    spec: {
      gatewayClassName: 'istio-east-west',
      listeners: [{
        name: 'mesh',
        port: HBONE_PORT,
        protocol: 'HBONE',
        tls: { mode: 'Terminate', options: { 'gateway.istio.io/tls-terminate-mode': 'ISTIO_MUTUAL' } },
      }],
    },
  });
}

/** Every other network's ambient east-west gateway, pinned statically with an HBONE `istio-remote` Gateway. */
export function renderAmbientPeers(bundle: ClusterBundle, clusters: readonly MeshCluster[]): void {
  renderPeerGateways(bundle, clusters, port => ({ name: 'cross-network', port, protocol: 'HBONE', tls: { mode: 'Passthrough' } }));
}

import { Gateway, GatewaySpecServersTlsMode } from '../../../../imports/networking.istio.io';
import { CROSS_CLUSTER_PORT, ISTIOD_PORT, ISTIOD_WEBHOOK_PORT, MeshCluster } from '../../../mesh-cluster';
import { boundedDnsLabel, sameLabels } from '../../../validation/names';
import { ClusterBundle, ISTIO_SYSTEM } from '../../cluster-bundle';
import { GatewayComponent } from '../../istio-install';
import { BundleOf } from '../topology-renderer';
import { GatewayApiGateway, GatewayApiGatewaySpec } from './gateway-api';

/** The label that names a gateway's network. */
export const NETWORK_LABEL = 'topology.istio.io/network';

/**
 * Exposes every `*.local` service on the cluster's east-west gateway (Istio's expose-services.yaml):
 * 15443, TLS AUTO_PASSTHROUGH, routed by SNI. A remote's Istio config lives in its primary, so a remote's
 * gateway is configured there, unless the primary's Gateway already selects its pods.
 */
export function renderCrossNetworkGateway(cluster: MeshCluster, bundleOf: BundleOf): void {
  const gateway = cluster.gateway;
  if (!gateway) return;
  const home = cluster.primary;
  if (home?.gateway && sameLabels(home.gateway.selector, gateway.selector) && home.gateway.port === gateway.port) return;
  bundleOf(home ?? cluster).add('mesh-gateway', cluster, Gateway, {
    metadata: { name: home ? boundedDnsLabel(`cross-network-gateway-${cluster.clusterName}`) : 'cross-network-gateway', namespace: ISTIO_SYSTEM },
    spec: {
      selector: { ...gateway.selector },
      servers: [{
        hosts: ['*.local'],
        port: { name: 'tls', number: gateway.port, protocol: 'TLS' },
        tls: { mode: GatewaySpecServersTlsMode.AUTO_UNDERSCORE_PASSTHROUGH },
      }],
    },
  });
}

/** The listener a peer's east-west gateway is reached on: 15443 TLS for sidecars, 15008 HBONE for ambient. */
export type PeerListener = GatewayApiGatewaySpec['listeners'][number];

/** Sidecars reach another network through its east-west gateway's 15443, routed by SNI. */
const SIDECAR_PEER: (port: number) => PeerListener = port => ({
  name: 'cross-network', port, protocol: 'TLS', tls: { mode: 'Passthrough', options: { 'gateway.istio.io/listener-protocol': 'auto-passthrough' } },
});

/**
 * Declares every other network's east-west gateways to a primary statically, as Gateway API Gateways of
 * class `istio-remote` (Istio 1.19+): istiod then sends cross-network traffic to the address given here,
 * whether or not a LoadBalancer status or a remote secret has told it yet.
 */
export function renderPeerGateways(bundle: ClusterBundle, clusters: readonly MeshCluster[], listener: (port: number) => PeerListener = SIDECAR_PEER): void {
  const { cluster } = bundle;
  for (const peer of clusters) {
    if (peer === cluster || !peer.gateway || peer.network === cluster.network) continue;
    bundle.add('mesh-gateway', peer, GatewayApiGateway, {
      metadata: { name: `istio-remote-${peer.clusterName}`, namespace: ISTIO_SYSTEM, labels: { [NETWORK_LABEL]: peer.network! } },
      spec: {
        gatewayClassName: 'istio-remote',
        addresses: [{ type: peer.gateway.addressKind === 'hostname' ? 'Hostname' : 'IPAddress', value: peer.gateway.address }],
        listeners: [listener(peer.gateway.remotePort)],
      },
    });
  }
}

/**
 * The east-west gateway component (gen-eastwest-gateway.sh): the network label on its pods and Service, the
 * network it routes inside (`ISTIO_META_REQUESTED_NETWORK_VIEW`), and ports 15443 plus istiod's 15012 and
 * 15017 where it exposes istiod. Set by hand rather than with the chart's `networkGateway`, which fixes its
 * ports and cannot pin NodePorts; on a NodePort gateway, `traffic.istio.io/nodeSelector` tells istiod to
 * use node addresses.
 */
export function eastWestGateway(bundle: ClusterBundle): GatewayComponent | undefined {
  const { cluster } = bundle;
  const gateway = cluster.gateway;
  if (!gateway) return undefined;
  const nodePort = gateway.nodePort !== undefined;
  return {
    name: gateway.name,
    isDefaultIngress: false,
    labels: {
      ...(gateway.isDefaultGateway ? { app: gateway.name } : {}),
      ...gateway.selector,
      [NETWORK_LABEL]: cluster.network!,
    },
    env: { ISTIO_META_REQUESTED_NETWORK_VIEW: cluster.network! },
    serviceType: nodePort ? 'NodePort' : 'LoadBalancer',
    serviceAnnotations: nodePort ? { 'traffic.istio.io/nodeSelector': '{}' } : undefined,
    ports: [
      { name: 'tls', port: gateway.port, targetPort: CROSS_CLUSTER_PORT, nodePort: gateway.nodePort },
      ...(bundle.exposesIstiod ? [{ name: 'tls-istiod', port: ISTIOD_PORT, targetPort: ISTIOD_PORT, nodePort: gateway.istiodNodePort }] : []),
      ...(bundle.exposesIstiodWebhook ? [{ name: 'tls-webhook', port: ISTIOD_WEBHOOK_PORT, targetPort: ISTIOD_WEBHOOK_PORT }] : []),
    ],
  };
}

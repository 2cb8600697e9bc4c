import {
  DestinationRule, DestinationRuleSpecTrafficPolicyTlsMode, Gateway, GatewaySpecServersTlsMode,
} from '../../imports/networking.istio.io';
import { PeerAuthentication, PeerAuthenticationSpecMtlsMode } from '../../imports/security.istio.io';
import { CROSS_CLUSTER_PORT, DEFAULT_INGRESS_PORTS, GATEWAY_STATUS_PORT, ISTIOD_PORT } from '../mesh-cluster';
import { ClusterBundle, ISTIO_SYSTEM, suppressAnalysis } from './cluster-bundle';
import { IstioOperator } from './istio-operator';

/**
 * Renders what every cluster needs to take part: the `*.global` AUTO_PASSTHROUGH gateway and its
 * ISTIO_MUTUAL rule, mesh-wide strict mTLS, and the `istioctl` install overlay.
 * Runs after the other renderers, because the overlay collects what they asked of the install.
 */
export function renderClusterBaseline(bundle: ClusterBundle): void {
  const { cluster, mesh } = bundle;
  const globalHosts = `*.${mesh.globalDomain}`;

  if (cluster.gateway) {
    bundle.add('mesh-gateway', cluster, Gateway, {
      metadata: { name: 'istio-multicluster-ingressgateway', namespace: ISTIO_SYSTEM },
      spec: {
        selector: { ...cluster.gateway.selector },
        servers: [{
          hosts: [globalHosts],
          port: { name: 'tls', number: cluster.gateway.port, protocol: 'TLS' },
          tls: { mode: GatewaySpecServersTlsMode.AUTO_UNDERSCORE_PASSTHROUGH },
        }],
      },
    });
  }
  bundle.add('mesh-gateway', cluster, DestinationRule, {
    // IST0174 flags a wildcard host that no service matches when the analyzer runs on one cluster's
    // bundle; the `.global` hosts it covers are ServiceEntries that may come in other files or later.
    metadata: { name: 'istio-multicluster-destinationrule', namespace: ISTIO_SYSTEM, annotations: suppressAnalysis('IST0174') },
    spec: {
      host: globalHosts,
      trafficPolicy: { tls: { mode: DestinationRuleSpecTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL } },
    },
  });
  if (mesh.strictMtls) {
    bundle.add('security', mesh, PeerAuthentication, {
      metadata: { name: 'default', namespace: ISTIO_SYSTEM },
      spec: { mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT } },
    });
  }
  renderInstallOverlay(bundle);
}

function renderInstallOverlay(bundle: ClusterBundle): void {
  const { cluster, mesh } = bundle;
  const gateway = cluster.gateway;
  const proxyMetadata = Object.keys(bundle.proxyMetadata).length > 0 ? { ...bundle.proxyMetadata } : undefined;
  bundle.add('install', cluster, IstioOperator, {
    metadata: { name: cluster.clusterName, namespace: ISTIO_SYSTEM },
    spec: {
      meshConfig: {
        trustDomain: mesh.trustDomain,
        defaultConfig: proxyMetadata && { proxyMetadata },
      },
      values: {
        global: { meshID: mesh.meshId, multiCluster: { clusterName: cluster.clusterName }, network: cluster.network },
      },
      // The gateway gets no `topology.istio.io/network` label: this design needs none (the network comes from
      // values.global.network and the istio-system label), and component labels become the Deployment's
      // immutable spec.selector, so adding one fails on a cluster that already runs the gateway. Since Istio
      // 1.11 the gateway detects SNI-DNAT mode by itself (ISTIO_META_ROUTER_MODE is no longer read).
      components: gateway && {
        ingressGateways: [{
          name: gateway.name,
          enabled: true,
          // The default gateway keeps the labels istioctl gives it; another one is installed with the selector's.
          label: gateway.isDefaultGateway ? undefined : { ...gateway.selector },
          k8s: {
            service: {
              type: gateway.nodePort === undefined ? 'LoadBalancer' : 'NodePort',
              // The overlay replaces the Service's port list, so the ports the gateway keeps are repeated.
              ports: [
                ...(gateway.isDefaultGateway ? DEFAULT_INGRESS_PORTS : [GATEWAY_STATUS_PORT]),
                { name: 'tls', port: gateway.port, targetPort: CROSS_CLUSTER_PORT, nodePort: gateway.nodePort },
                // VMs reach istiod through the gateway (see the istiod-gateway in mesh-gateway.yaml).
                ...(bundle.exposesIstiod ? [{ name: 'tls-istiod', port: ISTIOD_PORT, targetPort: ISTIOD_PORT, nodePort: gateway.istiodNodePort }] : []),
              ],
            },
          },
        }],
      },
    },
  });
}

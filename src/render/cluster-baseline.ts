import {
  DestinationRule, DestinationRuleSpecTrafficPolicyTlsMode, Gateway, GatewaySpecServersTlsMode,
} from '../../imports/networking.istio.io';
import { PeerAuthentication, PeerAuthenticationSpecMtlsMode } from '../../imports/security.istio.io';
import { ClusterBundle, ISTIO_SYSTEM } from './cluster-bundle';
import { IstioOperator } from './istio-operator';

/** Ports of Istio's default ingress gateway service, which the overlay must repeat: it replaces the list. */
const DEFAULT_INGRESS_PORTS = [
  { name: 'status-port', port: 15021, targetPort: 15021 },
  { name: 'http2', port: 80, targetPort: 8080 },
  { name: 'https', port: 443, targetPort: 8443 },
];

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
    metadata: { name: 'istio-multicluster-destinationrule', namespace: ISTIO_SYSTEM },
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
      components: gateway && {
        ingressGateways: [{
          name: 'istio-ingressgateway',
          enabled: true,
          label: cluster.network ? { 'topology.istio.io/network': cluster.network } : undefined,
          k8s: {
            // SNI-DNAT mode makes the gateway build the per-SNI clusters that AUTO_PASSTHROUGH routes to.
            env: [{ name: 'ISTIO_META_ROUTER_MODE', value: 'sni-dnat' }],
            service: {
              type: gateway.nodePort === undefined ? 'LoadBalancer' : 'NodePort',
              ports: [
                ...DEFAULT_INGRESS_PORTS,
                { name: 'tls', port: gateway.port, targetPort: 15443, nodePort: gateway.nodePort },
                // VMs reach istiod through the gateway (see the istiod-gateway in mesh-gateway.yaml).
                ...(bundle.exposesIstiod ? [{ name: 'tls-istiod', port: 15012, targetPort: 15012 }] : []),
              ],
            },
          },
        }],
      },
    },
  });
}

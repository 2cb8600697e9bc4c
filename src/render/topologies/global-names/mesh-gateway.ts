import {
  DestinationRule, DestinationRuleSpecTrafficPolicyTlsMode, Gateway, GatewaySpecServersTlsMode,
} from '../../../../imports/networking.istio.io';
import { CROSS_CLUSTER_PORT, ISTIOD_PORT } from '../../../mesh-cluster';
import { ClusterBundle, ISTIO_SYSTEM, suppressAnalysis } from '../../cluster-bundle';
import { GatewayComponent } from '../../istio-install';

/** Renders the `*.global` AUTO_PASSTHROUGH gateway, where the cluster serves, and the ISTIO_MUTUAL rule for `*.global`. */
export function renderGlobalGateway(bundle: ClusterBundle): void {
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
}

/**
 * The cross-cluster gateway of the global-names design: Istio's default ingress gateway with the 15443 port
 * added, or a separate component carrying another selector's labels. It gets no
 * `topology.istio.io/network` label: this design needs none (the network comes from values.global.network
 * and the istio-system label), and component labels become the Deployment's immutable spec.selector, so
 * adding one fails on a cluster that already runs the gateway. Since Istio 1.11 the gateway detects
 * SNI-DNAT mode by itself (ISTIO_META_ROUTER_MODE is no longer read).
 */
export function globalNamesGateway(bundle: ClusterBundle): GatewayComponent | undefined {
  const gateway = bundle.cluster.gateway;
  if (!gateway) return undefined;
  return {
    name: gateway.name,
    isDefaultIngress: gateway.isDefaultGateway,
    // The default gateway keeps the labels its installer gives it; another one is installed with the selector's.
    labels: gateway.isDefaultGateway ? undefined : { ...gateway.selector },
    serviceType: gateway.nodePort === undefined ? 'LoadBalancer' : 'NodePort',
    ports: [
      { name: 'tls', port: gateway.port, targetPort: CROSS_CLUSTER_PORT, nodePort: gateway.nodePort },
      // VMs reach istiod through the gateway (see the istiod-gateway in mesh-gateway.yaml).
      ...(bundle.exposesIstiod ? [{ name: 'tls-istiod', port: ISTIOD_PORT, targetPort: ISTIOD_PORT, nodePort: gateway.istiodNodePort }] : []),
    ],
  };
}

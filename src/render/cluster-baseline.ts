import {
  DestinationRule, DestinationRuleSpecTrafficPolicyTlsMode, Gateway, GatewaySpecServersTlsMode,
} from '../../imports/networking.istio.io';
import { PeerAuthentication, PeerAuthenticationSpecMtlsMode } from '../../imports/security.istio.io';
import { ClusterBundle, ISTIO_SYSTEM, suppressAnalysis } from './cluster-bundle';
import { IstioRelease, renderIstioInstall } from './istio-install';

/**
 * Renders what every cluster needs to take part: the `*.global` AUTO_PASSTHROUGH gateway and its
 * ISTIO_MUTUAL rule, mesh-wide strict mTLS, and Istio's install (Helm values and the istioctl overlay).
 * Runs after the other renderers, because the install collects what they asked of it.
 */
export function renderClusterBaseline(bundle: ClusterBundle): IstioRelease[] {
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
  return renderIstioInstall(bundle);
}

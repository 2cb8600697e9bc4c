import { Gateway, GatewaySpecServersTlsMode, VirtualService } from '../../imports/networking.istio.io';
import { ISTIOD_PORT, ISTIOD_WEBHOOK_PORT } from '../mesh-cluster';
import { ClusterBundle, ISTIO_SYSTEM } from './cluster-bundle';

/** istiod's Service port for its webhooks, which the gateway's 15017 forwards to. */
const ISTIOD_WEBHOOK_SERVICE_PORT = 443;

/**
 * Exposes istiod on the cluster's gateway, as Istio's samples/multicluster/expose-istiod.yaml does: a TLS
 * passthrough Gateway and a VirtualService to istiod, on 15012 (xDS and certificates: VMs, remote
 * clusters' sidecars) and, for remote clusters, 15017 (their injection and validation webhooks).
 */
export function renderIstiodExposure(bundle: ClusterBundle): void {
  const gateway = bundle.cluster.gateway;
  if (!bundle.exposesIstiod || !gateway) return;
  const ports = [
    { name: 'tls-istiod', number: ISTIOD_PORT, target: ISTIOD_PORT },
    ...(bundle.exposesIstiodWebhook ? [{ name: 'tls-istiodwebhook', number: ISTIOD_WEBHOOK_PORT, target: ISTIOD_WEBHOOK_SERVICE_PORT }] : []),
  ];
  bundle.add('mesh-gateway', bundle.cluster, Gateway, {
    metadata: { name: 'istiod-gateway', namespace: ISTIO_SYSTEM },
    spec: {
      selector: { ...gateway.selector },
      servers: ports.map(p => ({ hosts: ['*'], port: { name: p.name, number: p.number, protocol: 'TLS' }, tls: { mode: GatewaySpecServersTlsMode.PASSTHROUGH } })),
    },
  });
  bundle.add('mesh-gateway', bundle.cluster, VirtualService, {
    metadata: { name: 'istiod-vs', namespace: ISTIO_SYSTEM },
    spec: {
      hosts: ['*'],
      gateways: ['istiod-gateway'],
      tls: ports.map(p => ({
        match: [{ port: p.number, sniHosts: ['*'] }],
        route: [{ destination: { host: 'istiod.istio-system.svc.cluster.local', port: { number: p.target } } }],
      })),
    },
  });
}

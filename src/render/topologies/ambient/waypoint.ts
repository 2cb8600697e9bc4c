import { IConstruct } from 'constructs';
import { HBONE_PORT } from '../../../mesh-cluster';
import { ClusterBundle, Concern } from '../../cluster-bundle';
import { GatewayApiGateway } from '../multi-network/gateway-api';

/**
 * A waypoint for services (class `istio-waypoint`, an HBONE listener), once per bundle, namespace and name:
 * the L7 proxy ztunnel sends a service's traffic through when the service is labelled `istio.io/use-waypoint`.
 */
export function addWaypoint(bundle: ClusterBundle, concern: Concern, origin: IConstruct, namespace: string, name: string,
  infrastructureLabels?: { readonly [key: string]: string }): void {
  if (bundle.has(GatewayApiGateway, namespace, name)) return;
  bundle.add(concern, origin, GatewayApiGateway, {
    metadata: { name, namespace, labels: { 'istio.io/waypoint-for': 'service' } },
    spec: {
      gatewayClassName: 'istio-waypoint',
      listeners: [{ name: 'mesh', port: HBONE_PORT, protocol: 'HBONE' }],
      infrastructure: infrastructureLabels && { labels: { ...infrastructureLabels } },
    },
  });
}

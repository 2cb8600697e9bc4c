import { k8s } from 'cdk8s-plus-27';
import { protocolFromName, ResolvedPort } from '../service-port';

/**
 * A service's ports as a Kubernetes Service lists them. Istio reads a Service port's protocol from
 * `appProtocol`, else from the name's `<protocol>[-<suffix>]`: a port whose name does not state the declared
 * protocol (`web` declared HTTP) carries it in `appProtocol`, or Istio would sniff it, which ambient's
 * ztunnel and waypoints never do.
 */
export function kubeServicePorts(ports: readonly ResolvedPort[], targetPortOf: (port: ResolvedPort) => number | undefined): k8s.ServicePort[] {
  return ports.map(port => {
    const targetPort = targetPortOf(port);
    return {
      appProtocol: protocolFromName(port.name) === port.protocol ? undefined : port.protocol.toLowerCase(),
      name: port.name,
      port: port.number,
      protocol: 'TCP',
      targetPort: targetPort === undefined ? undefined : k8s.IntOrString.fromNumber(targetPort),
    };
  });
}

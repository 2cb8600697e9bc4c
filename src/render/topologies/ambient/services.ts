import { k8s } from 'cdk8s-plus-27';
import { ResolvedService } from '../../../resolve/resolved-mesh';
import { NamespaceUse } from '../../cluster-bundle';
import { kubeServicePorts } from '../../kube-service-ports';
import { BundleOf } from '../topology-renderer';

/** The label that makes a Service global in ambient's default service scopes (`serviceScopeConfigs`). */
export const GLOBAL_LABEL = { 'istio.io/global': 'true' };
/** The waypoint every routed service of a namespace uses. */
export const WAYPOINT_NAME = 'waypoint';

/**
 * Renders a global service the ambient way: the same Service, labelled `istio.io/global`, in every cluster
 * that serves it (selecting its pods) or consumes it (a selector-less stub with the same ports), so that
 * every ztunnel and waypoint sees one service with endpoints in every cluster. A routed service uses the
 * namespace's waypoint (`istio.io/use-waypoint`).
 */
export function renderAmbientService(rs: ResolvedService, bundleOf: BundleOf): void {
  const { service } = rs;
  const labels = { ...GLOBAL_LABEL, ...(rs.routed ? { 'istio.io/use-waypoint': WAYPOINT_NAME } : {}) };
  const ports = kubeServicePorts(service.ports, p => p.targetPort ?? p.number);
  for (const cluster of [...new Set([...rs.servedBy, ...rs.consumers])]) {
    const serves = rs.servedBy.includes(cluster);
    const bundle = bundleOf(cluster);
    bundle.useNamespace(service.namespace, serves ? NamespaceUse.WORKLOADS : NamespaceUse.CONFIG);
    bundle.add('global-services', service, k8s.KubeService, {
      metadata: {
        name: service.serviceName,
        namespace: service.namespace,
        labels,
        annotations: service.trafficDistribution && { 'networking.istio.io/traffic-distribution': service.trafficDistribution },
      },
      spec: { selector: serves ? { ...service.workloadLabels } : undefined, ports },
    });
  }
}

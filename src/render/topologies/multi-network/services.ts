import { k8s } from 'cdk8s-plus-27';
import { ResolvedService } from '../../../resolve/resolved-mesh';
import { NamespaceUse } from '../../cluster-bundle';
import { kubeServicePorts } from '../../kube-service-ports';
import { BundleOf } from '../topology-renderer';

/**
 * Renders a global service the multi-network way: it keeps its `<name>.<namespace>.svc.cluster.local` name,
 * and istiod finds its endpoints in every serving cluster through remote secrets (the Service there is the
 * team's own). A consuming cluster that does not serve it gets a selector-less stub Service of the same name
 * and ports, so that the name resolves in its DNS and its sidecars are configured for it.
 */
export function renderMultiNetworkService(rs: ResolvedService, bundleOf: BundleOf): void {
  const { service } = rs;
  for (const server of rs.servedBy) bundleOf(server).useNamespace(service.namespace, NamespaceUse.WORKLOADS);
  for (const consumer of rs.consumers.filter(c => !rs.servedBy.includes(c))) {
    const bundle = bundleOf(consumer);
    bundle.useNamespace(service.namespace, NamespaceUse.CONFIG);
    bundle.add('global-services', service, k8s.KubeService, {
      metadata: { name: service.serviceName, namespace: service.namespace },
      spec: { ports: kubeServicePorts(service.ports, p => p.targetPort) },
    });
  }
}

import { Sidecar } from '../../imports/networking.istio.io';
import { ClientNamespace } from '../client-namespace';
import { ClusterBundle, ISTIO_SYSTEM, NamespaceUse } from './cluster-bundle';

/**
 * The egress hosts of a client namespace's Sidecar: its own namespace and istio-system (which Istio's
 * docs keep visible for the control plane's services), then each called service under the namespace its
 * entries live in.
 */
export function egressHosts(client: ClientNamespace): string[] {
  return [...new Set([
    './*',
    `${ISTIO_SYSTEM}/*`,
    ...client.calls.flatMap(s => [`${s.namespace}/${s.meshHost}`, `${s.namespace}/${s.localHost}`]),
    ...client.callsExternal.flatMap(e => e.hosts.map(host => `${e.namespace}/${host}`)),
    ...client.extraEgressHosts,
  ])].sort();
}

/** Renders a client namespace's Sidecar into one cluster (a remote's configuration lives in its primary). */
export function renderClientNamespace(client: ClientNamespace, bundle: ClusterBundle): void {
  bundle.useNamespace(client.namespace, NamespaceUse.WORKLOADS);
  bundle.add('client-scopes', client, Sidecar, {
    metadata: { name: client.sidecarName, namespace: client.namespace },
    spec: {
      workloadSelector: client.selector && { labels: { ...client.selector } },
      egress: [{ hosts: egressHosts(client) }],
    },
  });
}

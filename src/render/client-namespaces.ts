import { Sidecar } from '../../imports/networking.istio.io';
import { ClientNamespace, egressHostParts } from '../client-namespace';
import { ClusterBundle, ISTIO_SYSTEM, NamespaceUse } from './cluster-bundle';

/**
 * The egress hosts of a client namespace's Sidecar: its own namespace and istio-system (which Istio's
 * docs keep visible for the control plane's services), then each called service under the namespace its
 * entries live in. A host whose namespace a `<namespace>/*` already imports is left out, as is a second
 * spelling of one (`./*` and `<own namespace>/*`): istiod warns of both as duplicated egress hosts.
 */
export function egressHosts(client: ClientNamespace): string[] {
  const listed = [
    './*',
    `${ISTIO_SYSTEM}/*`,
    ...client.calls.flatMap(s => [`${s.namespace}/${s.meshHost}`, `${s.namespace}/${s.localHost}`]),
    ...client.callsExternal.flatMap(e => e.hosts.map(host => `${e.namespace}/${host}`)),
    ...client.extraEgressHosts,
  ].map(entry => {
    // Every entry has its one `/`: the library's by construction, the user's checked by ClientNamespace.
    const { namespace, host } = egressHostParts(entry)!;
    return { entry, namespace: namespace === '.' ? client.namespace : namespace, host };
  });
  const wholeNamespaces = new Set(listed.filter(e => e.host === '*').map(e => e.namespace));
  const seen = new Set<string>();
  return listed.filter(({ namespace, host }) => {
    const key = `${namespace}/${host}`;
    if (seen.has(key) || (host !== '*' && wholeNamespaces.has(namespace))) return false;
    seen.add(key);
    return true;
  }).map(e => e.entry).sort();
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

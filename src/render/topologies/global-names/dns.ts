import { CHECKS } from '../../../validation/findings';
import { k8s } from 'cdk8s-plus-27';
import { renderServerBlock } from '../../../dns/corefile';
import { CorefileForm, GlobalDnsMode } from '../../../global-dns';
import { byEntryKey, sortedEntries } from '../../../order';
import { hostPort } from '../../../validation/network';
import { MeshConfigError } from '../../../validation/errors';
import { ClusterBundle, ISTIO_SYSTEM } from '../../cluster-bundle';
import { contextOrName } from '../../shell';

const KUBE_SYSTEM = 'kube-system';

/**
 * Renders how the cluster resolves `.global` names. Runs after the service renderers, because a
 * static zone lists the hosts they registered.
 */
export function renderGlobalDns(bundle: ClusterBundle): void {
  const { cluster, mesh } = bundle;
  const dns = cluster.dns;
  const zone = mesh.globalDomain;

  switch (dns.mode) {
    case GlobalDnsMode.DNS_PROXY:
      bundle.proxyMetadata.ISTIO_META_DNS_CAPTURE = 'true';
      break;
    case GlobalDnsMode.COREDNS:
      renderServerBlockInto(bundle, renderServerBlock({
        keys: [`${zone}:53`],
        directives: [{ name: 'errors' }, { name: 'cache', args: ['30'] }, { name: 'forward', args: ['.', hostPort(dns.istioCoreDnsIp!, 53)] }],
      }));
      break;
    case GlobalDnsMode.STATIC_ZONE:
      renderServerBlockInto(bundle, renderServerBlock({
        keys: [`${zone}:53`],
        directives: [
          { name: 'errors' },
          { name: 'cache', args: ['30'] },
          // No fallthrough: a .global name without a ServiceEntry has no VIP, so NXDOMAIN is the answer.
          { name: 'hosts', block: [...bundle.globalHosts].sort(byEntryKey).map(([host, vip]) => ({ name: vip, args: [host] })) },
        ],
      }));
      break;
    case GlobalDnsMode.KUBE_DNS:
      bundle.add('dns', cluster, k8s.KubeConfigMap, {
        metadata: { name: 'kube-dns', namespace: KUBE_SYSTEM },
        data: {
          stubDomains: JSON.stringify(Object.fromEntries(sortedEntries({ ...dns.existingStubDomains, [zone]: [dns.istioCoreDnsIp!] }))),
          ...(dns.upstreamNameservers ? { upstreamNameservers: JSON.stringify(dns.upstreamNameservers) } : {}),
        },
      });
      break;
    case GlobalDnsMode.ISTIO_COREDNS:
      break;
  }
  if (dns.renderIstioCoreDns) {
    renderIstioCoreDns(bundle, dns.istioCoreDnsIp!);
  }
}

/**
 * The DNS step of a cluster's README, unless CoreDNS is known to pick up the rendered block by itself: the restart
 * that makes it, after the first apply and (for a static zone) whenever the `.global` hosts change.
 */
export function globalDnsStep(bundle: ClusterBundle): string[] {
  const dns = bundle.cluster.dns;
  if (dns.coreDnsReloads !== false) return [];
  const why = dns.corefileForm === CorefileForm.CUSTOM_SERVER_BLOCK
    ? '`coredns-custom` reaches CoreDNS without a restart only if the cluster\'s own Corefile has the `reload` plugin, which the mesh does not see'
    : 'The cluster\'s Corefile has no `reload` plugin, so CoreDNS reads it only when it starts';
  const when = dns.mode === GlobalDnsMode.STATIC_ZONE ? ', and whenever the mesh\'s `.global` hosts change' : '';
  // A rolling restart is harmless where CoreDNS would have reloaded anyway.
  return [`**DNS.** ${why}: after applying \`mesh/\`${when}, restart it: `
    + `\`kubectl --context "${contextOrName(bundle.cluster.clusterName)}" -n ${KUBE_SYSTEM} rollout restart deployment coredns\`.`];
}

/** etcd refuses objects over 1.5 MiB; a little is left for the object's metadata. */
const OBJECT_SIZE_LIMIT = 1.5 * 1024 * 1024 - 16 * 1024;

/** A static zone grows with every `.global` host: refuse what the API server would refuse. */
function checkObjectSize(bundle: ClusterBundle, what: string, data: string): void {
  const bytes = Buffer.byteLength(data);
  if (bytes > OBJECT_SIZE_LIMIT) {
    throw new MeshConfigError(`[${bundle.cluster.node.path}] ${what} would be ${(bytes / 1048576).toFixed(1)} MiB with ${bundle.globalHosts.size} .global hosts, over etcd's 1.5 MiB object limit (the API server refuses it): use GlobalDns.dnsProxy() in ${bundle.cluster.clusterName}`, CHECKS.overLimit);
  }
}

/**
 * Delivers the `.global` server block as the cluster's DNS form says: appended to the cluster's own
 * Corefile, verbatim, in `kube-system/coredns`; or alone as a key of `kube-system/coredns-custom`.
 */
function renderServerBlockInto(bundle: ClusterBundle, block: string): void {
  const dns = bundle.cluster.dns;
  if (dns.corefileForm === CorefileForm.CUSTOM_SERVER_BLOCK) {
    checkObjectSize(bundle, 'ConfigMap kube-system/coredns-custom', block);
    bundle.add('dns', bundle.cluster, k8s.KubeConfigMap, {
      metadata: {
        name: 'coredns-custom',
        namespace: KUBE_SYSTEM,
        // Other keys of this ConfigMap belong to the cluster's operators: merge ours in, never take it over.
        annotations: { 'argocd.argoproj.io/sync-options': 'ServerSideApply=true', 'kustomize.toolkit.fluxcd.io/ssa': 'Merge' },
      },
      data: { [`${bundle.mesh.globalDomain}.server`]: block },
    });
    return;
  }
  const corefile = `${dns.existingCorefile!.trimEnd()}\n${block}`;
  checkObjectSize(bundle, 'ConfigMap kube-system/coredns', corefile);
  bundle.add('dns', bundle.cluster, k8s.KubeConfigMap, {
    metadata: { name: 'coredns', namespace: KUBE_SYSTEM },
    data: { Corefile: corefile },
  });
}

/** istiocoredns: a CoreDNS that answers `.global` from ServiceEntries through Istio's gRPC plugin (Istio < 1.9). */
function renderIstioCoreDns(bundle: ClusterBundle, clusterIp: string): void {
  const zone = bundle.mesh.globalDomain;
  bundle.add('dns', bundle.cluster, k8s.KubeConfigMap, {
    metadata: { name: 'coredns', namespace: ISTIO_SYSTEM, labels: { app: 'istiocoredns' } },
    data: {
      Corefile: renderServerBlock({
        keys: ['.:53'],
        directives: [
          { name: 'errors' },
          { name: 'health' },
          { name: 'grpc', args: [zone, '127.0.0.1:8053'] },
          { name: 'forward', args: ['.', '/etc/resolv.conf'], block: [{ name: 'except', args: [zone] }] },
          { name: 'prometheus', args: [':9153'] },
          { name: 'cache', args: ['30'] },
          { name: 'reload' },
        ],
      }),
    },
  });
  bundle.add('dns', bundle.cluster, k8s.KubeService, {
    metadata: { name: 'istiocoredns', namespace: ISTIO_SYSTEM, labels: { app: 'istiocoredns' } },
    spec: {
      clusterIp,
      selector: { app: 'istiocoredns' },
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: k8s.IntOrString.fromNumber(53) },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: k8s.IntOrString.fromNumber(53) },
      ],
    },
  });
}

import { k8s } from 'cdk8s-plus-27';
import { renderServerBlock } from '../dns/corefile';
import { GlobalDnsMode } from '../global-dns';
import { hostPort } from '../validation/network';
import { ClusterBundle, ISTIO_SYSTEM } from './cluster-bundle';
import { byEntryKey, sortedEntries } from '../order';

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
      renderClusterCorefile(bundle, dns.existingCorefile!, renderServerBlock({
        keys: [`${zone}:53`],
        directives: [{ name: 'errors' }, { name: 'cache', args: ['30'] }, { name: 'forward', args: ['.', hostPort(dns.istioCoreDnsIp!, 53)] }],
      }));
      break;
    case GlobalDnsMode.STATIC_ZONE:
      renderClusterCorefile(bundle, dns.existingCorefile!, renderServerBlock({
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

/** The cluster's own Corefile, verbatim, with the `.global` server block appended. */
function renderClusterCorefile(bundle: ClusterBundle, existing: string, block: string): void {
  bundle.add('dns', bundle.cluster, k8s.KubeConfigMap, {
    metadata: { name: 'coredns', namespace: KUBE_SYSTEM },
    data: { Corefile: `${existing.trimEnd()}\n${block}` },
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

import { CHECKS } from './validation/findings';
import * as fs from 'fs';
import { IConstruct } from 'constructs';
import { CorefileError, keyZone, parseCorefile, ServerBlock } from './dns/corefile';
import { MeshConfigError, propError } from './validation/errors';
import { checkIpAddress, checkPort } from './validation/network';
import { checkOneOf } from './validation/values';

/** How a cluster answers DNS queries for `.global` names. */
export enum GlobalDnsMode {
  /** Istio's sidecar DNS proxy answers from each ServiceEntry's VIP. No DNS change in the cluster. */
  DNS_PROXY = 'dns-proxy',
  /** The cluster's CoreDNS forwards the `global` zone to istiocoredns. */
  COREDNS = 'coredns',
  /** The cluster's kube-dns forwards the `global` zone to istiocoredns (`stubDomains`). */
  KUBE_DNS = 'kube-dns',
  /** Only istiocoredns itself (its Corefile and a Service with a pinned ClusterIP); the cluster DNS is wired by hand. */
  ISTIO_COREDNS = 'istiocoredns',
  /** The cluster's CoreDNS answers the `global` zone itself from the VIPs known at synth time. */
  STATIC_ZONE = 'static-zone',
}

/** The cluster's existing CoreDNS configuration, which is kept and extended, never replaced. */
export interface ExistingCorefile {
  /**
   * The cluster's Corefile as it is now
   * (`kubectl -n kube-system get configmap coredns -o jsonpath='{.data.Corefile}'`).
   * @default - read from `corefileFile`
   */
  readonly corefile?: string;

  /**
   * A file holding the cluster's current Corefile, relative to the working directory.
   * @default - `corefile` must be given
   */
  readonly corefileFile?: string;
}

/** How the `.global` server block reaches a cluster's CoreDNS. */
export enum CorefileForm {
  /**
   * The whole `kube-system/coredns` ConfigMap: the cluster's Corefile, verbatim, with the block appended.
   * For CoreDNS you run yourself (kubeadm, kind, most on-premises clusters). Managed add-ons (EKS, GKE,
   * AKS) reconcile that ConfigMap back to their own.
   */
  REPLACE = 'replace',
  /**
   * Only the block, as the `<zone>.server` key of `kube-system/coredns-custom`, which CoreDNS imports as an
   * extra server block: AKS reads that ConfigMap, and so do k3s and RKE2 (`import /etc/coredns/custom/*.server`).
   * Applied as a merge, so keys you keep there yourself stay. The cluster's Corefile is not needed.
   */
  CUSTOM_SERVER_BLOCK = 'custom-server-block',
}

/** Where a CoreDNS mode writes its server block. */
export interface CoreDnsTarget extends ExistingCorefile {
  /**
   * How the server block reaches CoreDNS.
   * @default CorefileForm.REPLACE
   */
  readonly form?: CorefileForm;
}

/** Options of {@link GlobalDns.coreDns}. */
export interface CoreDnsOptions extends CoreDnsTarget {
  /** The ClusterIP of the istiocoredns Service that answers the `global` zone. */
  readonly istioCoreDnsIp: string;

  /**
   * Also render istiocoredns's own Corefile and its Service with `istioCoreDnsIp` pinned.
   * @default false
   */
  readonly renderIstioCoreDns?: boolean;
}

/** Options of {@link GlobalDns.kubeDns}. */
export interface KubeDnsOptions {
  /** The ClusterIP of the istiocoredns Service that answers the `global` zone. */
  readonly istioCoreDnsIp: string;

  /**
   * Stub domains the cluster's kube-dns already has; they are kept.
   * @default - none
   */
  readonly existingStubDomains?: { readonly [zone: string]: string[] };

  /**
   * Upstream nameservers the cluster's kube-dns already has; they are kept.
   * @default - none
   */
  readonly upstreamNameservers?: string[];

  /**
   * Also render istiocoredns's own Corefile and its Service with `istioCoreDnsIp` pinned.
   * @default false
   */
  readonly renderIstioCoreDns?: boolean;
}

/** Options of {@link GlobalDns.istioCoreDns}. */
export interface IstioCoreDnsOptions {
  /** The ClusterIP to pin on the istiocoredns Service, inside the cluster's service CIDR. */
  readonly clusterIp: string;
}

/** A cluster's DNS set-up for `.global` names, validated against the cluster it belongs to. */
export interface ResolvedGlobalDns {
  readonly mode: GlobalDnsMode;
  /**
   * The cluster's Corefile, verbatim, for the CoreDNS modes that replace it.
   * @default - not a CoreDNS mode, or the block goes to coredns-custom
   */
  readonly existingCorefile?: string;
  /**
   * How the CoreDNS modes deliver their server block.
   * @default CorefileForm.REPLACE
   */
  readonly corefileForm: CorefileForm;
  /**
   * Whether CoreDNS is known to pick up the rendered block by itself: when the cluster's Corefile has the
   * `reload` plugin. Through coredns-custom the mesh does not see that Corefile, so it is not known.
   * @default - not a CoreDNS mode
   */
  readonly coreDnsReloads?: boolean;
  /**
   * The istiocoredns ClusterIP.
   * @default - istiocoredns is not involved
   */
  readonly istioCoreDnsIp?: string;
  readonly renderIstioCoreDns: boolean;
  /** @default - none */
  readonly existingStubDomains?: { readonly [zone: string]: string[] };
  /** @default - none */
  readonly upstreamNameservers?: string[];
}

/**
 * How a cluster resolves `<name>.<namespace>.global`.
 *
 * On current Istio (1.9 and later, no istiocoredns addon) pick `dnsProxy()` or `staticZone()`;
 * `coreDns()`, `kubeDns()` and `istioCoreDns()` reproduce the articles' set-up for clusters that still run istiocoredns.
 */
export class GlobalDns {
  /** Istio's DNS proxy answers `.global` names from ServiceEntry VIPs (`ISTIO_META_DNS_CAPTURE`). */
  public static dnsProxy(): GlobalDns {
    return new GlobalDns(GlobalDnsMode.DNS_PROXY, {});
  }

  /** Appends a `global:53` server block forwarding to istiocoredns to the cluster's CoreDNS Corefile. */
  public static coreDns(options: CoreDnsOptions): GlobalDns {
    return new GlobalDns(GlobalDnsMode.COREDNS, options);
  }

  /** Adds `global` to the cluster's kube-dns `stubDomains`, pointing at istiocoredns. */
  public static kubeDns(options: KubeDnsOptions): GlobalDns {
    return new GlobalDns(GlobalDnsMode.KUBE_DNS, options);
  }

  /** Renders only istiocoredns (its Corefile and a Service with a pinned ClusterIP). */
  public static istioCoreDns(options: IstioCoreDnsOptions): GlobalDns {
    return new GlobalDns(GlobalDnsMode.ISTIO_COREDNS, { istioCoreDnsIp: options.clusterIp, renderIstioCoreDns: true });
  }

  /** Appends a `global:53` server block that answers every `.global` host with its VIP (CoreDNS `hosts`). */
  public static staticZone(options: CoreDnsTarget): GlobalDns {
    return new GlobalDns(GlobalDnsMode.STATIC_ZONE, options);
  }

  private constructor(
    public readonly mode: GlobalDnsMode,
    private readonly options: CoreDnsTarget & Partial<CoreDnsOptions & KubeDnsOptions>,
  ) {}

  /** Validates the options for a cluster; errors name the cluster and the option. @internal */
  public _resolve(cluster: IConstruct, globalDomain: string): ResolvedGlobalDns {
    const o = this.options;
    const ip = o.istioCoreDnsIp === undefined ? undefined : (checkIpAddress(cluster, prop(this.mode === GlobalDnsMode.ISTIO_COREDNS ? 'clusterIp' : 'istioCoreDnsIp'), o.istioCoreDnsIp), o.istioCoreDnsIp);
    const corefileForm = o.form ?? CorefileForm.REPLACE;
    checkOneOf(cluster, prop('form'), corefileForm, CorefileForm, 'a Corefile form');
    const coreDnsMode = this.mode === GlobalDnsMode.COREDNS || this.mode === GlobalDnsMode.STATIC_ZONE;
    // coredns-custom takes the block alone; a Corefile given anyway is still checked for a clashing zone.
    const needsCorefile = coreDnsMode && (corefileForm === CorefileForm.REPLACE || o.corefile !== undefined || o.corefileFile !== undefined);
    // kube-dns reads stub domains and upstreams as plain IP addresses (an optional :port on IPv4).
    for (const [zone, servers] of Object.entries(o.existingStubDomains ?? {})) {
      servers.forEach((server, i) => checkNameserver(cluster, prop(`existingStubDomains.${zone}[${i}]`), server));
    }
    (o.upstreamNameservers ?? []).forEach((server, i) => checkNameserver(cluster, prop(`upstreamNameservers[${i}]`), server));
    const corefile = needsCorefile ? readCorefile(cluster, o, globalDomain) : undefined;
    return {
      mode: this.mode,
      existingCorefile: corefile?.text,
      corefileForm,
      coreDnsReloads: coreDnsMode ? corefileForm === CorefileForm.REPLACE && corefile!.reloads : undefined,
      istioCoreDnsIp: ip,
      renderIstioCoreDns: o.renderIstioCoreDns ?? false,
      existingStubDomains: o.existingStubDomains,
      upstreamNameservers: o.upstreamNameservers,
    };
  }
}

const prop = (name: string) => `dns.${name}`;

function checkNameserver(cluster: IConstruct, where: string, server: string): void {
  const [address, port] = /^[0-9.]+:[0-9]+$/.test(server) ? server.split(':') : [server, undefined];
  checkIpAddress(cluster, where, address);
  if (port !== undefined) checkPort(cluster, where, Number(port));
}

/** The cluster's Corefile, checked, and whether it reloads itself when it changes (the `reload` plugin in any block). */
function readCorefile(cluster: IConstruct, options: ExistingCorefile, globalDomain: string): { readonly text: string; readonly reloads: boolean } {
  if ((options.corefile === undefined) === (options.corefileFile === undefined)) {
    throw new MeshConfigError(`[${cluster.node.path}] dns needs the cluster's current Corefile, as exactly one of corefile (text) or corefileFile (a path): `
      + 'get it with kubectl -n kube-system get configmap coredns -o jsonpath=\'{.data.Corefile}\'', CHECKS.corefile);
  }
  let text = options.corefile;
  const source = options.corefileFile === undefined ? `[${cluster.node.path}] dns.corefile` : `[${cluster.node.path}] dns.corefileFile ${options.corefileFile}`;
  if (options.corefileFile !== undefined) {
    try {
      text = fs.readFileSync(options.corefileFile, 'utf8');
    } catch (e) {
      throw propError(cluster, prop('corefileFile'), options.corefileFile, `cannot be read (${(e as NodeJS.ErrnoException).code}): give the path of a file holding the Corefile`);
    }
  }
  let blocks: ServerBlock[];
  try {
    blocks = parseCorefile(text!, source);
  } catch (e) {
    if (e instanceof CorefileError) throw new MeshConfigError(e.message, CHECKS.corefile);
    throw e;
  }
  if (blocks.length === 0) {
    throw new MeshConfigError(`${source} has no server block: pass the cluster's whole Corefile, not an empty one`, CHECKS.corefile);
  }
  const global = blocks.find(b => b.keys.some(k => keyZone(k) === globalDomain));
  if (global) {
    throw new MeshConfigError(`${source} already has a server block for ${globalDomain} (line ${global.line}): pass the Corefile as it was before, the library appends that block itself`, CHECKS.corefile);
  }
  return { text: text!, reloads: blocks.some(b => b.directives.some(d => d.name === 'reload')) };
}

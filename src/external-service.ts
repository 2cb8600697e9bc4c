import { Construct } from 'constructs';
import { Mesh } from './mesh';
import { ExternalSecretOptions } from './mesh-ca';
import { checkLocality, MeshCluster } from './mesh-cluster';
import { namesHost, Protocol, ResolvedPort, resolvePorts, ServicePort } from './service-port';
import { propError, unsetPropError } from './validation/errors';
import { checkDnsLabel, checkLabels, formatLabels, isDnsSubdomain, isHostName, isNeverInjected, isQualifiedHostName } from './validation/names';
import { classifyAddress } from './validation/network';
import { checkOneOf, checkSecretStoreRef } from './validation/values';

const EXTERNAL_SERVICE_SYMBOL = Symbol.for('cdk8s-istio-multicluster.ExternalService');

/** How the sidecars find an external service's addresses (the ServiceEntry's `resolution`). */
export enum ExternalResolution {
  /** Resolve the hosts (or the endpoints' hostnames) with DNS, and balance over every address. */
  DNS = 'DNS',
  /** Connect to the first address DNS returns, as an application would (one endpoint at most). */
  DNS_ROUND_ROBIN = 'DNS_ROUND_ROBIN',
  /** Fixed IP endpoints. */
  STATIC = 'STATIC',
  /**
   * No lookup: each connection goes to the address the workload dialed. For wildcard hosts and CIDR
   * `addresses` without endpoints of their own (Istio's `NONE`).
   */
  NONE = 'NONE',
}

/** How the sidecar originates TLS towards the external service (its DestinationRule's `tls.mode`). */
export enum TlsOriginationMode {
  /** TLS to the server, verified against the system's or the given CA. */
  SIMPLE = 'SIMPLE',
  /** Mutual TLS with a client certificate from a Secret (`credentialName`). */
  MUTUAL = 'MUTUAL',
}

/** TLS origination: workloads speak plain HTTP to the external service, the sidecar speaks TLS. */
export interface TlsOrigination {
  readonly mode: TlsOriginationMode;

  /**
   * A Secret with the client certificate, key and CA (`cert`, `key`, `cacert`): required for MUTUAL. Istio
   * reads it at gateways, and at sidecars only through a DestinationRule with a workload selector: so it
   * needs `egressGateway` (the Secret in the egress gateway's namespace, `istio-system`) or `workloads`
   * (the Secret in each of their namespaces).
   * @default - none (SIMPLE verifies the server with the system's roots)
   */
  readonly credentialName?: string;

  /**
   * The workloads whose sidecars originate TLS with `credentialName`, each reading the Secret from its own
   * namespace: one DestinationRule each, with their workload selector, exported to their namespace only. The
   * alternative to `egressGateway` for a credential; other workloads get no TLS origination towards the host.
   * @default - with credentialName, the egress gateway originates; without, every sidecar
   */
  readonly workloads?: TlsOriginatingWorkloads[];

  /**
   * Where the External Secrets Operator reads `credentialName` from, for each namespace and cluster that
   * needs it: the key `<remoteKeyPrefix>/<credentialName>` (prefix `<meshId>/credentials` unless given),
   * one property per Secret key (`cert`, `key`, `cacert`). Services that share a credential name it once.
   * @default - none: each calling cluster's README has the commands that create the Secret by hand
   */
  readonly credentialStore?: ExternalSecretOptions;

  /**
   * The SNI name the sidecar sends.
   * @default - the host the workload called
   */
  readonly sni?: string;
}

/** Workloads whose sidecars originate TLS to an external service with a client credential of their namespace. */
export interface TlsOriginatingWorkloads {
  /** Their namespace, which must hold the Secret `credentialName`. */
  readonly namespace: string;
  /** Their pods' labels, at least one (the DestinationRule's `workloadSelector`). */
  readonly selector: { readonly [label: string]: string };
}

/** An address of an external service. */
export interface ExternalEndpoint {
  /** An IP address (STATIC) or a hostname or IP address (DNS). */
  readonly address: string;

  /**
   * The endpoint's port for each service port, by port name, where it differs.
   * @default - each port's targetPort or number
   */
  readonly ports?: { readonly [portName: string]: number };

  /**
   * Where the endpoint runs, `region[/zone[/subzone]]`, for locality-aware balancing.
   * @default - no locality
   */
  readonly locality?: string;
}

/** Properties of an {@link ExternalService}. */
export interface ExternalServiceProps {
  /**
   * The name of its ServiceEntry and DestinationRule.
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * The namespace the objects live in; they are visible to every namespace.
   * @default 'istio-system'
   */
  readonly namespace?: string;

  /** The names workloads call, e.g. `api.partner.example.com` or `*.storage.example.com` (with endpoints or STATIC). */
  readonly hosts: string[];

  /** The ports workloads call. With TLS origination, a plain HTTP port whose `targetPort` is the server's TLS port. */
  readonly ports: ServicePort[];

  /**
   * How the addresses are found.
   * @default ExternalResolution.DNS
   */
  readonly resolution?: ExternalResolution;

  /**
   * Fixed addresses (IPs or CIDRs) the hosts are called on, for TCP services that workloads reach by address.
   * @default - none
   */
  readonly addresses?: string[];

  /**
   * The endpoints, required for STATIC.
   * @default - the hosts themselves (DNS)
   */
  readonly endpoints?: ExternalEndpoint[];

  /**
   * Originate TLS in the sidecar.
   * @default - no TLS origination: workloads speak to the service as they do
   */
  readonly tls?: TlsOrigination;

  /**
   * The clusters whose workloads call the service; each renders the same objects.
   * @default - every cluster of the mesh
   */
  readonly clusters?: MeshCluster[];

  /**
   * Send the traffic out through each calling cluster's egress gateway (installed with the cluster's Istio),
   * as Istio's egress gateway task does: one place where traffic leaves, for firewalls and audits. HTTP ports
   * are routed by host (and TLS originated at the gateway with `tls`), TLS ports passed through by SNI.
   * In the ambient topology the egress gateway is an egress waypoint in the service's namespace, which
   * ztunnel sends the host's traffic to and which originates `tls`. Needs one host, not a wildcard.
   * @default false
   */
  readonly egressGateway?: boolean;
}

/**
 * A service outside the mesh (a SaaS API, a database in another cloud) that workloads call by name:
 * a `MESH_EXTERNAL` ServiceEntry, and a DestinationRule where the sidecar originates TLS, identical in
 * every calling cluster. With the mesh's `outboundTrafficPolicy: REGISTRY_ONLY`, the declared external
 * services are the allow-list.
 *
 * @example
 * new ExternalService(mesh, 'provider', {
 *   hosts: ['service.cloud.provider.com'],
 *   ports: [{ name: 'http', number: 80, targetPort: 443 }],
 *   tls: { mode: TlsOriginationMode.SIMPLE },
 * });
 */
export class ExternalService extends Construct {
  /** Whether `x` is an ExternalService (works across copies of this library). */
  public static isExternalService(x: unknown): x is ExternalService {
    return x !== null && typeof x === 'object' && EXTERNAL_SERVICE_SYMBOL in x;
  }

  public readonly mesh: Mesh;
  public readonly serviceName: string;
  public readonly namespace: string;
  public readonly hosts: readonly string[];
  public readonly ports: readonly ResolvedPort[];
  public readonly resolution: ExternalResolution;
  public readonly addresses: readonly string[];
  public readonly endpoints: readonly ExternalEndpoint[];
  /** @default - no TLS origination */
  public readonly tls?: TlsOrigination;
  public readonly egressGateway: boolean;
  private readonly declaredClusters?: readonly MeshCluster[];

  public constructor(scope: Construct, id: string, props: ExternalServiceProps) {
    super(scope, id);
    Object.defineProperty(this, EXTERNAL_SERVICE_SYMBOL, { value: true });
    this.mesh = Mesh.of(this);
    this.serviceName = checkDnsLabel(this, 'name', props.name ?? id);
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace ?? 'istio-system');
    this.resolution = props.resolution ?? ExternalResolution.DNS;
    checkOneOf(this, 'resolution', this.resolution, ExternalResolution, 'a resolution');
    this.endpoints = (props.endpoints ?? []).map((e, i) => this.checkEndpoint(e, `endpoints[${i}]`));
    if (this.resolution === ExternalResolution.STATIC && this.endpoints.length === 0) {
      throw propError(this, 'endpoints', [], 'is empty, which STATIC resolution cannot do without: give the IP endpoints, or use resolution DNS');
    }
    if (this.resolution === ExternalResolution.NONE && this.endpoints.length > 0) {
      throw propError(this, 'endpoints', this.endpoints.map(e => e.address), 'means nothing with resolution NONE, which sends each connection to the address the workload dialed: drop them, or use STATIC');
    }
    if (this.resolution === ExternalResolution.DNS_ROUND_ROBIN && this.endpoints.length > 1) {
      throw propError(this, 'endpoints', this.endpoints.map(e => e.address), 'has several addresses, and DNS_ROUND_ROBIN takes one at most (Istio refuses more): use resolution DNS to balance over them');
    }
    this.hosts = this.checkHosts(props.hosts);
    this.ports = resolvePorts(this, props.ports);
    const redirected = this.ports.findIndex(p => p.targetPort !== undefined);
    if (redirected >= 0 && this.resolution === ExternalResolution.NONE) {
      throw propError(this, `ports[${redirected}].targetPort`, this.ports[redirected].targetPort, 'means nothing with resolution NONE, which sends each connection to the address and port the workload dialed (istiod warns of it): drop it, or resolve the host (DNS)');
    }
    const anonymous = this.ports.find(p => !namesHost(p));
    if (this.hosts.length > 1 && anonymous && this.resolution !== ExternalResolution.NONE) {
      throw propError(this, 'hosts', this.hosts, `are several, and port ${anonymous.name} (${anonymous.protocol}) carries no host name to tell them apart, which istiod refuses: declare one ExternalService per host, or use resolution NONE`);
    }
    for (const endpoint of this.endpoints) {
      const unknown = Object.keys(endpoint.ports ?? {}).find(name => !this.ports.some(p => p.name === name));
      if (unknown) throw propError(this, 'endpoints.ports', unknown, `names no port of the service: use one of ${this.ports.map(p => p.name).join(', ')}`);
    }
    this.addresses = (props.addresses ?? []).map((address, i) => {
      const [ip, bits] = address.split('/');
      const kind = classifyAddress(ip);
      if (kind !== 'ipv4' && kind !== 'ipv6' || (bits !== undefined && !/^\d{1,3}$/.test(bits))) {
        throw propError(this, `addresses[${i}]`, address, 'is not an IP address or CIDR: use e.g. 203.0.113.7 or 203.0.113.0/24');
      }
      // Istio's CRD refuses a range with a resolution that looks the hosts up.
      if (bits !== undefined && this.resolution !== ExternalResolution.NONE && this.resolution !== ExternalResolution.STATIC) {
        throw propError(this, `addresses[${i}]`, address, 'is a CIDR range, which Istio takes only with resolution NONE or STATIC: give single addresses, or set resolution NONE (the address the workload dialed)');
      }
      return address;
    });
    this.tls = props.tls && this.checkTls(props.tls);
    const encrypted = this.tls && this.ports.find(p => p.protocol === Protocol.HTTPS || p.protocol === Protocol.TLS);
    if (encrypted) {
      throw propError(this, 'tls', this.tls!.mode, `would wrap port ${encrypted.name}, which workloads already speak TLS on, in TLS again: originate TLS for a plain port (e.g. { name: 'http', number: 80, targetPort: 443 }), or drop tls`);
    }
    this.egressGateway = props.egressGateway ?? false;
    if (this.tls?.credentialName !== undefined && !this.egressGateway && !this.tls.workloads) {
      throw propError(this, 'tls.credentialName', this.tls.credentialName, 'would reach no sidecar: Istio reads credentialName at gateways, and at sidecars only '
        + 'through a DestinationRule with a workload selector, in the workloads\' own namespace; set egressGateway: true to originate TLS at the egress '
        + 'gateway, with the Secret in istio-system, or name the workloads that originate it (tls.workloads), with the Secret in their namespace');
    }
    if (this.tls?.workloads && this.egressGateway) {
      throw propError(this, 'tls.workloads', this.tls.workloads.map(w => w.namespace), 'would originate TLS at those sidecars while egressGateway originates it at the egress gateway: keep one');
    }
    if (this.egressGateway) {
      if (this.hosts.length !== 1 || this.hosts[0].startsWith('*')) {
        throw propError(this, 'hosts', this.hosts, 'routes through the egress gateway by host, which takes one host that is not a wildcard: declare one ExternalService per host');
      }
      if (this.resolution === ExternalResolution.NONE) {
        throw propError(this, 'resolution', this.resolution, 'leaves the egress gateway the address it was dialed, its own: resolve the host (DNS), or drop egressGateway');
      }
      if (anonymous) {
        throw propError(this, 'egressGateway', true, `cannot route port ${anonymous.name} (${anonymous.protocol}): the egress gateway routes HTTP by host and TLS by SNI; drop egressGateway for plain TCP`);
      }
    }
    if (props.clusters) {
      if (props.clusters.length === 0) throw propError(this, 'clusters', [], 'is empty: name the clusters whose workloads call it, or leave it out for all');
      props.clusters.forEach((cluster, i) => {
        if (cluster.mesh !== this.mesh) throw propError(this, `clusters[${i}]`, cluster.node.path, `is a cluster of another mesh: use clusters of ${this.mesh.node.path}`);
      });
      this.declaredClusters = [...new Set(props.clusters)];
    }
  }

  /** The clusters that render it, given every cluster of the mesh. @internal */
  public _clusters(allClusters: readonly MeshCluster[]): readonly MeshCluster[] {
    return this.declaredClusters ?? allClusters;
  }

  private checkHosts(hosts: readonly string[]): string[] {
    if (hosts.length === 0) throw propError(this, 'hosts', [], 'is empty: give the names workloads call, e.g. api.partner.example.com');
    return hosts.map((host, i) => {
      const wildcard = host.startsWith('*.');
      const name = wildcard ? host.slice(2) : host;
      if (!isQualifiedHostName(name)) {
        throw propError(this, `hosts[${i}]`, host, 'is not a fully qualified host: use a name such as api.partner.example.com (the last label not all digits), or *.example.com');
      }
      if (name.endsWith(`.${this.mesh.globalDomain}`) || name === this.mesh.globalDomain || name.endsWith('.local') || name === 'local') {
        throw propError(this, `hosts[${i}]`, host, `is a mesh name (*.${this.mesh.globalDomain} or *.local): an external service must not shadow mesh services; declare mesh services with GlobalService`);
      }
      // Istio cannot resolve a wildcard: DNS would look up the literal "*" name.
      if (wildcard && (this.resolution === ExternalResolution.DNS || this.resolution === ExternalResolution.DNS_ROUND_ROBIN) && this.endpoints.length === 0) {
        throw propError(this, `hosts[${i}]`, host, `is a wildcard, which ${this.resolution} resolution cannot look up: give endpoints (the addresses to call), use resolution STATIC with IP endpoints, or NONE (the address the workload dialed)`);
      }
      return host;
    });
  }

  private checkEndpoint(endpoint: ExternalEndpoint, prop: string): ExternalEndpoint {
    const kind = classifyAddress(endpoint.address);
    if (!kind) throw propError(this, `${prop}.address`, endpoint.address, 'is neither an IP address nor a hostname');
    if (this.resolution === ExternalResolution.STATIC && kind === 'hostname') {
      throw propError(this, `${prop}.address`, endpoint.address, 'is a hostname, which STATIC resolution never looks up: give an IP address, or use resolution DNS');
    }
    if (endpoint.locality !== undefined) checkLocality(this, endpoint.locality, `${prop}.locality`);
    return endpoint;
  }

  private checkTls(tls: TlsOrigination): TlsOrigination {
    checkOneOf(this, 'tls.mode', tls.mode, TlsOriginationMode, 'a TLS origination mode');
    if (tls.mode === TlsOriginationMode.MUTUAL && !tls.credentialName) {
      throw unsetPropError(this, 'tls.credentialName', 'MUTUAL needs it: name the Secret with the client certificate, key and CA');
    }
    if (tls.credentialName !== undefined && !isDnsSubdomain(tls.credentialName)) {
      throw propError(this, 'tls.credentialName', tls.credentialName, 'is not a Secret name: use lower-case letters, digits, "-" and ".", e.g. ledger-client');
    }
    if (tls.sni !== undefined && !isHostName(tls.sni)) throw propError(this, 'tls.sni', tls.sni, 'is not a host name');
    if (tls.credentialStore) {
      if (tls.credentialName === undefined) {
        throw unsetPropError(this, 'tls.credentialName', 'tls.credentialStore delivers a Secret of that name: name it, or drop credentialStore');
      }
      checkSecretStoreRef(this, 'tls.credentialStore', tls.credentialStore);
    }
    if (tls.workloads === undefined) return tls;
    if (tls.credentialName === undefined) {
      throw unsetPropError(this, 'tls.credentialName', 'tls.workloads names the sidecars that read it: name the Secret, or drop workloads (every sidecar then originates)');
    }
    if (tls.workloads.length === 0) throw propError(this, 'tls.workloads', [], 'is empty: name the workloads that originate TLS, or drop it');
    const seen = new Set<string>();
    const workloads = tls.workloads.map((w, i) => {
      const prop = `tls.workloads[${i}]`;
      checkDnsLabel(this, `${prop}.namespace`, w.namespace);
      if (isNeverInjected(w.namespace)) {
        throw propError(this, `${prop}.namespace`, w.namespace, 'is a namespace where Istio injects no sidecar to originate TLS: name the namespace of the calling workloads');
      }
      if (Object.keys(w.selector).length === 0) {
        throw propError(this, `${prop}.selector`, {}, 'is empty, and a DestinationRule\'s workload selector without labels selects nothing in particular (istiod warns): give the labels of the calling pods');
      }
      checkLabels(this, `${prop}.selector`, w.selector);
      const key = `${w.namespace}/${formatLabels(w.selector)}`;
      if (seen.has(key)) throw propError(this, prop, key, 'names the same workloads as an earlier entry: drop one');
      seen.add(key);
      return { namespace: w.namespace, selector: { ...w.selector } };
    });
    return { ...tls, workloads };
  }
}

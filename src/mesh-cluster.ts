import { CHECKS } from './validation/findings';
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { GlobalDns, GlobalDnsMode, ResolvedGlobalDns } from './global-dns';
import { isClusterRenderer, Mesh, meshAppRequired } from './mesh';
import { MeshTopology, readsPeers } from './topology';
import { MeshConfigError, propError, unsetPropError } from './validation/errors';
import { checkDnsLabel, checkLabels, isSystemNamespace, sameLabels } from './validation/names';
import { AddressKind, checkAddress, checkPort } from './validation/network';

const CLUSTER_SYMBOL = Symbol.for('cdk8s-istio-multicluster.MeshCluster');

/** The port of the SNI-aware, AUTO_PASSTHROUGH listener that other clusters dial. */
export const CROSS_CLUSTER_PORT = 15443;

/** istiod's port for xDS and certificate signing, which VMs reach through the gateway. */
export const ISTIOD_PORT = 15012;

/** The labels of the pods of Istio's default ingress gateway. */
export const DEFAULT_INGRESS_SELECTOR: { readonly [label: string]: string } = { istio: 'ingressgateway' };
/** The gateway Deployment istioctl installs by default, which carries the default selector's label. */
const DEFAULT_GATEWAY = { name: 'istio-ingressgateway', selector: DEFAULT_INGRESS_SELECTOR };
/** The east-west gateway of Istio's multi-network install (samples/multicluster/gen-eastwest-gateway.sh). */
const EAST_WEST_GATEWAY = { name: 'istio-eastwestgateway', selector: { istio: 'eastwestgateway' } };

/** The HBONE port of ambient's east-west gateway. */
export const HBONE_PORT = 15008;

/** istiod's webhook port, which remote clusters reach through their primary's east-west gateway. */
export const ISTIOD_WEBHOOK_PORT = 15017;

/**
 * Service ports the gateway already has besides the cross-cluster one: the status port and, on Istio's
 * default ingress gateway, HTTP and HTTPS. A second Service port with one of these numbers is rejected by
 * the API server.
 */
export const GATEWAY_STATUS_PORT = { name: 'status-port', port: 15021, targetPort: 15021 };
export const DEFAULT_INGRESS_PORTS = [
  GATEWAY_STATUS_PORT,
  { name: 'http2', port: 80, targetPort: 8080 },
  { name: 'https', port: 443, targetPort: 8443 },
];

/** Where other clusters reach this cluster's cross-cluster (ingress or east-west) gateway. */
export interface MeshGatewayProps {
  /**
   * The address other clusters dial: the gateway's LoadBalancer address, or a node address when the
   * gateway is a NodePort service. An IPv4 address, an IPv6 address or a DNS hostname.
   */
  readonly address: string;

  /**
   * The port of the gateway's AUTO_PASSTHROUGH listener.
   * @default 15443
   */
  readonly port?: number;

  /**
   * The NodePort mapped to `port`, for clusters without a LoadBalancer (e.g. 30001).
   * Remote clusters then dial `address:nodePort`.
   * @default - the gateway is a LoadBalancer, reached on `port`
   */
  readonly nodePort?: number;

  /**
   * The NodePort mapped to istiod's port 15012 on the gateway, on a NodePort gateway whose cluster VMs
   * join: the VMs' onboarding kits dial `address:istiodNodePort` for discovery and certificates.
   * @default 30012 when `nodePort` is set; otherwise unused (VMs dial the LoadBalancer on 15012)
   */
  readonly istiodNodePort?: number;

  /**
   * Labels that select the gateway's pods. With labels other than the default, the install overlay
   * renders a separate gateway component (named `name`) that carries them and listens on `port`.
   * @default { istio: 'ingressgateway' }
   */
  readonly selector?: { readonly [label: string]: string };

  /**
   * The gateway's Deployment and Service name in the install overlay.
   * @default 'istio-ingressgateway' with the default selector, else 'istio-crosscluster-gateway'
   */
  readonly name?: string;
}

/** Properties of a {@link MeshCluster}. */
export interface MeshClusterProps {
  /**
   * The cluster name (`values.global.multiCluster.clusterName`); also its bundle's directory name.
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * The network the cluster's pods are on; clusters on different networks reach each other only
   * through gateways. Labels `istio-system` with `topology.istio.io/network`.
   * @default - no network label
   */
  readonly network?: string;

  /**
   * The gateway other clusters dial to reach services in this cluster.
   * @default - the cluster serves nothing to other clusters
   */
  readonly gateway?: MeshGatewayProps;

  /**
   * The cluster's locality, `region[/zone[/subzone]]`, e.g. `us-east-1/us-east-1a`.
   * Used for locality-aware load balancing and failover.
   * @default - no locality
   */
  readonly locality?: string;

  /**
   * How the cluster resolves `.global` names (global-names topology).
   * @default GlobalDns.dnsProxy()
   */
  readonly dns?: GlobalDns;

  /**
   * The primary cluster whose istiod serves this one (multi-network topology): this cluster is then a
   * remote, installed with Istio's `remote` profile, its sidecars and config served through the primary's
   * east-west gateway.
   * @default - the cluster runs its own istiod (a primary)
   */
  readonly primary?: MeshCluster;

  /**
   * The cluster's API server as other istiods reach it (`https://...`), written into remote secrets
   * (multi-network topology).
   * @default - the server of the cluster's kube context, as `istioctl create-remote-secret` finds it
   */
  readonly apiServer?: string;
}

/** A resolved, validated gateway of a cluster. */
export interface MeshGateway {
  readonly address: string;
  readonly addressKind: AddressKind;
  readonly port: number;
  /** @default - a LoadBalancer, no NodePort */
  readonly nodePort?: number;
  /** The port remote clusters dial: the NodePort when there is one. */
  readonly remotePort: number;
  /** The NodePort of istiod's 15012 on a NodePort gateway. @default - a LoadBalancer, no NodePort */
  readonly istiodNodePort?: number;
  /** The port VMs dial for istiod: the istiod NodePort when there is one, else 15012. */
  readonly istiodRemotePort: number;
  readonly selector: { readonly [label: string]: string };
  /** The gateway's Deployment and Service name. */
  readonly name: string;
  /** Whether the gateway is Istio's default ingress gateway (patched) or a separate component (installed). */
  readonly isDefaultGateway: boolean;
}

/** Ports the gateway's Service already has, by topology: another port may not reuse them. */
function takenPorts(mesh: Mesh, isDefaultGateway: boolean) {
  if (readsPeers(mesh.topology)) {
    return [GATEWAY_STATUS_PORT, { name: 'tls-istiod', port: ISTIOD_PORT }, { name: 'tls-webhook', port: ISTIOD_WEBHOOK_PORT }];
  }
  return [...(isDefaultGateway ? DEFAULT_INGRESS_PORTS : [GATEWAY_STATUS_PORT]), { name: 'tls-istiod', port: ISTIOD_PORT }];
}

/**
 * A Kubernetes cluster that takes part in the mesh: with its own istiod, or (multi-network) as a remote of a primary.
 *
 * Each cluster is synthesized into its own bundle, `dist/<name>/`: layers `ca/`, `istio/` and `mesh/`, applied in that order.
 */
export class MeshCluster extends Chart {
  /** Whether `x` is a MeshCluster (works across copies of this library). */
  public static isMeshCluster(x: unknown): x is MeshCluster {
    return x !== null && typeof x === 'object' && CLUSTER_SYMBOL in x;
  }

  public readonly mesh: Mesh;
  public readonly clusterName: string;
  public readonly network?: string;
  public readonly gateway?: MeshGateway;
  public readonly locality?: string;
  public readonly dns: ResolvedGlobalDns;
  /** The primary whose istiod serves this cluster. @default - a primary itself */
  public readonly primary?: MeshCluster;
  /** @default - the kube context's server */
  public readonly apiServer?: string;
  private readonly namespaces = new Set<string>();

  public constructor(mesh: Mesh, id: string, props: MeshClusterProps = {}) {
    super(mesh, id, { disableResourceNameHashes: true });
    Object.defineProperty(this, CLUSTER_SYMBOL, { value: true });
    this.mesh = mesh;
    this.clusterName = checkDnsLabel(this, 'name', props.name ?? id);
    this.network = props.network === undefined ? undefined : checkDnsLabel(this, 'network', props.network);
    this.gateway = props.gateway && this.resolveGateway(props.gateway);
    this.locality = props.locality === undefined ? undefined : checkLocality(this, props.locality);
    this.dns = (props.dns ?? GlobalDns.dnsProxy())._resolve(this, mesh.globalDomain);
    if (readsPeers(mesh.topology)) {
      if (this.network === undefined) {
        throw unsetPropError(this, 'network', `the ${mesh.topology} topology needs it: istiod, the istio-system label and the east-west gateway all name it; give the network the cluster's pods are on`);
      }
      if (this.dns.mode !== GlobalDnsMode.DNS_PROXY) {
        throw propError(this, 'dns', this.dns.mode, `means nothing in the ${mesh.topology} topology: services keep their cluster.local names, which consumers resolve through stub Services and DNS capture; remove it`);
      }
      if (mesh.topology === MeshTopology.AMBIENT && props.primary) {
        throw propError(this, 'primary', props.primary.node.path, 'is not supported by Istio\'s ambient multicluster (1.29-1.31 support multi-primary only): give this cluster its own istiod, or use MeshTopology.MULTI_NETWORK');
      }
      this.primary = props.primary && this.checkPrimary(props.primary);
      this.apiServer = props.apiServer === undefined ? undefined : checkApiServer(this, props.apiServer);
    } else {
      const foreign = (['primary', 'apiServer'] as const).find(key => props[key] !== undefined);
      if (foreign) {
        throw propError(this, foreign, foreign === 'primary' ? props.primary!.node.path : props.apiServer, 'means nothing in the global-names topology, where every cluster runs its own istiod and none reads another\'s API server: use topology: MeshTopology.MULTI_NETWORK, or remove it');
      }
    }
  }

  /** Whether another cluster's istiod serves this one. */
  public get isRemote(): boolean {
    return this.primary !== undefined;
  }

  private checkPrimary(primary: MeshCluster): MeshCluster {
    if (!MeshCluster.isMeshCluster(primary) || primary.mesh !== this.mesh) {
      throw propError(this, 'primary', primary.node.path, 'is not a cluster of this mesh: give a MeshCluster of the same Mesh');
    }
    if (primary.isRemote) {
      throw propError(this, 'primary', primary.clusterName, `is itself a remote of ${primary.primary!.clusterName}: a remote needs a primary that runs istiod; use ${primary.primary!.clusterName}`);
    }
    if (!primary.gateway) {
      throw propError(this, 'primary', primary.clusterName, `has no gateway: a remote reaches its primary's istiod through the primary's east-west gateway; set gateway.address on ${primary.node.path}`);
    }
    if (primary.gateway.nodePort !== undefined) {
      throw propError(this, 'primary', primary.clusterName, `has a NodePort gateway: a remote dials its primary's istiod on 15012 and 15017 themselves (global.remotePilotAddress has no port), which NodePorts cannot be; give ${primary.clusterName} a LoadBalancer gateway`);
    }
    return primary;
  }

  /** The cluster whose istiod reads this one's Istio configuration: its primary, or itself. */
  public get configCluster(): MeshCluster {
    return this.primary ?? this;
  }

  /**
   * Declares a namespace that takes part in the mesh: it is rendered with `istio-injection: enabled`.
   * Namespaces that services in this cluster use are added automatically.
   */
  public addNamespace(name: string): void {
    checkDnsLabel(this, 'namespace', name);
    if (isSystemNamespace(name)) {
      throw propError(this, 'namespace', name, 'is a system namespace, which must never get sidecar injection: add the namespaces of your workloads');
    }
    this.namespaces.add(name);
  }

  /**
   * The objects this cluster's bundle applies, mesh objects and your own, as `kubectl apply -k` gets them:
   * what `Testing.synth(cluster)` and `cdk8s synth` return for the chart.
   */
  public toJson(): any[] {
    const app = App.of(this);
    if (!isClusterRenderer(app)) {
      throw new MeshConfigError(`[${this.node.path}] ${meshAppRequired}`, CHECKS.appSetup);
    }
    return app._clusterManifests(this);
  }

  /** @internal */
  public get _namespaces(): readonly string[] {
    return [...this.namespaces];
  }

  private resolveGateway(props: MeshGatewayProps): MeshGateway {
    if (this.mesh.topology === MeshTopology.AMBIENT) {
      // istiod provisions the ambient east-west gateway (class istio-east-west) itself: a LoadBalancer on 15008.
      const foreign = (['port', 'nodePort', 'istiodNodePort', 'selector', 'name'] as const).find(key => props[key] !== undefined);
      if (foreign) {
        throw propError(this, `gateway.${foreign}`, props[foreign], 'means nothing in the ambient topology, where istiod provisions the east-west gateway (class istio-east-west, a LoadBalancer on HBONE port 15008): give only its address');
      }
      return {
        address: props.address, addressKind: checkAddress(this, 'gateway.address', props.address), port: HBONE_PORT, remotePort: HBONE_PORT,
        istiodRemotePort: ISTIOD_PORT, selector: { 'gateway.networking.k8s.io/gateway-name': 'istio-eastwestgateway' }, name: 'istio-eastwestgateway', isDefaultGateway: true,
      };
    }
    const topologyDefault = this.mesh.topology === MeshTopology.MULTI_NETWORK ? EAST_WEST_GATEWAY : DEFAULT_GATEWAY;
    const selector = props.selector ?? topologyDefault.selector;
    checkLabels(this, 'gateway.selector', selector);
    if (Object.keys(selector).length === 0) {
      throw propError(this, 'gateway.selector', {}, 'is empty: the Gateway would bind to every gateway pod; give the labels of the gateway pods, e.g. { istio: "crosscluster" }');
    }
    const isDefaultGateway = sameLabels(selector, topologyDefault.selector);
    const name = checkDnsLabel(this, 'gateway.name', props.name ?? (isDefaultGateway ? topologyDefault.name : 'istio-crosscluster-gateway'));
    const port = checkPort(this, 'gateway.port', props.port ?? CROSS_CLUSTER_PORT);
    const taken = takenPorts(this.mesh, isDefaultGateway);
    const clash = taken.find(p => p.port === port);
    if (clash) {
      throw propError(this, 'gateway.port', port, `is already the gateway's ${clash.name} port: the Service cannot have it twice; use ${CROSS_CLUSTER_PORT}, or another free port`);
    }
    const nodePort = props.nodePort === undefined ? undefined : checkPort(this, 'gateway.nodePort', props.nodePort);
    if (props.istiodNodePort !== undefined && nodePort === undefined) {
      throw propError(this, 'gateway.istiodNodePort', props.istiodNodePort, 'needs gateway.nodePort: a LoadBalancer gateway is reached on 15012 itself');
    }
    const istiodNodePort = nodePort === undefined ? undefined : checkPort(this, 'gateway.istiodNodePort', props.istiodNodePort ?? 30012);
    if (istiodNodePort !== undefined && istiodNodePort === nodePort) {
      throw propError(this, 'gateway.istiodNodePort', istiodNodePort, 'is also gateway.nodePort: give istiod its own NodePort');
    }
    return {
      address: props.address,
      addressKind: checkAddress(this, 'gateway.address', props.address),
      port,
      nodePort,
      remotePort: nodePort ?? port,
      istiodNodePort,
      istiodRemotePort: istiodNodePort ?? ISTIOD_PORT,
      selector: { ...selector },
      name,
      isDefaultGateway,
    };
  }
}

/** An API server URL other clusters can dial: https, a host, an optional port, nothing else. */
function checkApiServer(scope: Construct, url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed.protocol !== 'https:' || (parsed.pathname !== '/' && parsed.pathname !== '') || parsed.search || parsed.username) {
    throw propError(scope, 'apiServer', url, 'is not an https:// API server URL: istiod refuses remote secrets with plain http; give e.g. https://203.0.113.5:6443');
  }
  return url.replace(/\/$/, '');
}

const LOCALITY_SEGMENT = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Throws unless `value` is `region[/zone[/subzone]]` with non-empty segments. */
export function checkLocality(scope: Construct, value: string, prop = 'locality'): string {
  const segments = value.split('/');
  if (segments.length > 3 || !segments.every(s => LOCALITY_SEGMENT.test(s))) {
    throw propError(scope, prop, value, 'is not a locality: use region[/zone[/subzone]], e.g. us-east-1/us-east-1a');
  }
  return value;
}

/** The clusters' names, joined by `separator`. */
export function joinClusterNames(clusters: readonly MeshCluster[], separator: string): string {
  return clusters.map(c => c.clusterName).join(separator);
}

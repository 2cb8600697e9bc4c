import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { GlobalDns, ResolvedGlobalDns } from './global-dns';
import { Mesh } from './mesh';
import { propError } from './validation/errors';
import { checkDnsLabel } from './validation/names';
import { AddressKind, checkAddress, checkPort } from './validation/network';

const CLUSTER_SYMBOL = Symbol.for('cdk8s-istio-multicluster.MeshCluster');

/** The port of the SNI-aware, AUTO_PASSTHROUGH listener that other clusters dial. */
export const CROSS_CLUSTER_PORT = 15443;

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
   * The NodePort mapped to `port`, for clusters without a LoadBalancer (seed 003 uses 30001).
   * Remote clusters then dial `address:nodePort`.
   * @default - the gateway is a LoadBalancer, reached on `port`
   */
  readonly nodePort?: number;

  /**
   * Labels that select the gateway's pods.
   * @default { istio: 'ingressgateway' }
   */
  readonly selector?: { readonly [label: string]: string };
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
   * How the cluster resolves `.global` names.
   * @default GlobalDns.dnsProxy()
   */
  readonly dns?: GlobalDns;
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
  readonly selector: { readonly [label: string]: string };
}

/**
 * A Kubernetes cluster that runs its own Istio control plane and takes part in the mesh.
 *
 * Each cluster is synthesized into its own bundle, `dist/<name>/`, applied with `kubectl apply -k`.
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
  }

  /**
   * Declares a namespace that takes part in the mesh: it is rendered with `istio-injection: enabled`.
   * Namespaces that services in this cluster use are added automatically.
   */
  public addNamespace(name: string): void {
    this.namespaces.add(checkDnsLabel(this, 'namespace', name));
  }

  /** @internal */
  public get _namespaces(): readonly string[] {
    return [...this.namespaces];
  }

  private resolveGateway(props: MeshGatewayProps): MeshGateway {
    const port = checkPort(this, 'gateway.port', props.port ?? CROSS_CLUSTER_PORT);
    const nodePort = props.nodePort === undefined ? undefined : checkPort(this, 'gateway.nodePort', props.nodePort);
    return {
      address: props.address,
      addressKind: checkAddress(this, 'gateway.address', props.address),
      port,
      nodePort,
      remotePort: nodePort ?? port,
      selector: props.selector ?? { istio: 'ingressgateway' },
    };
  }
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

import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { GlobalService } from './global-service';
import { Mesh } from './mesh';
import { checkLocality, MeshCluster } from './mesh-cluster';
import { isHttpPort, ProxyKind, proxyPortUse, ResolvedPort, resolvePorts, ServicePort } from './service-port';
import { checkTrafficPolicy, TrafficPolicy } from './traffic-policy';
import { propError } from './validation/errors';
import { checkAnnotations, checkDnsLabel, checkDnsSubdomain, checkHostName, checkLabels } from './validation/names';
import { AddressKind, checkAddress, checkPort } from './validation/network';
import { checkCount } from './validation/values';

const VM_SYMBOL = Symbol.for('cdk8s-istio-multicluster.VmWorkload');

/** One VM (or other non-Kubernetes host) running the workload. */
export interface VmInstance {
  /** Names the instance's WorkloadEntry (`<service>-<name>`) and its onboarding kit. */
  readonly name: string;
  /** The VM's address: IPv4, IPv6 or a DNS hostname. */
  readonly address: string;
  /**
   * Labels of this instance on top of the workload's, e.g. `{ version: 'v2' }`.
   * @default - only the workload's labels
   */
  readonly labels?: { readonly [label: string]: string };
  /**
   * Ports that differ on this instance, by port name, e.g. `{ http: 8091 }`.
   * @default - the ports' targetPort
   */
  readonly ports?: { readonly [portName: string]: number };
  /**
   * Load-balancing weight relative to the other endpoints.
   * @default - equal weights
   */
  readonly weight?: number;
  /**
   * `region[/zone[/subzone]]` of the instance.
   * @default - no locality
   */
  readonly locality?: string;
}

/** A health check of the VM workload; set exactly one of httpGet, tcpSocket, exec. */
export interface VmProbe {
  /** @default - not an HTTP check */
  readonly httpGet?: { readonly path: string; readonly port: number; readonly scheme?: 'HTTP' | 'HTTPS'; readonly headers?: { readonly [name: string]: string } };
  /** @default - not a TCP check */
  readonly tcpSocket?: { readonly port: number };
  /** @default - not a command check */
  readonly exec?: { readonly command: string[] };
  /** @default Duration.seconds(0) */
  readonly initialDelay?: Duration;
  /** @default Duration.seconds(10) */
  readonly period?: Duration;
  /** @default Duration.seconds(1) */
  readonly timeout?: Duration;
  /** @default 1 */
  readonly successThreshold?: number;
  /** @default 3 */
  readonly failureThreshold?: number;
}

/** Exposes the VM service through a cluster's ingress gateway (e.g. a `whoami` service on VMs behind `whoami.internal.com`). */
export interface VmIngress {
  /** Hosts clients use, e.g. `whoami.internal.com`. */
  readonly hosts: string[];
  /**
   * The gateway port.
   * @default 80
   */
  readonly port?: number;
  /**
   * Labels of the ingress gateway pods.
   * @default { istio: 'ingressgateway' }
   */
  readonly selector?: { readonly [label: string]: string };
}

/** Properties of a {@link VmWorkload}. */
export interface VmWorkloadProps {
  /**
   * The service name (WorkloadGroup, ServiceEntry and the `app` label).
   * @default - the construct id
   */
  readonly name?: string;
  /** The namespace the VM's workload belongs to. */
  readonly namespace: string;
  /** The cluster whose control plane the VMs join. */
  readonly cluster: MeshCluster;
  /** The service's ports; `targetPort` is where the VM listens. */
  readonly ports: ServicePort[];
  /** The VMs. */
  readonly instances: VmInstance[];
  /**
   * The service account the VMs run as (their SPIFFE identity).
   * @default - the service name
   */
  readonly serviceAccount?: string;
  /**
   * The network the VMs are on.
   * @default - the cluster's network
   */
  readonly network?: string;
  /**
   * Labels every instance carries; the ServiceEntry selects them, and pods that carry them too.
   * @default { app: <name> }
   */
  readonly labels?: { readonly [label: string]: string };
  /**
   * Annotations of the WorkloadEntries the WorkloadGroup generates.
   * @default - none
   */
  readonly annotations?: { readonly [key: string]: string };
  /**
   * The host clients call, e.g. `whoami.internal.com`.
   * @default '<name>.<namespace>.svc.cluster.local'
   */
  readonly host?: string;
  /**
   * The WorkloadGroup's readiness probe, also written into each onboarding kit.
   * @default - no probe
   */
  readonly probe?: VmProbe;
  /**
   * Traffic policy of a DestinationRule for the host.
   * @default - no DestinationRule (ROUND_ROBIN when `ingress` is set)
   */
  readonly trafficPolicy?: TrafficPolicy;
  /**
   * Expose the service through the cluster's ingress gateway.
   * @default - not exposed
   */
  readonly ingress?: VmIngress;
}

/** A validated VM instance. */
export interface ResolvedVmInstance extends VmInstance {
  readonly addressKind: AddressKind;
  /** The workload's labels merged with the instance's. */
  readonly allLabels: { readonly [label: string]: string };
}

/**
 * A service running on VMs, brought into the mesh next to pods: a WorkloadGroup,
 * one WorkloadEntry per VM, and a MESH_INTERNAL ServiceEntry whose `workloadSelector` picks the VMs and any
 * pods with the same labels. Each VM gets an offline onboarding kit (`cluster.env`, `mesh.yaml`, `hosts`,
 * `root-cert.pem`) that only lacks its token.
 *
 * @example
 * new VmWorkload(mesh, 'whoami', {
 *   namespace: 'default', cluster: cluster1, host: 'whoami.internal.com',
 *   ports: [{ name: 'http', number: 80, targetPort: 8888 }],
 *   instances: [{ name: 'vm1', address: '172.29.9.61' }],
 * });
 */
export class VmWorkload extends Construct {
  /** Whether `x` is a VmWorkload (works across copies of this library). */
  public static isVmWorkload(x: unknown): x is VmWorkload {
    return x !== null && typeof x === 'object' && VM_SYMBOL in x;
  }

  public readonly mesh: Mesh;
  public readonly serviceName: string;
  public readonly namespace: string;
  public readonly cluster: MeshCluster;
  public readonly ports: readonly ResolvedPort[];
  public readonly instances: readonly ResolvedVmInstance[];
  public readonly serviceAccount: string;
  public readonly network?: string;
  public readonly labels: { readonly [label: string]: string };
  public readonly annotations?: { readonly [key: string]: string };
  public readonly host: string;
  public readonly probe?: VmProbe;
  public readonly trafficPolicy?: TrafficPolicy;
  public readonly ingress?: VmIngress;

  public constructor(scope: Construct, id: string, props: VmWorkloadProps) {
    super(scope, id);
    Object.defineProperty(this, VM_SYMBOL, { value: true });
    this.mesh = Mesh.of(this);
    if (props.cluster.mesh !== this.mesh) {
      throw propError(this, 'cluster', props.cluster.node.path, 'is a cluster of another mesh');
    }
    this.cluster = props.cluster;
    this.serviceName = checkDnsLabel(this, 'name', props.name ?? id);
    this.namespace = checkDnsLabel(this, 'namespace', props.namespace);
    this.ports = resolvePorts(this, props.ports);
    this.serviceAccount = checkDnsSubdomain(this, 'serviceAccount', props.serviceAccount ?? this.serviceName);
    this.network = props.network === undefined ? props.cluster.network : checkDnsLabel(this, 'network', props.network);
    this.labels = checkLabels(this, 'labels', props.labels ?? { app: this.serviceName });
    if (Object.keys(this.labels).length === 0) {
      throw propError(this, 'labels', {}, 'is empty: the ServiceEntry would select every workload; give e.g. { app: "whoami" }');
    }
    this.annotations = props.annotations && checkAnnotations(this, 'annotations', props.annotations);
    this.host = checkHostName(this, 'host', props.host ?? `${this.serviceName}.${this.namespace}.svc.cluster.local`);
    this.probe = props.probe && this.checkProbe(props.probe);
    this.trafficPolicy = props.trafficPolicy;
    if (props.trafficPolicy) checkTrafficPolicy(this, 'trafficPolicy', props.trafficPolicy);
    this.ingress = props.ingress && this.checkIngress(props.ingress);
    this.instances = this.resolveInstances(props.instances);

    // Failover must name regions the mesh knows: only checkable once every cluster is declared.
    this.node.addValidation({
      validate: () => {
        if (!this.trafficPolicy?.localityFailover) return [];
        try {
          checkTrafficPolicy(this, 'trafficPolicy', this.trafficPolicy, this.meshRegions());
          return [];
        } catch (e) {
          return [(e as Error).message.replace(`[${this.node.path}] `, '')];
        }
      },
    });
  }

  /**
   * Makes the VM service reachable from other clusters as `<name>.<namespace>.global`: a
   * {@link GlobalService} served by this workload's cluster, selecting the VMs by their labels.
   */
  public exportAsGlobalService(options: { readonly consumers?: MeshCluster[]; readonly vip?: string } = {}): GlobalService {
    return new GlobalService(this, 'Global', {
      name: this.serviceName,
      namespace: this.namespace,
      ports: this.ports.map(p => ({ ...p })),
      servedBy: [this.cluster],
      workloadLabels: this.labels,
      consumers: options.consumers,
      vip: options.vip,
    });
  }

  private meshRegions(): Set<string> {
    const clusters = this.mesh.node.children.filter(MeshCluster.isMeshCluster);
    const localities = [...clusters.map(c => c.locality), ...this.instances.map(i => i.locality)];
    return new Set(localities.filter((l): l is string => !!l).map(l => l.split('/')[0]));
  }

  private checkProbe(probe: VmProbe): VmProbe {
    const methods = (['httpGet', 'tcpSocket', 'exec'] as const).filter(m => probe[m] !== undefined);
    if (methods.length !== 1) {
      throw propError(this, 'probe', methods, 'must set exactly one of httpGet, tcpSocket, exec');
    }
    if (probe.httpGet) {
      checkPort(this, 'probe.httpGet.port', probe.httpGet.port);
      // The WorkloadGroup CRD's pattern for a probe header's name.
      const badHeader = Object.keys(probe.httpGet.headers ?? {}).find(name => !/^[-_A-Za-z0-9]+$/.test(name));
      if (badHeader !== undefined) {
        throw propError(this, 'probe.httpGet.headers', badHeader, 'is not a header name Istio\'s probe takes: use letters, digits, "-" and "_", e.g. X-Probe');
      }
    }
    if (probe.tcpSocket) checkPort(this, 'probe.tcpSocket.port', probe.tcpSocket.port);
    if (probe.exec && probe.exec.command.length === 0) {
      throw propError(this, 'probe.exec.command', [], 'is empty: give the command and its arguments');
    }
    for (const [key, minimum] of [['initialDelay', 0], ['period', 1], ['timeout', 1]] as const) {
      const duration = probe[key];
      if (duration === undefined) continue;
      const ms = duration.toMilliseconds({ integral: false });
      if (!Number.isFinite(ms) || ms % 1000 !== 0 || ms / 1000 < minimum) {
        throw propError(this, `probe.${key}`, `${ms}ms`, `is not a whole number of seconds${minimum > 0 ? ' above zero' : ''}: Istio probes count in seconds, e.g. Duration.seconds(5)`);
      }
    }
    for (const key of ['successThreshold', 'failureThreshold'] as const) {
      if (probe[key] !== undefined) checkCount(this, `probe.${key}`, probe[key]!, 1);
    }
    return probe;
  }

  private checkIngress(ingress: VmIngress): VmIngress {
    if (ingress.hosts.length === 0) {
      throw propError(this, 'ingress.hosts', [], 'is empty: name the host(s) clients use, e.g. whoami.internal.com');
    }
    ingress.hosts.forEach((h, i) => checkHostName(this, `ingress.hosts[${i}]`, h));
    if (ingress.selector) checkLabels(this, 'ingress.selector', ingress.selector);
    if (ingress.port !== undefined) {
      checkPort(this, 'ingress.port', ingress.port);
      const use = proxyPortUse(ingress.port, ProxyKind.GATEWAY);
      if (use !== undefined) {
        throw propError(this, 'ingress.port', ingress.port, `is the gateway proxy's own ${use} port: use 80, or another port the gateway's Service exposes`);
      }
    }
    if (!this.ports.some(isHttpPort)) {
      throw propError(this, 'ingress', ingress.hosts, 'needs an HTTP port on the workload to route to');
    }
    return ingress;
  }

  private resolveInstances(instances: readonly VmInstance[]): ResolvedVmInstance[] {
    if (instances.length === 0) {
      throw propError(this, 'instances', [], 'is empty: list the VMs, e.g. [{ name: "vm1", address: "172.29.9.61" }]');
    }
    const names = new Set<string>();
    const addresses = new Map<string, string>();
    const portNames = this.ports.map(p => p.name);
    return instances.map((instance, i) => {
      const where = `instances[${i}]`;
      checkDnsLabel(this, `${where}.name`, instance.name);
      if (names.has(instance.name)) throw propError(this, `${where}.name`, instance.name, 'is used by two instances: instance names must be unique');
      names.add(instance.name);
      const addressKind = checkAddress(this, `${where}.address`, instance.address);
      const other = addresses.get(instance.address);
      if (other) throw propError(this, `${where}.address`, instance.address, `is also the address of instance ${other}: each VM needs its own address`);
      addresses.set(instance.address, instance.name);
      for (const [port, number] of Object.entries(instance.ports ?? {})) {
        if (!portNames.includes(port)) {
          throw propError(this, `${where}.ports`, port, `is not a port of ${this.serviceName}: use one of ${portNames.join(', ')}`);
        }
        checkPort(this, `${where}.ports.${port}`, number);
      }
      if (instance.weight !== undefined) checkCount(this, `${where}.weight`, instance.weight, 1);
      if (instance.locality !== undefined) checkLocality(this, instance.locality, `${where}.locality`);
      for (const [label, value] of Object.entries(checkLabels(this, `${where}.labels`, instance.labels ?? {}))) {
        if (label in this.labels && this.labels[label] !== value) {
          throw propError(this, `${where}.labels.${label}`, value,
            `contradicts the workload label ${label}=${this.labels[label]}: the ServiceEntry would not select this instance`);
        }
      }
      return { ...instance, addressKind, allLabels: { ...this.labels, ...instance.labels } };
    });
  }
}

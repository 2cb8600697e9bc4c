import { CHECKS } from './validation/findings';
import { ApiObject, Chart } from 'cdk8s';
import type * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { MeshCluster } from './mesh-cluster';
import { ServicePort } from './service-port';
import { MeshConfigError } from './validation/errors';

type Labels = { readonly [label: string]: string };

/** What a global service needs from a Kubernetes Service, read from its manifest. */
export interface ServiceShape {
  readonly name: string;
  readonly namespace: string;
  readonly ports: ServicePort[];
  readonly selector: Labels;
  readonly cluster: MeshCluster;
}

interface ServiceManifest {
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec?: {
    readonly selector?: Labels;
    readonly ports?: ReadonlyArray<{ readonly name?: string; readonly port: number; readonly targetPort?: number | string; readonly protocol?: string }>;
  };
}

/** The MeshCluster whose chart holds `construct`, or an error that says where to declare it. */
export function clusterOf(owner: IConstruct, prop: string, construct: IConstruct): MeshCluster {
  const chart = Chart.of(construct);
  if (!MeshCluster.isMeshCluster(chart)) {
    throw new MeshConfigError(`[${owner.node.path}] ${prop} ${construct.node.path} is not in a MeshCluster: declare it with the cluster it runs in as its scope (a MeshCluster is a Chart)`, CHECKS.invalidProperty);
  }
  return chart;
}

/**
 * Reads a cdk8s-plus Service: its name, namespace, ports with target ports, pod selector and cluster, so
 * that a global service selects exactly the pods the Service does.
 */
export function serviceShape(owner: IConstruct, prop: string, service: kplus.Service): ServiceShape {
  const manifest = ApiObject.of(service).toJson() as ServiceManifest;
  const where = `${prop} ${service.node.path}`;
  const selector = manifest.spec?.selector ?? {};
  if (Object.keys(selector).length === 0) {
    throw new MeshConfigError(`[${owner.node.path}] ${where} selects no pods: call service.select(workload) or selectLabel() so it selects the service's pods`, CHECKS.invalidProperty);
  }
  const ports = (manifest.spec?.ports ?? []).map((p, i): ServicePort => {
    if (!p.name) {
      throw new MeshConfigError(`[${owner.node.path}] ${where} port ${p.port} has no name: Istio reads the protocol from it; bind it with { name: 'http' } (or grpc, tcp, ...)`, CHECKS.invalidProperty);
    }
    if (typeof p.targetPort === 'string') {
      throw new MeshConfigError(`[${owner.node.path}] ${where} port ${p.name} targets the named port "${p.targetPort}": give targetPort as a number, which the serving entry needs`, CHECKS.invalidProperty);
    }
    if (p.protocol && p.protocol !== 'TCP') {
      throw new MeshConfigError(`[${owner.node.path}] ${where} ports[${i}] is ${p.protocol}: the mesh carries TCP ports only`, CHECKS.invalidProperty);
    }
    return { name: p.name, number: p.port, targetPort: p.targetPort ?? p.port };
  });
  return {
    name: manifest.metadata.name,
    namespace: manifest.metadata.namespace ?? 'default',
    ports,
    selector,
    cluster: clusterOf(owner, prop, service),
  };
}

/**
 * The labels a workload gives its pods that mean the same in every cluster. cdk8s's own
 * `cdk8s.io/metadata.addr` is left out: it derives from the construct path, so it differs per cluster.
 */
export function podLabels(workload: kplus.Workload): Labels {
  const labels: Labels = workload.podMetadata.toJson().labels ?? {};
  return Object.fromEntries(Object.entries(labels).filter(([key]) => !key.startsWith('cdk8s.io/')));
}

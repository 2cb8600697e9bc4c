import { X509Certificate } from 'crypto';
import { isIP } from 'net';
import { CROSS_CLUSTER_PORT, MeshCluster } from '../mesh-cluster';
import { ResolvedMesh } from '../resolve/resolved-mesh';
import { MeshTopology } from '../topology';
import { OutputFile, OutputRoot } from '../write/output-file';
import { byKey } from '../order';
import { BundleLayer, ISTIO_SYSTEM } from './cluster-bundle';
import { remoteSecretPairs } from './topologies/multi-network/remote-secrets';

/** The expected-state file of a cluster, beside its bundle and in no kustomization: `verify` reads it. */
export const EXPECTED_STATE_FILE = 'expected-state.json';
export const EXPECTED_STATE_FORMAT = 'cdk8s-istio-multicluster/expected-state/v1';

type Labels = { readonly [key: string]: string };

/**
 * One endpoint an Envoy cluster must hold: an IP and port, a hostname that Envoy resolves (any address on
 * the port), or the running pods that match labels (their IPs on the port).
 */
export interface ExpectedEndpoint {
  readonly port: number;
  /** @default - not an IP endpoint */
  readonly address?: string;
  /** @default - not a hostname endpoint */
  readonly hostname?: string;
  /** @default - not a pod selection */
  readonly pods?: { readonly namespace: string; readonly labels: Labels };
}

/** An outbound Envoy cluster of a `.global` host (a port, and a subset or none), as sidecars must hold it. */
export interface ExpectedCluster {
  /** Envoy's cluster name: `outbound|<port>|<subset>|<host>`. */
  readonly name: string;
  /** The SNI name sidecars send, which the serving gateway routes by: `outbound_.<port>_.<subset>_.<host>`. */
  readonly sni: string;
  readonly endpoints: readonly ExpectedEndpoint[];
}

/** What the sidecars of one client scope see of the mesh's `.global` clusters. */
export interface ExpectedScope {
  /** The namespace, or `*` for any namespace without a scope of its own. */
  readonly namespace: string;
  /** The workloads of the namespace it scopes. @default - the whole namespace */
  readonly selector?: Labels;
  /** Names of the `.global` clusters its sidecars hold. */
  readonly clusters: readonly string[];
  /** Whether its sidecars must hold no other `.global` cluster (an Istio Sidecar scopes them). */
  readonly exclusive: boolean;
}

/** What the live mesh must show in one cluster. */
export interface ExpectedState {
  readonly format: string;
  readonly mesh: string;
  readonly cluster: string;
  readonly topology: MeshTopology;
  /** The roots every workload must trust (`istio-ca-root-cert`), by SHA-256 fingerprint. */
  readonly roots: ReadonlyArray<{ readonly sha256: string; readonly subject: string; readonly notAfter: string }>;
  /** The `.global` clusters, by name (global-names topology). */
  readonly outbound: readonly ExpectedCluster[];
  readonly scopes: readonly ExpectedScope[];
  /** The cross-cluster gateway's SNI filter chains (global-names topology, clusters that have a gateway). @default - none */
  readonly gateway?: { readonly namespace: string; readonly selector: Labels; readonly listenerPort: number; readonly serverNames: readonly string[] };
  /** The clusters istiod must list as synced in `istioctl remote-clusters` (multi-primary topologies). @default - none */
  readonly remoteClusters?: readonly string[];
}

interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Labels };
  readonly spec?: any;
}

/** An endpoint with the labels that subsets select it by. */
type LabelledEndpoint = ExpectedEndpoint & { readonly labels: Labels };

const matches = (labels: Labels, selector: Labels) => Object.entries(selector).every(([k, v]) => labels[k] === v);

/** A root bundle's certificates, each with its fingerprint as `openssl x509 -fingerprint -sha256` prints it. */
function rootFacts(pem: string): ExpectedState['roots'] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).map(block => {
    const cert = new X509Certificate(block);
    return { sha256: cert.fingerprint256, subject: cert.subject.replace(/\n/g, ', '), notAfter: new Date(cert.validTo).toISOString() };
  }).sort(byKey(r => r.sha256));
}

/**
 * The Envoy clusters istiod builds for a cluster's `.global` ServiceEntries, the way it builds them: one
 * per port, one more per DestinationRule subset, endpoints from the entry's addresses or its selected pods
 * and WorkloadEntries, subsets narrowing them by label.
 */
function outboundClusters(objects: readonly KubeObject[], domain: string): ExpectedCluster[] {
  const of = (kind: string) => objects.filter(o => o.kind === kind && o.apiVersion.startsWith('networking.istio.io/'));
  const workloadEntries = of('WorkloadEntry');
  const rules = of('DestinationRule');
  const clusters: ExpectedCluster[] = [];
  for (const entry of of('ServiceEntry')) {
    const namespace = entry.metadata.namespace!;
    for (const host of (entry.spec.hosts as string[]).filter(h => h.endsWith(`.${domain}`))) {
      for (const port of entry.spec.ports as Array<{ name: string; number: number; targetPort?: number }>) {
        const servingPort = port.targetPort ?? port.number;
        const endpoints: LabelledEndpoint[] = entry.spec.workloadSelector
          ? [
            { port: servingPort, pods: { namespace, labels: entry.spec.workloadSelector.labels }, labels: entry.spec.workloadSelector.labels },
            ...workloadEntries.filter(we => we.metadata.namespace === namespace && matches(we.spec.labels ?? {}, entry.spec.workloadSelector.labels))
              .map(we => ({ port: we.spec.ports?.[port.name] ?? servingPort, address: we.spec.address, labels: we.spec.labels ?? {} })),
          ]
          : (entry.spec.endpoints as Array<{ address: string; ports?: { [name: string]: number }; labels?: Labels }>).map(e => ({
            port: e.ports?.[port.name] ?? servingPort,
            ...(isIP(e.address) ? { address: e.address } : { hostname: e.address }),
            labels: e.labels ?? {},
          }));
        const strip = (list: readonly LabelledEndpoint[]) => list.map(({ labels: _, ...endpoint }) => endpoint);
        clusters.push({ name: `outbound|${port.number}||${host}`, sni: `outbound_.${port.number}_._.${host}`, endpoints: strip(endpoints) });
        for (const rule of rules.filter(r => r.spec.host === host)) {
          for (const subset of rule.spec.subsets ?? [] as Array<{ name: string; labels: Labels }>) {
            const selected = endpoints.flatMap((e): LabelledEndpoint[] => {
              if (e.pods) return [{ ...e, pods: { namespace, labels: { ...e.pods.labels, ...subset.labels } } }];
              return matches(e.labels, subset.labels) ? [e] : [];
            });
            clusters.push({ name: `outbound|${port.number}|${subset.name}|${host}`, sni: `outbound_.${port.number}_.${subset.name}_.${host}`, endpoints: strip(selected) });
          }
        }
      }
    }
  }
  return clusters.sort(byKey(c => c.name));
}

/** Whether a Sidecar egress host (`<namespace>/<host>`) lets a proxy in `namespace` see a host whose entry lives in `entryNamespace`. */
function egressAdmits(egress: string, namespace: string, host: string, entryNamespace: string): boolean {
  const [ns, pattern] = egress.split('/');
  const nsOk = ns === '*' || (ns === '.' ? entryNamespace === namespace : ns === entryNamespace);
  return nsOk && (pattern === '*' || pattern === host || (pattern.startsWith('*.') && host.endsWith(pattern.slice(1))));
}

/**
 * Per client scope, the clusters its sidecars hold: every one for namespaces without a Sidecar, and for
 * each rendered Sidecar those of the hosts its egress admits.
 */
function clientScopes(objects: readonly KubeObject[], outbound: readonly ExpectedCluster[], entryNamespaces: ReadonlyMap<string, string>): ExpectedScope[] {
  const hostOf = (name: string) => name.split('|')[3];
  const sidecars = objects.filter(o => o.kind === 'Sidecar' && o.apiVersion.startsWith('networking.istio.io/'));
  return [
    { namespace: '*', clusters: outbound.map(c => c.name), exclusive: false },
    ...sidecars.map(sidecar => {
      const namespace = sidecar.metadata.namespace!;
      const egress: string[] = (sidecar.spec.egress ?? []).flatMap((e: { hosts: string[] }) => e.hosts);
      return {
        namespace,
        selector: sidecar.spec.workloadSelector?.labels,
        clusters: outbound.map(c => c.name).filter(name => egress.some(e => egressAdmits(e, namespace, hostOf(name), entryNamespaces.get(hostOf(name))!))),
        exclusive: true,
      };
    }),
  ];
}

/** The expected state of every cluster, from its rendered mesh layer. */
export function expectedStates(model: ResolvedMesh, bundleFiles: readonly OutputFile[]): Map<MeshCluster, ExpectedState> {
  const { mesh } = model;
  return new Map(model.clusters.map(cluster => {
    const prefix = `${cluster.clusterName}/${BundleLayer.MESH}/`;
    const objects = bundleFiles
      .filter(f => f.root === OutputRoot.BUNDLES && f.path.startsWith(prefix) && !f.path.endsWith('kustomization.yaml') && typeof f.content !== 'string')
      .flatMap(f => f.content as KubeObject[]);
    const globalNames = mesh.topology === MeshTopology.GLOBAL_NAMES;
    const outbound = globalNames ? outboundClusters(objects, mesh.globalDomain) : [];
    const entryNamespaces = new Map(objects.filter(o => o.kind === 'ServiceEntry').flatMap(o => (o.spec.hosts as string[]).map(h => [h, o.metadata.namespace!] as const)));
    const roots = model.pki?.clusters.get(cluster.configCluster)?.rootCerts;
    const state: ExpectedState = {
      format: EXPECTED_STATE_FORMAT,
      mesh: mesh.meshId,
      cluster: cluster.clusterName,
      topology: mesh.topology,
      roots: roots ? rootFacts(roots) : [],
      outbound,
      scopes: globalNames ? clientScopes(objects, outbound, entryNamespaces) : [],
      gateway: globalNames && cluster.gateway ? {
        namespace: ISTIO_SYSTEM,
        selector: { ...cluster.gateway.selector },
        listenerPort: CROSS_CLUSTER_PORT,
        serverNames: outbound.map(c => c.sni).sort(),
      } : undefined,
      remoteClusters: globalNames || cluster.isRemote ? undefined
        : [cluster.clusterName, ...remoteSecretPairs(model.clusters).filter(p => p.holder === cluster).map(p => p.peer.clusterName)].sort(),
    };
    return [cluster, state];
  }));
}

/** `dist/<cluster>/expected-state.json`, which `verify` reads. */
export const expectedStateFile = (state: ExpectedState): OutputFile =>
  ({ root: OutputRoot.BUNDLES, path: `${state.cluster}/${EXPECTED_STATE_FILE}`, content: `${JSON.stringify(state, null, 2)}\n` });

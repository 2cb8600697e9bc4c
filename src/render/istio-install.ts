import { DEFAULT_INGRESS_PORTS, GATEWAY_STATUS_PORT } from '../mesh-cluster';
import { TRACING_PROVIDER, TracingProtocol } from '../observability';
import { OutputRoot } from '../write/output-file';
import { BundleLayer, ClusterBundle, ISTIO_SYSTEM } from './cluster-bundle';
import { sanitized } from './manifest';
import { discoverySelectors } from './namespace-labels';
import { IstioOperator } from './istio-operator';

/** Istio's Helm charts, in install order: `base` (CRDs), `istiod`, then the cross-cluster gateway. */
export enum IstioChart {
  BASE = 'base',
  ISTIOD = 'istiod',
  GATEWAY = 'gateway',
  CNI = 'cni',
  ZTUNNEL = 'ztunnel',
}

/** One Helm release of a cluster's Istio install. */
export interface IstioRelease {
  /** What the release is in the install (`base`, `istiod`, `gateway`, `egress-gateway`): names its GitOps application. */
  readonly id: string;
  readonly chart: IstioChart;
  /** The release name: the gateway's also names its Deployment, Service and labels. */
  readonly releaseName: string;
  readonly values: object;
  /** The values file in the cluster's `istio/` directory. */
  readonly valuesFile: string;
}

/** The egress gateway's release, Deployment and Service name (and so its `istio: egressgateway` label). */
export const EGRESS_GATEWAY_NAME = 'istio-egressgateway';

/** A Service port of the cross-cluster gateway. */
export interface GatewayPort {
  readonly name: string;
  readonly port: number;
  readonly targetPort: number;
  /** @default - assigned by Kubernetes (or none, on a LoadBalancer) */
  readonly nodePort?: number;
}

/** The cross-cluster gateway a cluster's Istio install adds, as its topology wants it. */
export interface GatewayComponent {
  /** Helm release and istioctl component name; also the Deployment's and Service's. */
  readonly name: string;
  /** Whether it is Istio's default ingress gateway, which keeps its HTTP and HTTPS ports. */
  readonly isDefaultIngress: boolean;
  /** Labels of the gateway's pods and Service beyond the installer's defaults. @default - the installer's */
  readonly labels?: { readonly [key: string]: string };
  /** Environment of the gateway's proxy. @default - none */
  readonly env?: { readonly [key: string]: string };
  readonly serviceType: 'LoadBalancer' | 'NodePort';
  /** @default - none */
  readonly serviceAnnotations?: { readonly [key: string]: string };
  /** The mesh's ports, after the status port (and the ingress ports of the default gateway). */
  readonly ports: readonly GatewayPort[];
}

/** What a topology adds to a cluster's install: a profile, istiod's environment, the data plane's releases. */
export interface TopologyInstall {
  /** @default - the default profile (or `remote` for a remote cluster) */
  readonly profile?: string;
  /** @default - none */
  readonly istiodEnv?: { readonly [name: string]: string };
  /** Releases after istiod (ambient's istio-cni and ztunnel). @default - none */
  readonly dataPlane?: readonly IstioRelease[];
}

/**
 * What a cluster's Istio install must say, whichever installer applies it: the mesh and cluster identity,
 * the trust domain, proxy metadata the renderers asked for, the outbound policy and tracing provider, a
 * remote's primary, the topology's additions and the gateways. Both the Helm values and the istioctl
 * overlay are read off this one plan, so they cannot disagree.
 */
function installPlan(bundle: ClusterBundle, gateway: GatewayComponent | undefined, topology: TopologyInstall) {
  const { cluster, mesh } = bundle;
  // A root rotation needs istiod and the proxies to hold several roots (Istio's multi-root support).
  const rotating = mesh.ca?._options.rootRotation !== undefined;
  const metadata = { ...bundle.proxyMetadata, ...(rotating ? { PROXY_CONFIG_XDS_AGENT: 'true' } : {}) };
  const proxyMetadata = Object.keys(metadata).length > 0 ? metadata : undefined;
  const primary = cluster.primary;
  const tracing = mesh.observability.tracing;
  return {
    meshConfig: {
      trustDomain: mesh.trustDomain,
      defaultConfig: proxyMetadata && { proxyMetadata },
      outboundTrafficPolicy: mesh.outboundTrafficPolicy && { mode: mesh.outboundTrafficPolicy },
      serviceSettings: mesh.clusterLocalHosts.length > 0 ? [{ settings: { clusterLocal: true }, hosts: [...mesh.clusterLocalHosts] }] : undefined,
      discoverySelectors: discoverySelectors(mesh),
      extensionProviders: tracing && [{ name: TRACING_PROVIDER, [tracing.protocol ?? TracingProtocol.OPENTELEMETRY]: { service: tracing.service, port: tracing.port } }],
    },
    global: {
      meshID: mesh.meshId,
      multiCluster: { clusterName: cluster.clusterName },
      network: cluster.network,
      // A remote runs no istiod: its sidecars and webhook reach the primary's, exposed on its east-west gateway.
      remotePilotAddress: primary?.gateway!.address,
    },
    profile: primary ? 'remote' : topology.profile,
    // istiod's environment: `env` in the chart (its values are flat), `values.pilot.env` for istioctl.
    istiodEnv: rotating || topology.istiodEnv ? { ...topology.istiodEnv, ...(rotating ? { ISTIO_MULTIROOT_MESH: 'true' } : {}) } : undefined,
    dataPlane: topology.dataPlane ?? [],
    istiodRemote: primary ? { injectionPath: `/inject/cluster/${cluster.clusterName}/net/${cluster.network}` } : undefined,
    revision: mesh.injectionRevision,
    gateway,
    // The egress gateway listens on each routed port itself (no NodePorts: sidecars reach it in the cluster).
    egressPorts: [...bundle.egressPorts.values()].sort((a, b) => a.number - b.number)
      .map(p => ({ name: `${p.protocol.toLowerCase()}-${p.number}`, port: p.number, targetPort: p.number })),
  };
}

type InstallPlan = ReturnType<typeof installPlan>;

/**
 * The ports the gateway chart gives a gateway by default. The chart runs the gateway with the unprivileged
 * port sysctl, so 80 and 443 are its container ports too (istioctl's gateway listens on 8080 and 8443).
 */
const HELM_GATEWAY_DEFAULT_PORTS: readonly GatewayPort[] = [
  GATEWAY_STATUS_PORT,
  { name: 'http2', port: 80, targetPort: 80 },
  { name: 'https', port: 443, targetPort: 443 },
];

/**
 * The Helm releases that install Istio on a cluster, with their values. Checked against the charts of
 * Istio 1.30.3 (the gateway chart's values.schema.json in the tests).
 */
function helmReleases(plan: InstallPlan): IstioRelease[] {
  const releases: IstioRelease[] = [
    // The validating webhook's default revision follows the injection revision, if any.
    { id: 'base', chart: IstioChart.BASE, releaseName: 'istio-base', valuesFile: 'base-values.yaml', values: { defaultRevision: plan.revision ?? 'default', profile: plan.profile } },
    {
      id: 'istiod',
      chart: IstioChart.ISTIOD,
      releaseName: 'istiod',
      valuesFile: 'istiod-values.yaml',
      values: { profile: plan.profile, global: plan.global, istiodRemote: plan.istiodRemote, meshConfig: plan.meshConfig, env: plan.istiodEnv, revision: plan.revision },
    },
  ];
  releases.push(...plan.dataPlane);
  const gateway = plan.gateway;
  if (gateway) {
    releases.push({
      id: 'gateway',
      chart: IstioChart.GATEWAY,
      releaseName: gateway.name,
      valuesFile: 'gateway-values.yaml',
      values: {
        // The chart derives `app` and `istio` selector labels from the release name; labels set here win, so
        // a gateway selected by other labels still matches the mesh's Gateway objects.
        labels: gateway.labels,
        env: gateway.env,
        revision: plan.revision,
        service: {
          type: gateway.serviceType,
          annotations: gateway.serviceAnnotations,
          // The list replaces the chart's, so the ports a gateway keeps are repeated.
          ports: [...(gateway.isDefaultIngress ? HELM_GATEWAY_DEFAULT_PORTS : [GATEWAY_STATUS_PORT]), ...gateway.ports]
            .map(p => ({ ...p, protocol: 'TCP' })),
        },
      },
    });
  }
  if (plan.egressPorts.length > 0) {
    releases.push({
      id: 'egress-gateway',
      chart: IstioChart.GATEWAY,
      releaseName: EGRESS_GATEWAY_NAME,
      valuesFile: 'egress-gateway-values.yaml',
      // In-cluster only: sidecars reach it by its Service; the chart's name gives it `istio: egressgateway`.
      values: { revision: plan.revision, service: { type: 'ClusterIP', ports: [GATEWAY_STATUS_PORT, ...plan.egressPorts].map(p => ({ ...p, protocol: 'TCP' })) } },
    });
  }
  // Values as Helm reads them: keys sorted for stable diffs, unset options left out.
  return releases.map(release => ({ ...release, values: sanitized(release.values) as object }));
}

/**
 * Renders the cluster's Istio install into its `istio/` directory: one values file per Helm release, and the
 * IstioOperator overlay for `istioctl install -f`. Returns the releases, for the GitOps tools that install them.
 */
export function renderIstioInstall(bundle: ClusterBundle, gateway: GatewayComponent | undefined, topology: TopologyInstall = {}): IstioRelease[] {
  const plan = installPlan(bundle, gateway, topology);
  const releases = helmReleases(plan);
  for (const release of releases) {
    bundle.addFile({ root: OutputRoot.BUNDLES, path: `${BundleLayer.ISTIO}/${release.valuesFile}`, content: [release.values] });
  }
  const { cluster } = bundle;
  bundle.add('install', cluster, IstioOperator, {
    metadata: { name: cluster.clusterName, namespace: ISTIO_SYSTEM },
    spec: {
      profile: plan.profile,
      revision: plan.revision,
      meshConfig: plan.meshConfig,
      values: { global: plan.global, istiodRemote: plan.istiodRemote, pilot: plan.istiodEnv && { env: plan.istiodEnv } },
      components: (gateway || plan.egressPorts.length > 0) ? {
        egressGateways: plan.egressPorts.length > 0 ? [{
          name: EGRESS_GATEWAY_NAME,
          enabled: true,
          k8s: { service: { type: 'ClusterIP', ports: [GATEWAY_STATUS_PORT, ...plan.egressPorts] } },
        }] : undefined,
        ingressGateways: gateway && [{
          name: gateway.name,
          enabled: true,
          label: gateway.labels && { ...gateway.labels },
          k8s: {
            env: gateway.env && Object.entries(gateway.env).map(([name, value]) => ({ name, value })),
            service: {
              type: gateway.serviceType,
              // The overlay replaces the Service's port list, so the ports the gateway keeps are repeated.
              ports: [...(gateway.isDefaultIngress ? DEFAULT_INGRESS_PORTS : [GATEWAY_STATUS_PORT]), ...gateway.ports],
            },
            serviceAnnotations: gateway.serviceAnnotations && { ...gateway.serviceAnnotations },
          },
        }],
      } : undefined,
    },
  });
  return releases;
}

import { CROSS_CLUSTER_PORT, DEFAULT_INGRESS_PORTS, GATEWAY_STATUS_PORT, ISTIOD_PORT } from '../mesh-cluster';
import { OutputRoot } from '../write/output-file';
import { BundleLayer, ClusterBundle, ISTIO_SYSTEM, sanitized } from './cluster-bundle';
import { IstioOperator } from './istio-operator';

/** Istio's Helm charts, in install order: `base` (CRDs), `istiod`, then the cross-cluster gateway. */
export enum IstioChart {
  BASE = 'base',
  ISTIOD = 'istiod',
  GATEWAY = 'gateway',
}

/** One Helm release of a cluster's Istio install. */
export interface IstioRelease {
  readonly chart: IstioChart;
  /** The release name: the gateway's also names its Deployment, Service and labels. */
  readonly releaseName: string;
  readonly values: object;
  /** The values file in the cluster's `istio/` directory. */
  readonly valuesFile: string;
}

interface GatewayPort { readonly name: string; readonly port: number; readonly targetPort: number; readonly nodePort?: number }

/**
 * What a cluster's Istio install must say, whichever installer applies it: the mesh and cluster identity,
 * the trust domain, proxy metadata the renderers asked for, and the cross-cluster gateway's Service. Both
 * the Helm values and the istioctl overlay are read off this one plan, so they cannot disagree.
 */
function installPlan(bundle: ClusterBundle) {
  const { cluster, mesh } = bundle;
  const gateway = cluster.gateway;
  const proxyMetadata = Object.keys(bundle.proxyMetadata).length > 0 ? { ...bundle.proxyMetadata } : undefined;
  const crossClusterPorts: GatewayPort[] = gateway ? [
    { name: 'tls', port: gateway.port, targetPort: CROSS_CLUSTER_PORT, nodePort: gateway.nodePort },
    // VMs reach istiod through the gateway (see the istiod-gateway in mesh-gateway.yaml).
    ...(bundle.exposesIstiod ? [{ name: 'tls-istiod', port: ISTIOD_PORT, targetPort: ISTIOD_PORT, nodePort: gateway.istiodNodePort }] : []),
  ] : [];
  return {
    meshConfig: { trustDomain: mesh.trustDomain, defaultConfig: proxyMetadata && { proxyMetadata } },
    global: { meshID: mesh.meshId, multiCluster: { clusterName: cluster.clusterName }, network: cluster.network },
    revision: mesh.injectionRevision,
    gateway: gateway && {
      name: gateway.name,
      isDefault: gateway.isDefaultGateway,
      selector: { ...gateway.selector },
      serviceType: gateway.nodePort === undefined ? 'LoadBalancer' as const : 'NodePort' as const,
      crossClusterPorts,
    },
  };
}

/**
 * The ports the gateway chart gives a gateway by default. The chart runs the gateway with the unprivileged
 * port sysctl, so 80 and 443 are its container ports too (istioctl's gateway listens on 8080 and 8443).
 */
const HELM_GATEWAY_DEFAULT_PORTS: readonly GatewayPort[] = [
  GATEWAY_STATUS_PORT,
  { name: 'http2', port: 80, targetPort: 80 },
  { name: 'https', port: 443, targetPort: 443 },
];

type InstallPlan = ReturnType<typeof installPlan>;

/**
 * The Helm releases that install Istio on a cluster, with their values. Checked against the charts of
 * Istio 1.30.3 (the gateway chart's values.schema.json in the tests).
 */
function helmReleases(plan: InstallPlan): IstioRelease[] {
  const releases: IstioRelease[] = [
    // The validating webhook's default revision follows the injection revision, if any.
    { chart: IstioChart.BASE, releaseName: 'istio-base', valuesFile: 'base-values.yaml', values: { defaultRevision: plan.revision ?? 'default' } },
    {
      chart: IstioChart.ISTIOD,
      releaseName: 'istiod',
      valuesFile: 'istiod-values.yaml',
      values: { global: plan.global, meshConfig: plan.meshConfig, revision: plan.revision },
    },
  ];
  const gateway = plan.gateway;
  if (gateway) {
    releases.push({
      chart: IstioChart.GATEWAY,
      releaseName: gateway.name,
      valuesFile: 'gateway-values.yaml',
      values: {
        // The chart derives `app` and `istio` selector labels from the release name; labels set here win, so
        // a gateway selected by other labels still matches the mesh's Gateway objects.
        labels: gateway.isDefault ? undefined : gateway.selector,
        revision: plan.revision,
        service: {
          type: gateway.serviceType,
          // The list replaces the chart's, so the ports a gateway keeps are repeated.
          ports: [...(gateway.isDefault ? HELM_GATEWAY_DEFAULT_PORTS : [GATEWAY_STATUS_PORT]), ...gateway.crossClusterPorts]
            .map(p => ({ ...p, protocol: 'TCP' })),
        },
      },
    });
  }
  // Values as Helm reads them: keys sorted for stable diffs, unset options left out.
  return releases.map(release => ({ ...release, values: sanitized(release.values) as object }));
}

/**
 * Renders the cluster's Istio install into its `istio/` directory: one values file per Helm release, and the
 * IstioOperator overlay for `istioctl install -f`. Returns the releases, for the GitOps tools that install them.
 */
export function renderIstioInstall(bundle: ClusterBundle): IstioRelease[] {
  const plan = installPlan(bundle);
  const releases = helmReleases(plan);
  for (const release of releases) {
    bundle.addFile({ root: OutputRoot.BUNDLES, path: `${BundleLayer.ISTIO}/${release.valuesFile}`, content: [release.values] });
  }
  const { cluster } = bundle;
  const gateway = plan.gateway;
  bundle.add('install', cluster, IstioOperator, {
    metadata: { name: cluster.clusterName, namespace: ISTIO_SYSTEM },
    spec: {
      revision: plan.revision,
      meshConfig: plan.meshConfig,
      values: { global: plan.global },
      // The gateway gets no `topology.istio.io/network` label: this design needs none (the network comes from
      // values.global.network and the istio-system label), and component labels become the Deployment's
      // immutable spec.selector, so adding one fails on a cluster that already runs the gateway. Since Istio
      // 1.11 the gateway detects SNI-DNAT mode by itself (ISTIO_META_ROUTER_MODE is no longer read).
      components: gateway && {
        ingressGateways: [{
          name: gateway.name,
          enabled: true,
          // The default gateway keeps the labels istioctl gives it; another one is installed with the selector's.
          label: gateway.isDefault ? undefined : gateway.selector,
          k8s: {
            service: {
              type: gateway.serviceType,
              // The overlay replaces the Service's port list, so the ports the gateway keeps are repeated.
              ports: [...(gateway.isDefault ? DEFAULT_INGRESS_PORTS : [GATEWAY_STATUS_PORT]), ...gateway.crossClusterPorts],
            },
          },
        }],
      },
    },
  });
  return releases;
}

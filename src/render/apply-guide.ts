import { GitOpsTool, ISTIO_CHART_REPOSITORY } from '../gitops';
import { CacertsDeliveryMode } from '../mesh-ca';
import { formatLabels } from '../validation/names';
import { OutputRoot } from '../write/output-file';
import { STORE_FILE } from './cacerts';
import { BundleLayer, ClusterBundle, ISTIO_SYSTEM } from './cluster-bundle';
import { EXPECTED_STATE_FILE } from './expected-state';
import { IstioChart, IstioRelease } from './istio-install';
import { ApiObjectClass } from './manifest';
import { ExternalSecret } from './external-secret';
import { DISCOVERY_LABEL, discoveryLabelSets } from './namespace-labels';
import { ServiceMonitor } from './observability';
import { ARGO_CD_DIR } from './gitops/argo-cd';
import { contextAssignment, contextOrName, contextVariable } from './shell';
import { GATEWAY_API_VERSION, GatewayApiGateway } from './topologies/multi-network/gateway-api';

/** How the cluster's `cacerts` arrives, in the words and commands of the CA step. */
function caStep(bundle: ClusterBundle): { what: string; commands: string[] } {
  const secretFile = `secrets/${bundle.cluster.clusterName}/cacerts.yaml`;
  const primary = bundle.cluster.primary;
  if (primary) {
    return { what: `no \`cacerts\`: this remote runs no istiod; ${primary.clusterName}'s istiod signs its workloads`, commands: [] };
  }
  const mode = bundle.mesh.ca && (bundle.mesh.ca._options.delivery?.mode ?? CacertsDeliveryMode.SECRETS_DIR);
  switch (mode) {
    case undefined:
      return { what: 'no `cacerts`: the mesh has no `ca`, so istiod makes its own root and clusters do not trust each other', commands: [] };
    case CacertsDeliveryMode.INLINE:
      return { what: 'the `cacerts` Secret (`ca/cacerts.yaml`, private key included)', commands: [] };
    case CacertsDeliveryMode.SEALED_SECRET:
      return { what: 'the `cacerts` SealedSecret (`ca/cacerts.yaml`), which only this cluster\'s Sealed Secrets controller can unseal (install the controller first)', commands: [] };
    case CacertsDeliveryMode.EXTERNAL_SECRET: {
      const external = bundle.mesh.ca!._options.delivery!.externalSecret!;
      const remoteKey = `${external.remoteKeyPrefix ?? `${bundle.mesh.meshId}/cacerts`}/${bundle.cluster.clusterName}`;
      const storeFile = `secrets/${bundle.cluster.clusterName}/${STORE_FILE}`;
      return {
        what: `an ExternalSecret that reads \`cacerts\` from the store \`${external.storeName}\`, key \`${remoteKey}\` (the External Secrets Operator must run in the cluster): upload \`${storeFile}\` (secrets directory, never committed) there first`,
        commands: [
          `# once, before the CA layer: put ${storeFile} under ${remoteKey} in your store, e.g.`,
          `#   vault kv put ${remoteKey} @<path to>/${storeFile}`,
          `#   aws secretsmanager create-secret --name ${remoteKey} --secret-string file://<path to>/${storeFile}`,
        ],
      };
    }
    default:
      return {
        what: `nothing secret: \`cacerts\` is in \`${secretFile}\` (the secrets directory, never committed), applied by hand`,
        commands: [`kubectl --context "$${contextVariable(bundle.cluster.clusterName)}" apply -f <path to>/${secretFile}  # before Istio: istiod reads it only at start`],
      };
  }
}

/** Why the layers go in their order, and what comes before them, for the cluster at hand. */
function whyThisOrder(bundle: ClusterBundle): string {
  const { cluster, mesh } = bundle;
  const primary = cluster.primary;
  if (primary) {
    return `This cluster is a remote of ${primary.clusterName}: its proxies get their
configuration and certificates from ${primary.clusterName}'s istiod, through ${primary.clusterName}'s east-west gateway, so apply ${primary.clusterName}'s
bundle first, and this one once that gateway runs. Apply the layers in this order, each once the previous one
is ready: the mesh configuration needs Istio's CRDs.`;
  }
  if (!mesh.ca) return 'Apply the layers in this order, each once the previous one is ready: the mesh configuration needs Istio\'s CRDs.';
  // The istiod chart names its Deployment after the revision, when there is one.
  const istiod = mesh.injectionRevision ? `istiod-${mesh.injectionRevision}` : 'istiod';
  return `Apply the layers in this order, each once the previous one is ready:
istiod reads \`cacerts\` only when it starts (without it, it makes its own root, and this cluster cannot talk
to the others; if istiod ran before \`cacerts\` was applied, restart it, then the workloads:
\`kubectl --context "${contextOrName(cluster.clusterName)}" -n ${ISTIO_SYSTEM} rollout restart deployment ${istiod}\`), and the mesh
configuration needs Istio's CRDs.`;
}

/** Kinds the mesh layer may hold that a cluster serves only with an add-on, and what the README says of them. */
const MESH_LAYER_ADD_ONS: ReadonlyArray<readonly [ApiObjectClass, string]> = [
  [GatewayApiGateway, `its Gateway API Gateways need the Gateway API CRDs, v${GATEWAY_API_VERSION} standard channel`],
  [ExternalSecret, 'its ExternalSecrets need the External Secrets Operator and the store they name'],
  [ServiceMonitor, 'its ServiceMonitor and PodMonitor need the Prometheus Operator'],
];

/** Installs the Gateway API CRDs unless the cluster has them: Istio's east-west Gateways and waypoints need them, and most clusters lack them. */
const gatewayApiCrdCommands = (context: string) => [
  `# the Gateway API CRDs (v${GATEWAY_API_VERSION}, standard channel) that the mesh layer's Gateways need, unless the cluster has them`,
  `kubectl --context "$${context}" get crd gateways.gateway.networking.k8s.io >/dev/null 2>&1 || kubectl --context "$${context}" apply --server-side -f `
    + `https://github.com/kubernetes-sigs/gateway-api/releases/download/v${GATEWAY_API_VERSION}/standard-install.yaml`,
];

/**
 * Where istiod discovers only the mesh's namespaces: which labels make a namespace one of them, and how to
 * label one the bundle does not render (clients of the mesh it does not know of, namespaces left to the platform).
 */
function discoveryStep(bundle: ClusterBundle, context: string): string[] {
  const labelSets = discoveryLabelSets(bundle.mesh);
  if (!labelSets) return [];
  const labelled = labelSets.map(labels => `\`${formatLabels(labels)}\``).join(' or ');
  return [`**Discovery.** The mesh's istiods discover only the namespaces labelled ${labelled} (the mesh's \`discovery\`); `
    + `the namespaces this bundle renders carry \`${formatLabels(DISCOVERY_LABEL)}\`. Label every other namespace of this cluster whose pods take part in the mesh `
    + `(clients it does not render, namespaces left to the platform): a pod istiod does not discover gets no configuration, and an injected one does not start.

\`\`\`sh
kubectl --context "$${context}" label namespace my-clients ${formatLabels(DISCOVERY_LABEL)}  # my-clients: each such namespace
\`\`\``];
}

/**
 * Writes the cluster's README.md: its layers in apply order, and the commands that apply them by hand
 * (kubectl and helm, or istioctl) or the GitOps objects that do, then `steps` (the topology's and the
 * renderers' own, one paragraph each).
 */
export function renderApplyGuide(bundle: ClusterBundle, releases: readonly IstioRelease[], steps: readonly string[]): void {
  const { cluster, mesh } = bundle;
  const gitOps = mesh.gitOps;
  const version = mesh.istioVersion;
  const repository = gitOps?.chartRepository ?? ISTIO_CHART_REPOSITORY;
  const ca = caStep(bundle);
  // An OCI registry is addressed per chart; `helm repo add` takes only classic repositories.
  const oci = repository.startsWith('oci://');
  const chartRef = (chart: IstioChart) => (oci ? `${repository.replace(/\/+$/, '')}/${chart}` : `istio/${chart}`);
  // Every command names the cluster's kube context: with several clusters at hand, applying one cluster's
  // bundle to another's current context is the mistake to rule out.
  const context = contextVariable(cluster.clusterName);
  const meshHolds = bundle.kindsIn(BundleLayer.MESH);
  const gatewayApi = meshHolds(GatewayApiGateway);
  const meshNeeds = MESH_LAYER_ADD_ONS.filter(([type]) => meshHolds(type)).map(([, need]) => need);
  const helm = releases.map(r => `helm upgrade --install ${r.releaseName} ${chartRef(r.chart)} --kube-context "$${context}" -n ${ISTIO_SYSTEM} --version ${version} -f ${BundleLayer.ISTIO}/${r.valuesFile}${r.chart === IstioChart.ISTIOD ? ' --wait' : ''}`);
  const automated = gitOps?.tool === GitOpsTool.ARGO_CD
    ? `Argo CD applies the layers in this order: see \`../${ARGO_CD_DIR}/${cluster.clusterName}.yaml\` (sync waves).`
    : gitOps?.tool === GitOpsTool.FLUX
      ? `Flux applies the layers in this order: point this cluster's Flux at \`flux/\` (its Kustomizations depend on each other; \`flux/istio/\` holds the HelmReleases).`
      : 'To let Argo CD or Flux apply them in this order, set the mesh\'s `gitOps`.';
  const text = `# ${cluster.clusterName}

Generated by cdk8s-istio-multicluster. ${whyThisOrder(bundle)}

| # | layer | directory | holds |
| --- | --- | --- | --- |
| 1 | CA | \`${BundleLayer.CA}/\` | \`${ISTIO_SYSTEM}\`; ${ca.what} |
| 2 | Istio | \`${BundleLayer.ISTIO}/\` | Helm values for ${releases.map(r => `\`${r.chart}\``).join(', ')} (Istio ${version}); \`istio-operator.yaml\` for istioctl instead |
| 3 | mesh | \`${BundleLayer.MESH}/\` | namespaces, gateway, security, DNS, global services, routes, workloads${meshNeeds.length > 0 ? ` (${meshNeeds.join('; ')})` : ''} |

${automated}

By hand, from this directory, with this cluster's kube context (its name unless you set \`${context}\`):

\`\`\`sh
${contextAssignment(cluster.clusterName)}
kubectl --context "$${context}" apply -k ${BundleLayer.CA}
${[...ca.commands,
    ...(oci ? [] : [`helm repo add istio ${repository} && helm repo update istio`]),
    ...helm,
    `# or, instead of helm: istioctl install --context "$${context}" -f ${BundleLayer.ISTIO}/istio-operator.yaml`,
    ...gatewayApi ? gatewayApiCrdCommands(context) : [],
    `kubectl --context "$${context}" apply -k ${BundleLayer.MESH}`].join('\n')}
\`\`\`
${[...steps, ...discoveryStep(bundle, context)].map(step => `\n${step}\n`).join('')}
Then check the live cluster against what this bundle says it must show (roots, each client's endpoints and
SNI names, the gateway's filter chains, the remote clusters istiod reads), with kubectl and istioctl on PATH:

\`\`\`sh
npx cdk8s-istio-multicluster verify ${EXPECTED_STATE_FILE}  # through the context $${context} names, else ${cluster.clusterName}
\`\`\`
`;
  bundle.addFile({ root: OutputRoot.BUNDLES, path: 'README.md', content: text });
}

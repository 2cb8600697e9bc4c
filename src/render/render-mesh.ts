import { GitOpsTool } from '../gitops';
import { MeshCluster } from '../mesh-cluster';
import { ResolvedMesh } from '../resolve/resolved-mesh';
import { MeshConfigError } from '../validation/errors';
import { CHECKS, Finding, finding } from '../validation/findings';
import { renderedConflicts } from '../validation/rendered-conflicts';
import { OutputFile, OutputRoot } from '../write/output-file';
import { renderClusterBaseline } from './cluster-baseline';
import { renderAccessPolicy } from './access-policies';
import { renderClientNamespace } from './client-namespaces';
import { renderApplyGuide } from './apply-guide';
import { renderAnalyzeScript } from './analyze-script';
import { renderRotationCheck } from './ca-rotation-check';
import { renderCacerts } from './cacerts';
import { renderCertificateInventory } from './certificate-inventory';
import { ClusterBundle } from './cluster-bundle';
import { renderArgoCd } from './gitops/argo-cd';
import { renderFlux } from './gitops/flux';
import { renderBudgets } from './budgets';
import { expectedStates } from './expected-state';
import { credentialSecretsStep, leavesThroughWaypoint, renderCredentialSecret, renderExternalService } from './external-services';
import { renderMeshPicture } from './mesh-picture';
import { discoveryLabelHint } from './namespace-labels';
import { renderObservability } from './observability';
import { TOPOLOGY_RENDERERS } from './topologies';
import { renderVmWorkload } from './vm-workloads';

/** Renders a resolved mesh into one bundle per cluster, plus the mesh's state files; warnings from counting what it rendered. */
export function renderMesh(model: ResolvedMesh): { readonly files: OutputFile[]; readonly warnings: Finding[] } {
  const bundles = new Map(model.clusters.map(cluster => [cluster, new ClusterBundle(cluster, model.mesh)]));
  const bundleOf = (cluster: MeshCluster) => bundles.get(cluster)!;
  const topology = TOPOLOGY_RENDERERS[model.mesh.topology];

  model.services.forEach(service => topology.renderService(service, bundleOf));
  model.routes.forEach(route => topology.renderRoute(route, bundleOf));
  model.vms.forEach(vm => renderVmWorkload(vm, bundleOf(vm.cluster), model.pki?.clusters.get(vm.cluster)?.rootCerts));
  // Istio reads a remote cluster's configuration from its primary: a policy lands there, once.
  model.policies.forEach(({ policy, clusters }) => new Set(clusters.map(c => c.configCluster)).forEach(cluster => renderAccessPolicy(policy, bundleOf(cluster))));
  model.externals.forEach(external => external.clusters.forEach(cluster => renderExternalService(external, bundleOf(cluster))));
  model.credentials.forEach(credential => credential.clusters.forEach(cluster => renderCredentialSecret(credential, bundleOf(cluster))));
  model.clientNamespaces.forEach(({ client, clusters }) => clusters.forEach(cluster => renderClientNamespace(client, bundleOf(cluster))));
  // The egress gateway runs in every calling cluster, remotes included (their configuration is the primary's);
  // in ambient, an egress waypoint is the gateway, rendered with the service.
  model.externals.filter(({ service }) => service.egressGateway && !leavesThroughWaypoint(service)).forEach(({ service }) => service._clusters(model.clusters)
    .forEach(cluster => service.ports.forEach(port => bundleOf(cluster).egressPorts.set(port.number, port))));
  bundles.forEach(renderObservability);
  model.pki?.clusters.forEach((material, cluster) => renderCacerts(bundleOf(cluster), model.mesh.ca!, material, model.pki!.sealingKeys.get(cluster)));
  // The cluster-wide parts go last: they collect what the renderers above registered.
  bundles.forEach(bundle => topology.renderCluster(bundle, model, bundleOf));
  const releases = new Map([...bundles].map(([cluster, bundle]) => [cluster, renderClusterBaseline(bundle, topology)]));
  bundles.forEach((bundle, cluster) => renderApplyGuide(bundle, releases.get(cluster)!, [
    ...topology.applySteps?.(bundle, model) ?? [], ...credentialSecretsStep(model.credentials, cluster),
  ]));
  const gitOps = model.mesh.gitOps;
  if (gitOps?.tool === GitOpsTool.FLUX) bundles.forEach((bundle, cluster) => renderFlux(bundle, gitOps, releases.get(cluster)!));
  const argoCd = gitOps?.tool === GitOpsTool.ARGO_CD ? renderArgoCd(model.mesh, gitOps, releases) : [];

  const lock: OutputFile[] = model.vipLock !== undefined && (model.services.some(s => s.vip) || model.staleVips.length > 0)
    ? [{ root: OutputRoot.PROJECT, path: model.mesh.lockFile, content: model.vipLock }]
    : [];
  const picture: OutputFile = { root: OutputRoot.BUNDLES, path: 'mesh.md', content: renderMeshPicture(model) };
  const clusterFiles = new Map([...bundles].map(([cluster, bundle]) => [cluster, bundle.toFiles()]));
  const problems = topology.checkRendered?.(clusterFiles) ?? [];
  if (problems.length > 0) {
    throw new MeshConfigError(`[${model.mesh.node.path}] the rendered bundles break the ${model.mesh.topology} topology; nothing was written:\n  ${problems.join('\n  ')}`, CHECKS.topologyBroken);
  }
  const conflicts = renderedConflicts(clusterFiles);
  if (conflicts.length > 0) {
    throw new MeshConfigError(`[${model.mesh.node.path}] objects of the rendered bundles conflict; nothing was written:\n  ${conflicts.join('\n  ')}`);
  }
  const states = expectedStates(model, clusterFiles);
  const budgets = renderBudgets(clusterFiles, states, model.mesh.node.path);
  const files = [
    ...[...clusterFiles.values()].flat(), ...[...states.values()].map(state => state.file), budgets.file, ...argoCd, ...topology.meshFiles(model), ...renderCertificateInventory(model), ...renderRotationCheck(model), ...renderAnalyzeScript(model), picture, ...lock, ...model.pki?.keyStoreFiles ?? [],
  ];
  const undiscovered = [...bundles.values()].flatMap(({ cluster, undiscoveredNamespaces }) => undiscoveredNamespaces.map(namespace => finding(CHECKS.undiscoveredNamespace,
    `[${cluster.node.path}] namespace ${namespace} holds what istiod must discover (the cluster's mesh configuration, or the tracing collector), and the mesh leaves the Namespace alone (NamespaceManagement.NONE) `
    + `while istiod discovers only the mesh's namespaces (the mesh's discovery): label it ${discoveryLabelHint(model.mesh)}, or istiod ignores what is there`)));
  return { files, warnings: [...budgets.warnings, ...undiscovered] };
}

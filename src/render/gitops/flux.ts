import { FluxOptions, GitOps } from '../../gitops';
import { boundedDnsLabel } from '../../validation/names';
import { BundleLayer, ClusterBundle, ISTIO_SYSTEM } from '../cluster-bundle';
import { IstioRelease } from '../istio-install';
import { FluxHelmRelease, FluxHelmRepository, FluxKustomization, FluxRef } from './gitops-kinds';

/**
 * Renders a cluster's Flux objects into `<cluster>/flux/`: three Kustomizations chained by `dependsOn`, so
 * Flux applies the CA, then Istio, then the mesh configuration, each once the previous one is ready
 * (`wait`); the Istio layer is `flux/istio/`, Istio's HelmRepository and one HelmRelease per chart, each
 * release depending on the one before. The cluster's own Flux reconciles `<cluster>/flux/`.
 */
export function renderFlux(bundle: ClusterBundle, gitOps: GitOps, releases: readonly IstioRelease[]): void {
  const { cluster, mesh } = bundle;
  const o = gitOps._options as FluxOptions;
  const namespace = o.namespace ?? 'flux-system';
  const interval = o.interval ?? '10m';
  const sourceRef: FluxRef = o.sourceRef ?? { kind: 'GitRepository', name: 'flux-system' };
  const base = `./${gitOps._bundlesPath}/${cluster.clusterName}`;
  // Flux labels what it applies with the Kustomization's or HelmRelease's name: 63 characters at most.
  const name = (what: string) => boundedDnsLabel(`${mesh.meshId}-${what}`);

  const layers = [
    { name: name(BundleLayer.CA), path: `${base}/${BundleLayer.CA}`, wait: true },
    { name: name(BundleLayer.ISTIO), path: `${base}/flux/istio`, wait: true },
    // Istio's configuration objects report no readiness: nothing to wait for.
    { name: name(BundleLayer.MESH), path: `${base}/${BundleLayer.MESH}`, wait: false },
  ];
  layers.forEach((layer, i) => bundle.add('flux-layers', mesh, FluxKustomization, {
    metadata: { name: layer.name, namespace },
    spec: {
      interval,
      path: layer.path,
      prune: true,
      wait: layer.wait || undefined,
      sourceRef,
      dependsOn: i > 0 ? [{ name: layers[i - 1].name }] : undefined,
    },
  }));

  const repository = name('istio-charts');
  bundle.add('flux-istio', mesh, FluxHelmRepository, {
    metadata: { name: repository, namespace },
    spec: {
      interval: '24h',
      url: gitOps.chartRepository,
      type: gitOps.chartRepository.startsWith('oci://') ? 'oci' : undefined,
    },
  });
  releases.forEach((release, i) => bundle.add('flux-istio', mesh, FluxHelmRelease, {
    metadata: { name: name(release.releaseName), namespace },
    spec: {
      interval,
      chart: { spec: { chart: release.chart, version: mesh.istioVersion, sourceRef: { kind: 'HelmRepository', name: repository } } },
      // The release lives in istio-system under its own name, as `helm install` would make it.
      releaseName: release.releaseName,
      targetNamespace: ISTIO_SYSTEM,
      storageNamespace: ISTIO_SYSTEM,
      values: release.values,
      dependsOn: i > 0 ? [{ name: name(releases[i - 1].releaseName) }] : undefined,
    },
  }));
}

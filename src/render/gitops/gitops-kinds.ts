import { customKind } from '../custom-kind';

/** A Git or Helm source of an Argo CD Application. */
export interface ArgoSource {
  readonly repoURL: string;
  readonly targetRevision: string;
  readonly path?: string;
  readonly chart?: string;
  readonly helm?: { readonly releaseName: string; readonly valuesObject: object };
}

/** The subset of Argo CD's Application spec the library renders (argoproj.io/v1alpha1, Argo CD 2.8+). */
export interface ArgoApplicationSpec {
  readonly project: string;
  readonly source: ArgoSource;
  readonly destination: { readonly name: string; readonly namespace: string };
  readonly syncPolicy: {
    readonly automated: { readonly prune: boolean; readonly selfHeal: boolean };
    readonly syncOptions?: readonly string[];
  };
  readonly ignoreDifferences?: ReadonlyArray<{ readonly group: string; readonly kind: string; readonly jqPathExpressions: readonly string[] }>;
}

export const ArgoApplication = customKind<ArgoApplicationSpec>({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application' });

/** A reference to a Flux object by name (and namespace). */
export interface FluxRef {
  readonly kind?: string;
  readonly name: string;
  readonly namespace?: string;
}

/** The subset of Flux's Kustomization spec the library renders (kustomize.toolkit.fluxcd.io/v1). */
export interface FluxKustomizationSpec {
  readonly interval: string;
  readonly path: string;
  readonly prune: boolean;
  readonly wait?: boolean;
  readonly sourceRef: FluxRef;
  readonly dependsOn?: readonly FluxRef[];
}

export const FluxKustomization = customKind<FluxKustomizationSpec>({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' });

/** Flux's HelmRepository (source.toolkit.fluxcd.io/v1). */
export interface FluxHelmRepositorySpec {
  readonly interval: string;
  readonly url: string;
  readonly type?: 'oci';
}

export const FluxHelmRepository = customKind<FluxHelmRepositorySpec>({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository' });

/** The subset of Flux's HelmRelease spec the library renders (helm.toolkit.fluxcd.io/v2). */
export interface FluxHelmReleaseSpec {
  readonly interval: string;
  readonly chart: { readonly spec: { readonly chart: string; readonly version: string; readonly sourceRef: FluxRef } };
  readonly releaseName: string;
  readonly targetNamespace: string;
  readonly storageNamespace: string;
  readonly values: object;
  readonly dependsOn?: readonly FluxRef[];
}

export const FluxHelmRelease = customKind<FluxHelmReleaseSpec>({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease' });

import { IConstruct } from 'constructs';
import { propError } from './validation/errors';
import { isDnsLabel, isDnsSubdomain } from './validation/names';

/** Where Istio publishes its Helm charts. */
export const ISTIO_CHART_REPOSITORY = 'https://istio-release.storage.googleapis.com/charts';

/** Options every GitOps tool shares. The charts' version is the mesh's `istioVersion`. */
export interface GitOpsOptions {
  /**
   * The Helm repository of Istio's charts (a mirror, for clusters without internet access).
   * @default 'https://istio-release.storage.googleapis.com/charts'
   */
  readonly chartRepository?: string;
}

/** Options of {@link GitOps.argoCd}. */
export interface ArgoCdOptions extends GitOpsOptions {
  /** The Git repository the rendered bundles are committed to, as Argo CD knows it. */
  readonly repoUrl: string;

  /**
   * The branch, tag or commit Argo CD follows.
   * @default 'HEAD'
   */
  readonly targetRevision?: string;

  /**
   * Where the bundles directory (MeshApp's `outdir`) sits in the repository.
   * @default 'dist'
   */
  readonly path?: string;

  /**
   * The namespace Argo CD runs in; the Applications live there.
   * @default 'argocd'
   */
  readonly namespace?: string;

  /**
   * The Argo CD project of the Applications.
   * @default 'default'
   */
  readonly project?: string;

  /**
   * The Argo CD cluster (destination name) of each mesh cluster, by cluster name.
   * @default - each cluster's own name
   */
  readonly destinations?: { readonly [clusterName: string]: string };
}

/** A Flux source object. */
export interface FluxSourceRef {
  readonly kind: 'GitRepository' | 'OCIRepository' | 'Bucket';
  readonly name: string;
  /** @default - the Kustomization's namespace */
  readonly namespace?: string;
}

/** Options of {@link GitOps.flux}. */
export interface FluxOptions extends GitOpsOptions {
  /**
   * Where the bundles directory (MeshApp's `outdir`) sits in the source, as Flux paths are written.
   * @default './dist'
   */
  readonly path?: string;

  /**
   * The source that holds the bundles.
   * @default - the GitRepository `flux-system` that `flux bootstrap` creates
   */
  readonly sourceRef?: FluxSourceRef;

  /**
   * The namespace of the Flux objects.
   * @default 'flux-system'
   */
  readonly namespace?: string;

  /**
   * How often Flux reconciles each layer.
   * @default '10m'
   */
  readonly interval?: string;
}

/** The GitOps tools the bundles are rendered for. */
export enum GitOpsTool {
  ARGO_CD = 'argo-cd',
  FLUX = 'flux',
}

/** A Go duration as Flux parses it (`10m`, `1h30m`, `45s`). */
const FLUX_INTERVAL = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;

/**
 * Which GitOps tool installs Istio and applies the bundles, layer by layer in order: the CA, then Istio's Helm
 * charts, then the mesh configuration. Each is rendered as ready-to-commit manifests next to the bundles.
 *
 * @example
 * new Mesh(app, 'mesh', { gitOps: GitOps.argoCd({ repoUrl: 'https://github.com/acme/platform.git' }) });
 */
export class GitOps {
  /**
   * Argo CD Applications, one per cluster and layer, ordered by sync waves: `dist/argocd/`, synced by one
   * root Application (`dist/argocd/root.yaml`, applied once).
   */
  public static argoCd(options: ArgoCdOptions): GitOps {
    return new GitOps(GitOpsTool.ARGO_CD, options);
  }

  /**
   * Flux Kustomizations chained by `dependsOn`, and HelmReleases for Istio's charts: `dist/<cluster>/flux/`,
   * for each cluster's Flux to reconcile.
   */
  public static flux(options: FluxOptions = {}): GitOps {
    return new GitOps(GitOpsTool.FLUX, options);
  }

  private constructor(
    public readonly tool: GitOpsTool,
    /** @internal */
    public readonly _options: ArgoCdOptions | FluxOptions,
  ) {}

  /** The chart repository the install uses. */
  public get chartRepository(): string {
    return this._options.chartRepository ?? ISTIO_CHART_REPOSITORY;
  }

  /** Where the bundles directory sits in the repository, as `dist` (no leading `./`, no trailing `/`). @internal */
  public get _bundlesPath(): string {
    return (this._options.path ?? 'dist').replace(/^\.\//, '').replace(/\/+$/, '');
  }

  /** Checks the options; errors name the mesh and the option. @internal */
  public _check(mesh: IConstruct): void {
    const o = this._options;
    if (!/^(https|oci):\/\/\S+$/.test(this.chartRepository)) {
      throw propError(mesh, 'gitOps.chartRepository', this.chartRepository, 'is not a Helm repository URL: use https://... or oci://...');
    }
    const namespace = o.namespace;
    if (namespace !== undefined && !isDnsLabel(namespace)) {
      throw propError(mesh, 'gitOps.namespace', namespace, 'is not a namespace name: use a DNS label such as argocd or flux-system');
    }
    if (this.tool === GitOpsTool.ARGO_CD) {
      const argo = o as ArgoCdOptions;
      if (!argo.repoUrl || /\s/.test(argo.repoUrl)) {
        throw propError(mesh, 'gitOps.repoUrl', argo.repoUrl, 'is not a repository URL: give the Git URL Argo CD clones, e.g. https://github.com/acme/platform.git');
      }
      checkRepoPath(mesh, argo.path);
      for (const [cluster, destination] of Object.entries(argo.destinations ?? {})) {
        if (!destination) throw propError(mesh, `gitOps.destinations.${cluster}`, destination, 'is empty: give the cluster\'s name in Argo CD');
      }
      if (argo.project !== undefined && !isDnsSubdomain(argo.project)) {
        throw propError(mesh, 'gitOps.project', argo.project, 'is not an Argo CD project name');
      }
    } else {
      const flux = o as FluxOptions;
      checkRepoPath(mesh, flux.path);
      if (flux.interval !== undefined && !FLUX_INTERVAL.test(flux.interval)) {
        throw propError(mesh, 'gitOps.interval', flux.interval, 'is not a duration Flux reads: use e.g. 10m or 1h');
      }
      if (flux.sourceRef && !isDnsSubdomain(flux.sourceRef.name)) {
        throw propError(mesh, 'gitOps.sourceRef.name', flux.sourceRef.name, 'is not an object name');
      }
    }
  }
}

/** Destinations given for clusters the mesh does not have: likely a typo. @internal */
export function unknownDestinations(gitOps: GitOps | undefined, clusterNames: readonly string[]): string[] {
  const destinations = gitOps?.tool === GitOpsTool.ARGO_CD ? (gitOps._options as ArgoCdOptions).destinations ?? {} : {};
  return Object.keys(destinations).filter(cluster => !clusterNames.includes(cluster))
    .map(cluster => `gitOps.destinations names cluster "${cluster}", which the mesh does not have: use one of ${clusterNames.join(', ')}`);
}

function checkRepoPath(mesh: IConstruct, repoPath: string | undefined): void {
  if (repoPath !== undefined && (repoPath === '' || repoPath.startsWith('/') || repoPath.split('/').includes('..'))) {
    throw propError(mesh, 'gitOps.path', repoPath, 'is not a path inside the repository: give it relative to the repository root, e.g. dist or ./dist');
  }
}

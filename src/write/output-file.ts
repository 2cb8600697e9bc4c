/** Where a synthesized file is written. */
export enum OutputRoot {
  /** The Git-facing bundles, `dist/` by default. */
  BUNDLES = 'bundles',
  /** Files that carry private keys, outside the bundles and never committed. */
  SECRETS = 'secrets',
  /**
   * State kept next to the app (the VIP lock file, the CA key store): paths relative to the working
   * directory, written only when the whole synth succeeds, never removed by a later synth.
   */
  PROJECT = 'project',
}

/** One file of the synth output, before it is written. */
export interface OutputFile {
  readonly root: OutputRoot;
  /** Path relative to the root, `/`-separated. */
  readonly path: string;
  /** Text, or Kubernetes objects that the writer serializes as a YAML stream. */
  readonly content: string | readonly object[];
  /**
   * Written with mode 0600 in a 0700 directory.
   * @default false
   */
  readonly private?: boolean;
}

/**
 * A Kubernetes object of a bundle file, as the checks that read rendered bundles see it (the mesh's objects
 * and the user's own alike).
 */
export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: { readonly [key: string]: string } };
  readonly spec?: any;
}

/** How messages and reports name an object: `Kind/namespace/name`, or `Kind/name` for a cluster-wide one. */
export const manifestRef = (o: ManifestObject) => `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

/**
 * The objects a cluster receives from these files: every object file's, kustomizations aside (kustomize
 * reads those), and Helm values files aside (settings, without apiVersion or kind, that Helm reads).
 */
export function manifestsOf(files: readonly OutputFile[]): ManifestObject[] {
  const objects: ManifestObject[] = [];
  for (const file of files) {
    if (file.root !== OutputRoot.BUNDLES || typeof file.content === 'string' || file.path.endsWith('kustomization.yaml')) continue;
    for (const object of file.content as Array<Partial<ManifestObject>>) {
      if (typeof object.apiVersion === 'string' && typeof object.kind === 'string') objects.push(object as ManifestObject);
    }
  }
  return objects;
}

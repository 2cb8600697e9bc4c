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

import * as fs from 'fs';
import * as path from 'path';
import { MeshCluster } from '../mesh-cluster';
import { OutputFile, OutputRoot } from '../write/output-file';
import { KeyPairPem } from './x509';

/**
 * The key store of one mesh (`<keyStore>/<meshId>/`): the root, a rotation's next root and each cluster's
 * intermediate, each a directory holding `cert.pem` and `key.pem`. Each pair is read once; a pair set aside
 * is issued anew; the pairs in use are written back, with a `.gitignore`, when the synth succeeds.
 */
export class KeyStore {
  /** The mesh's directory in the store. */
  public readonly dir: string;
  public readonly rootDir: string;
  /** A root rotation's next root, while one runs. */
  public readonly nextRootDir: string;
  private readonly pairs = new Map<string, KeyPairPem | undefined>();
  private readonly kept: OutputFile[] = [];

  /** @param base the store, shared by the meshes of a repository (`MeshCa`'s `keyStore`) */
  public constructor(private readonly base: string, meshId: string) {
    this.dir = path.join(base, meshId);
    this.rootDir = path.join(this.dir, 'root');
    this.nextRootDir = path.join(this.dir, 'next-root');
  }

  public clusterDir(cluster: MeshCluster): string {
    return path.join(this.dir, 'clusters', cluster.clusterName);
  }

  /** The pair stored in `dir`, unless set aside. @returns undefined when there is none */
  public pair(dir: string): KeyPairPem | undefined {
    if (!this.pairs.has(dir)) this.pairs.set(dir, readPair(dir));
    return this.pairs.get(dir);
  }

  /** Treats `dir` as empty for this synth: what it holds is replaced by a pair issued now. */
  public setAside(dir: string): void {
    this.pairs.set(dir, undefined);
  }

  /** Writes a pair to `dir` when the synth succeeds. */
  public keep(dir: string, pair: KeyPairPem): void {
    this.kept.push(
      { root: OutputRoot.PROJECT, path: path.join(dir, 'cert.pem'), content: pair.certPem, private: true },
      { root: OutputRoot.PROJECT, path: path.join(dir, 'key.pem'), content: pair.keyPem, private: true },
    );
  }

  /** The files to write: the pairs kept, and a `.gitignore` that keeps the store out of Git. */
  public get files(): OutputFile[] {
    return this.kept.length === 0 ? [] : [
      { root: OutputRoot.PROJECT, path: path.join(this.base, '.gitignore'), content: '*\n', private: true },
      ...this.kept,
    ];
  }
}

function readPair(dir: string): KeyPairPem | undefined {
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  if (!fs.existsSync(certFile) || !fs.existsSync(keyFile)) return undefined;
  return { certPem: fs.readFileSync(certFile, 'utf8'), keyPem: fs.readFileSync(keyFile, 'utf8') };
}

import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { Mesh, MeshCluster } from '../../src';
import { KeyStore } from '../../src/pki/key-store';
import { OutputRoot } from '../../src/write/output-file';
import { tempDir } from '../support/synth';

describe('KeyStore', () => {
  const cluster = () => new MeshCluster(new Mesh(new App(), 'mesh'), 'east', { network: 'n1' });

  test('lays out a mesh\'s pairs under its id: root, next root, one directory per cluster', () => {
    const keys = new KeyStore('keys', 'mesh1');
    expect([keys.dir, keys.rootDir, keys.nextRootDir, keys.clusterDir(cluster())])
      .toEqual(['keys/mesh1', 'keys/mesh1/root', 'keys/mesh1/next-root', 'keys/mesh1/clusters/east']);
  });

  test('reads a pair once, only when both files are there; a pair set aside reads as missing', () => {
    const base = tempDir();
    const keys = new KeyStore(base, 'm');
    fs.mkdirSync(keys.rootDir, { recursive: true });
    fs.writeFileSync(path.join(keys.rootDir, 'cert.pem'), 'CERT');
    expect(keys.pair(keys.rootDir)).toBeUndefined();
    fs.writeFileSync(path.join(keys.rootDir, 'key.pem'), 'KEY');
    // Read once per synth: what the store held when first asked.
    expect(keys.pair(keys.rootDir)).toBeUndefined();
    const fresh = new KeyStore(base, 'm');
    expect(fresh.pair(fresh.rootDir)).toEqual({ certPem: 'CERT', keyPem: 'KEY' });
    fs.rmSync(path.join(fresh.rootDir, 'key.pem'));
    expect(fresh.pair(fresh.rootDir)).toEqual({ certPem: 'CERT', keyPem: 'KEY' });
    fresh.setAside(fresh.rootDir);
    expect(fresh.pair(fresh.rootDir)).toBeUndefined();
  });

  test('writes nothing until a pair is kept; then the pairs, private, with a .gitignore for the whole store', () => {
    const keys = new KeyStore('keys', 'm');
    expect(keys.files).toEqual([]);
    keys.keep(keys.rootDir, { certPem: 'C', keyPem: 'K' });
    expect(keys.files).toEqual([
      { root: OutputRoot.PROJECT, path: 'keys/.gitignore', content: '*\n', private: true },
      { root: OutputRoot.PROJECT, path: 'keys/m/root/cert.pem', content: 'C', private: true },
      { root: OutputRoot.PROJECT, path: 'keys/m/root/key.pem', content: 'K', private: true },
    ]);
  });
});

import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { MeshCluster } from '../../src';
import { synthOnce, tempDir, testMesh } from '../support/synth';

test('analyze.sh runs istioctl analyze offline over each cluster\'s applied layers, and fails when any cluster does', () => {
  const { app, mesh } = testMesh({ meshId: 'mesh1' });
  new MeshCluster(mesh, 'east', { gateway: { address: '10.0.0.1' } });
  new MeshCluster(mesh, 'west');
  synthOnce(app);
  const script = path.join(app.bundlesOutdir, 'analyze.sh');
  // A stand-in istioctl that records its arguments and fails for west.
  const bin = tempDir();
  const log = path.join(bin, 'calls');
  fs.writeFileSync(path.join(bin, 'istioctl'), `#!/bin/sh\necho "$@" >> ${log}\nfor a in "$@"; do [ -d "$a" ] || exit 3; done\ncase "$*" in *west*) exit 1;; esac\n`, { mode: 0o755 });
  let status = 0;
  try {
    execFileSync('bash', [script], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, stdio: 'pipe' });
  } catch (e) {
    status = (e as { status: number }).status;
  }
  expect(fs.readFileSync(log, 'utf8').trim().split('\n')).toEqual([
    'analyze --use-kube=false --recursive east/ca east/mesh',
    'analyze --use-kube=false --recursive west/ca west/mesh',
  ]);
  expect(status).toBe(1);
});

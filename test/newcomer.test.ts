import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { listFiles, tempDir } from './support/synth';

const ROOT = path.resolve(__dirname, '..');

test('a fresh copy of the repository renders the example mesh with README\'s quick-start command', () => {
  // GIVEN the files Git tracks, copied elsewhere, with the installed dependencies beside them
  const copy = tempDir('newcomer-');
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of tracked) {
    fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(copy, file));
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
  const readme = fs.readFileSync(path.join(copy, 'README.md'), 'utf8');
  const render = readme.match(/^(npm run \S+)\s+# renders the example mesh/m)![1].split(' ');

  // WHEN the quick start's render command runs there
  execFileSync(render[0], render.slice(1), { cwd: copy, stdio: 'pipe', env: { ...process.env, CDK8S_OUTDIR: undefined } });

  // THEN every cluster's bundle and the mesh picture appear, and no key lands in dist/
  const files = listFiles(path.join(copy, 'dist'));
  for (const cluster of ['cluster1', 'cluster2', 'cluster3']) {
    expect(files).toEqual(expect.arrayContaining([`${cluster}/README.md`, `${cluster}/ca/kustomization.yaml`, `${cluster}/istio/istiod-values.yaml`, `${cluster}/mesh/kustomization.yaml`, `${cluster}/mesh/mesh-gateway.yaml`]));
  }
  expect(files).toContain('mesh.md');
  expect(listFiles(path.join(copy, 'secrets'))).toEqual(expect.arrayContaining(['cluster1/cacerts.yaml']));
  for (const file of files) {
    expect([file, /PRIVATE KEY/.test(fs.readFileSync(path.join(copy, 'dist', file), 'utf8'))]).toEqual([file, false]);
  }
});

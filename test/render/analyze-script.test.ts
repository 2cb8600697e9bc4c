import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { MeshCluster } from '../../src';
import { shellcheckFindings } from '../support/shellcheck';
import { synthOnce, tempDir, testMesh } from '../support/synth';

/**
 * Runs a mesh's analyze.sh from `cwd` with a stand-in istioctl that records its arguments, refuses a path
 * that is not there (naming it) and fails for `failing`'s bundle; returns the exit status and the record.
 */
function analyze(script: string, cwd: string, args: string[], failing?: string): { status: number; calls: string[] } {
  const bin = tempDir();
  const log = path.join(bin, 'calls');
  fs.writeFileSync(path.join(bin, 'istioctl'), [
    '#!/bin/sh',
    `echo "$@" >> ${log}`,
    'skip=',
    'for a in "$@"; do',
    '  if [ -n "$skip" ]; then skip=; continue; fi',
    `  case "$a" in analyze) ;; --suppress) skip=1 ;; -*) ;; *) [ -e "$a" ] || { echo "no $a" >> ${log}; exit 3; } ;; esac`,
    'done',
    ...(failing ? [`case "$*" in */${failing}/ca*) exit 1 ;; esac`] : []),
    '',
  ].join('\n'), { mode: 0o755 });
  let status = 0;
  try {
    execFileSync('bash', [script, ...args], { cwd, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, stdio: 'pipe' });
  } catch (e) {
    status = (e as { status: number }).status;
  }
  return { status, calls: fs.readFileSync(log, 'utf8').trim().split('\n') };
}

describe('analyze.sh', () => {
  const { app, mesh } = testMesh({ meshId: 'mesh1' });
  new MeshCluster(mesh, 'east', { gateway: { address: '10.0.0.1' } });
  new MeshCluster(mesh, 'west');
  synthOnce(app);
  const script = path.join(app.bundlesOutdir, 'analyze.sh');
  const here = app.bundlesOutdir;
  // Offline there are no pods: what looks for them is left to a live run.
  const offline = 'analyze --use-kube=false --recursive --suppress IST0127=* --suppress IST0173=*';
  const work = tempDir();
  fs.mkdirSync(path.join(work, 'workloads'));

  test('analyzes each cluster\'s applied layers with the workloads\' manifests, given relative to where it runs', () => {
    expect(analyze(script, work, ['workloads'])).toEqual({
      status: 0,
      calls: [`${offline} ${here}/east/ca ${here}/east/mesh workloads`, `${offline} ${here}/west/ca ${here}/west/mesh workloads`],
    });
  });

  test('fails when any cluster does, after analyzing them all', () => {
    expect(analyze(script, work, [], 'east')).toEqual({ status: 1, calls: [`${offline} ${here}/east/ca ${here}/east/mesh`, `${offline} ${here}/west/ca ${here}/west/mesh`] });
  });

  test('passes ShellCheck', () => {
    expect(shellcheckFindings(fs.readFileSync(script, 'utf8'), 'analyze.sh')).toEqual([]);
  });

  test('a manifest path that is not there reaches istioctl as given, which refuses it', () => {
    expect(analyze(script, work, ['missing'])).toMatchObject({ status: 1, calls: expect.arrayContaining(['no missing']) });
  });
});

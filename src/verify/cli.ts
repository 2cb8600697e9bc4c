#!/usr/bin/env node
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { EXPECTED_STATE_FORMAT, ExpectedState } from '../render/expected-state';
import { diffState, formatReport, VerifyStatus } from './diff';
import { collectLiveState, CommandRunner } from './live-state';

const USAGE = `usage: cdk8s-istio-multicluster verify <dist/<cluster>/expected-state.json> [--context <kube context>] [--all-pods] [--json]

Compares a live cluster with what its rendered bundle says it must show: the roots workloads trust,
each client scope's .global clusters (endpoints, SNI), the gateway's SNI filter chains, in
multi-primary topologies the remote clusters istiod reads, and in ambient ones the global services
a ztunnel knows, with endpoints. Needs kubectl and istioctl on PATH.
It asks the first running pod with a sidecar of each client scope; --all-pods asks every one, to find
a proxy that missed an update. The kube context defaults to the cluster's name. Exit status: 0 all
checks pass, 1 a check failed, 2 verify could not run.`;

/** Runs `verify` with its arguments; returns the exit status. */
export function main(argv: readonly string[], run: CommandRunner, out: (text: string) => void): number {
  const [command, file, ...rest] = argv;
  if (command !== 'verify' || !file || file.startsWith('-')) {
    out(USAGE);
    return 2;
  }
  const contextAt = rest.indexOf('--context');
  const asJson = rest.includes('--json');
  const allPods = rest.includes('--all-pods');
  let expected: ExpectedState;
  try {
    expected = JSON.parse(fs.readFileSync(file, 'utf8')) as ExpectedState;
  } catch (e) {
    out(`verify: cannot read ${file}: ${(e as Error).message}`);
    return 2;
  }
  if (expected.format !== EXPECTED_STATE_FORMAT) {
    out(`verify: ${file} is not an expected-state file of this version (format ${JSON.stringify(expected.format)}, expected ${EXPECTED_STATE_FORMAT}): synth again with this version`);
    return 2;
  }
  const context = contextAt >= 0 ? rest[contextAt + 1] : expected.cluster;
  if (!context) {
    out('verify: --context needs a kube context name');
    return 2;
  }
  let results;
  try {
    results = diffState(expected, collectLiveState(expected, run, context, { allPods }));
  } catch (e) {
    out(`verify: reading cluster ${expected.cluster} through context ${context} failed: ${(e as Error).message}`);
    return 2;
  }
  out(asJson ? JSON.stringify({ cluster: expected.cluster, context, results }, null, 2) : formatReport(expected.cluster, results));
  return results.some(r => r.status === VerifyStatus.FAIL) ? 1 : 0;
}

const runCommand: CommandRunner = (command, args) => execFileSync(command, [...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 512 * 1024 * 1024 });

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), runCommand, text => process.stdout.write(`${text}\n`));
}

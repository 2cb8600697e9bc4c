#!/usr/bin/env node
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { parseArgs } from 'util';
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

interface VerifyOptions {
  readonly file: string;
  /** @default - the cluster's name */
  readonly context?: string;
  readonly allPods: boolean;
  readonly json: boolean;
}

/**
 * The command line, parsed strictly (a mistyped option must not quietly verify with defaults): its options,
 * or what is wrong with it (nothing to name when it is not a verify command at all).
 */
function parseCommandLine(argv: readonly string[]): { readonly options: VerifyOptions } | { readonly problem?: string } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { 'context': { type: 'string' }, 'all-pods': { type: 'boolean' }, 'json': { type: 'boolean' } },
    });
  } catch (e) {
    // Its first sentence names the option and what is wrong ("Unknown option '--contxt'"); the rest is a hint about '--'.
    return { problem: `verify: ${(e as Error).message.split('. ')[0]}` };
  }
  const [command, file, ...extra] = parsed.positionals;
  if (command !== 'verify' || !file) return {};
  if (extra.length > 0) return { problem: `verify: one expected-state file at a time (also given: ${extra.join(' ')}): run verify once per cluster` };
  const { context, 'all-pods': allPods = false, json = false } = parsed.values;
  return { options: { file, context, allPods, json } };
}

/** Runs `verify` with its arguments; returns the exit status. */
export function main(argv: readonly string[], run: CommandRunner, out: (text: string) => void): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    out(USAGE);
    return 0;
  }
  const line = parseCommandLine(argv);
  if (!('options' in line)) {
    out(line.problem ? `${line.problem}\n\n${USAGE}` : USAGE);
    return 2;
  }
  const { file, allPods, json } = line.options;
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
  const context = line.options.context ?? expected.cluster;
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
  out(json ? JSON.stringify({ cluster: expected.cluster, context, results }, null, 2) : formatReport(expected.cluster, results));
  return results.some(r => r.status === VerifyStatus.FAIL) ? 1 : 0;
}

const runCommand: CommandRunner = (command, args) => execFileSync(command, [...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 512 * 1024 * 1024 });

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), runCommand, text => process.stdout.write(`${text}\n`));
}

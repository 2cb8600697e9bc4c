#!/usr/bin/env node
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { parseArgs } from 'util';
import { EXPECTED_STATE_FORMAT, ExpectedState } from '../render/expected-state';
import { contextVariable } from '../render/shell';
import { diffState, formatReport, VerifyResult, VerifyStatus } from './diff';
import { collectLiveState, CommandRunner } from './live-state';

const USAGE = `usage: cdk8s-istio-multicluster verify <dist/<cluster>/expected-state.json>... [--context <kube context>] [--all-pods] [--strict] [--json]

Compares live clusters with what their rendered bundles say they must show: the roots workloads trust,
each client scope's .global clusters (endpoints, SNI), the gateway's SNI filter chains, in
multi-primary topologies the remote clusters istiod reads, and in ambient ones the global services
a ztunnel knows, with endpoints. Needs kubectl and istioctl on PATH.
It asks the first running pod with a sidecar of each client scope; --all-pods asks every one, to find
a proxy that missed an update. A scope with no such pod is skipped, which --strict counts as a failure
(right after a rollout, it means the rollout is not done).
Each cluster's kube context is CTX_<CLUSTER> when set (CTX_EAST_1 for east-1, as in the bundles'
commands), else the cluster's name; --context names it for a single file.
--json prints JSON whatever happens: the report object, or { error }; with several files, an array
with an entry per file. Exit status: 0 all checks pass, 1 a check failed, 2 verify could not run
(the highest of all files').`;

interface VerifyOptions {
  readonly files: readonly string[];
  /** @default - CTX_<CLUSTER>, else the cluster's name */
  readonly context?: string;
  readonly allPods: boolean;
  /** Whether a skipped check (a scope without a running pod) fails. */
  readonly strict: boolean;
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
      options: { 'context': { type: 'string' }, 'all-pods': { type: 'boolean' }, 'strict': { type: 'boolean' }, 'json': { type: 'boolean' } },
    });
  } catch (e) {
    // Its first sentence names the option and what is wrong ("Unknown option '--contxt'"); the rest is a hint about '--'.
    return { problem: `verify: ${(e as Error).message.split('. ')[0]}` };
  }
  const [command, ...files] = parsed.positionals;
  if (command !== 'verify' || files.length === 0) return {};
  const { context, 'all-pods': allPods = false, strict = false, json = false } = parsed.values;
  if (context !== undefined && files.length > 1) {
    return { problem: `verify: --context names the context of one cluster, and ${files.length} files are given: verify them one at a time, or set each cluster's CTX_<CLUSTER>` };
  }
  return { options: { files, context, allPods, strict, json } };
}

/** What verifying one expected-state file came to: its report, or why it could not run. */
type Outcome =
  | { readonly status: 0 | 1; readonly file: string; readonly cluster: string; readonly context: string; readonly results: readonly VerifyResult[] }
  | { readonly status: 2; readonly file: string; readonly error: string };

function verifyFile(file: string, options: VerifyOptions, run: CommandRunner, env: NodeJS.ProcessEnv): Outcome {
  const cannot = (error: string): Outcome => ({ status: 2, file, error: `verify: ${error}` });
  let expected: ExpectedState;
  try {
    expected = JSON.parse(fs.readFileSync(file, 'utf8')) as ExpectedState;
  } catch (e) {
    return cannot(`cannot read ${file}: ${(e as Error).message}`);
  }
  if (expected.format !== EXPECTED_STATE_FORMAT) {
    return cannot(`${file} is not an expected-state file of this version (format ${JSON.stringify(expected.format)}, expected ${EXPECTED_STATE_FORMAT}): synth again with this version`);
  }
  const context = options.context ?? (env[contextVariable(expected.cluster)] || expected.cluster);
  if (!context) return cannot('--context needs a kube context name');
  let results: VerifyResult[];
  try {
    results = diffState(expected, collectLiveState(expected, run, context, { allPods: options.allPods }));
  } catch (e) {
    return cannot(`reading cluster ${expected.cluster} through context ${context} failed: ${(e as Error).message}`);
  }
  const failing = options.strict ? [VerifyStatus.FAIL, VerifyStatus.SKIP] : [VerifyStatus.FAIL];
  return { status: results.some(r => failing.includes(r.status)) ? 1 : 0, file, cluster: expected.cluster, context, results };
}

/** The last line of several files' reports: which clusters failed a check, and which could not be verified. */
function summary(outcomes: readonly Outcome[]): string {
  const named = (status: number) => outcomes.filter(o => o.status === status).map(o => ('cluster' in o ? o.cluster : o.file));
  const [failed, unverified] = [named(1), named(2)];
  return `verify: ${outcomes.length} files, ${failed.length} failing${failed.length ? ` (${failed.join(', ')})` : ''}, `
    + `${unverified.length} not verified${unverified.length ? ` (${unverified.join(', ')})` : ''}`;
}

/** Runs `verify` with its arguments; returns the exit status. */
export function main(argv: readonly string[], run: CommandRunner, out: (text: string) => void, env: NodeJS.ProcessEnv = process.env): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    out(USAGE);
    return 0;
  }
  const line = parseCommandLine(argv);
  if (!('options' in line)) {
    out(line.problem ? `${line.problem}\n\n${USAGE}` : USAGE);
    return 2;
  }
  const { files, json } = line.options;
  const outcomes = files.map(file => verifyFile(file, line.options, run, env));
  const report = (outcome: Outcome) => ('error' in outcome ? outcome.error : formatReport(outcome.cluster, outcome.results));
  // One file prints its report object (or { error }); several, an array with an entry each, naming its file.
  const entry = ({ status, file, ...rest }: Outcome) => (files.length > 1 ? { file, ...rest } : rest);
  if (json) out(JSON.stringify(files.length > 1 ? outcomes.map(entry) : entry(outcomes[0]), null, 2));
  else out([...outcomes.map(report), ...files.length > 1 ? [summary(outcomes)] : []].join('\n\n'));
  return Math.max(...outcomes.map(o => o.status));
}

const runCommand: CommandRunner = (command, args) => execFileSync(command, [...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 512 * 1024 * 1024 });

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), runCommand, text => process.stdout.write(`${text}\n`));
}

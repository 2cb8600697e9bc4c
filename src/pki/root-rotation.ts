import { CHECKS } from '../validation/findings';
import { X509Certificate } from 'crypto';
import * as fs from 'fs';
import { istioMinorOf, RootBundleComparison } from '../istio-version';
import { RootRotationOptions, RootRotationStage } from '../mesh-ca';
import { MeshConfigError } from '../validation/errors';
import { splitPemBundle } from './x509';

/** The stages in order. */
const ORDER = [RootRotationStage.PREPARE, RootRotationStage.TRUST_BOTH, RootRotationStage.RESIGN, RootRotationStage.DROP_OLD];

/** The committed state of a root rotation. */
export interface RotationState {
  readonly stage: RootRotationStage;
  /** When the stage was first rendered (ISO); the dwell time runs from here. */
  readonly enteredAt: string;
  /** SHA-256 fingerprints of the root being replaced and of its successor. */
  readonly oldRoot: string;
  readonly newRoot: string;
  /** The trusted roots (`root-cert.pem`) of this stage, verbatim: the next stage is checked against it. */
  readonly rootBundle: string;
  /** Roots dropped by finished rotations: never trusted or used again. */
  readonly retiredRoots: readonly string[];
}

/** Whether the stage trusts the new root, signs with it, and still trusts the old one. */
export const trustsNew = (stage: RootRotationStage) => ORDER.indexOf(stage) >= ORDER.indexOf(RootRotationStage.TRUST_BOTH);
export const signsWithNew = (stage: RootRotationStage) => ORDER.indexOf(stage) >= ORDER.indexOf(RootRotationStage.RESIGN);
export const trustsOld = (stage: RootRotationStage) => stage !== RootRotationStage.DROP_OLD;

/** Reads the state file; undefined when there is none (no rotation has started). */
export function readRotationState(file: string): RotationState | undefined {
  if (!fs.existsSync(file)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as RotationState;
  } catch (e) {
    throw new MeshConfigError(`ca.rootRotation: ${file} is not a rotation state file (${(e as Error).message}): restore it from Git`, CHECKS.caMaterial);
  }
}

/**
 * The stage this synth renders, checked against the last one: one stage forward at a time (or the same
 * again), never before the dwell time is over. Returns when the stage was entered.
 */
export function enterStage(options: RootRotationOptions, previous: RotationState | undefined, now: Date, owner: string): string {
  const stage = options.stage;
  // A finished rotation (drop-old) is where the next one may start.
  const from = previous?.stage === RootRotationStage.DROP_OLD && stage === RootRotationStage.PREPARE ? undefined : previous?.stage;
  if (from === stage) return previous!.enteredAt;
  const expected = from === undefined ? RootRotationStage.PREPARE : ORDER[ORDER.indexOf(from) + 1];
  if (stage !== expected) {
    const why = from === undefined
      ? `a rotation starts with ${RootRotationStage.PREPARE}`
      : expected === undefined ? `the rotation is complete at ${from}: remove rootRotation, or start the next one with ${RootRotationStage.PREPARE}` : `after ${from} comes ${expected}`;
    throw new MeshConfigError(`[${owner}] ca.rootRotation.stage ${stage} cannot follow ${from ?? 'no rotation'}: ${why}; each stage must reach every cluster before the next`, CHECKS.caMaterial);
  }
  if (from !== undefined && !options.skipDwell) {
    const dwellMs = (options.dwell?.toMilliseconds() ?? 24 * 3_600_000);
    const readyAt = new Date(new Date(previous!.enteredAt).getTime() + dwellMs);
    if (now < readyAt) {
      throw new MeshConfigError(`[${owner}] ca.rootRotation.stage ${stage}: ${from} was entered at ${previous!.enteredAt}, and workloads need ${dwellMs / 3_600_000} hours to renew their certificates under it; render ${stage} after ${readyAt.toISOString()}, or set skipDwell`, CHECKS.caMaterial);
    }
  }
  return now.toISOString();
}

const derSet = (bundle: string) => new Set(splitPemBundle(bundle).map(pem => new X509Certificate(pem).raw.toString('base64')));

/**
 * Checks that istiod accepts the move from one trusted bundle to the next (ISTIO_MULTIROOT_MESH): the new
 * one must be a superset or a subset of the current one; up to Istio 1.29 as bytes (one must contain the
 * other verbatim), from 1.30 as a set of certificates. Returns the problem, if any.
 */
export function bundleTransitionProblem(previous: string, next: string, istioVersion: string): string | undefined {
  const { minor: istioMinor, traits } = istioMinorOf(istioVersion);
  if (traits.rootBundleComparison === RootBundleComparison.BYTES) {
    return previous.includes(next) || next.includes(previous)
      ? undefined
      : `Istio ${istioMinor} accepts a new root-cert.pem only if one bundle contains the other byte for byte, and these do not (re-encoded or reordered PEM)`;
  }
  const a = derSet(previous);
  const b = derSet(next);
  const subset = (x: Set<string>, y: Set<string>) => [...x].every(c => y.has(c));
  return subset(a, b) || subset(b, a) ? undefined : `Istio ${istioMinor} accepts a new root-cert.pem only if its roots are a superset or a subset of the current ones, and these are neither`;
}

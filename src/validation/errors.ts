import { IConstruct } from 'constructs';
import { CHECKS, CheckRule } from './findings';

/**
 * A mesh description that cannot be rendered. The message names the construct path, the property,
 * the value received and what is allowed, e.g.
 * `[mesh/cluster1] gateway.port 70000 is out of range: use 1-65535`.
 */
export class MeshConfigError extends Error {
  public readonly name = 'MeshConfigError';

  /** The code of the check that failed (docs/codes.md). @default - none: the message lists several findings, each with its code */
  public readonly code?: string;

  public constructor(message: string, check?: CheckRule) {
    super(check ? `${message} [${check.code}]` : message);
    this.code = check?.code;
    // The problem is in the user's mesh description, not in this library: a stack into our code would
    // only bury the message.
    this.stack = `${this.name}: ${this.message}`;
  }
}

/** Builds the error for one bad property of a construct. */
export function propError(scope: IConstruct, prop: string, value: unknown, problem: string): MeshConfigError {
  return new MeshConfigError(`[${scope.node.path}] ${prop} ${formatValue(value)} ${problem}`, CHECKS.invalidProperty);
}

/** Builds the error for a property a construct needs where it was left out: `[path] <prop> is not set, and <reason>`. */
export function unsetPropError(scope: IConstruct, prop: string, reason: string): MeshConfigError {
  return new MeshConfigError(`[${scope.node.path}] ${prop} is not set, and ${reason}`, CHECKS.invalidProperty);
}

/** A value as errors quote it: JSON, except that numbers keep their own spelling (JSON writes NaN as null). */
export function formatValue(value: unknown): string {
  return typeof value === 'number' || value === undefined ? String(value) : JSON.stringify(value);
}

/**
 * A rule about the whole mesh, checked at synth time through construct validation.
 * Kept as data so each rule can be listed and tested on its own.
 */
export interface MeshRule {
  /** The check's code, severity and docs entry. */
  readonly rule: CheckRule;
  /**
   * Returns the problems found; each is one sentence that says what to fix. A problem about one
   * construct starts with its path (`[mesh/httpbin] ...`); others are prefixed with the mesh's.
   */
  readonly check: () => string[];
}

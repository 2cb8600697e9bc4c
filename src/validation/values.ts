import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { propError } from './errors';
import { isDnsSubdomain } from './names';

/**
 * Throws unless `value` is one of an enum's values (TypeScript checks them, JavaScript callers and casts do
 * not): `<prop> "<value>" is not <what>: use one of <values>`.
 */
export function checkOneOf<T extends string>(scope: IConstruct, prop: string, value: T, allowed: { readonly [key: string]: T }, what: string): T {
  if (!valuesOf(allowed).has(value)) {
    const values = Object.values(allowed);
    throw propError(scope, prop, value, `is not ${what}: use ${values.length === 1 ? values[0] : `one of ${values.join(', ')}`}`);
  }
  return value;
}

/** An enum's values, made once per enum: some are checked for every port of thousands of services. */
const enumValues = new WeakMap<object, ReadonlySet<string>>();
function valuesOf(allowed: { readonly [key: string]: string }): ReadonlySet<string> {
  let values = enumValues.get(allowed);
  if (!values) enumValues.set(allowed, values = new Set(Object.values(allowed)));
  return values;
}

/** The largest count Istio's CRDs take: their counts are 32-bit, most of them signed. */
const MAX_COUNT = 2 ** 31 - 1;

/** Throws unless `value` is an integer from `minimum` to the largest count Istio's CRDs take (NaN and Infinity are not). */
export function checkCount(scope: IConstruct, prop: string, value: number, minimum: number): number {
  if (!Number.isInteger(value) || value < minimum || value > MAX_COUNT) {
    throw propError(scope, prop, value, `is not an integer from ${minimum} to ${MAX_COUNT}`);
  }
  return value;
}

/** A Go duration as the External Secrets operator parses it (`10m`, `1h30m`, `45s`). */
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;

/** Throws unless `value` is a Go duration. */
export function checkGoDuration(scope: IConstruct, prop: string, value: string): string {
  if (!GO_DURATION.test(value)) throw propError(scope, prop, value, 'is not a Go duration: use e.g. 1h, 30m or 1h30m');
  return value;
}

/** Where an ExternalSecret reads from: a (Cluster)SecretStore, and the prefix of the keys there. */
export interface SecretStoreRef {
  readonly storeName: string;
  readonly storeKind?: string;
  readonly remoteKeyPrefix?: string;
  readonly refreshInterval?: string;
}

/** Throws unless the store reference is one the External Secrets CRD and operator take; `prop` is where it was given. */
export function checkSecretStoreRef(scope: IConstruct, prop: string, store: SecretStoreRef): void {
  if (!isDnsSubdomain(store.storeName)) {
    throw propError(scope, `${prop}.storeName`, store.storeName, 'is not a store name: use a DNS name of lower-case letters, digits, "-" and ".", e.g. vault');
  }
  if (store.storeKind !== undefined && store.storeKind !== 'SecretStore' && store.storeKind !== 'ClusterSecretStore') {
    throw propError(scope, `${prop}.storeKind`, store.storeKind, 'is not a store kind: use one of SecretStore, ClusterSecretStore');
  }
  if (store.remoteKeyPrefix !== undefined && (store.remoteKeyPrefix === '' || /\s/.test(store.remoteKeyPrefix))) {
    throw propError(scope, `${prop}.remoteKeyPrefix`, store.remoteKeyPrefix, 'is not a key prefix: give the path under which the store holds the keys, e.g. mesh1/remote-secrets');
  }
  if (store.refreshInterval !== undefined) checkGoDuration(scope, `${prop}.refreshInterval`, store.refreshInterval);
}

/** Throws unless `value` is a percentage from 0 to 100 (fractions allowed, as Istio's `Percent`). */
export function checkPercent(scope: IConstruct, prop: string, value: number): number {
  if (!(typeof value === 'number' && value >= 0 && value <= 100)) {
    throw propError(scope, prop, value, 'is not a percentage from 0 to 100');
  }
  return value;
}

/** Throws unless `duration` is at least 1 ms, a whole number of milliseconds (Istio's smallest unit). */
export function checkDuration(scope: IConstruct, prop: string, duration: Duration): Duration {
  const ms = duration.toMilliseconds({ integral: false });
  if (!Number.isInteger(ms) || ms < 1) {
    throw propError(scope, prop, `${ms}ms`, 'is not a duration Istio accepts: use a whole number of milliseconds, at least 1ms, e.g. Duration.seconds(5)');
  }
  return duration;
}

/** An HTTP header name (an RFC 7230 token), lower-case as Envoy matches it. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/** Throws unless `name` is an HTTP header name in lower case (Envoy lower-cases headers before it matches). */
export function checkHeaderName(scope: IConstruct, prop: string, name: string): string {
  if (!HEADER_NAME.test(name)) {
    throw propError(scope, prop, name, 'is not an HTTP header name in lower case: use lower-case letters, digits and !#$%&\'*+-.^_`|~, e.g. end-user');
  }
  return name;
}

/** The longest regular expression istiod takes, which stands for Envoy's limit on the compiled program. */
const MAX_REGEX_LENGTH = 1024;

/**
 * Throws unless `pattern` is a regular expression in the RE2 syntax Envoy uses. Checked with JavaScript's
 * engine minus the constructs RE2 lacks (backreferences, lookaround), which catches what Envoy would reject.
 */
export function checkRegex(scope: IConstruct, prop: string, pattern: string): string {
  let problem: string | undefined;
  if (pattern === '') problem = 'is empty';
  else if (pattern.length > MAX_REGEX_LENGTH) problem = `is ${pattern.length} characters long, and istiod takes ${MAX_REGEX_LENGTH} at most`;
  else if (/\\[1-9]|\\k<|\(\?[=!]|\(\?<[=!]/.test(pattern)) problem = 'uses backreferences or lookaround, which RE2 (Envoy\'s regex engine) does not support';
  else {
    try {
      // RE2's inline flags and named groups, which JavaScript spells differently.
      new RegExp(pattern.replace(/\(\?[imsU]+\)/g, '').replace(/\(\?P</g, '(?<'));
    } catch (e) {
      problem = `is not a valid regular expression (${(e as Error).message})`;
    }
  }
  if (problem) throw propError(scope, prop, pattern, `${problem}: use an RE2 expression, e.g. ^/api/v[0-9]+/.*`);
  return pattern;
}

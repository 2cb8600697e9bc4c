import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { GlobalService, ServiceVersion, ServingEntry } from './global-service';
import { Mesh } from './mesh';
import { MeshCluster } from './mesh-cluster';
import { describePlan, planRoute, RoutePlan } from './resolve/route-plan';
import { isHttpPort, ResolvedPort } from './service-port';
import { checkTrafficPolicy, TrafficPolicy } from './traffic-policy';
import { propError, unsetPropError } from './validation/errors';
import { CHECKS, Finding, finding } from './validation/findings';
import { checkLabels } from './validation/names';
import { checkCount, checkDuration, checkHeaderName, checkOneOf, checkPercent, checkRegex } from './validation/values';
import { byClusterName } from './order';

const ROUTE_SYMBOL = Symbol.for('cdk8s-istio-multicluster.VersionedRoute');

/** How a string is compared; set exactly one. */
export interface StringMatch {
  /** @default - not an exact match */
  readonly exact?: string;
  /** @default - not a prefix match */
  readonly prefix?: string;
  /**
   * A regular expression in RE2 syntax.
   * @default - not a regex match
   */
  readonly regex?: string;
}

/** HTTP methods a rule can match. */
export enum HttpMethod {
  GET = 'GET', HEAD = 'HEAD', POST = 'POST', PUT = 'PUT', PATCH = 'PATCH', DELETE = 'DELETE', OPTIONS = 'OPTIONS',
}

/** Conditions on a request; all must hold. An empty match matches every request. */
export interface RequestMatch {
  /** @default - any headers */
  readonly headers?: { readonly [name: string]: StringMatch };
  /** @default - any URI */
  readonly uri?: StringMatch;
  /** @default - any method */
  readonly method?: HttpMethod;
  /** @default - any query */
  readonly queryParams?: { readonly [name: string]: StringMatch };
  /** Labels of the calling workload. @default - any caller */
  readonly sourceLabels?: { readonly [label: string]: string };
}

/** A share of traffic for one version. */
export interface WeightedVersion {
  readonly version: ServiceVersion;
  /**
   * Percent of the rule's traffic; a rule's weights must sum to 100.
   * @default 100
   */
  readonly weight?: number;
}

/** Retries of a rule's requests. */
export interface RetryPolicy {
  readonly attempts: number;
  /** @default - the rule's timeout */
  readonly perTryTimeout?: Duration;
  /** Envoy retry conditions, e.g. `5xx,connect-failure`. @default - Istio's default */
  readonly retryOn?: string;
}

/** Faults injected into a rule's requests, for testing resilience. */
export interface FaultInjection {
  /** @default - no delay */
  readonly delay?: { readonly fixedDelay: Duration; readonly percent: number };
  /** @default - no abort */
  readonly abort?: { readonly httpStatus: number; readonly percent: number };
}

/** One routing rule: requests that match go to the weighted versions. */
export interface RouteRule {
  /**
   * Names the rule in errors, in the routing table and as the VirtualService's route name; `default` is
   * the name of defaultRoute's rule.
   * @default - `rule <n>` (1-based)
   */
  readonly name?: string;
  /** The rule applies when any of these matches. */
  readonly match: RequestMatch[];
  readonly to: WeightedVersion[];
  /** @default - no timeout */
  readonly timeout?: Duration;
  /** @default - Istio's default retries */
  readonly retries?: RetryPolicy;
  /** @default - no fault injection */
  readonly fault?: FaultInjection;
}

/** Properties of a {@link VersionedRoute}. */
export interface VersionedRouteProps {
  /** The service whose versions the route splits traffic between. */
  readonly service: GlobalService;

  /** Clusters whose workloads call the service and get the route. They consume the service. */
  readonly clients: MeshCluster[];

  /**
   * Rules tried in order; the first that matches wins.
   * @default - only the default route
   */
  readonly rules?: RouteRule[];

  /** Where requests that match no rule go. */
  readonly defaultRoute: WeightedVersion[];

  /**
   * The name of the HTTP port the route applies to.
   * @default - the service's only port
   */
  readonly port?: string;

  /**
   * Spread a version's share over every cluster it runs in. Otherwise a client uses its own cluster
   * when the version runs there, else the first cluster (by name) that runs it.
   * @default false
   */
  readonly spread?: boolean;

  /**
   * Traffic policy of the route's DestinationRules (mTLS is always ISTIO_MUTUAL).
   * @default - Istio's defaults
   */
  readonly trafficPolicy?: TrafficPolicy;
}

/** A checked rule: its name, and the default route as the last rule. */
export interface ResolvedRule {
  readonly name: string;
  /** Empty for the default route. */
  readonly match: readonly RequestMatch[];
  readonly to: readonly WeightedVersion[];
  readonly isDefault: boolean;
  /** @default - no timeout */
  readonly timeout?: Duration;
  /** @default - Istio's default retries */
  readonly retries?: RetryPolicy;
  /** @default - no fault injection */
  readonly fault?: FaultInjection;
}

/**
 * Weighted, header- and path-aware routing between the versions of a global service across clusters:
 * per client cluster a VirtualService over the local and `.global` hosts and the
 * DestinationRules with matching subsets on both ends of every cross-cluster hop.
 *
 * @example
 * new VersionedRoute(mesh, 'helloworld-route', {
 *   service: helloworld,
 *   clients: [cluster1],
 *   rules: [{ name: 'jason', match: [{ headers: { 'end-user': { exact: 'jason' } } }], to: [{ version: v2, weight: 70 }, { version: v3, weight: 30 }] }],
 *   defaultRoute: [{ version: v1 }],
 * });
 */
export class VersionedRoute extends Construct {
  /** Whether `x` is a VersionedRoute (works across copies of this library). */
  public static isVersionedRoute(x: unknown): x is VersionedRoute {
    return x !== null && typeof x === 'object' && ROUTE_SYMBOL in x;
  }

  public readonly service: GlobalService;
  /** Sorted by cluster name. */
  public readonly clients: readonly MeshCluster[];
  public readonly rules: readonly ResolvedRule[];
  public readonly port: ResolvedPort;
  public readonly spread: boolean;
  public readonly trafficPolicy?: TrafficPolicy;
  /**
   * Where each client's traffic goes, planned once when the route is declared (its rules and versions are
   * fixed by then); the resolver and `describe()` read it. @internal
   */
  public readonly _plan: RoutePlan;

  public constructor(scope: Construct, id: string, props: VersionedRouteProps) {
    super(scope, id);
    Object.defineProperty(this, ROUTE_SYMBOL, { value: true });
    const mesh = Mesh.of(this);
    this.service = props.service;
    if (this.service.mesh !== mesh) {
      throw propError(this, 'service', this.service.node.path, 'is a service of another mesh');
    }
    if (props.clients.length === 0) {
      throw propError(this, 'clients', [], 'is empty: name the cluster(s) whose workloads call the service');
    }
    props.clients.forEach(c => this.service._addRouteClient(c));
    this.clients = [...new Set(props.clients)].sort(byClusterName);
    this.port = this.resolvePort(props.port);
    this.spread = props.spread ?? false;
    this.trafficPolicy = props.trafficPolicy;
    if (props.trafficPolicy) checkTrafficPolicy(this, 'trafficPolicy', props.trafficPolicy);

    const rules = (props.rules ?? []).map((rule, i) => {
      if (rule.name === DEFAULT_RULE) {
        throw propError(this, `rules[${i}].name`, rule.name, 'is the name of defaultRoute\'s rule (the VirtualService\'s last route): give the rule another name');
      }
      return this.resolveRule(rule.name ?? `rule ${i + 1}`, rule.match ?? [], rule.to, rule);
    });
    this.rules = [...rules, this.resolveRule(DEFAULT_RULE, [], props.defaultRoute, {}, true)];
    const names = this.rules.map(r => r.name);
    const repeated = names.find((n, i) => names.indexOf(n) !== i);
    if (repeated) throw propError(this, 'rules', repeated, 'names two rules: rule names must be unique');
    this._plan = planRoute(this);
    const plan = this._plan;
    if (this.service.servingEntry === ServingEntry.LOCAL_DNS && plan.servingSubsets.size > 0) {
      const servers = [...plan.servingSubsets.keys()].map(c => c.clusterName).sort().join(', ');
      throw propError(this, 'service', this.service.serviceName,
        `has servingEntry LOCAL_DNS, whose one DNS endpoint hides the pods' version labels, so the subsets this route sends to ${servers} would select nothing (503): use ServingEntry.WORKLOAD_SELECTOR`);
    }
  }

  /**
   * The routing table: per client cluster, where each rule sends traffic and with what share, e.g.
   * `cluster1: end-user=jason -> v2@cluster2 70%, v3@cluster2 30%; otherwise -> v1@cluster1 100%`.
   */
  public describe(): string {
    return describePlan(this._plan);
  }

  /**
   * Rules that can never match, and matches that never apply: an earlier match already takes every request
   * they would (an empty match takes all; `prefix: /api` takes `/api/v1`), as istiod warns of
   * (VirtualServiceUnreachableRule, VirtualServiceIneffectiveMatch). The default route counts as a rule
   * that matches everything. @internal
   */
  public _shadowedRules(): Finding[] {
    const findings: Finding[] = [];
    const earlier: Array<{ readonly rule: ResolvedRule; readonly match: RequestMatch }> = [];
    for (const rule of this.rules) {
      const matches = rule.isDefault ? [{}] : rule.match;
      const coveredBy = matches.map(m => earlier.find(e => matchCovers(e.match, m)));
      if (coveredBy.every(c => c !== undefined)) {
        const covering = [...new Set(coveredBy.map(c => ruleLabel(c!.rule)))];
        const how = coveredBy.every(c => isEmptyMatch(c!.match)) ? 'matches every request' : `${covering.length > 1 ? 'take' : 'takes'} every request it would`;
        findings.push(finding(CHECKS.unreachableRule, `[${this.node.path}] ${ruleLabel(rule)} can never match: ${covering.join(' and ')} before it ${how}`));
      } else {
        coveredBy.forEach((c, i) => c && findings.push(finding(CHECKS.ineffectiveMatch,
          `[${this.node.path}] ${ruleLabel(rule)}'s match[${i}] never applies: ${ruleLabel(c.rule)} before it takes every request it would; drop it, or move the rule up`)));
      }
      if (!rule.isDefault) matches.forEach(match => earlier.push({ rule, match }));
    }
    return findings;
  }

  private resolvePort(name?: string): ResolvedPort {
    const ports = this.service.ports;
    const port = name === undefined ? (ports.length === 1 ? ports[0] : undefined) : ports.find(p => p.name === name);
    if (!port) {
      const names = ports.map(p => p.name).join(', ');
      throw name === undefined
        ? unsetPropError(this, 'port', `${this.service.serviceName} has several ports (${names}): name the one the route splits, e.g. port: "${ports[0].name}"`)
        : propError(this, 'port', name, `is not a port of ${this.service.serviceName}: use one of ${names}`);
    }
    if (!isHttpPort(port)) {
      throw propError(this, 'port', port.name, `is ${port.protocol}: HTTP routing needs an HTTP, HTTP2 or gRPC port`);
    }
    return port;
  }

  private resolveRule(name: string, match: readonly RequestMatch[], to: readonly WeightedVersion[], rule: Partial<RouteRule>, isDefault = false): ResolvedRule {
    const where = ruleLabel({ name, isDefault });
    if (!isDefault && match.length === 0) {
      throw propError(this, `${where}.match`, [], 'is empty: give at least one match, or put the destinations in defaultRoute');
    }
    match.forEach((m, i) => checkMatch(this, `${where}.match[${i}]`, m));
    if (to.length === 0) {
      throw propError(this, `${where}.to`, [], 'is empty: send the traffic to at least one version');
    }
    for (const { version, weight = 100 } of to) {
      if (version.service !== this.service) {
        throw propError(this, `${where} version`, version.name, `belongs to ${version.service.serviceName}, not ${this.service.serviceName}: use a version from ${this.service.serviceName}.addVersion()`);
      }
      if (!Number.isInteger(weight) || weight < 0) {
        throw propError(this, `${where} weight of ${version.name}`, weight, 'is not a non-negative integer percent');
      }
    }
    const versions = to.map(t => t.version.name);
    const twice = versions.find((v, i) => versions.indexOf(v) !== i);
    if (twice) throw propError(this, `${where}.to`, twice, 'names a version twice: give each version one weight');
    const total = to.reduce((sum, t) => sum + (t.weight ?? 100), 0);
    if (total !== 100) {
      throw propError(this, `${where} weights`, to.map(t => `${t.version.name} ${t.weight ?? 100}`).join(', '), `must sum to 100, got ${total}`);
    }
    if (rule.timeout) checkDuration(this, `${where}.timeout`, rule.timeout);
    if (rule.fault) checkFault(this, `${where}.fault`, rule.fault);
    if (rule.retries) checkRetries(this, `${where}.retries`, rule.retries);
    return { name, match, to, isDefault, timeout: rule.timeout, retries: rule.retries, fault: rule.fault };
  }
}

/** The name of the default route's rule, as the VirtualService's last route and the routing table show it. */
const DEFAULT_RULE = 'default';

/** A rule as messages name it: the default route by its property, `defaultRoute`. */
const ruleLabel = (rule: Pick<ResolvedRule, 'name' | 'isDefault'>) => (rule.isDefault ? 'defaultRoute' : `rule "${rule.name}"`);

/** Whether every value `inner` matches, `outer` matches too: exact by equality, prefix by prefix, regex only as itself. */
function stringCovers(outer: StringMatch, inner: StringMatch): boolean {
  if (outer.exact !== undefined) return inner.exact === outer.exact;
  if (outer.prefix !== undefined) return (inner.exact ?? inner.prefix)?.startsWith(outer.prefix) ?? false;
  return inner.regex === outer.regex;
}

/** Whether every request `inner` matches, `outer` matches too: each condition of `outer` is implied by one of `inner`. */
function matchCovers(outer: RequestMatch, inner: RequestMatch): boolean {
  const within = (o?: { readonly [name: string]: StringMatch }, i?: { readonly [name: string]: StringMatch }) =>
    Object.entries(o ?? {}).every(([name, match]) => i?.[name] !== undefined && stringCovers(match, i[name]));
  return within(outer.headers, inner.headers) && within(outer.queryParams, inner.queryParams)
    && (outer.uri === undefined || (inner.uri !== undefined && stringCovers(outer.uri, inner.uri)))
    && (outer.method === undefined || outer.method === inner.method)
    && Object.entries(outer.sourceLabels ?? {}).every(([key, value]) => inner.sourceLabels?.[key] === value);
}

function isEmptyMatch(m: RequestMatch): boolean {
  return Object.values(m).every(v => v === undefined || (typeof v === 'object' && Object.keys(v).length === 0));
}

/** A fault's share of requests: istiod takes 0, or 0.0001 to 100. */
function checkFaultPercent(scope: Construct, prop: string, percent: number): void {
  checkPercent(scope, prop, percent);
  if (percent > 0 && percent < 0.0001) throw propError(scope, prop, percent, 'is below 0.0001, the smallest share istiod takes: use 0, or 0.0001 and above');
}

function checkFault(scope: Construct, prop: string, fault: FaultInjection): void {
  if (!fault.delay && !fault.abort) {
    throw propError(scope, prop, fault, 'is empty: set delay or abort, or leave fault out');
  }
  if (fault.delay) {
    checkFaultPercent(scope, `${prop}.delay.percent`, fault.delay.percent);
    checkDuration(scope, `${prop}.delay.fixedDelay`, fault.delay.fixedDelay);
  }
  if (fault.abort) {
    checkFaultPercent(scope, `${prop}.abort.percent`, fault.abort.percent);
    if (!Number.isInteger(fault.abort.httpStatus) || fault.abort.httpStatus < 200 || fault.abort.httpStatus > 599) {
      throw propError(scope, `${prop}.abort.httpStatus`, fault.abort.httpStatus, 'is not an HTTP status from 200 to 599');
    }
  }
}

/** Retry conditions Istio accepts in `retryOn` (Envoy's HTTP and gRPC ones), besides plain status codes. */
const RETRY_ON = [
  '5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'envoy-ratelimited', 'retriable-4xx',
  'refused-stream', 'retriable-status-codes', 'retriable-headers', 'http3-post-connect-failure',
  'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable',
];

function checkRetries(scope: Construct, prop: string, retries: RetryPolicy): void {
  checkCount(scope, `${prop}.attempts`, retries.attempts, 0);
  if (retries.attempts === 0 && (retries.perTryTimeout || retries.retryOn)) {
    throw propError(scope, `${prop}.attempts`, 0, 'turns retries off, so perTryTimeout and retryOn would be ignored: set attempts above 0, or drop them');
  }
  if (retries.perTryTimeout) checkDuration(scope, `${prop}.perTryTimeout`, retries.perTryTimeout);
  if (retries.retryOn !== undefined) {
    const conditions = retries.retryOn.split(',').map(c => c.trim());
    const bad = conditions.find(c => !RETRY_ON.includes(c) && !/^[1-5][0-9][0-9]$/.test(c));
    if (bad !== undefined) {
      throw propError(scope, `${prop}.retryOn`, retries.retryOn, `has "${bad}", which Istio does not accept: use a comma-separated list of ${RETRY_ON.join(', ')} or HTTP status codes`);
    }
  }
}

function checkMatch(scope: Construct, prop: string, m: RequestMatch): void {
  const strings: Array<[string, StringMatch]> = [
    ...Object.entries(m.headers ?? {}).map(([k, v]) => {
      checkHeaderName(scope, `${prop}.headers`, k);
      return [`${prop}.headers.${k}`, v] as [string, StringMatch];
    }),
    ...Object.entries(m.queryParams ?? {}).map(([k, v]) => {
      if (k === '') throw propError(scope, `${prop}.queryParams`, k, 'is an empty parameter name: name the query parameter');
      return [`${prop}.queryParams.${k}`, v] as [string, StringMatch];
    }),
    ...(m.uri ? [[`${prop}.uri`, m.uri] as [string, StringMatch]] : []),
  ];
  for (const [where, match] of strings) {
    const set = (['exact', 'prefix', 'regex'] as const).filter(k => match[k] !== undefined);
    if (set.length !== 1) {
      throw propError(scope, where, match, 'must set exactly one of exact, prefix, regex');
    }
    if (match.regex !== undefined) checkRegex(scope, `${where}.regex`, match.regex);
    // Envoy's string matcher takes no empty prefix (its proxies would reject the route).
    if (match.prefix === '') {
      throw propError(scope, `${where}.prefix`, '', where.endsWith('.uri')
        ? 'is empty and matches every URI: use "/" to say so, or drop the uri match'
        : 'is empty, and Envoy takes no empty prefix: to match any value, use regex ".*"');
    }
  }
  if (m.method !== undefined) checkOneOf(scope, `${prop}.method`, m.method, HttpMethod, 'an HTTP method');
  if (m.sourceLabels) checkLabels(scope, `${prop}.sourceLabels`, m.sourceLabels);
}

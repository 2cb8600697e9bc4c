import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { propError } from './validation/errors';
import { isLabelKey } from './validation/names';
import { checkCount, checkDuration, checkHeaderName, checkOneOf } from './validation/values';

/** Simple load-balancing algorithms. */
export enum LoadBalancerAlgorithm {
  ROUND_ROBIN = 'ROUND_ROBIN',
  LEAST_REQUEST = 'LEAST_REQUEST',
  RANDOM = 'RANDOM',
  PASSTHROUGH = 'PASSTHROUGH',
}

/** Session affinity by consistent hashing; give exactly one key. */
export interface ConsistentHash {
  /**
   * Hash on the client's source IP.
   * @default false
   */
  readonly useSourceIp?: boolean;
  /**
   * Hash on this request header.
   * @default - not by header
   */
  readonly httpHeaderName?: string;
  /**
   * Hash on this cookie, created with `ttl` when missing.
   * @default - not by cookie
   */
  readonly httpCookie?: { readonly name: string; readonly path?: string; readonly ttl: Duration };
}

/** Limits on connections to each endpoint. */
export interface ConnectionPool {
  /** @default - Istio's default (2^32-1) */
  readonly maxConnections?: number;
  /** @default - Istio's default (10s) */
  readonly connectTimeout?: Duration;
  /** @default - Istio's default */
  readonly http1MaxPendingRequests?: number;
  /** @default - Istio's default */
  readonly http2MaxRequests?: number;
  /** @default - unlimited */
  readonly maxRequestsPerConnection?: number;
}

/**
 * Ejection of failing endpoints; also what makes locality failover work.
 *
 * Across clusters each `.global` endpoint is a remote gateway, so a subset of a cross-cluster route has
 * one endpoint and ejecting it blacks out the whole cluster. There, eject on gateway errors (502, 503,
 * 504: the cluster is unreachable) rather than on any 5xx (one bad pod):
 * `{ consecutive5xxErrors: 0, consecutiveGatewayErrors: 3 }`.
 */
export interface OutlierDetection {
  /**
   * 5xx answers in a row that eject an endpoint; 0 turns it off.
   * @default - Istio's default, 5 (unless only consecutiveGatewayErrors is set, which Istio then uses alone)
   */
  readonly consecutive5xxErrors?: number;
  /**
   * 502, 503 and 504 answers (and connection failures) in a row that eject an endpoint; 0 turns it off.
   * @default - off
   */
  readonly consecutiveGatewayErrors?: number;
  /** @default Duration.seconds(10) */
  readonly interval?: Duration;
  /** @default Duration.seconds(30) */
  readonly baseEjectionTime?: Duration;
  /** @default 10 */
  readonly maxEjectionPercent?: number;
}

/** Send traffic of clients in region `from` to region `to` when `from` has no healthy endpoint. */
export interface RegionFailover {
  /** A region, e.g. `us-east-1`. Istio accepts regions only, not zones. */
  readonly from: string;
  readonly to: string;
}

/** The outlier detection that failover examples in errors and docs recommend across clusters. */
export const CROSS_CLUSTER_OUTLIER_EXAMPLE = '{ consecutive5xxErrors: 0, consecutiveGatewayErrors: 3, interval: Duration.seconds(5), baseEjectionTime: Duration.seconds(30) }';

/** The locality labels that localityFailover ranks by itself: istiod refuses them in failoverPriority beside it. */
const LOCALITY_LABELS: ReadonlySet<string> = new Set(['topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone']);

/** Whether outlier detection ejects an endpoint for 5xx answers that one bad pod behind it can cause. */
export function ejectsOn5xx(outlier: OutlierDetection): boolean {
  return outlier.consecutive5xxErrors === undefined ? outlier.consecutiveGatewayErrors === undefined : outlier.consecutive5xxErrors > 0;
}

/** Typed traffic policy of a DestinationRule. */
export interface TrafficPolicy {
  /** @default - Istio's default (LEAST_REQUEST) */
  readonly loadBalancer?: LoadBalancerAlgorithm;
  /** @default - no affinity */
  readonly consistentHash?: ConsistentHash;
  /** @default - Istio's defaults */
  readonly connectionPool?: ConnectionPool;
  /** @default - no outlier detection */
  readonly outlierDetection?: OutlierDetection;
  /**
   * Locality failover between regions. Istio ignores it without `outlierDetection`, so that is an error.
   * @default - no locality failover
   */
  readonly localityFailover?: RegionFailover[];

  /**
   * Endpoint labels the client prefers to share with its destination, most important first, e.g.
   * `['topology.istio.io/network', 'topology.istio.io/cluster']`: traffic stays on the client's network and
   * in its cluster while healthy there, and fails over to the next best match when outlier detection
   * ejects those endpoints. Istio ignores it without `outlierDetection`, so that is an error.
   * @default - no priority
   */
  readonly failoverPriority?: string[];
}

/**
 * Checks a traffic policy; errors name the owner and the property. `knownRegions` are the regions
 * of the mesh's clusters (and VMs), which failover must name.
 */
export function checkTrafficPolicy(scope: IConstruct, prop: string, policy: TrafficPolicy, knownRegions?: ReadonlySet<string>): void {
  if (policy.loadBalancer) checkOneOf(scope, `${prop}.loadBalancer`, policy.loadBalancer, LoadBalancerAlgorithm, 'a load balancer');
  if (policy.loadBalancer && policy.consistentHash) {
    throw propError(scope, `${prop}.consistentHash`, policy.consistentHash, 'cannot be combined with loadBalancer: choose one');
  }
  if (policy.consistentHash) {
    const hash = policy.consistentHash;
    const keys = Object.entries(hash).filter(([, v]) => v !== undefined && v !== false).map(([k]) => k);
    if (keys.length !== 1) {
      throw propError(scope, `${prop}.consistentHash`, keys, 'must set exactly one of useSourceIp, httpHeaderName, httpCookie');
    }
    if (hash.httpHeaderName !== undefined) checkHeaderName(scope, `${prop}.consistentHash.httpHeaderName`, hash.httpHeaderName);
    if (hash.httpCookie) {
      if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(hash.httpCookie.name)) {
        throw propError(scope, `${prop}.consistentHash.httpCookie.name`, hash.httpCookie.name, 'is not a cookie name: use letters, digits and !#$%&\'*+-.^_`|~');
      }
      checkDuration(scope, `${prop}.consistentHash.httpCookie.ttl`, hash.httpCookie.ttl);
    }
  }
  const pool = policy.connectionPool;
  if (pool) {
    if (Object.values(pool).every(v => v === undefined)) {
      throw propError(scope, `${prop}.connectionPool`, {}, 'is empty: set a limit, or leave connectionPool out for Istio\'s defaults');
    }
    for (const key of ['maxConnections', 'http1MaxPendingRequests', 'http2MaxRequests', 'maxRequestsPerConnection'] as const) {
      if (pool[key] !== undefined) checkCount(scope, `${prop}.connectionPool.${key}`, pool[key]!, 1);
    }
    if (pool.connectTimeout) checkDuration(scope, `${prop}.connectionPool.connectTimeout`, pool.connectTimeout);
  }
  const outlier = policy.outlierDetection;
  if (outlier) {
    for (const key of ['consecutive5xxErrors', 'consecutiveGatewayErrors'] as const) {
      if (outlier[key] !== undefined) checkCount(scope, `${prop}.outlierDetection.${key}`, outlier[key]!, 0);
    }
    if (outlier.consecutive5xxErrors === 0 && !outlier.consecutiveGatewayErrors) {
      throw propError(scope, `${prop}.outlierDetection`, outlier, 'ejects nothing (consecutive5xxErrors 0 and no consecutiveGatewayErrors): set consecutiveGatewayErrors, or leave outlierDetection out');
    }
    if (outlier.maxEjectionPercent !== undefined) {
      checkCount(scope, `${prop}.outlierDetection.maxEjectionPercent`, outlier.maxEjectionPercent, 0);
      if (outlier.maxEjectionPercent > 100) {
        throw propError(scope, `${prop}.outlierDetection.maxEjectionPercent`, outlier.maxEjectionPercent, 'is over 100: use a percentage from 0 to 100');
      }
    }
    if (outlier.interval) checkDuration(scope, `${prop}.outlierDetection.interval`, outlier.interval);
    if (outlier.baseEjectionTime) checkDuration(scope, `${prop}.outlierDetection.baseEjectionTime`, outlier.baseEjectionTime);
  }
  const priority = policy.failoverPriority ?? [];
  if (priority.length > 0 && !policy.outlierDetection) {
    throw propError(scope, `${prop}.failoverPriority`, priority,
      `has no effect without outlierDetection (Istio ignores it): add outlierDetection, e.g. ${CROSS_CLUSTER_OUTLIER_EXAMPLE}`);
  }
  priority.forEach((label, i) => {
    if (!isLabelKey(label)) throw propError(scope, `${prop}.failoverPriority[${i}]`, label, 'is not a label key: use e.g. topology.istio.io/network');
  });
  if (new Set(priority).size !== priority.length) {
    throw propError(scope, `${prop}.failoverPriority`, priority, 'names a label twice: list each label once, most important first');
  }
  const failover = policy.localityFailover ?? [];
  if (failover.length > 0 && !policy.outlierDetection) {
    throw propError(scope, `${prop}.localityFailover`, failover.map(f => `${f.from}->${f.to}`),
      `has no effect without outlierDetection (Istio ignores it): add outlierDetection, e.g. ${CROSS_CLUSTER_OUTLIER_EXAMPLE}`);
  }
  // istiod refuses these together: region failover would reorder what the topology labels already rank.
  const topologyLabel = failover.length > 0 ? priority.find(label => LOCALITY_LABELS.has(label)) : undefined;
  if (topologyLabel) {
    throw propError(scope, `${prop}.failoverPriority`, priority,
      `ranks by ${topologyLabel} beside localityFailover, which istiod refuses: drop one of them, or rank by other labels (e.g. topology.istio.io/network)`);
  }
  failover.forEach((f, i) => {
    for (const side of ['from', 'to'] as const) {
      if (f[side].includes('*')) {
        throw propError(scope, `${prop}.localityFailover[${i}].${side}`, f[side], 'has a wildcard, which istiod refuses in failover: name one region, e.g. us-east-1');
      }
      if (f[side].includes('/')) {
        throw propError(scope, `${prop}.localityFailover[${i}].${side}`, f[side], 'is a zone or subzone: Istio fails over between regions only, e.g. us-east-1');
      }
      if (knownRegions && !knownRegions.has(f[side])) {
        throw propError(scope, `${prop}.localityFailover[${i}].${side}`, f[side],
          `is not a region of the mesh: use one of ${[...knownRegions].sort().join(', ') || '(no cluster has a locality)'}`);
      }
    }
    if (f.from === f.to) {
      throw propError(scope, `${prop}.localityFailover[${i}]`, `${f.from}->${f.to}`, 'fails over to its own region: name another region');
    }
  });
}

import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { propError } from './validation/errors';

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

/** Ejection of failing endpoints; also what makes locality failover work. */
export interface OutlierDetection {
  /** @default 5 */
  readonly consecutive5xxErrors?: number;
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
}

/**
 * Checks a traffic policy; errors name the owner and the property. `knownRegions` are the regions
 * of the mesh's clusters (and VMs), which failover must name.
 */
export function checkTrafficPolicy(scope: IConstruct, prop: string, policy: TrafficPolicy, knownRegions?: ReadonlySet<string>): void {
  if (policy.loadBalancer && policy.consistentHash) {
    throw propError(scope, `${prop}.consistentHash`, policy.consistentHash, 'cannot be combined with loadBalancer: choose one');
  }
  if (policy.consistentHash) {
    const keys = Object.entries(policy.consistentHash).filter(([, v]) => v !== undefined && v !== false).map(([k]) => k);
    if (keys.length !== 1) {
      throw propError(scope, `${prop}.consistentHash`, keys, 'must set exactly one of useSourceIp, httpHeaderName, httpCookie');
    }
  }
  const failover = policy.localityFailover ?? [];
  if (failover.length > 0 && !policy.outlierDetection) {
    throw propError(scope, `${prop}.localityFailover`, failover.map(f => `${f.from}->${f.to}`),
      'has no effect without outlierDetection (Istio ignores it): add outlierDetection, e.g. { consecutive5xxErrors: 1, interval: Duration.seconds(1), baseEjectionTime: Duration.minutes(1) }');
  }
  failover.forEach((f, i) => {
    for (const side of ['from', 'to'] as const) {
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

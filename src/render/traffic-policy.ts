import { Duration } from 'cdk8s';
import {
  DestinationRuleSpecTrafficPolicy, DestinationRuleSpecTrafficPolicyLoadBalancerSimple, DestinationRuleSpecTrafficPolicyTlsMode,
} from '../../imports/networking.istio.io';
import { LoadBalancerAlgorithm, TrafficPolicy } from '../traffic-policy';

/** An Istio duration: whole seconds as `Ns`, anything finer as `Nms`. */
export function istioDuration(duration: Duration): string {
  const ms = duration.toMilliseconds();
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

const SIMPLE: Record<LoadBalancerAlgorithm, DestinationRuleSpecTrafficPolicyLoadBalancerSimple> = {
  [LoadBalancerAlgorithm.ROUND_ROBIN]: DestinationRuleSpecTrafficPolicyLoadBalancerSimple.ROUND_UNDERSCORE_ROBIN,
  [LoadBalancerAlgorithm.LEAST_REQUEST]: DestinationRuleSpecTrafficPolicyLoadBalancerSimple.LEAST_UNDERSCORE_REQUEST,
  [LoadBalancerAlgorithm.RANDOM]: DestinationRuleSpecTrafficPolicyLoadBalancerSimple.RANDOM,
  [LoadBalancerAlgorithm.PASSTHROUGH]: DestinationRuleSpecTrafficPolicyLoadBalancerSimple.PASSTHROUGH,
};

/** The DestinationRule traffic policy for a typed policy, always with ISTIO_MUTUAL (cross-cluster traffic is mTLS). */
export function renderTrafficPolicy(policy: TrafficPolicy = {}): DestinationRuleSpecTrafficPolicy {
  const { loadBalancer, consistentHash: hash, connectionPool: pool, outlierDetection: outlier, localityFailover, failoverPriority } = policy;
  const locality = localityFailover?.length || failoverPriority?.length;
  const hasLoadBalancer = loadBalancer || hash || locality;
  // Keys in order (outlierDetection's renamed field aside), so that the DestinationRules of a route keep
  // the policy they share instead of copying it each (see `manifestOf`).
  return {
    connectionPool: pool && {
      http: pool.http1MaxPendingRequests !== undefined || pool.http2MaxRequests !== undefined || pool.maxRequestsPerConnection !== undefined
        ? { http1MaxPendingRequests: pool.http1MaxPendingRequests, http2MaxRequests: pool.http2MaxRequests, maxRequestsPerConnection: pool.maxRequestsPerConnection }
        : undefined,
      tcp: pool.maxConnections !== undefined || pool.connectTimeout
        ? { connectTimeout: pool.connectTimeout && istioDuration(pool.connectTimeout), maxConnections: pool.maxConnections }
        : undefined,
    },
    loadBalancer: hasLoadBalancer ? {
      consistentHash: hash && {
        httpCookie: hash.httpCookie && { name: hash.httpCookie.name, path: hash.httpCookie.path, ttl: istioDuration(hash.httpCookie.ttl) },
        httpHeaderName: hash.httpHeaderName,
        useSourceIp: hash.useSourceIp,
      },
      localityLbSetting: locality ? {
        enabled: true,
        failover: localityFailover?.length ? localityFailover.map(f => ({ from: f.from, to: f.to })) : undefined,
        failoverPriority: failoverPriority?.length ? [...failoverPriority] : undefined,
      } : undefined,
      simple: loadBalancer && SIMPLE[loadBalancer],
    } : undefined,
    outlierDetection: outlier && {
      baseEjectionTime: istioDuration(outlier.baseEjectionTime ?? Duration.seconds(30)),
      consecutive5XxErrors: outlier.consecutive5xxErrors,
      consecutiveGatewayErrors: outlier.consecutiveGatewayErrors,
      interval: istioDuration(outlier.interval ?? Duration.seconds(10)),
      maxEjectionPercent: outlier.maxEjectionPercent,
    },
    tls: { mode: DestinationRuleSpecTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL },
  };
}

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
  return {
    tls: { mode: DestinationRuleSpecTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL },
    loadBalancer: hasLoadBalancer ? {
      simple: loadBalancer && SIMPLE[loadBalancer],
      consistentHash: hash && {
        useSourceIp: hash.useSourceIp,
        httpHeaderName: hash.httpHeaderName,
        httpCookie: hash.httpCookie && { name: hash.httpCookie.name, path: hash.httpCookie.path, ttl: istioDuration(hash.httpCookie.ttl) },
      },
      localityLbSetting: locality ? {
        enabled: true,
        failover: localityFailover?.length ? localityFailover.map(f => ({ from: f.from, to: f.to })) : undefined,
        failoverPriority: failoverPriority?.length ? [...failoverPriority] : undefined,
      } : undefined,
    } : undefined,
    connectionPool: pool && {
      tcp: pool.maxConnections !== undefined || pool.connectTimeout
        ? { maxConnections: pool.maxConnections, connectTimeout: pool.connectTimeout && istioDuration(pool.connectTimeout) }
        : undefined,
      http: pool.http1MaxPendingRequests !== undefined || pool.http2MaxRequests !== undefined || pool.maxRequestsPerConnection !== undefined
        ? { http1MaxPendingRequests: pool.http1MaxPendingRequests, http2MaxRequests: pool.http2MaxRequests, maxRequestsPerConnection: pool.maxRequestsPerConnection }
        : undefined,
    },
    outlierDetection: outlier && {
      consecutive5XxErrors: outlier.consecutive5xxErrors,
      consecutiveGatewayErrors: outlier.consecutiveGatewayErrors,
      interval: istioDuration(outlier.interval ?? Duration.seconds(10)),
      baseEjectionTime: istioDuration(outlier.baseEjectionTime ?? Duration.seconds(30)),
      maxEjectionPercent: outlier.maxEjectionPercent,
    },
  };
}

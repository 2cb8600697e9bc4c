// The public API. Everything else under src/ is the pipeline's machinery (resolve, render, write).
export { AccessPolicy, AccessPolicyProps, Principal } from './access-policy';
export { ClientNamespace, ClientNamespaceProps } from './client-namespace';
export {
  CoreDnsOptions, CoreDnsTarget, CorefileForm, ExistingCorefile, GlobalDns, GlobalDnsMode, IstioCoreDnsOptions, KubeDnsOptions, ResolvedGlobalDns,
} from './global-dns';
export {
  GlobalService, GlobalServiceFromServicesOptions, GlobalServiceProps, ServiceVersion, ServiceVersionOptions, ServingEntry, TrafficDistribution,
} from './global-service';
export {
  ArgoCdOptions, FluxOptions, FluxSourceRef, GitOps, GitOpsOptions, GitOpsTool,
} from './gitops';
export {
  ExternalEndpoint, ExternalResolution, ExternalService, ExternalServiceProps, TlsOriginatingWorkloads, TlsOrigination, TlsOriginationMode,
} from './external-service';
export { DEFAULT_ISTIO_VERSION, SUPPORTED_ISTIO_MINORS } from './istio-version';
export { DiscoveryScope, IstioApiVersion, Mesh, MeshProps, NamespaceManagement, OutboundTrafficPolicy } from './mesh';
export { MonitoringOptions, ObservabilityOptions, TracingOptions, TracingProtocol } from './observability';
export { MeshApp, MeshAppProps } from './mesh-app';
export { MeshMetadata } from './mesh-metadata';
export {
  CacertsDelivery, CacertsDeliveryMode, CacertsLayout, ExternalSecretOptions, GeneratedRootCaOptions, IntermediateCaFiles,
  LoadedRootCaOptions, MeshCa, MeshCaOptions, OfflineRootCaOptions, RootCaSource, RootRotationOptions, RootRotationStage, SealedSecretOptions,
} from './mesh-ca';
export { SealingScope } from './pki/sealed-secrets';
export { CROSS_CLUSTER_PORT, MeshCluster, MeshClusterProps, MeshGateway, MeshGatewayProps } from './mesh-cluster';
export { MeshTopology, RemoteSecretDeliveryMode, RemoteSecrets, RemoteSecretStoreOptions } from './topology';
export { VipRange } from './validation/vip-range';
export { Protocol, ResolvedPort, ServicePort } from './service-port';
export {
  ConnectionPool, ConsistentHash, LoadBalancerAlgorithm, OutlierDetection, RegionFailover, TrafficPolicy,
} from './traffic-policy';
export { MeshConfigError } from './validation/errors';
export { CHECKS, CheckRule, Finding, Severity, suppressFinding } from './validation/findings';
export { AddressKind } from './validation/network';
export {
  FaultInjection, HttpMethod, RequestMatch, ResolvedRule, RetryPolicy, RouteRule, StringMatch, VersionedRoute,
  VersionedRouteProps, WeightedVersion,
} from './versioned-route';
export { ResolvedVmInstance, VmIngress, VmInstance, VmProbe, VmWorkload, VmWorkloadProps } from './vm-workload';

import {
  DestinationRule, DestinationRuleSpecTrafficPolicyTlsMode, ServiceEntry, ServiceEntrySpecLocation, ServiceEntrySpecResolution,
} from '../../imports/networking.istio.io';
import { ExternalResolution, ExternalService, TlsOriginationMode } from '../external-service';
import { ClusterBundle } from './cluster-bundle';

const RESOLUTIONS: { readonly [r in ExternalResolution]: ServiceEntrySpecResolution } = {
  [ExternalResolution.DNS]: ServiceEntrySpecResolution.DNS,
  [ExternalResolution.DNS_ROUND_ROBIN]: ServiceEntrySpecResolution.DNS_UNDERSCORE_ROUND_UNDERSCORE_ROBIN,
  [ExternalResolution.STATIC]: ServiceEntrySpecResolution.STATIC,
};

const TLS_MODES: { readonly [m in TlsOriginationMode]: DestinationRuleSpecTrafficPolicyTlsMode } = {
  [TlsOriginationMode.SIMPLE]: DestinationRuleSpecTrafficPolicyTlsMode.SIMPLE,
  [TlsOriginationMode.MUTUAL]: DestinationRuleSpecTrafficPolicyTlsMode.MUTUAL,
};

/**
 * Renders an external service into one calling cluster: its MESH_EXTERNAL ServiceEntry and, where the
 * sidecar originates TLS, one DestinationRule per host. Every calling cluster gets the same objects.
 */
export function renderExternalService(service: ExternalService, bundle: ClusterBundle): void {
  const { namespace, serviceName: name } = service;
  bundle.add('external-services', service, ServiceEntry, {
    metadata: { name, namespace },
    spec: {
      hosts: [...service.hosts],
      location: ServiceEntrySpecLocation.MESH_UNDERSCORE_EXTERNAL,
      resolution: RESOLUTIONS[service.resolution],
      addresses: service.addresses.length > 0 ? [...service.addresses] : undefined,
      ports: service.ports.map(p => ({ name: p.name, number: p.number, protocol: p.protocol, targetPort: p.targetPort })),
      endpoints: service.endpoints.length > 0
        ? service.endpoints.map(e => ({ address: e.address, ports: e.ports && { ...e.ports }, locality: e.locality }))
        : undefined,
    },
  });
  const tls = service.tls;
  if (!tls) return;
  service.hosts.forEach((host, i) => bundle.add('external-services', service, DestinationRule, {
    metadata: { name: service.hosts.length === 1 ? name : `${name}-${i + 1}`, namespace },
    spec: {
      host,
      trafficPolicy: { tls: { mode: TLS_MODES[tls.mode], credentialName: tls.credentialName, sni: tls.sni } },
    },
  }));
}

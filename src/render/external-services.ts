import {
  DestinationRule, DestinationRuleSpecTrafficPolicyTlsMode, Gateway, GatewaySpecServersTlsMode, ServiceEntry, ServiceEntrySpecLocation,
  ServiceEntrySpecResolution, VirtualService,
} from '../../imports/networking.istio.io';
import { ExternalResolution, ExternalService, TlsOriginationMode } from '../external-service';
import { MeshCluster } from '../mesh-cluster';
import { MeshTopology } from '../topology';
import { ResolvedExternalService } from '../resolve/resolved-mesh';
import { isHttpPort, Protocol } from '../service-port';
import { ClusterBundle, ISTIO_SYSTEM, NamespaceUse, suppressAnalysis } from './cluster-bundle';
import { EGRESS_GATEWAY_NAME } from './istio-install';
import { boundedDnsLabel } from '../validation/names';
import { contextOrName } from './shell';
import { ExternalSecret } from './external-secret';
import { CredentialSecret } from '../resolve/credentials';
import { addWaypoint } from './topologies/ambient/waypoint';

const RESOLUTIONS: { readonly [r in ExternalResolution]: ServiceEntrySpecResolution } = {
  [ExternalResolution.DNS]: ServiceEntrySpecResolution.DNS,
  [ExternalResolution.DNS_ROUND_ROBIN]: ServiceEntrySpecResolution.DNS_UNDERSCORE_ROUND_UNDERSCORE_ROBIN,
  [ExternalResolution.STATIC]: ServiceEntrySpecResolution.STATIC,
  [ExternalResolution.NONE]: ServiceEntrySpecResolution.NONE,
};

const TLS_MODES: { readonly [m in TlsOriginationMode]: DestinationRuleSpecTrafficPolicyTlsMode } = {
  [TlsOriginationMode.SIMPLE]: DestinationRuleSpecTrafficPolicyTlsMode.SIMPLE,
  [TlsOriginationMode.MUTUAL]: DestinationRuleSpecTrafficPolicyTlsMode.MUTUAL,
};

/**
 * Renders an external service into one calling cluster: its MESH_EXTERNAL ServiceEntry and, where the
 * sidecar originates TLS, one DestinationRule per host (per host and originating workloads, in their
 * namespace, where they originate with a credential). Every calling cluster gets the same objects.
 */
export function renderExternalService({ service, portOnlyCallers }: ResolvedExternalService, bundle: ClusterBundle): void {
  const { namespace, serviceName: name } = service;
  bundle.useNamespace(namespace, NamespaceUse.CONFIG);
  // IST0134 flags a TCP port of an entry without addresses, and offline it reads no mesh config: where no
  // caller matches by port alone, each takes the address Istio allocates, or NONE asks for every address.
  const portMatchFalsePositive = service.addresses.length === 0 && portOnlyCallers.length === 0 && service.ports.some(p => p.protocol === Protocol.TCP);
  const egressWaypoint = leavesThroughWaypoint(service);
  bundle.add('external-services', service, ServiceEntry, {
    metadata: {
      name, namespace, annotations: portMatchFalsePositive ? suppressAnalysis('IST0134') : undefined,
      labels: egressWaypoint ? { 'istio.io/use-waypoint': EGRESS_WAYPOINT_NAME } : undefined,
    },
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
  if (tls) {
    service.hosts.forEach((host, i) => {
      // IST0128 asks for caCertificates, but since Istio 1.20 (VERIFY_CERTIFICATE_AT_CLIENT on) the originating
      // proxy verifies the server against the OS roots without them, or against credentialName's CA.
      const metadata = { name: service.hosts.length === 1 ? name : `${name}-${i + 1}`, annotations: suppressAnalysis('IST0128') };
      const trafficPolicy = { tls: { mode: TLS_MODES[tls.mode], credentialName: tls.credentialName, sni: tls.sni } };
      if (!tls.workloads) {
        bundle.add('external-services', service, DestinationRule, { metadata: { ...metadata, namespace }, spec: { host, trafficPolicy } });
        return;
      }
      // Sidecars read credentialName only from a rule that selects them, in their own namespace (where the Secret is).
      tls.workloads.forEach((workloads, j) => {
        bundle.useNamespace(workloads.namespace, NamespaceUse.WORKLOADS);
        bundle.add('external-services', service, DestinationRule, {
          metadata: { ...metadata, name: boundedDnsLabel(`${metadata.name}-client-${j + 1}`), namespace: workloads.namespace },
          spec: { host, exportTo: ['.'], workloadSelector: { matchLabels: { ...workloads.selector } }, trafficPolicy },
        });
      });
    });
  }
  if (egressWaypoint) addWaypoint(bundle, 'external-services', service, namespace, EGRESS_WAYPOINT_NAME);
  else if (service.egressGateway) renderEgressRoute(service, bundle);
}

/**
 * Whether an external service's egress gateway is an egress waypoint: in ambient, ztunnel sends the host's
 * traffic through it, and it originates TLS; no egress gateway is installed for it.
 */
export const leavesThroughWaypoint = (service: ExternalService) => service.egressGateway && service.mesh.topology === MeshTopology.AMBIENT;

/** The waypoint of an ambient cluster that the external services of a namespace leave through. */
export const EGRESS_WAYPOINT_NAME = 'egress-waypoint';

/** The egress gateway's Service, which sidecars send the external traffic to. */
const EGRESS_GATEWAY_HOST = `${EGRESS_GATEWAY_NAME}.${ISTIO_SYSTEM}.svc.cluster.local`;
/** The labels the gateway chart and istioctl give the egress gateway's pods (`istio-` dropped from the name). */
const EGRESS_GATEWAY_SELECTOR = { istio: EGRESS_GATEWAY_NAME.replace(/^istio-/, '') };

/**
 * Routes an external service through the cluster's egress gateway, as Istio's egress gateway task does: a
 * Gateway on the egress gateway for the host, a subset for it, and a VirtualService that sends the sidecars'
 * traffic (`mesh`) to the egress gateway and the egress gateway's to the host. HTTP ports by host, TLS
 * ports by SNI (passthrough).
 */
function renderEgressRoute(service: ExternalService, bundle: ClusterBundle): void {
  const { namespace } = service;
  // The Gateway's name; the other egress objects share it.
  const name = boundedDnsLabel(`${service.serviceName}-egress`);
  const host = service.hosts[0];
  const http = service.ports.filter(p => isHttpPort(p));
  const passthrough = service.ports.filter(p => !isHttpPort(p));
  bundle.add('external-services', service, Gateway, {
    metadata: { name, namespace },
    spec: {
      selector: { ...EGRESS_GATEWAY_SELECTOR },
      servers: [
        ...http.map(p => ({ hosts: [host], port: { name: p.name, number: p.number, protocol: 'HTTP' } })),
        ...passthrough.map(p => ({ hosts: [host], port: { name: p.name, number: p.number, protocol: 'TLS' }, tls: { mode: GatewaySpecServersTlsMode.PASSTHROUGH } })),
      ],
    },
  });
  bundle.add('external-services', service, DestinationRule, {
    metadata: { name, namespace },
    spec: { host: EGRESS_GATEWAY_HOST, subsets: [{ name: service.serviceName }] },
  });
  const toGateway = (port: number) => ({ destination: { host: EGRESS_GATEWAY_HOST, subset: service.serviceName, port: { number: port } } });
  const toHost = (port: number) => ({ destination: { host, port: { number: port } } });
  bundle.add('external-services', service, VirtualService, {
    metadata: { name, namespace },
    spec: {
      hosts: [host],
      gateways: ['mesh', name],
      http: http.length === 0 ? undefined : http.flatMap(p => [
        { name: `${p.name}-to-egress`, match: [{ gateways: ['mesh'], port: p.number }], route: [toGateway(p.number)] },
        { name: `${p.name}-from-egress`, match: [{ gateways: [name], port: p.number }], route: [toHost(p.number)] },
      ]),
      tls: passthrough.length === 0 ? undefined : passthrough.flatMap(p => [
        { match: [{ gateways: ['mesh'], port: p.number, sniHosts: [host] }], route: [toGateway(p.number)] },
        { match: [{ gateways: [name], port: p.number, sniHosts: [host] }], route: [toHost(p.number)] },
      ]),
    },
  });
}

/**
 * Where a credential comes from a store: an ExternalSecret in the namespace whose proxies read it, which the
 * External Secrets Operator turns into the Secret (`cert`, `key`, `cacert` as Istio reads them).
 */
export function renderCredentialSecret(credential: CredentialSecret, bundle: ClusterBundle): void {
  const store = credential.stores[0];
  if (!store) return;
  // The proxies that read it run there (istio-system, the egress gateway's, is never rendered as a mesh namespace).
  bundle.useNamespace(credential.namespace, NamespaceUse.WORKLOADS);
  bundle.add('external-services', bundle.mesh, ExternalSecret, {
    metadata: { name: credential.name, namespace: credential.namespace },
    spec: {
      refreshInterval: store.refreshInterval,
      secretStoreRef: { name: store.storeName, kind: store.storeKind },
      target: { name: credential.name, creationPolicy: 'Owner' },
      data: credential.keys.map(key => ({ secretKey: key, remoteRef: { key: `${store.remoteKeyPrefix}/${credential.name}`, property: key } })),
    },
  });
}

/**
 * The step of a cluster's README for the Secrets its proxies originate TLS with, which the bundle never holds
 * (their keys stay out of Git): the commands that create them, or where their ExternalSecrets read them.
 */
export function credentialSecretsStep(credentials: readonly CredentialSecret[], cluster: MeshCluster): string[] {
  const here = credentials.filter(c => c.clusters.includes(cluster));
  if (here.length === 0) return [];
  const stored = here.filter(c => c.stores.length > 0);
  const byHand = here.filter(c => c.stores.length === 0);
  const keysOf = (c: CredentialSecret) => c.keys.map(k => `\`${k}\``).join(', ');
  return [[
    '**Client credentials.** The mesh\'s proxies originate TLS to external services with Secrets this bundle does not hold (their keys stay out of Git): '
    + '`cert` and `key` are the client certificate and its key, `cacert` the server\'s CA.',
    ...stored.map(c => `The ExternalSecret ${c.namespace}/${c.name} in \`mesh/\` reads ${keysOf(c)} from \`${c.stores[0].remoteKeyPrefix}/${c.name}\` `
      + `in the store \`${c.stores[0].storeName}\`: put them there before applying.`),
    ...byHand.length === 0 ? [] : [`Create ${byHand.length > 1 ? 'these' : 'this one'} in this cluster before the service is called:

\`\`\`sh
${byHand.map(c => `kubectl --context "${contextOrName(cluster.clusterName)}" -n ${c.namespace} create secret generic ${c.name} `
  + c.keys.map(k => `--from-file=${k}=${c.name}-${k}.pem`).join(' ')).join('\n')}
\`\`\``],
  ].join(' ')];
}

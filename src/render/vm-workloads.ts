import { k8s } from 'cdk8s-plus-27';
import {
  DestinationRule, Gateway, ServiceEntry, ServiceEntrySpecLocation, ServiceEntrySpecResolution,
  VirtualService, WorkloadEntry, WorkloadGroup, WorkloadGroupSpecProbe,
} from '../../imports/networking.istio.io';
import { DEFAULT_INGRESS_SELECTOR, ISTIOD_PORT } from '../mesh-cluster';
import { isHttpPort } from '../service-port';
import { LoadBalancerAlgorithm } from '../traffic-policy';
import { ResolvedVmInstance, VmProbe, VmWorkload } from '../vm-workload';
import { boundedDnsLabel } from '../validation/names';
import { OutputRoot } from '../write/output-file';
import { toYaml } from '../write/yaml';
import { ClusterBundle, NamespaceUse } from './cluster-bundle';
import { renderTrafficPolicy } from './traffic-policy';
import { sortedEntries } from '../order';
import { contextOrName } from './shell';

const ISTIOD_HOST = 'istiod.istio-system.svc';

/** Where Istio publishes the VM proxy's package of a release. */
const sidecarPackageUrl = (version: string, format: 'deb' | 'rpm') => `https://storage.googleapis.com/istio-release/releases/${version}/${format}/istio-sidecar.${format}`;

const seconds = (d: { toSeconds(): number } | undefined) => d && d.toSeconds();

function renderProbe(probe: VmProbe): WorkloadGroupSpecProbe {
  return {
    initialDelaySeconds: seconds(probe.initialDelay),
    periodSeconds: seconds(probe.period),
    timeoutSeconds: seconds(probe.timeout),
    successThreshold: probe.successThreshold,
    failureThreshold: probe.failureThreshold,
    httpGet: probe.httpGet && {
      path: probe.httpGet.path,
      port: probe.httpGet.port,
      scheme: probe.httpGet.scheme,
      httpHeaders: probe.httpGet.headers && Object.entries(probe.httpGet.headers).map(([name, value]) => ({ name, value })),
    },
    tcpSocket: probe.tcpSocket && { port: probe.tcpSocket.port },
    exec: probe.exec && { command: [...probe.exec.command] },
  };
}

/**
 * Renders a VM workload into its cluster: ServiceAccount, WorkloadGroup, a WorkloadEntry per VM, the
 * STATIC ServiceEntry selecting VMs and pods by label, optional DestinationRule and ingress exposure,
 * the istiod exposure VMs discover through, and each VM's onboarding kit.
 */
export function renderVmWorkload(vm: VmWorkload, bundle: ClusterBundle, rootCerts?: string): void {
  const { namespace, serviceName: name } = vm;
  bundle.useNamespace(namespace, NamespaceUse.WORKLOADS);
  const targetPorts = Object.fromEntries(vm.ports.map(p => [p.name, p.targetPort ?? p.number]));

  bundle.add('workloads', vm, k8s.KubeServiceAccount, { metadata: { name: vm.serviceAccount, namespace } });
  bundle.add('workloads', vm, WorkloadGroup, {
    metadata: { name, namespace },
    spec: {
      metadata: { labels: { ...vm.labels }, annotations: vm.annotations && { ...vm.annotations } },
      template: { ports: targetPorts, serviceAccount: vm.serviceAccount, network: vm.network },
      probe: vm.probe && renderProbe(vm.probe),
    },
  });
  for (const instance of vm.instances) {
    bundle.add('workloads', vm, WorkloadEntry, {
      metadata: {
        name: `${name}-${instance.name}`,
        namespace,
        // istiod applies the WorkloadGroup's probe to hand-made entries only when they opt in.
        annotations: vm.probe ? { 'proxy.istio.io/health-checks-enabled': 'true' } : undefined,
      },
      spec: {
        address: instance.address,
        labels: { ...instance.allLabels },
        ports: instance.ports && { ...instance.ports },
        weight: instance.weight,
        locality: instance.locality,
        network: vm.network,
        serviceAccount: vm.serviceAccount,
      },
    });
  }
  bundle.add('workloads', vm, ServiceEntry, {
    metadata: { name, namespace },
    spec: {
      hosts: [vm.host],
      location: ServiceEntrySpecLocation.MESH_UNDERSCORE_INTERNAL,
      resolution: ServiceEntrySpecResolution.STATIC,
      ports: vm.ports.map(p => ({ name: p.name, number: p.number, protocol: p.protocol, targetPort: p.targetPort })),
      workloadSelector: { labels: { ...vm.labels } },
    },
  });
  if (vm.trafficPolicy || vm.ingress) {
    bundle.add('workloads', vm, DestinationRule, {
      metadata: { name, namespace },
      spec: { host: vm.host, trafficPolicy: renderTrafficPolicy(vm.trafficPolicy ?? { loadBalancer: LoadBalancerAlgorithm.ROUND_ROBIN }) },
    });
  }
  if (vm.ingress) {
    const port = vm.ports.find(isHttpPort)!;
    const gateway = boundedDnsLabel(`${name}-gateway`);
    bundle.add('workloads', vm, Gateway, {
      metadata: { name: gateway, namespace },
      spec: {
        selector: { ...vm.ingress.selector ?? DEFAULT_INGRESS_SELECTOR },
        servers: [{ hosts: [...vm.ingress.hosts], port: { name: 'http', number: vm.ingress.port ?? 80, protocol: 'HTTP' } }],
      },
    });
    bundle.add('workloads', vm, VirtualService, {
      metadata: { name: `${name}-ingress`, namespace },
      spec: {
        hosts: [...vm.ingress.hosts],
        gateways: [gateway],
        http: [{ route: [{ destination: { host: vm.host, port: { number: port.number } } }] }],
      },
    });
  }
  // VMs reach istiod through the cluster's gateway on 15012 (rendered with the cluster's baseline).
  if (bundle.cluster.gateway) bundle.exposesIstiod = true;
  for (const instance of vm.instances) {
    writeOnboardingKit(vm, instance, bundle, rootCerts);
  }
}

/** A VM instance's onboarding kit, relative to its cluster's bundle. */
export const vmKitDir = (vm: VmWorkload, instance: ResolvedVmInstance) => `vm/${vm.namespace}/${vm.serviceName}-${instance.name}`;

/** Ports the VM's sidecar never captures: SSH (so a bad rule cannot lock you out) and the agent's own. */
const VM_EXCLUDED_INBOUND_PORTS = '22,15090,15021,15020';

/** Where the VM reaches istiod: the gateway's istiod port, resolved through the kit's `hosts` file. */
const istiodAddress = (bundle: ClusterBundle) => `${ISTIOD_HOST}:${bundle.cluster.gateway?.istiodRemotePort ?? ISTIOD_PORT}`;

/** The environment `istioctl x workload entry configure` writes to cluster.env, for one VM. */
function proxyEnvironment(vm: VmWorkload, instance: ResolvedVmInstance, bundle: ClusterBundle): Record<string, string> {
  const labels = instance.allLabels;
  const canonicalName = labels['service.istio.io/canonical-name'] ?? labels.app ?? vm.serviceName;
  const canonicalRevision = labels['service.istio.io/canonical-revision'] ?? labels.version ?? 'latest';
  const podPorts = vm.ports.map(p => ({ name: p.name, containerPort: instance.ports?.[p.name] ?? p.targetPort ?? p.number }));
  return {
    // istio-start.sh would default CA_ADDR to istiod's in-cluster port, which a NodePort gateway does not expose.
    CA_ADDR: istiodAddress(bundle),
    CANONICAL_REVISION: canonicalRevision,
    CANONICAL_SERVICE: canonicalName,
    ISTIO_INBOUND_PORTS: '*',
    ISTIO_LOCAL_EXCLUDE_PORTS: VM_EXCLUDED_INBOUND_PORTS,
    ISTIO_METAJSON_LABELS: JSON.stringify(Object.fromEntries(sortedEntries({
      ...labels, 'service.istio.io/canonical-name': canonicalName, 'service.istio.io/canonical-revision': canonicalRevision,
    }))),
    ISTIO_META_CLUSTER_ID: bundle.cluster.clusterName,
    ISTIO_META_DNS_CAPTURE: 'true',
    ISTIO_META_MESH_ID: bundle.mesh.meshId,
    ISTIO_META_NETWORK: vm.network ?? '',
    // Named container ports, so that a ServiceEntry's targetPort by name resolves on the VM too.
    ISTIO_META_POD_PORTS: JSON.stringify(podPorts),
    ISTIO_META_WORKLOAD_NAME: vm.serviceName,
    ISTIO_NAMESPACE: vm.namespace,
    ISTIO_SERVICE: `${vm.serviceName}.${vm.namespace}`,
    ISTIO_SERVICE_CIDR: '*',
    ...(instance.addressKind === 'hostname' ? {} : { ISTIO_SVC_IP: instance.address }),
    POD_NAMESPACE: vm.namespace,
    SERVICE_ACCOUNT: vm.serviceAccount,
    TRUST_DOMAIN: bundle.mesh.trustDomain,
  };
}

/** cluster.env variables that configure the VM's start script rather than the proxy, kept out of mesh.yaml. */
const START_SCRIPT_ONLY = ['CA_ADDR', 'ISTIO_INBOUND_PORTS', 'ISTIO_LOCAL_EXCLUDE_PORTS', 'ISTIO_SERVICE_CIDR', 'ISTIO_SVC_IP', 'ISTIO_NAMESPACE', 'ISTIO_SERVICE'];

/** cluster.env, mesh.yaml, hosts, root-cert.pem and README.md for one VM, beside the bundle (not in its kustomization). */
function writeOnboardingKit(vm: VmWorkload, instance: ResolvedVmInstance, bundle: ClusterBundle, rootCerts?: string): void {
  const dir = vmKitDir(vm, instance);
  const env = proxyEnvironment(vm, instance, bundle);
  const file = (path: string, content: string) => bundle.addFile({ root: OutputRoot.BUNDLES, path: `${dir}/${path}`, content });
  const gateway = bundle.cluster.gateway;

  file('cluster.env', sortedEntries(env).map(([k, v]) => `${k}='${v}'\n`).join(''));
  file('mesh.yaml', toYaml({
    defaultConfig: {
      discoveryAddress: istiodAddress(bundle),
      meshId: bundle.mesh.meshId,
      proxyMetadata: Object.fromEntries(Object.entries(env).filter(([k]) => !START_SCRIPT_ONLY.includes(k))),
      readinessProbe: vm.probe && renderProbe(vm.probe),
    },
  }));
  file('hosts', gateway && gateway.addressKind !== 'hostname'
    ? `${gateway.address} ${ISTIOD_HOST}\n`
    : `# The gateway of ${bundle.cluster.clusterName} has no IP address here (${gateway?.address ?? 'no gateway'}):\n# add "<its IP> ${ISTIOD_HOST}" by hand, or resolve ${ISTIOD_HOST} to it in the VM's DNS.\n`);
  if (rootCerts) file('root-cert.pem', rootCerts);
  file('README.md', [
    `# Onboarding kit: ${vm.serviceName} on ${instance.name} (${instance.address})`,
    '',
    `Joins the VM to cluster \`${bundle.cluster.clusterName}\` of mesh \`${bundle.mesh.meshId}\` as service account \`${vm.serviceAccount}\` in \`${vm.namespace}\`.`,
    '',
    '1. The one file this kit cannot hold is the token, which needs the live cluster. Make it in this directory, then copy the directory to the VM:',
    '',
    '   ```sh',
    `   kubectl --context "${contextOrName(bundle.cluster.clusterName)}" -n ${vm.namespace} create token ${vm.serviceAccount} --audience istio-ca --duration 1h > istio-token`,
    '   ```',
    `2. On the VM, from this kit's directory: install the \`istio-sidecar\` package of the mesh's Istio (${bundle.mesh.istioVersion}), put the files in place and start the proxy:`,
    '',
    '   ```sh',
    `   curl -fLO ${sidecarPackageUrl(bundle.mesh.istioVersion, 'deb')}  # RPM-based: ${sidecarPackageUrl(bundle.mesh.istioVersion, 'rpm')}`,
    '   sudo dpkg -i istio-sidecar.deb  # RPM-based: sudo rpm -i istio-sidecar.rpm',
    '   sudo mkdir -p /etc/certs /var/run/secrets/tokens /etc/istio/config /etc/istio/proxy /var/lib/istio/envoy',
    rootCerts ? '   sudo cp root-cert.pem /etc/certs/root-cert.pem' : '   # root-cert.pem: the mesh has no ca; copy it from the istio-ca-root-cert ConfigMap',
    '   sudo cp istio-token /var/run/secrets/tokens/istio-token',
    '   sudo cp cluster.env /var/lib/istio/envoy/cluster.env',
    '   sudo cp mesh.yaml /etc/istio/config/mesh',
    // Replaces an earlier run's line: a VM onboarded again after the gateway moved must not keep the old address first.
    `   sudo sed -i '/ ${ISTIOD_HOST.replace(/\./g, '\\.')}$/d' /etc/hosts && sudo sh -c "cat hosts >> /etc/hosts"`,
    '   sudo chown -R istio-proxy /var/lib/istio /etc/certs /etc/istio/proxy /etc/istio/config /var/run/secrets /etc/certs/root-cert.pem',
    '   sudo systemctl start istio',
    '   ```',
    '',
  ].join('\n'));
}

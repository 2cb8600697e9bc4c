import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { Duration } from 'cdk8s';
import { MeshCa, MeshCluster, VmWorkload, VmWorkloadProps } from '../src';
import { istioSchemaErrors } from './support/istio-schema';
import { shellBlocks, shellcheckFindings } from './support/shellcheck';
import { allObjects, bundleFile, objectsOf, tempDir, testMesh } from './support/synth';
import * as path from 'path';

function mesh(ca = false) {
  const dir = tempDir();
  const { app, mesh: m } = testMesh({ meshId: 'mesh1', ca: ca ? MeshCa.generate({ keyStore: path.join(dir, 'keys'), rootKeySize: 2048, intermediateKeySize: 2048 }) : undefined }, dir);
  const cluster1 = new MeshCluster(m, 'cluster1', { network: 'network1', gateway: { address: '172.18.0.3' }, locality: 'us-east-1/us-east-1a' });
  const cluster2 = new MeshCluster(m, 'cluster2', { network: 'network2', gateway: { address: '172.18.0.4' }, locality: 'us-west-2/us-west-2a' });
  return { app, mesh: m, cluster1, cluster2 };
}

/** Seed 001: whoami on a VM at 172.29.9.61:8888, called as whoami.internal.com:80, pods with app=whoami too. */
function whoami(extra: Partial<VmWorkloadProps> = {}, ca = false) {
  const m = mesh(ca);
  const vm = new VmWorkload(m.mesh, 'whoami', {
    namespace: 'default',
    cluster: m.cluster1,
    host: 'whoami.internal.com',
    ports: [{ name: 'http', number: 80, targetPort: 8888 }],
    instances: [{ name: 'vm1', address: '172.29.9.61', labels: { 'instance-id': 'vm1' } }],
    ingress: { hosts: ['whoami.internal.com'] },
    ...extra,
  });
  return { ...m, vm };
}

const file = (app: ReturnType<typeof mesh>['app'], p: string) => bundleFile(app, p);

describe('VmWorkload', () => {
  test('whoami: WorkloadEntry, and a STATIC ServiceEntry that selects the VM and pods with app=whoami', () => {
    const { app } = whoami();
    const objects = objectsOf(app, 'cluster1');
    expect(objects.get('WorkloadEntry/default/whoami-vm1')?.spec).toEqual({
      address: '172.29.9.61',
      labels: { app: 'whoami', 'instance-id': 'vm1' },
      network: 'network1',
      serviceAccount: 'whoami',
    });
    expect(objects.get('ServiceEntry/default/whoami')?.spec).toEqual({
      hosts: ['whoami.internal.com'],
      location: 'MESH_INTERNAL',
      resolution: 'STATIC',
      ports: [{ name: 'http', number: 80, protocol: 'HTTP', targetPort: 8888 }],
      workloadSelector: { labels: { app: 'whoami' } },
    });
    expect(objects.get('WorkloadGroup/default/whoami')?.spec).toEqual({
      metadata: { labels: { app: 'whoami' } },
      template: { ports: { http: 8888 }, serviceAccount: 'whoami', network: 'network1' },
    });
    expect(objects.get('ServiceAccount/default/whoami')).toBeDefined();
  });

  test('whoami: exposed through the ingress gateway with a bound VirtualService and a ROUND_ROBIN rule', () => {
    const { app } = whoami();
    const objects = objectsOf(app, 'cluster1');
    expect(objects.get('Gateway/default/whoami-gateway')?.spec).toEqual({
      selector: { istio: 'ingressgateway' },
      servers: [{ hosts: ['whoami.internal.com'], port: { name: 'http', number: 80, protocol: 'HTTP' } }],
    });
    expect(objects.get('VirtualService/default/whoami-ingress')?.spec).toEqual({
      hosts: ['whoami.internal.com'],
      gateways: ['whoami-gateway'],
      http: [{ route: [{ destination: { host: 'whoami.internal.com', port: { number: 80 } } }] }],
    });
    expect(objects.get('DestinationRule/default/whoami')?.spec).toEqual({
      host: 'whoami.internal.com',
      trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, loadBalancer: { simple: 'ROUND_ROBIN' } },
    });
  });

  test('istiod is exposed on the gateway for the VMs, and the overlay opens 15012', () => {
    const { app } = whoami();
    const objects = objectsOf(app, 'cluster1');
    expect(objects.get('Gateway/istio-system/istiod-gateway')?.spec.servers).toEqual([
      { hosts: ['*'], port: { name: 'tls-istiod', number: 15012, protocol: 'TLS' }, tls: { mode: 'PASSTHROUGH' } },
    ]);
    expect(objects.get('VirtualService/istio-system/istiod-vs')?.spec.tls[0].route).toEqual([
      { destination: { host: 'istiod.istio-system.svc.cluster.local', port: { number: 15012 } } },
    ]);
    expect(objects.get('IstioOperator/istio-system/cluster1')?.spec.components.ingressGateways[0].k8s.service.ports)
      .toContainEqual({ name: 'tls-istiod', port: 15012, targetPort: 15012 });
    expect(objectsOf(app, 'cluster2').has('Gateway/istio-system/istiod-gateway')).toBe(false);
  });

  test('multiple instances with versions, port overrides, weights and regional localities', () => {
    const { app } = whoami({
      name: 'test', host: undefined, ingress: undefined,
      ports: [{ name: 'http', number: 80, targetPort: 8080 }],
      instances: [
        { name: 'vm1', address: '192.168.0.10', labels: { version: 'v1' }, ports: { http: 8091 }, weight: 3, locality: 'us-east-1/us-east-1a' },
        { name: 'vm2', address: '192.168.0.11', labels: { version: 'v2' }, ports: { http: 8092 }, weight: 1, locality: 'us-west-2/us-west-2a' },
        { name: 'vm3', address: 'vm3.example.com', labels: { version: 'v2' } },
      ],
      trafficPolicy: {
        outlierDetection: { consecutive5xxErrors: 1, interval: Duration.seconds(1), baseEjectionTime: Duration.minutes(1) },
        localityFailover: [{ from: 'us-east-1', to: 'us-west-2' }],
      },
    });
    const objects = objectsOf(app, 'cluster1');
    expect(objects.get('WorkloadEntry/default/test-vm1')?.spec).toEqual({
      address: '192.168.0.10', labels: { app: 'test', version: 'v1' }, ports: { http: 8091 }, weight: 3,
      locality: 'us-east-1/us-east-1a', network: 'network1', serviceAccount: 'test',
    });
    expect(objects.get('WorkloadEntry/default/test-vm3')?.spec.address).toBe('vm3.example.com');
    expect(objects.get('ServiceEntry/default/test')?.spec.hosts).toEqual(['test.default.svc.cluster.local']);
    expect(objects.get('DestinationRule/default/test')?.spec.trafficPolicy.loadBalancer)
      .toEqual({ localityLbSetting: { enabled: true, failover: [{ from: 'us-east-1', to: 'us-west-2' }] } });
    expect(istioSchemaErrors(allObjects(app))).toEqual([]);
  });

  test.each([
    [{ httpGet: { path: '/ready', port: 8888, headers: { 'x-probe': '1' } } }, { httpGet: { path: '/ready', port: 8888, httpHeaders: [{ name: 'x-probe', value: '1' }] } }],
    [{ tcpSocket: { port: 8888 } }, { tcpSocket: { port: 8888 } }],
    [{ exec: { command: ['/bin/check', '--fast'] } }, { exec: { command: ['/bin/check', '--fast'] } }],
  ])('WorkloadGroup probe %j, with timing', (method, rendered) => {
    const { app } = whoami({ probe: { ...method, initialDelay: Duration.seconds(5), period: Duration.seconds(10), timeout: Duration.seconds(2), successThreshold: 1, failureThreshold: 3 } });
    const group = objectsOf(app, 'cluster1').get('WorkloadGroup/default/whoami')!;
    expect(group.spec.probe).toEqual({ ...rendered, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 2, successThreshold: 1, failureThreshold: 3 });
    expect(istioSchemaErrors([group])).toEqual([]);
  });

  test('the onboarding kit, field by field, beside the bundle and outside its kustomization (LoadBalancer gateway)', () => {
    const { app } = whoami({ probe: { httpGet: { path: '/ready', port: 8888 }, period: Duration.seconds(5) } }, true);
    const kit = 'cluster1/vm/default/whoami-vm1';
    // What `istioctl x workload entry configure` writes, plus CA_ADDR pinned to where the gateway exposes istiod.
    expect(file(app, `${kit}/cluster.env`)).toBe([
      "CANONICAL_REVISION='latest'",
      "CANONICAL_SERVICE='whoami'",
      "CA_ADDR='istiod.istio-system.svc:15012'",
      "ISTIO_INBOUND_PORTS='*'",
      "ISTIO_LOCAL_EXCLUDE_PORTS='22,15090,15021,15020'",
      'ISTIO_METAJSON_LABELS=\'{"app":"whoami","instance-id":"vm1","service.istio.io/canonical-name":"whoami","service.istio.io/canonical-revision":"latest"}\'',
      "ISTIO_META_CLUSTER_ID='cluster1'",
      "ISTIO_META_DNS_CAPTURE='true'",
      "ISTIO_META_MESH_ID='mesh1'",
      "ISTIO_META_NETWORK='network1'",
      'ISTIO_META_POD_PORTS=\'[{"name":"http","containerPort":8888}]\'',
      "ISTIO_META_WORKLOAD_NAME='whoami'",
      "ISTIO_NAMESPACE='default'",
      "ISTIO_SERVICE='whoami.default'",
      "ISTIO_SERVICE_CIDR='*'",
      "ISTIO_SVC_IP='172.29.9.61'",
      "POD_NAMESPACE='default'",
      "SERVICE_ACCOUNT='whoami'",
      "TRUST_DOMAIN='cluster.local'",
      '',
    ].join('\n'));
    const mesh = require('js-yaml').load(file(app, `${kit}/mesh.yaml`));
    expect(mesh.defaultConfig).toMatchObject({
      discoveryAddress: 'istiod.istio-system.svc:15012',
      meshId: 'mesh1',
      proxyMetadata: { ISTIO_META_CLUSTER_ID: 'cluster1', ISTIO_META_DNS_CAPTURE: 'true', ISTIO_META_NETWORK: 'network1', SERVICE_ACCOUNT: 'whoami', TRUST_DOMAIN: 'cluster.local' },
      readinessProbe: { httpGet: { path: '/ready', port: 8888 }, periodSeconds: 5 },
    });
    expect(mesh.defaultConfig.proxyMetadata.CA_ADDR).toBeUndefined();
    expect(file(app, `${kit}/hosts`)).toBe('172.18.0.3 istiod.istio-system.svc\n');
    expect(file(app, `${kit}/root-cert.pem`)).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const readme = file(app, `${kit}/README.md`);
    expect(readme).toContain('kubectl --context "${CTX_CLUSTER1:-cluster1}" -n default create token whoami --audience istio-ca --duration 1h > istio-token');
    // The proxy's package of the mesh's Istio release, not whichever the VM's admin picks.
    expect(readme).toContain('curl -fLO https://storage.googleapis.com/istio-release/releases/1.30.3/deb/istio-sidecar.deb');
    expect(shellcheckFindings(shellBlocks(readme), `${kit}/README.md`)).toEqual([]);
    const kustomization = require('js-yaml').loadAll(file(app, 'cluster1/mesh/kustomization.yaml')) as any[];
    expect(kustomization[0].resources).toEqual(['namespaces.yaml', 'mesh-gateway.yaml', 'security.yaml', 'workloads.yaml']);
    // The probe reaches hand-made WorkloadEntries only with the health-check annotation.
    expect(objectsOf(app, 'cluster1').get('WorkloadEntry/default/whoami-vm1')?.metadata).toMatchObject({
      annotations: { 'proxy.istio.io/health-checks-enabled': 'true' },
    });
  });

  test('the kit\'s hosts step replaces an earlier run\'s istiod line: a VM onboarded again after the gateway moved resolves the new address', () => {
    // GIVEN the kit's command, run as root would on a scratch /etc/hosts
    const { app } = whoami();
    const kit = path.join(app.bundlesOutdir, 'cluster1/vm/default/whoami-vm1');
    const command = file(app, 'cluster1/vm/default/whoami-vm1/README.md').split('\n').map(l => l.trim()).find(l => l.includes('/etc/hosts'))!;
    const hosts = path.join(tempDir(), 'hosts');
    fs.writeFileSync(hosts, '127.0.0.1 localhost\n10.9.9.9 istiod.istio-system.svc\n192.168.0.1 istiod.istio-system.svc.example\n');
    const run = () => execFileSync('bash', ['--norc', '-c', command.replace(/sudo /g, '').replace(/\/etc\/hosts/g, hosts)], { cwd: kit });

    // WHEN it runs twice
    run();
    run();

    // THEN the old address is gone, the new one is there once, and every other line stays
    expect(fs.readFileSync(hosts, 'utf8')).toBe('127.0.0.1 localhost\n192.168.0.1 istiod.istio-system.svc.example\n172.18.0.3 istiod.istio-system.svc\n');
  });

  test('the kit\'s commands make every directory they hand to istio-proxy (chown -R fails on one that is missing)', () => {
    const { app } = whoami({}, true);
    const lines = file(app, 'cluster1/vm/default/whoami-vm1/README.md').split('\n').map(l => l.trim());
    const made = lines.find(l => l.startsWith('sudo mkdir -p '))!.split(' ').slice(3);
    const copied = lines.filter(l => l.startsWith('sudo cp ')).map(l => l.split(' ')[3]);
    const owned = lines.find(l => l.startsWith('sudo chown -R istio-proxy '))!.split(' ').slice(4);
    expect(owned.filter(p => !copied.includes(p) && !made.some(dir => dir === p || dir.startsWith(`${p}/`)))).toEqual([]);
    expect(owned).toContain('/etc/istio/proxy');
  });

  test('behind a NodePort gateway, istiod gets a pinned NodePort that the kit dials for discovery and certificates', () => {
    const dir = tempDir();
    const { app, mesh: m } = testMesh({ meshId: 'mesh1' }, dir);
    const cluster = new MeshCluster(m, 'kind1', { network: 'n1', gateway: { address: '172.18.0.3', nodePort: 30001, istiodNodePort: 30112 } });
    new VmWorkload(m, 'whoami', { namespace: 'default', cluster, ports: [{ name: 'http', number: 80, targetPort: 8888 }], instances: [{ name: 'vm1', address: '172.29.9.61' }] });
    const kit = 'kind1/vm/default/whoami-vm1';
    expect(file(app, `${kit}/cluster.env`)).toContain("CA_ADDR='istiod.istio-system.svc:30112'\n");
    expect(require('js-yaml').load(file(app, `${kit}/mesh.yaml`)).defaultConfig.discoveryAddress).toBe('istiod.istio-system.svc:30112');
    expect(file(app, `${kit}/hosts`)).toBe('172.18.0.3 istiod.istio-system.svc\n');
    const ports = objectsOf(app, 'kind1').get('IstioOperator/istio-system/kind1')?.spec.components.ingressGateways[0].k8s.service.ports;
    expect(ports).toContainEqual({ name: 'tls-istiod', port: 15012, targetPort: 15012, nodePort: 30112 });
    expect(ports).toContainEqual({ name: 'tls', port: 15443, targetPort: 15443, nodePort: 30001 });
    // Without a probe the entries do not opt in to health checks.
    expect(objectsOf(app, 'kind1').get('WorkloadEntry/default/whoami-vm1')?.metadata.annotations).toBeUndefined();
  });

  test('a NodePort gateway pins istiod on 30012 unless told otherwise', () => {
    const { app, mesh: m } = testMesh();
    const cluster = new MeshCluster(m, 'kind1', { gateway: { address: '172.18.0.3', nodePort: 30001 } });
    new VmWorkload(m, 'whoami', { namespace: 'default', cluster, ports: [{ name: 'http', number: 80 }], instances: [{ name: 'vm1', address: '172.29.9.61' }] });
    expect(file(app, 'kind1/vm/default/whoami-vm1/cluster.env')).toContain("CA_ADDR='istiod.istio-system.svc:30012'\n");
  });

  test('exported as a GlobalService, other clusters reach the VMs as whoami.default.global', () => {
    const { app, vm } = whoami();
    const global = vm.exportAsGlobalService();
    expect(global.globalHost).toBe('whoami.default.global');
    expect(objectsOf(app, 'cluster2').get('ServiceEntry/default/whoami-global')?.spec.endpoints).toEqual([
      { address: '172.18.0.3', labels: { 'cluster': 'cluster1', 'security.istio.io/tlsMode': 'istio' }, ports: { http: 15443 }, locality: 'us-east-1/us-east-1a' },
    ]);
    expect(objectsOf(app, 'cluster1').get('ServiceEntry/default/whoami-global')?.spec.workloadSelector).toEqual({ labels: { app: 'whoami' } });
    expect(istioSchemaErrors(allObjects(app))).toEqual([]);
  });

  test('a VM of a 63-character name keeps its ingress Gateway\'s name a DNS label (istiod refuses longer), and its VirtualService binds that name', () => {
    const { app } = whoami({ name: 'w'.repeat(63) });
    const objects = [...objectsOf(app, 'cluster1').values()];
    const gateway = objects.find(o => o.kind === 'Gateway' && o.metadata.namespace === 'default')!;
    expect(gateway.metadata.name).toMatch(/^w{54}-[0-9a-f]{8}$/);
    expect(objects.find(o => o.kind === 'VirtualService' && o.metadata.namespace === 'default')?.spec.gateways).toEqual([gateway.metadata.name]);
  });

  test('an ingress may take 15001 or 15006, which only a sidecar captures: a gateway listens there for nobody', () => {
    const { app } = whoami({ ingress: { hosts: ['whoami.internal.com'], port: 15001 } });
    const gateway = [...objectsOf(app, 'cluster1').values()].find(o => o.kind === 'Gateway' && o.metadata.namespace === 'default')!;
    expect(gateway.spec.servers.map((s: { port: { number: number } }) => s.port.number)).toEqual([15001]);
    expect(istioSchemaErrors(allObjects(app))).toEqual([]);
  });

  test('an ingress on the cross-cluster gateway\'s AUTO_PASSTHROUGH port of the same pods is refused at synth (MCM024): HTTP cannot share the TLS listener', () => {
    const { app } = whoami({ ingress: { hosts: ['whoami.internal.com'], port: 15443 } });
    expect(() => app.synth()).toThrow(/\[mesh\/cluster1\] Gateway\/istio-system\/istio-multicluster-ingressgateway and Gateway\/default\/whoami-gateway serve port 15443 of the same gateway pods as TLS and HTTP, which cannot share the port's listener: istiod keeps one and drops the other; move one to another port \[MCM024\]/);
  });

  describe('errors', () => {
    test.each<[Partial<VmWorkloadProps>, RegExp]>([
      [{ instances: [] }, /\[mesh\/whoami\] instances \[\] is empty/],
      [{ instances: [{ name: 'vm1', address: '172.29.9.300' }] }, /instances\[0\].address "172.29.9.300" is neither an IP address nor a DNS hostname/],
      [{ instances: [{ name: 'vm1', address: '10.0.0.1' }, { name: 'vm2', address: '10.0.0.1' }] }, /instances\[1\].address "10.0.0.1" is also the address of instance vm1/],
      [{ instances: [{ name: 'vm1', address: '10.0.0.1' }, { name: 'vm1', address: '10.0.0.2' }] }, /instances\[1\].name "vm1" is used by two instances/],
      [{ instances: [{ name: 'vm1', address: '10.0.0.1', ports: { grpc: 9000 } }] }, /instances\[0\].ports "grpc" is not a port of whoami: use one of http/],
      [{ instances: [{ name: 'vm1', address: '10.0.0.1', weight: 0 }] }, /instances\[0\].weight 0 is not an integer from 1 to 2147483647/],
      [{ instances: [{ name: 'vm1', address: '10.0.0.1', locality: 'us//a' }] }, /instances\[0\].locality "us\/\/a" is not a locality/],
      [{ instances: [{ name: 'vm1', address: '10.0.0.1', labels: { app: 'other' } }] }, /instances\[0\].labels.app "other" contradicts the workload label app=whoami/],
      [{ probe: { httpGet: { path: '/', port: 80 }, tcpSocket: { port: 80 } } }, /probe \["httpGet","tcpSocket"\] must set exactly one of httpGet, tcpSocket, exec/],
      [{ probe: {} }, /probe \[\] must set exactly one of/],
      [{ trafficPolicy: { localityFailover: [{ from: 'us-east-1', to: 'us-west-2' }] } }, /trafficPolicy.localityFailover .* has no effect without outlierDetection/],
      [{ trafficPolicy: { outlierDetection: {}, localityFailover: [{ from: 'us/us-east-1/az-1/r11', to: 'us/us-west-1' }] } }, /is a zone or subzone: Istio fails over between regions only/],
      [{ ingress: { hosts: [] } }, /ingress.hosts \[\] is empty/],
      [{ ingress: { hosts: ['whoami.internal.80'] } }, /\[mesh\/whoami\] ingress.hosts\[0\] "whoami.internal.80" is not a host name/],
      [{ host: 'whoami.vms.10' }, /\[mesh\/whoami\] host "whoami.vms.10" is not a host name/],
      // What istiod or the API server would refuse in the labels and annotations the VM's objects carry.
      [{ labels: { app: 'who ami' } }, /\[mesh\/whoami\] labels.app "who ami" is not a label value/],
      [{ instances: [{ name: 'vm1', address: '10.0.0.1', labels: { 'instance id': 'vm1' } }] }, /\[mesh\/whoami\] instances\[0\].labels key "instance id" is not a label key/],
      [{ annotations: { 'owner team': 'x' } }, /\[mesh\/whoami\] annotations key "owner team" is not an annotation key/],
      [{ ingress: { hosts: ['whoami.internal.com'], selector: { 'gateway name': 'x' } } }, /\[mesh\/whoami\] ingress.selector key "gateway name" is not a label key/],
      [{ ingress: { hosts: ['whoami.internal.com'], port: 15021 } },
        /\[mesh\/whoami\] ingress.port 15021 is the gateway proxy's own health check port: use 80, or another port the gateway's Service exposes \[MCM030\]/],
      [{ ingress: { hosts: ['whoami.internal.com'], port: 15000 } },
        /\[mesh\/whoami\] ingress.port 15000 is the gateway proxy's own Envoy admin port/],
      [{ probe: { httpGet: { path: '/health', port: 8888, headers: { 'x probe': 'yes' } } } },
        /\[mesh\/whoami\] probe.httpGet.headers "x probe" is not a header name Istio's probe takes: use letters, digits, "-" and "_", e.g. X-Probe \[MCM030\]/],
      [{ probe: { tcpSocket: { port: 80 }, period: Duration.millis(1500) } }, /probe.period "1500ms" is not a whole number of seconds above zero: Istio probes count in seconds/],
      [{ probe: { tcpSocket: { port: 80 }, timeout: Duration.seconds(0) } }, /probe.timeout "0ms" is not a whole number of seconds above zero/],
      [{ probe: { tcpSocket: { port: 80 }, initialDelay: Duration.millis(200) } }, /probe.initialDelay "200ms" is not a whole number of seconds:/],
      [{ trafficPolicy: { connectionPool: {} } }, /trafficPolicy.connectionPool \{\} is empty: set a limit/],
      [{ trafficPolicy: { outlierDetection: { maxEjectionPercent: 150 } } }, /trafficPolicy.outlierDetection.maxEjectionPercent 150 is over 100/],
      [{ trafficPolicy: { outlierDetection: { consecutive5xxErrors: NaN } } }, /trafficPolicy.outlierDetection.consecutive5xxErrors NaN is not an integer from 0 to 2147483647/],
      [{ trafficPolicy: { outlierDetection: { interval: Duration.seconds(0) } } }, /trafficPolicy.outlierDetection.interval "0ms" is not a duration Istio accepts/],
      [{ trafficPolicy: { connectionPool: { maxConnections: Infinity } } }, /trafficPolicy.connectionPool.maxConnections Infinity is not an integer from 1 to 2147483647/],
      [{ ports: [{ name: 'tcp', number: 80, targetPort: 8888 }] }, /\[mesh\/whoami\] ingress \["whoami.internal.com"\] needs an HTTP port on the workload to route to/],
    ])('%j', (props, message) => {
      expect(() => whoami(props)).toThrow(message);
    });

    test('failover to a region no cluster or VM is in', () => {
      const { app } = whoami({ trafficPolicy: { outlierDetection: {}, localityFailover: [{ from: 'us-east-1', to: 'eu-central-1' }] } });
      expect(() => app.synth()).toThrow(/\[mesh\/whoami\] trafficPolicy.localityFailover\[0\].to "eu-central-1" is not a region of the mesh: use one of us-east-1, us-west-2/);
    });
  });
});

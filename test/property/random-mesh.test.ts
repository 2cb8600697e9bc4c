/**
 * Generated meshes of every topology, valid and subtly invalid: every synth either fails with a MeshConfigError that names a
 * construct, or renders output that the API server (CRD schemas and CEL rules) and istiod would accept,
 * that is consistent across clusters, and whose expected states `verify` reads back: a live cluster that
 * shows what one says passes. Never a TypeError, never YAML that would be rejected or misroute.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'cdk8s';
import * as fc from 'fast-check';
import {
  AccessPolicy, CacertsDelivery, ClientNamespace, DiscoveryScope, ExternalResolution, ExternalService, ExternalServiceProps, GitOps, GlobalService, HttpMethod, IstioApiVersion, Mesh, MeshCa, MeshApp, MeshCluster, MeshConfigError, MeshTopology, NamespaceManagement, OutboundTrafficPolicy, Principal, RemoteSecrets, ServiceVersion,
  ServingEntry, TlsOriginationMode, VersionedRoute, VmWorkload, StringMatch, FaultInjection, TrafficPolicy, LoadBalancerAlgorithm,
} from '../../src';
import { EXPECTED_STATE_FILE, ExpectedCluster, ExpectedState, scopeClusters } from '../../src/render/expected-state';
import { diffState, VerifyStatus } from '../../src/verify/diff';
import { LiveState, selectionKey } from '../../src/verify/live-state';
import { undiscovered } from '../support/discovery';
import { istioSchemaErrors, istiodWarningsOf } from '../support/istio-schema';
import { KubeObject, listFiles, readYaml, synthOnce, testApp } from '../support/synth';
import { toolSchemaErrors } from '../support/tool-schema';

/** Mostly valid values, sometimes a subtly invalid one: most meshes render, many are nearly valid. */
const mostly = <T>(valid: readonly T[], invalid: readonly T[]) => (invalid.length === 0
  ? fc.constantFrom(...valid)
  : fc.oneof({ arbitrary: fc.constantFrom(...valid), weight: 40 }, { arbitrary: fc.constantFrom(...invalid), weight: 1 }));
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const DURATIONS = [Duration.seconds(1), Duration.seconds(3), Duration.millis(500)];
const BAD_DURATIONS = [Duration.seconds(0), Duration.millis(1500)];

const clusterArb = fc.record({
  // Cluster names that collide as spread subsets (east + v2-canary vs canary-east + v2) come up now and then.
  name: fc.option(mostly(['east', 'west', 'canary-east', 'c'.repeat(63)], ['c_1']), { nil: undefined, freq: 3 }),
  network: maybe(mostly(['n1', 'n2'], ['net 1'])),
  gateway: fc.option(fc.record({
    address: mostly(['172.18.0.3', '172.18.0.4', 'gw.example.com', 'fd00::4'], ['10.0.0.300', 'gw_1']),
    port: maybe(mostly([15443, 15444], [80, 15021, 15012])),
    nodePort: maybe(mostly([30001, 31000], [30012])),
  }), { nil: undefined, freq: 8 }),
  locality: maybe(mostly(['us-east-1/a', 'us-west-2/b', 'eu-west-1'], ['us//a'])),
  // In the peer-reading topologies, a remote cluster whose control plane is an earlier cluster's.
  primary: fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: fc.nat(3), weight: 1 }),
});

const portArb = fc.record({
  // Names at the limits, too: 62 characters is the longest port name Istio's CRD takes as an endpoint's port key.
  name: mostly(['http', 'http-api', 'grpc', 'tcp', 'http2-x', `http-${'x'.repeat(57)}`], ['web', 'HTTP', `http-${'x'.repeat(58)}`]),
  number: mostly([80, 5000, 8000, 8080, 9090], [0, 70000, NaN]),
  targetPort: maybe(mostly([8080, 5000], [0])),
});

const serviceArb = fc.record({
  name: mostly(['httpbin', 'helloworld', 'reviews', 'ratings', 'r'.repeat(63)], ['Reviews', 'r'.repeat(64)]),
  namespace: mostly(['bar', 'hello', 'shop', 'istio-system'], ['Shop', 'kube-system']),
  ports: fc.uniqueArray(portArb, { minLength: 1, maxLength: 3, selector: p => p.name }),
  servedBy: fc.array(fc.nat(4), { minLength: 1, maxLength: 3 }),
  consumers: maybe(fc.array(fc.nat(4), { maxLength: 3 })),
  servingEntry: mostly([ServingEntry.WORKLOAD_SELECTOR, ServingEntry.WORKLOAD_SELECTOR, ServingEntry.LOCAL_DNS], []),
  versions: fc.uniqueArray(fc.record({
    name: mostly(['v1', 'v2', 'v2-canary', 'stable', 'canary'], ['V_1']),
    clusters: fc.array(fc.nat(4), { minLength: 1, maxLength: 2 }),
    label: maybe(mostly(['v1', 'v2', 'blue'], ['bad value'])),
    contradict: mostly([false], [true]),
  }), { maxLength: 3, selector: v => v.name }),
  route: maybe(fc.record({
    clients: fc.array(fc.nat(4), { minLength: 1, maxLength: 2 }),
    spread: fc.boolean(),
    split: mostly([[100], [70, 30], [50, 50], [90, 10, 0]], [[50, 40], [NaN]]),
    header: mostly(['end-user', 'x-canary'], ['End-User', 'bad header']),
    headerMatch: mostly<StringMatch>([{ exact: 'jason' }, { prefix: 'ja' }, { regex: '^j.*' }], [{ prefix: '' }, { exact: 'a', prefix: 'a' }]),
    fault: maybe(mostly<FaultInjection>([{ abort: { httpStatus: 503, percent: 10 } }, { delay: { fixedDelay: Duration.seconds(1), percent: 0.5 } }],
      [{}, { abort: { httpStatus: 600, percent: 1 } }, { delay: { fixedDelay: Duration.seconds(1), percent: 0.00001 } }])),
    // Traffic policies, each alone or beside failover, including the combinations istiod refuses.
    policy: maybe(mostly<TrafficPolicy>([
      { outlierDetection: { consecutiveGatewayErrors: 3 }, failoverPriority: ['topology.istio.io/network', 'topology.istio.io/cluster'] },
      { outlierDetection: { consecutiveGatewayErrors: 3 }, failoverPriority: ['topology.istio.io/network'], localityFailover: [{ from: 'us-east-1', to: 'us-west-2' }] },
      { connectionPool: { maxConnections: 100, connectTimeout: Duration.millis(250) }, loadBalancer: LoadBalancerAlgorithm.LEAST_REQUEST },
      { consistentHash: { httpHeaderName: 'x-user' } },
    ], [
      { outlierDetection: { consecutiveGatewayErrors: 3 }, failoverPriority: ['topology.kubernetes.io/region'], localityFailover: [{ from: 'us-east-1', to: 'us-west-2' }] },
      { outlierDetection: { consecutiveGatewayErrors: 3 }, localityFailover: [{ from: 'us-*', to: 'us-west-2' }] },
      { connectionPool: {} },
    ])),
    regex: maybe(mostly(['^/api/.*', '(?i)/beta'], ['/api/(v1', '(a)\\1'])),
    retryOn: maybe(mostly(['5xx', '5xx,connect-failure', 'gateway-error,503'], ['sometimes'])),
    attempts: mostly([2, 3], [0, -1]),
    timeout: maybe(mostly(DURATIONS, BAD_DURATIONS)),
    fiveXx: maybe(mostly([0, 1, 5], [NaN, 2 ** 33])),
  })),
});

/** Mesh-wide settings: API version, mTLS, namespace handling, metadata, egress policy, observability, GitOps. */
const settingsArb = fc.record({
  // A shared CA now and then (its keys come from the suite's pool), delivered each way that needs no file.
  ca: fc.oneof({ arbitrary: fc.constant(undefined), weight: 12 }, { arbitrary: fc.constantFrom(CacertsDelivery.secretsDir(), CacertsDelivery.inlineInBundle(),
    CacertsDelivery.externalSecret({ storeName: 'vault', refreshInterval: '30m' })), weight: 1 }),
  apiVersion: maybe(mostly([IstioApiVersion.V1, IstioApiVersion.V1BETA1], [])),
  strictMtls: maybe(fc.boolean()),
  namespaces: maybe(mostly([NamespaceManagement.CREATE, NamespaceManagement.LABEL_ONLY, NamespaceManagement.NONE], [])),
  injectionRevision: maybe(mostly(['canary', '1-30-3'], ['Canary'])),
  discovery: maybe(mostly([DiscoveryScope.ALL_NAMESPACES, DiscoveryScope.MESH_NAMESPACES, DiscoveryScope.meshNamespacesAnd([{ 'platform.example.com/mesh': 'member' }, { 'istio-discovery': 'enabled' }])],
    [DiscoveryScope.meshNamespacesAnd([{}]), DiscoveryScope.meshNamespacesAnd([{ team: 'bad value!' }])])),
  labels: maybe(mostly<{ readonly [key: string]: string }>([{ team: 'platform' }, { 'app.kubernetes.io/part-of': 'mesh' }], [{ 'bad key!': 'x' }])),
  outboundTrafficPolicy: maybe(mostly([OutboundTrafficPolicy.ALLOW_ANY, OutboundTrafficPolicy.REGISTRY_ONLY], [])),
  observability: maybe(fc.record({
    monitoring: maybe(fc.record({
      namespace: maybe(mostly(['monitoring'], ['Monitoring'])), interval: maybe(mostly(['30s', '1m'], ['soon'])),
      labels: maybe(mostly<{ readonly [key: string]: string }>([{ release: 'prometheus' }], [{ 'release name': 'x' }])), clusterLabel: maybe(mostly(['k8s_cluster'], ['k8s-cluster'])),
    })),
    tracing: maybe(fc.record({ service: mostly(['otel-collector.observability.svc.cluster.local'], ['otel collector']), port: mostly([4317, 9411], [0]), samplingPercent: maybe(mostly([1, 100], [101])) })),
    accessLogging: maybe(fc.boolean()),
  })),
  remoteSecrets: maybe(mostly<() => RemoteSecrets>([
    () => RemoteSecrets.script(),
    () => RemoteSecrets.externalSecret({ storeName: 'vault' }),
    () => RemoteSecrets.externalSecret({ storeName: 'vault', storeKind: 'SecretStore', remoteKeyPrefix: 'mesh/kubeconfigs' }),
  ], [() => RemoteSecrets.externalSecret({ storeName: 'Vault Store' })])),
  gitOps: maybe(mostly<() => GitOps>([
    () => GitOps.argoCd({ repoUrl: 'https://github.com/acme/platform.git' }),
    () => GitOps.argoCd({ repoUrl: 'https://github.com/acme/platform.git', path: './deploy/mesh', project: 'platform' }),
    () => GitOps.flux(),
    () => GitOps.flux({ interval: '5m', sourceRef: { kind: 'GitRepository', name: 'platform' } }),
  ], [() => GitOps.argoCd({ repoUrl: '' }), () => GitOps.flux({ interval: 'often' })])),
});

const meshArb = fc.record({
  settings: settingsArb,
  topology: mostly([MeshTopology.GLOBAL_NAMES, MeshTopology.GLOBAL_NAMES, MeshTopology.MULTI_NETWORK, MeshTopology.AMBIENT], []),
  clusters: fc.array(clusterArb, { minLength: 1, maxLength: 4 }),
  services: fc.array(serviceArb, { maxLength: 3 }),
  vm: maybe(fc.record({
    cluster: fc.nat(4),
    address: mostly(['172.29.9.61', 'vm.example.com'], ['172.29.9.300']),
    probePeriod: maybe(mostly(DURATIONS.filter(d => d.toMilliseconds() % 1000 === 0), BAD_DURATIONS)),
    label: mostly(['web', 'db', ''], ['bad value']),
    probeHeader: maybe(mostly(['X-Probe', 'x_probe'], ['x probe'])),
    longName: fc.boolean(),
    ingress: maybe(fc.record({ host: mostly(['whoami.internal.com'], ['*.internal.com']), port: maybe(mostly([80, 443, 8080], [15021, 15443])) })),
  })),
  // Whole external services: each resolution with what it needs, and the combinations Istio's CRD refuses.
  external: maybe(fc.record({
    props: mostly<Omit<ExternalServiceProps, 'clusters'>>([
      { hosts: ['api.partner.example.com'], ports: [{ name: 'https', number: 443 }] },
      { hosts: ['api.partner.example.com'], ports: [{ name: 'http', number: 80, targetPort: 443 }], tls: { mode: TlsOriginationMode.SIMPLE }, egressGateway: true },
      { name: 'p'.repeat(63), hosts: ['api.partner.example.com'], ports: [{ name: 'https', number: 443 }], egressGateway: true },
      { hosts: ['*.storage.example.com'], ports: [{ name: 'https', number: 443 }], resolution: ExternalResolution.NONE },
      { hosts: ['db.partner.example.com'], ports: [{ name: 'tcp-db', number: 5432 }], resolution: ExternalResolution.NONE, addresses: ['203.0.113.0/24', '2001:db8::/64'] },
      { hosts: ['db.partner.example.com'], ports: [{ name: 'tcp-db', number: 5432 }], resolution: ExternalResolution.STATIC, addresses: ['203.0.113.0/28'], endpoints: [{ address: '203.0.113.5' }, { address: '203.0.113.6' }] },
      { hosts: ['a.example.com', 'b.example.com'], ports: [{ name: 'https', number: 443 }], resolution: ExternalResolution.DNS_ROUND_ROBIN, endpoints: [{ address: 'lb.partner.example.com' }] },
      { hosts: ['a.example.com', 'b.example.com'], ports: [{ name: 'http', number: 80 }, { name: 'tls', number: 8443 }] },
      { hosts: ['a.db.example.com', 'b.db.example.com'], ports: [{ name: 'tcp-db', number: 5432 }], resolution: ExternalResolution.NONE },
      { hosts: ['a.example.com', 'b.example.com'], ports: [{ name: 'http', number: 80, targetPort: 443 }],
        tls: { mode: TlsOriginationMode.MUTUAL, credentialName: 'partner-client', credentialStore: { storeName: 'vault' }, workloads: [{ namespace: 'foo', selector: { app: 'web' } }, { namespace: 'shop', selector: { app: 'cart', tier: 'a' } }] } },
      { hosts: ['api.partner.example.com'], ports: [{ name: 'http', number: 80, targetPort: 443 }], tls: { mode: TlsOriginationMode.MUTUAL, credentialName: 'partner-client' }, egressGateway: true },
    ], [
      { hosts: ['api.partner.example.com'], ports: [{ name: 'http', number: 80, targetPort: 443 }],
        tls: { mode: TlsOriginationMode.MUTUAL, credentialName: 'partner-client', workloads: [{ namespace: 'foo', selector: { app: 'web' } }] }, egressGateway: true },
      { hosts: ['db.partner.example.com'], ports: [{ name: 'tcp-db', number: 5432 }], addresses: ['203.0.113.0/24'] },
      { hosts: ['a.db.example.com', 'b.db.example.com'], ports: [{ name: 'tcp-db', number: 5432 }] },
      { hosts: ['*.db.example.com'], ports: [{ name: 'tcp-db', number: 5432, targetPort: 6432 }], resolution: ExternalResolution.NONE },
      { hosts: ['db.partner.example.com'], ports: [{ name: 'tcp-db', number: 5432 }], resolution: ExternalResolution.NONE, endpoints: [{ address: '203.0.113.5' }] },
      { hosts: ['*.storage.example.com'], ports: [{ name: 'https', number: 443 }] },
      { hosts: ['api.partner.example.com'], ports: [{ name: 'https', number: 443 }], resolution: ExternalResolution.NONE, egressGateway: true },
      { hosts: ['api.partner.example.com'], ports: [{ name: 'https', number: 443 }], resolution: ExternalResolution.STATIC, endpoints: [{ address: 'lb.partner.example.com' }] },
    ]),
    clusters: maybe(fc.array(fc.nat(4), { minLength: 1, maxLength: 2 })),
  })),
  client: maybe(fc.record({
    namespace: mostly(['foo', 'bar', 'shop'], ['istio-system']),
    clusters: fc.array(fc.nat(4), { minLength: 1, maxLength: 2 }),
    calls: fc.array(fc.nat(3), { minLength: 1, maxLength: 2 }),
    callsExternal: fc.boolean(),
    selector: maybe(mostly<{ readonly [label: string]: string }>([{ app: 'sleep' }], [{}])),
    extraEgressHosts: maybe(mostly([['istio-system/*'], ['*/api.partner.example.com'], ['./*', 'foo/*', 'data/postgres.data.svc.cluster.local']], [['no-slash'], ['data/postgres'], ['*/*']])),
  })),
  policy: maybe(fc.record({
    selector: mostly(['httpbin', 'reviews', 'whoami'], ['nobody']),
    namespace: mostly(['bar', 'shop', 'default'], []),
    paths: maybe(mostly([['/api/*'], ['*'], ['/health'], ['/a', '/a']], [[''], [], ['/items/{id}']])),
    explicitClusters: fc.boolean(),
  })),
});

type MeshSpec = typeof meshArb extends fc.Arbitrary<infer T> ? T : never;

/** Declares a generated mesh; any step may throw (that is part of what is tested). */
function declare(spec: MeshSpec): MeshApp {
  const app = testApp();
  const { gitOps, remoteSecrets, ca, ...settings } = spec.settings;
  // Remote secrets are the peer-reading topologies' (elsewhere they are refused, which other tests hold).
  const peers = spec.topology !== MeshTopology.GLOBAL_NAMES;
  const mesh = new Mesh(app, 'mesh', {
    ...settings, gitOps: gitOps?.(), remoteSecrets: peers ? remoteSecrets?.() : undefined,
    ca: ca && MeshCa.generate({ keyStore: path.join(path.dirname(app.bundlesOutdir), 'keys'), delivery: ca }),
    lockFile: path.join(path.dirname(app.bundlesOutdir), 'mesh.lock.json'), topology: spec.topology,
  });
  // What each topology takes: peer-reading ones name every cluster's network, ambient sets no gateway ports;
  // the generated values stay as they are otherwise (the invalid ones included).
  const ambient = spec.topology === MeshTopology.AMBIENT;
  const clusters: MeshCluster[] = [];
  spec.clusters.forEach(({ primary, ...c }, i) => clusters.push(new MeshCluster(mesh, `cluster${i}`, {
    ...c,
    network: peers ? c.network ?? `net${i}` : c.network,
    gateway: ambient && c.gateway ? { address: c.gateway.address } : c.gateway,
    primary: peers && primary !== undefined && i > 0 ? clusters[primary % i] : undefined,
  })));
  const at = (indexes: readonly number[]) => [...new Set(indexes.map(i => clusters[i % clusters.length]))];
  const services: GlobalService[] = [];
  let external: ExternalService | undefined;
  spec.services.forEach((s, i) => {
    const service = new GlobalService(mesh, `svc${i}`, {
      name: s.name, namespace: s.namespace, ports: s.ports, servedBy: at(s.servedBy),
      consumers: s.consumers && at(s.consumers), servingEntry: peers ? undefined : s.servingEntry,
    });
    services.push(service);
    const versions: ServiceVersion[] = [];
    for (const v of s.versions) {
      const labels = { version: v.label ?? v.name, ...(v.contradict ? { app: 'other' } : {}) };
      // Mostly clusters that serve the service; an index past servedBy names any cluster (often an error).
      const servedBy = service.servedBy;
      const clustersOfVersion = v.clusters.map(i => (i < servedBy.length + 2 ? servedBy[i % servedBy.length] : clusters[i % clusters.length]));
      versions.push(service.addVersion(v.name, { clusters: [...new Set(clustersOfVersion)], labels }));
    }
    if (s.route && versions.length > 0) {
      const r = s.route;
      const to = r.split.slice(0, versions.length).map((weight, k) => ({ version: versions[k], weight }));
      new VersionedRoute(mesh, `route${i}`, {
        service,
        clients: at(r.clients),
        spread: r.spread,
        port: (service.ports.find(p => p.protocol.startsWith('HTTP') || p.protocol === 'GRPC') ?? service.ports[0]).name,
        rules: [{
          name: 'r1',
          match: [{ headers: { [r.header]: r.headerMatch }, uri: r.regex === undefined ? undefined : { regex: r.regex } }],
          to: [{ version: versions[0] }],
          timeout: r.timeout,
          fault: r.fault,
          retries: r.retryOn === undefined ? undefined : { attempts: r.attempts, retryOn: r.retryOn },
        }],
        defaultRoute: to,
        trafficPolicy: r.policy ?? (r.fiveXx === undefined ? undefined : { outlierDetection: { consecutive5xxErrors: r.fiveXx, consecutiveGatewayErrors: 3 } }),
      });
    }
  });
  if (spec.vm && !ambient) {
    new VmWorkload(mesh, 'whoami', {
      name: spec.vm.longName ? 'w'.repeat(63) : undefined,
      namespace: 'default', cluster: clusters[spec.vm.cluster % clusters.length],
      ports: [{ name: 'http', number: 80, targetPort: 8888 }],
      instances: [{ name: 'vm1', address: spec.vm.address, labels: { tier: spec.vm.label } }],
      probe: spec.vm.probeHeader === undefined
        ? { tcpSocket: { port: 8888 }, period: spec.vm.probePeriod }
        : { httpGet: { path: '/health', port: 8888, headers: { [spec.vm.probeHeader]: 'yes' } }, period: spec.vm.probePeriod },
      ingress: spec.vm.ingress && { hosts: [spec.vm.ingress.host], port: spec.vm.ingress.port },
    });
  }
  if (spec.external) {
    external = new ExternalService(mesh, 'partner', { ...spec.external.props, clusters: spec.external.clusters && at(spec.external.clusters) });
  }
  if (spec.client && !ambient && services.length > 0) {
    const c = spec.client;
    new ClientNamespace(mesh, 'client', {
      namespace: c.namespace, clusters: at(c.clusters), calls: [...new Set(c.calls.map(i => services[i % services.length]))],
      callsExternal: c.callsExternal && external ? [external] : undefined, selector: c.selector, extraEgressHosts: c.extraEgressHosts,
    });
  }
  if (spec.policy) {
    new AccessPolicy(mesh, 'policy', {
      namespace: spec.policy.namespace, selector: { app: spec.policy.selector }, principals: [Principal.namespace('foo')],
      methods: ambient ? undefined : [HttpMethod.GET], paths: ambient ? undefined : spec.policy.paths, clusters: spec.policy.explicitClusters ? clusters : undefined,
    });
  }
  return app;
}

/**
 * Cross-object checks the schemas cannot make: what istiod and the API server need of objects together.
 * Returns one line per problem.
 */
function crossObjectProblems(objects: readonly KubeObject[], clusterOf: (o: KubeObject) => string): string[] {
  const problems: string[] = [];
  const byCluster = new Map<string, KubeObject[]>();
  objects.filter(o => o.metadata).forEach(o => byCluster.set(clusterOf(o), [...byCluster.get(clusterOf(o)) ?? [], o]));
  // What the API server checks of every object's metadata, whatever its kind.
  const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
  // Kubernetes' subdomain: 253 characters of dot-separated parts, each part of any length.
  const dnsSubdomain = (name: string) => name.length <= 253 && name.split('.').every(part => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(part));
  const labelKey = (key: string) => {
    const [prefix, name] = key.includes('/') ? key.split('/') : [undefined, key];
    return (prefix === undefined || dnsSubdomain(prefix)) && /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(name);
  };
  const labelValue = (value: string) => value === '' || /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(value);
  for (const o of objects.filter(x => x.metadata)) {
    const where = `${clusterOf(o)}: ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    // Namespaces and Services take DNS labels; so do Istio Gateways (istiod's validating webhook: "invalid gateway name"),
    // and the GitOps objects whose names Argo CD and Flux put in labels on what they apply.
    const labelNamed = ['Namespace', 'Service'].includes(o.kind) || (o.kind === 'Gateway' && o.apiVersion.startsWith('networking.istio.io/'))
      || (o.kind === 'Application' && o.apiVersion.startsWith('argoproj.io/')) || (['Kustomization', 'HelmRelease'].includes(o.kind) && o.apiVersion.includes('fluxcd.io/'));
    if (!dnsSubdomain(o.metadata.name) || (labelNamed && !dnsLabel.test(o.metadata.name))) problems.push(`${where}: name`);
    if (o.metadata.namespace !== undefined && !dnsLabel.test(o.metadata.namespace)) problems.push(`${where}: namespace`);
    Object.entries(o.metadata.labels ?? {}).filter(([k, v]) => !labelKey(k) || !labelValue(String(v))).forEach(([k, v]) => problems.push(`${where}: label ${k}=${v}`));
    Object.keys(o.metadata.annotations ?? {}).filter(k => !labelKey(k)).forEach(k => problems.push(`${where}: annotation ${k}`));
    // Labels and selectors inside the spec (entries, subsets, workload selectors, Gateway selectors): istiod validates them as labels.
    const walk = (value: unknown, key: string): void => {
      if (typeof value !== 'object' || value === null) return;
      if (['labels', 'matchLabels'].includes(key) || (key === 'selector' && o.kind === 'Gateway')) {
        Object.entries(value).filter(([k, v]) => typeof v === 'string' && (!labelKey(k) || !labelValue(v))).forEach(([k, v]) => problems.push(`${where}: ${key} ${k}=${v}`));
      }
      Object.entries(value).forEach(([k, v]) => walk(v, k));
    };
    if (o.apiVersion.includes('istio.io/')) walk(o.spec, 'spec');
  }
  for (const [cluster, list] of byCluster) {
    const keys = list.map(o => `${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`);
    keys.filter((k, i) => keys.indexOf(k) !== i).forEach(k => problems.push(`${cluster}: ${k} rendered twice`));
    const subsets = new Map<string, Set<string>>();
    for (const dr of list.filter(o => o.kind === 'DestinationRule')) {
      subsets.set(dr.spec.host, new Set([...subsets.get(dr.spec.host) ?? [], ...(dr.spec.subsets ?? []).map((s: { name: string }) => s.name)]));
    }
    // A VirtualService bound to gateways names Gateways of its cluster (`<namespace>/<name>`, or a name of its own namespace).
    const gateways = new Set(list.filter(o => o.kind === 'Gateway' && o.apiVersion.startsWith('networking.istio.io/')).map(o => `${o.metadata.namespace}/${o.metadata.name}`));
    for (const vs of list.filter(o => o.kind === 'VirtualService')) {
      for (const ref of (vs.spec.gateways ?? []).filter((g: string) => g !== 'mesh')) {
        if (!gateways.has(ref.includes('/') ? ref : `${vs.metadata.namespace}/${ref}`)) problems.push(`${cluster}: VirtualService ${vs.metadata.name} is bound to gateway ${ref}, which the cluster does not have`);
      }
    }
    for (const vs of list.filter(o => o.kind === 'VirtualService')) {
      for (const http of vs.spec.http ?? []) {
        for (const { destination } of http.route) {
          if (destination.subset && !subsets.get(destination.host)?.has(destination.subset)) {
            problems.push(`${cluster}: VirtualService ${vs.metadata.name} routes to subset ${destination.subset} of ${destination.host}, which no DestinationRule there defines`);
          }
        }
        // Two shares that land on one destination mean two versions merged into one subset.
        const destinations = http.route.map((d: { destination: { host: string; subset?: string } }) => `${d.destination.host}/${d.destination.subset}`);
        if (new Set(destinations).size !== destinations.length) problems.push(`${cluster}: VirtualService ${vs.metadata.name} sends two shares to one destination: ${destinations}`);
        // Istio rejects a route whose weights do not sum to 100.
        const weights = http.route.map((d: { weight?: number }) => d.weight ?? (http.route.length === 1 ? 100 : 0));
        if (weights.reduce((a: number, b: number) => a + b, 0) !== 100) problems.push(`${cluster}: VirtualService ${vs.metadata.name} weights sum to ${weights}`);
      }
    }
    for (const operator of list.filter(o => o.kind === 'IstioOperator')) {
      for (const gateway of operator.spec.components?.ingressGateways ?? []) {
        const numbers = gateway.k8s.service.ports.map((p: { port: number }) => p.port);
        if (new Set(numbers).size !== numbers.length) problems.push(`${cluster}: gateway Service ports repeat: ${numbers}`);
      }
    }
    for (const ns of list.filter(o => o.kind === 'Namespace')) {
      if (ns.metadata.name.startsWith('kube-') && ns.metadata.labels?.['istio-injection']) problems.push(`${cluster}: ${ns.metadata.name} labelled for injection`);
    }
  }
  // Every subset a client sends across must exist under the same name where the traffic lands.
  const globalSubsets = (cluster: string, host: string) => new Set((byCluster.get(cluster) ?? [])
    .filter(o => o.kind === 'DestinationRule' && o.spec.host === host).flatMap(o => (o.spec.subsets ?? []).map((s: { name: string }) => s.name)));
  for (const [cluster, list] of byCluster) {
    for (const dr of list.filter(o => o.kind === 'DestinationRule' && o.spec.host.endsWith('.global'))) {
      for (const s of dr.spec.subsets ?? []) {
        if (s.labels.cluster && !globalSubsets(s.labels.cluster, dr.spec.host).has(s.name)) {
          problems.push(`${cluster}: subset ${s.name} of ${dr.spec.host} is missing in ${s.labels.cluster}`);
        }
      }
    }
  }
  return problems;
}

/**
 * The live state of a cluster that shows exactly what its expected state says: every scope's proxy holds its
 * clusters with their SNI names and endpoints (pods at made-up IPs, hostnames at a made-up address), the
 * gateway its filter chains, istiod its remote clusters synced, ztunnel its services. `verify` must pass it.
 */
function liveAsExpected(expected: ExpectedState): LiveState {
  const podIps: { [selection: string]: string[] } = {};
  const hostStatus = (address: string, portValue: number) => ({ address: { socketAddress: { address, portValue } }, healthStatus: { edsHealthStatus: 'HEALTHY' } });
  const endpointsOf = (cluster: ExpectedCluster) => cluster.endpoints.map(e => {
    if (e.address) return hostStatus(e.address, e.port);
    if (e.hostname) return hostStatus('192.0.2.250', e.port);
    const key = selectionKey(e.pods!.namespace, e.pods!.labels);
    podIps[key] = ['10.250.0.1'];
    return hostStatus('10.250.0.1', e.port);
  });
  const byName = new Map(expected.outbound.map(c => [c.name, c]));
  const scopes = expected.scopes.map(scope => {
    const clusters = scopeClusters(expected, scope).map(name => byName.get(name)!);
    return {
      namespace: scope.namespace,
      proxies: [{
        pod: `client-0.${scope.namespace === '*' ? 'default' : scope.namespace}`,
        clusters: clusters.map(c => ({ name: c.name, transportSocket: { typedConfig: { sni: c.sni } } })),
        endpoints: clusters.map(c => ({ name: c.name, hostStatuses: endpointsOf(c) })),
      }],
    };
  });
  const serverNames = expected.gateway?.serverNames ?? expected.outbound.map(c => c.sni);
  return {
    rootCertPem: undefined,
    scopes,
    podIps,
    gatewayPod: expected.gateway && 'gateway-0.istio-system',
    gatewayListeners: [{ filterChains: serverNames.map(name => ({ filterChainMatch: { serverNames: [name] } })) }],
    remoteClustersText: expected.remoteClusters && ['NAME SECRET STATUS ISTIOD', ...expected.remoteClusters.map(name => `${name} istio-system/istio-remote-secret-${name} synced istiod-0`)].join('\n'),
    ztunnelPod: expected.ambientServices && 'ztunnel-0.istio-system',
    ztunnelServices: expected.ambientServices?.map(service => ({ hostname: service.host, endpoints: { uid: { workloadUid: 'uid', service: service.host } } })),
    credentialKeys: expected.credentials && Object.fromEntries(expected.credentials.map(c => [`${c.namespace}/${c.name}`, { keys: [...c.keys] }])),
    waypointStatus: expected.waypoints && Object.fromEntries(expected.waypoints.map(w => [`${w.namespace}/${w.name}`, { programmed: true }])),
  };
}

test('generated meshes: a MeshConfigError naming a construct, or output that Istio accepts and that agrees across clusters', () => {
  let rendered = 0;
  let refused = 0;
  const renderedIn = new Map<MeshTopology, number>();
  fc.assert(fc.property(meshArb, spec => {
    let app: MeshApp;
    try {
      app = declare(spec);
      synthOnce(app);
    } catch (e) {
      if (!(e instanceof MeshConfigError)) throw e;
      expect(e.message).toMatch(/\[mesh[^\]]*\] /);
      expect(e.message).not.toMatch(/undefined|\[object Object\]|null is|TypeError/);
      refused++;
      return;
    }
    rendered++;
    renderedIn.set(spec.topology, (renderedIn.get(spec.topology) ?? 0) + 1);
    // Every object read once, with the directory it is in: a cluster's, or the Argo CD applications'.
    const clusterOf = new Map<KubeObject, string>();
    for (const dir of [app.bundlesOutdir, app.secretsOutdir]) {
      for (const file of listFiles(dir).filter(f => f.endsWith('.yaml') && f.includes('/'))) {
        readYaml(path.join(dir, file)).filter(o => o?.kind && o.metadata).forEach(o => clusterOf.set(o, file.split('/')[0]));
      }
    }
    const objects = [...clusterOf.keys()];
    expect(istioSchemaErrors(objects)).toEqual([]);
    expect(istiodWarningsOf(objects)).toEqual([]);
    expect(toolSchemaErrors(objects)).toEqual([]);
    expect(crossObjectProblems(objects, o => clusterOf.get(o) ?? '?')).toEqual([]);
    // Where istiod discovers only the mesh's namespaces, it discovers each one the bundle uses, unless the platform owns them all.
    if (spec.settings.discovery?._selective) {
      for (const cluster of listFiles(app.bundlesOutdir).filter(f => f.endsWith('/istio/istiod-values.yaml')).map(f => f.split('/')[0])) {
        const left = spec.settings.namespaces === NamespaceManagement.NONE ? [] : undiscovered(app, cluster, ['istio-system']);
        expect([cluster, left]).toEqual([cluster, []]);
      }
    }
    // verify passes a cluster that shows what its expected state says (the roots aside: no certificate here has their fingerprints).
    for (const file of listFiles(app.bundlesOutdir).filter(f => f.endsWith(`/${EXPECTED_STATE_FILE}`))) {
      const expected = JSON.parse(fs.readFileSync(path.join(app.bundlesOutdir, file), 'utf8')) as ExpectedState;
      // Sidecars run in every namespace the bundle renders (with its labels): verify's discovery check must find each discovered.
      const renderedNamespaces = objects.filter(o => o.kind === 'Namespace' && clusterOf.get(o) === file.split('/')[0]);
      const live = { ...liveAsExpected(expected), sidecarNamespaces: Object.fromEntries(renderedNamespaces.map(ns => [ns.metadata.name, ns.metadata.labels ?? {}])) };
      expect(diffState(expected, live).filter(r => r.status === VerifyStatus.FAIL && r.subject !== 'roots')).toEqual([]);
    }
  }), { numRuns: Number(process.env.MESH_PROPERTY_RUNS ?? 4000), seed: process.env.MESH_PROPERTY_SEED ? Number(process.env.MESH_PROPERTY_SEED) : undefined });
  // Both outcomes must be exercised, in every topology, or the generator has drifted into testing one side only.
  expect(rendered).toBeGreaterThan(200);
  expect(refused).toBeGreaterThan(200);
  expect(Object.values(MeshTopology).filter(topology => (renderedIn.get(topology) ?? 0) <= 40)).toEqual([]);
});

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ExternalService, GlobalService, MeshCluster, MeshTopology, TlsOriginationMode } from '../../src';
import { ExpectedState } from '../../src/render/expected-state';
import { main } from '../../src/verify/cli';
import { diffState, formatReport, parseRemoteClusters, VerifyResult, VerifyStatus } from '../../src/verify/diff';
import { collectLiveState, CommandRunner, LiveProxy, LiveState } from '../../src/verify/live-state';
import { synthOnce, tempDir, testMesh } from '../support/synth';
import { verifyMesh } from './verify-mesh';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { fakeRunner } = require('./fake-tool') as { fakeRunner: (fixtures: string, rootPem?: string) => CommandRunner };

const ROOT = path.resolve(__dirname, '../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/verify');

const mesh = verifyMesh();
const rootPem = fs.readFileSync(path.join(mesh.dir, 'keys/mesh1/root/cert.pem'), 'utf8');
const otherCaPem = fs.readFileSync(path.join(mesh.dir, 'keys/mesh1/clusters/c1/cert.pem'), 'utf8');

/** The recorded live state of a cluster; `null` plays a cluster without the root ConfigMap. */
const live = (cluster: string, pem: string | null = rootPem) => collectLiveState(mesh.expected(cluster), fakeRunner(FIXTURES, pem ?? undefined), cluster);
const failures = (results: readonly VerifyResult[]) => results.filter(r => r.status === VerifyStatus.FAIL).map(r => `${r.subject}: ${r.detail}`);

/** A copy of a live state with the proxies of one scope (every scope: undefined) changed. */
function withProxies(state: LiveState, namespace: string | undefined, change: (proxy: LiveProxy) => LiveProxy): LiveState {
  return { ...state, scopes: state.scopes.map(s => (namespace !== undefined && s.namespace !== namespace ? s : { ...s, proxies: s.proxies.map(change) })) };
}

/** A copy of a live state with one scope's endpoints of one cluster replaced. */
function withEndpoints(state: LiveState, namespace: string, cluster: string, hosts: Array<[string, number, string?]>): LiveState {
  return withProxies(state, namespace, proxy => ({
    ...proxy,
    endpoints: proxy.endpoints.map(e => (e.name !== cluster ? e : {
      ...e,
      hostStatuses: hosts.map(([address, portValue, health]) => ({ address: { socketAddress: { address, portValue } }, healthStatus: { edsHealthStatus: health ?? 'HEALTHY' } })),
    })),
  }));
}

describe('expected state', () => {
  test('a consumer expects each .global cluster (port, subset) on the serving gateway, with the SNI its gateway routes', () => {
    const c1 = mesh.expected('c1');
    // In the bundle's order: entries by namespace and name, then port, then subset.
    expect(c1.outbound.map(c => [c.name, c.sni, c.endpoints])).toEqual([
      ['outbound|80||echo.demo.global', 'outbound_.80_._.echo.demo.global', [{ port: 15443, address: '192.0.2.2' }]],
      ['outbound|8000||httpbin.demo.global', 'outbound_.8000_._.httpbin.demo.global', [{ port: 15443, address: '192.0.2.2' }]],
      ['outbound|8000|v1|httpbin.demo.global', 'outbound_.8000_.v1_.httpbin.demo.global', [{ port: 15443, address: '192.0.2.2' }]],
      ['outbound|8000|v2|httpbin.demo.global', 'outbound_.8000_.v2_.httpbin.demo.global', [{ port: 15443, address: '192.0.2.2' }]],
    ]);
    // Of the .global services, the frontend's Sidecar admits httpbin only; other namespaces see everything.
    expect(c1.scopes).toEqual([
      { namespace: '*', exclusive: false },
      { namespace: 'frontend', clusters: c1.outbound.map(c => c.name).filter(n => n.includes('httpbin')), exclusive: true },
    ]);
    expect(c1.gateway).toBeUndefined();
    expect(c1.roots).toEqual([expect.objectContaining({ subject: 'O=Istio, CN=Root CA' })]);
  });

  test('a server expects its pods on the target port, subsets narrowed by version labels, and an SNI filter chain for each', () => {
    const c2 = mesh.expected('c2');
    expect(c2.outbound.find(c => c.name === 'outbound|8000|v2|httpbin.demo.global')?.endpoints).toEqual([
      { port: 8080, pods: { namespace: 'demo', labels: { app: 'httpbin', version: 'v2' } } },
    ]);
    // Its listener holds a chain for every outbound cluster's SNI.
    expect(c2.gateway).toEqual({ namespace: 'istio-system', selector: { istio: 'ingressgateway' }, listenerPort: 15443 });
    expect(c2.outbound.map(c => c.sni)).toEqual([
      'outbound_.80_._.echo.demo.global', 'outbound_.8000_._.httpbin.demo.global', 'outbound_.8000_.v1_.httpbin.demo.global', 'outbound_.8000_.v2_.httpbin.demo.global',
    ]);
  });

  test('lives beside the bundle, in no kustomization', () => {
    const kustomizations = ['ca', 'mesh'].map(layer => fs.readFileSync(path.join(mesh.app.outdir, 'c1', layer, 'kustomization.yaml'), 'utf8')).join();
    expect(fs.existsSync(path.join(mesh.app.outdir, 'c1/expected-state.json'))).toBe(true);
    expect(kustomizations).not.toContain('expected-state');
  });
});

describe('verify', () => {
  test('matching: the recorded live state of both clusters passes every check', () => {
    for (const cluster of ['c1', 'c2']) {
      const results = diffState(mesh.expected(cluster), live(cluster));
      expect(failures(results)).toEqual([]);
      expect(results.filter(r => r.status === VerifyStatus.SKIP)).toEqual([]);
    }
    // Roots, then 4 clusters from the unscoped pod and 3 from the frontend's in c1 (its sidecar a native one: an init container).
    expect(diffState(mesh.expected('c1'), live('c1')).map(r => r.subject)).toEqual([
      'roots',
      ...mesh.expected('c1').outbound.map(c => `sleep-5c7b9d8f4-x2kqp.default ${c.name}`),
      ...mesh.expected('c1').outbound.filter(c => c.name.includes('httpbin')).map(c => `web-6f8d4c9b7-7hjzt.frontend ${c.name}`),
      'credential frontend/ledger-client',
    ]);
  });

  test('allPods asks every sidecar of a scope: a second sleep that missed the echo entry fails, the first still passes', () => {
    const all = collectLiveState(mesh.expected('c1'), fakeRunner(FIXTURES, rootPem), 'c1', { allPods: true });
    expect(all.scopes.map(s => [s.namespace, s.proxies.map(p => p.pod)])).toEqual([
      ['*', ['sleep-5c7b9d8f4-x2kqp.default', 'sleep-5c7b9d8f4-zr7wd.default']],
      ['frontend', ['web-6f8d4c9b7-7hjzt.frontend']], // the Succeeded pod is not asked
    ]);
    expect(failures(diffState(mesh.expected('c1'), all))).toEqual([
      'sleep-5c7b9d8f4-zr7wd.default outbound|80||echo.demo.global: missing cluster: the sidecar has no outbound|80||echo.demo.global (is the ServiceEntry applied, and visible to any namespace?)',
    ]);
    // Without it, the first pod of each scope only.
    expect(live('c1').scopes.map(s => s.proxies.length)).toEqual([1, 1]);
  });

  test('missing endpoint: a sidecar without the gateway endpoint fails, naming the cluster and address', () => {
    const state = withEndpoints(live('c1'), 'frontend', 'outbound|8000|v2|httpbin.demo.global', []);
    expect(failures(diffState(mesh.expected('c1'), state))).toEqual([
      'web-6f8d4c9b7-7hjzt.frontend outbound|8000|v2|httpbin.demo.global: missing endpoint 192.0.2.2:15443',
    ]);
  });

  test('extra endpoint: an endpoint the bundle does not render fails', () => {
    const state = withEndpoints(live('c1'), '*', 'outbound|80||echo.demo.global', [['192.0.2.2', 15443], ['198.51.100.7', 15443]]);
    expect(failures(diffState(mesh.expected('c1'), state))).toEqual([
      'sleep-5c7b9d8f4-x2kqp.default outbound|80||echo.demo.global: extra endpoint 198.51.100.7:15443',
    ]);
  });

  test('a serving cluster\'s pods: a pod missing from the endpoints, and an unhealthy one, fail', () => {
    const expected = mesh.expected('c2');
    const state = withEndpoints(live('c2'), '*', 'outbound|8000||httpbin.demo.global', [['10.1.0.11', 8080, 'UNHEALTHY']]);
    expect(failures(diffState(expected, state))).toEqual([
      'sleep-5c7b9d8f4-m4n8q.default outbound|8000||httpbin.demo.global: missing endpoint 10.1.0.12:8080; unhealthy endpoint 10.1.0.11:8080',
    ]);
  });

  test('an entry whose pods are not running fails, naming the selection', () => {
    const state = { ...live('c2'), podIps: { ...live('c2').podIps, 'demo/app=echo': [] } };
    expect(failures(diffState(mesh.expected('c2'), state))).toEqual([
      'sleep-5c7b9d8f4-m4n8q.default outbound|80||echo.demo.global: extra endpoint 10.1.0.21:8080; no running pod matches demo/app=echo, so nothing can serve it',
    ]);
  });

  test('wrong root: a cluster whose istiod runs with another CA fails with the fingerprints', () => {
    const results = diffState(mesh.expected('c1'), live('c1', otherCaPem));
    expect(failures(results)).toEqual([expect.stringMatching(
      /^roots: missing [0-9A-F:]{95} \(O=Istio, CN=Root CA\); not rendered by the mesh: [0-9A-F:]{95}: istiod runs with another CA \(was cacerts applied before istiod started\?\)$/)]);
    expect(failures(diffState(mesh.expected('c1'), live('c1', null)))).toEqual(['roots: configmap istio-system/istio-ca-root-cert not found: is istiod running?']);
  });

  test('a scoped namespace that sees a host it does not call fails: its Sidecar is not applied', () => {
    const base = live('c1');
    const [unscoped] = base.scopes.find(s => s.namespace === '*')!.proxies;
    const state = withProxies(base, 'frontend', proxy => ({ ...proxy, clusters: [...proxy.clusters, ...unscoped.clusters.filter(c => c.name.includes('echo'))] }));
    expect(failures(diffState(mesh.expected('c1'), state))).toEqual([
      'web-6f8d4c9b7-7hjzt.frontend scope: sees outbound|80||echo.demo.global, which namespace frontend does not call: is its Sidecar applied?',
    ]);
  });

  test('a missing cluster, a wrong SNI and a gateway without a filter chain fail', () => {
    const base = live('c2');
    const { scopes } = withProxies(base, undefined, proxy => ({
      ...proxy,
      clusters: proxy.clusters.filter(c => c.name !== 'outbound|80||echo.demo.global')
        .map(c => (c.name === 'outbound|8000|v1|httpbin.demo.global' ? { ...c, transportSocket: undefined } : c)),
    }));
    const gatewayListeners = base.gatewayListeners.map(l => ({ ...l, filterChains: l.filterChains!.filter(c => !c.filterChainMatch?.serverNames?.includes('outbound_.8000_.v2_.httpbin.demo.global')) }));
    expect(failures(diffState(mesh.expected('c2'), { ...base, scopes, gatewayListeners }))).toEqual([
      'sleep-5c7b9d8f4-m4n8q.default outbound|80||echo.demo.global: missing cluster: the sidecar has no outbound|80||echo.demo.global (is the ServiceEntry applied, and visible to any namespace?)',
      'sleep-5c7b9d8f4-m4n8q.default outbound|8000|v1|httpbin.demo.global: sends SNI none (plaintext), expected outbound_.8000_.v1_.httpbin.demo.global: the serving gateway routes by it',
      'istio-ingressgateway-6c8f9b7d4-w7xkp.istio-system :15443: no filter chain for outbound_.8000_.v2_.httpbin.demo.global: clients sending these names get their connection reset (is the serving ServiceEntry, or its DestinationRule subset, applied?)',
    ]);
  });

  test('no pod to ask is a skip that says what to start, not a pass', () => {
    const state = { ...live('c1'), scopes: live('c1').scopes.map(s => (s.namespace === 'frontend' ? { namespace: 'frontend', proxies: [] } : s)) };
    expect(diffState(mesh.expected('c1'), state).filter(r => r.status === VerifyStatus.SKIP)).toEqual([
      { status: VerifyStatus.SKIP, subject: 'namespace frontend', detail: expect.stringMatching(/^no running pod with an istio-proxy container to ask: start one/) },
    ]);
  });

  test('a cluster without .global clusters asks no pod: only what it has is checked', () => {
    const expected: ExpectedState = { ...mesh.expected('c1'), outbound: [], scopes: [{ namespace: '*', exclusive: false }], credentials: undefined };
    const queried: string[] = [];
    const runner: CommandRunner = (tool, args) => {
      queried.push(`${tool} ${args.slice(2, 4).join(' ')}`);
      return fakeRunner(FIXTURES, rootPem)(tool, args);
    };
    expect(diffState(expected, collectLiveState(expected, runner, 'c1')).map(r => `${r.status} ${r.subject}`)).toEqual(['ok roots']);
    expect(queried).toEqual(['kubectl get configmap']);
  });

  test('credentials: each Secret a proxy originates TLS with must exist with its keys; verify reads the keys, never the values', () => {
    // The bank's client certificate, for the frontend's web pods: MUTUAL needs all three keys.
    expect(mesh.expected('c1').credentials).toEqual([{ namespace: 'frontend', name: 'ledger-client', keys: ['cert', 'key', 'cacert'] }]);
    expect(mesh.expected('c2').credentials).toBeUndefined();
    const check = (expected: ExpectedState) => diffState(expected, collectLiveState(expected, fakeRunner(FIXTURES, rootPem), 'c1')).filter(r => r.subject.startsWith('credential'));
    expect(check(mesh.expected('c1'))).toEqual([{ status: VerifyStatus.OK, subject: 'credential frontend/ledger-client', detail: 'holds cert, key, cacert' }]);
    // A Secret that was never created, and one that lacks a key.
    const wanting = { ...mesh.expected('c1'), credentials: [{ namespace: 'frontend', name: 'ledger-client', keys: ['cert', 'key', 'cacert', 'crl'] }, { namespace: 'shop', name: 'partner-ca', keys: ['cacert'] }] };
    expect(check(wanting).map(r => `${r.status} ${r.subject}: ${r.detail}`)).toEqual([
      'fail credential frontend/ledger-client: lacks crl (holds cacert, cert, key): the proxies read cert and key as the client certificate, cacert as the server\'s CA',
      'fail credential shop/partner-ca: cannot be read (Error from server (NotFound): secrets "partner-ca" not found): TLS origination with it fails; create it (the cluster\'s README says how), or see why its ExternalSecret does not sync',
    ]);
  });

  test('discovery: where istiod discovers only labelled namespaces, a namespace running sidecars without the label fails, a pod that never started included', () => {
    // GIVEN c1 as a mesh whose istiod discovers only the mesh's namespaces (the recorded batch namespace has no label)
    const expected: ExpectedState = { ...mesh.expected('c1'), discovery: [{ 'istio-injection': 'enabled' }, { 'istio-discovery': 'enabled' }] };
    const commands: string[] = [];
    const state = collectLiveState(expected, (tool, args) => {
      commands.push(`${tool} ${args.slice(2).join(' ')}`);
      return fakeRunner(FIXTURES, rootPem)(tool, args);
    }, 'c1');

    // THEN the cluster's pods are listed once, for the unscoped clients and the check alike
    expect(commands.filter(c => c.startsWith('kubectl get pods --all-namespaces'))).toEqual(['kubectl get pods --all-namespaces -o json']);
    // and the namespaces with sidecars are read with their labels, the Pending pod's native sidecar counted
    expect(Object.keys(state.sidecarNamespaces!)).toEqual(['batch', 'default', 'frontend']);
    expect(failures(diffState(expected, state))).toEqual([
      'discovery batch: pods with a sidecar run here, but istiod discovers only namespaces labelled istio-injection=enabled or istio-discovery=enabled: '
        + 'they get no configuration, and injected pods do not start (no istio-ca-root-cert); label it istio-discovery=enabled',
    ]);
    // and once it is labelled, the check passes
    const labelled = { ...state, sidecarNamespaces: { ...state.sidecarNamespaces, batch: { 'istio-discovery': 'enabled' } } };
    expect(diffState(expected, labelled).filter(r => r.subject.startsWith('discovery'))).toEqual([
      { status: VerifyStatus.OK, subject: 'discovery', detail: 'each of the 3 namespace(s) where sidecars run is one istiod discovers' },
    ]);
    // A mesh whose istiod discovers every namespace asks for none of it.
    expect(live('c1').sidecarNamespaces).toBeUndefined();
  });

  test('remote clusters: listed and synced pass, others fail with the status', () => {
    const expected: ExpectedState = { ...mesh.expected('c1'), topology: MeshTopology.MULTI_NETWORK, outbound: [], scopes: [], remoteClusters: ['east', 'north', 'west'] };
    const text = fs.readFileSync(path.join(FIXTURES, 'remote-clusters.txt'), 'utf8');
    expect(parseRemoteClusters(text)).toEqual([{ name: 'east', status: 'synced' }, { name: 'west', status: 'timeout' }]);
    expect(failures(diffState(expected, { ...live('c1'), scopes: [], remoteClustersText: text }))).toEqual([
      'remote-clusters north: not listed: is its remote secret applied (remote-secrets.sh, or the ExternalSecret synced)?',
      'remote-clusters west: status timeout: istiod cannot read that cluster\'s API server',
    ]);
  });

  test('the report puts failures first and counts', () => {
    const state = withEndpoints(live('c1'), 'frontend', 'outbound|8000|v2|httpbin.demo.global', []);
    const report = formatReport('c1', diffState(mesh.expected('c1'), state)).split('\n');
    expect(report[0]).toBe('FAIL web-6f8d4c9b7-7hjzt.frontend outbound|8000|v2|httpbin.demo.global: missing endpoint 192.0.2.2:15443');
    expect(report[report.length - 1]).toBe('c1: 1 failed, 0 skipped, 8 ok');
  });
});

describe('multi-network', () => {
  /** c1 (network n1) serves web; c2 (network n2) calls it through c1's east-west gateway. */
  function multiNetworkMesh() {
    const dir = tempDir();
    const { app, mesh } = testMesh({ meshId: 'mesh1', topology: MeshTopology.MULTI_NETWORK }, dir);
    const c1 = new MeshCluster(mesh, 'c1', { network: 'n1', gateway: { address: '192.0.2.1' } });
    new MeshCluster(mesh, 'c2', { network: 'n2', gateway: { address: '192.0.2.2' } });
    new GlobalService(mesh, 'web', { namespace: 'shop', ports: [{ name: 'http', number: 80, targetPort: 8080 }], servedBy: [c1] });
    synthOnce(app);
    return (cluster: string) => JSON.parse(fs.readFileSync(path.join(app.outdir, cluster, 'expected-state.json'), 'utf8')) as ExpectedState;
  }
  const sni = 'outbound_.80_._.web.shop.svc.cluster.local';
  const name = 'outbound|80||web.shop.svc.cluster.local';
  const liveWith = (hosts: Array<[string, number]>): LiveState => ({
    rootCertPem: undefined, podIps: {}, gatewayListeners: [], remoteClustersText: 'NAME SECRET STATUS ISTIOD\nc1 synced x\nc2 istio-system/istio-remote-secret-c2 synced x\n',
    scopes: [{
      namespace: '*',
      proxies: [{
        pod: 'sleep-1.default',
        clusters: [{ name, transportSocketMatches: [{ name: 'tlsMode-istio', transportSocket: { typedConfig: { sni } } }] }],
        endpoints: [{ name, hostStatuses: hosts.map(([address, portValue]) => ({ address: { socketAddress: { address, portValue } }, healthStatus: { edsHealthStatus: 'HEALTHY' } })) }],
      }],
    }],
  });

  test('a consumer on another network expects the serving network\'s east-west gateway among the endpoints; the server\'s gateway routes the name', () => {
    const expected = multiNetworkMesh();
    expect(expected('c2').outbound).toEqual([{ name, sni, endpoints: [{ port: 15443, address: '192.0.2.1' }], partial: true }]);
    expect(expected('c1').outbound).toEqual([{ name, sni, endpoints: [{ port: 8080, pods: { namespace: 'shop', labels: { app: 'web' } } }], partial: true }]);
    expect(expected('c1').gateway).toEqual({ namespace: 'istio-system', selector: { istio: 'eastwestgateway' }, listenerPort: 15443, serverNames: [sni] });
    expect(expected('c2').gateway?.serverNames).toEqual([]);
    expect(expected('c2').remoteClusters).toEqual(['c1', 'c2']);

    // Pods of the client's own network may come unnamed; the gateway must be there.
    const c2 = expected('c2');
    const results = (hosts: Array<[string, number]>) => failures(diffState(c2, liveWith(hosts))).filter(f => !f.startsWith('roots') && !f.startsWith('gateway'));
    expect(results([['192.0.2.1', 15443], ['10.2.0.9', 8080]])).toEqual([]);
    expect(results([['10.2.0.9', 8080]])).toEqual([`sleep-1.default ${name}: missing endpoint 192.0.2.1:15443`]);
  });
});

describe('ambient', () => {
  /** c1 (network n1) serves web; api runs in both; c2 (network n2) consumes web. */
  function ambientMesh() {
    const { app, mesh } = testMesh({ meshId: 'mesh1', topology: MeshTopology.AMBIENT }, tempDir());
    const c1 = new MeshCluster(mesh, 'c1', { network: 'n1', gateway: { address: '192.0.2.1' }, apiServer: 'https://192.0.2.11:6443' });
    const c2 = new MeshCluster(mesh, 'c2', { network: 'n2', gateway: { address: '192.0.2.2' }, apiServer: 'https://192.0.2.12:6443' });
    new GlobalService(mesh, 'web', { namespace: 'shop', ports: [{ name: 'http', number: 80, targetPort: 8080 }], servedBy: [c1], consumers: [c2] });
    new GlobalService(mesh, 'api', { namespace: 'shop', ports: [{ name: 'http', number: 80 }], servedBy: [c1, c2] });
    // c2 calls a catalogue through its egress waypoint.
    new ExternalService(mesh, 'catalogue', {
      namespace: 'egress', hosts: ['api.catalogue.example.com'], ports: [{ name: 'http', number: 80, targetPort: 443 }], tls: { mode: TlsOriginationMode.SIMPLE }, egressGateway: true, clusters: [c2],
    });
    synthOnce(app);
    return (cluster: string) => JSON.parse(fs.readFileSync(path.join(app.outdir, cluster, 'expected-state.json'), 'utf8')) as ExpectedState;
  }
  const expected = ambientMesh();
  const web = 'web.shop.svc.cluster.local';
  const api = 'api.shop.svc.cluster.local';
  /** A ztunnel's services as `istioctl ztunnel-config services <pod> -o json` prints them (istioctl's ZtunnelService). */
  const ztunnelService = (hostname: string, workloads: string[]) => ({
    name: hostname.split('.')[0], namespace: 'shop', hostname, vips: ['n2/10.96.0.17'], ports: { 80: 8080 }, ipFamilies: 'IPv4',
    endpoints: Object.fromEntries(workloads.map(uid => [uid, { workloadUid: uid, service: '', port: { 80: 8080 } }])),
  });
  /** `null` plays a cluster without a running ztunnel. */
  const liveWith = (services: object[], ztunnelPod: string | null = 'ztunnel-x1.istio-system', waypointStatus: LiveState['waypointStatus'] = { 'egress/egress-waypoint': { programmed: true } }): LiveState => ({
    rootCertPem: undefined, podIps: {}, gatewayListeners: [], scopes: [], ztunnelPod: ztunnelPod ?? undefined, ztunnelServices: services as LiveState['ztunnelServices'],
    remoteClustersText: 'NAME SECRET STATUS ISTIOD\nc1 istio-system/istio-remote-secret-c1 synced x\nc2 synced x\n', waypointStatus,
  });
  const results = (live: LiveState) => diffState(expected('c2'), live).filter(r => r.subject !== 'roots').map(r => `${r.status} ${r.subject}: ${r.detail}`);

  test('each cluster expects the global services it serves or consumes, with where they run; no sidecar scope', () => {
    expect(expected('c2').ambientServices).toEqual([
      { host: api, servedHere: true, servedElsewhere: ['c1'] },
      { host: web, servedHere: false, servedElsewhere: ['c1'] },
    ]);
    expect(expected('c1').ambientServices).toEqual([
      { host: api, servedHere: true, servedElsewhere: ['c2'] },
      { host: web, servedHere: true, servedElsewhere: [] },
    ]);
    expect([expected('c2').scopes, expected('c2').outbound, expected('c2').gateway]).toEqual([[], [], undefined]);
  });

  test('matching: ztunnel knows every service, with endpoints', () => {
    expect(results(liveWith([ztunnelService(web, ['c1//Pod/shop/web-1']), ztunnelService(api, ['c2//Pod/shop/api-1', 'c1//Pod/shop/api-2'])]))).toEqual([
      'ok remote-clusters c1: synced',
      'ok remote-clusters c2: synced',
      `ok ztunnel-x1.istio-system ${api}: 2 endpoint(s)`,
      `ok ztunnel-x1.istio-system ${web}: 1 endpoint(s)`,
      'ok waypoint egress/egress-waypoint: programmed',
    ]);
  });

  test('each waypoint the bundle renders must be programmed; verify reads its Gateway\'s Programmed condition', () => {
    expect([expected('c1').waypoints, expected('c2').waypoints]).toEqual([undefined, [{ namespace: 'egress', name: 'egress-waypoint' }]]);
    const waypoint = (status: LiveState['waypointStatus']) => results(liveWith([ztunnelService(web, ['c1//Pod/shop/web-1']), ztunnelService(api, ['c2//Pod/shop/api-1'])], undefined, status))
      .filter(r => r.includes('waypoint'));
    expect(waypoint({ 'egress/egress-waypoint': { programmed: false, reason: 'Invalid', message: 'GatewayClass istio-waypoint not found' } })).toEqual([
      'fail waypoint egress/egress-waypoint: not programmed (Invalid: GatewayClass istio-waypoint not found): ztunnel sends the traffic of the services that use it there, '
        + 'which fails until istiod deploys it (is Istio\'s istio-waypoint GatewayClass there?)',
    ]);
    expect(waypoint({ 'egress/egress-waypoint': { error: 'error: the server doesn\'t have a resource type "gateways"' } })).toEqual([
      'fail waypoint egress/egress-waypoint: cannot be read (error: the server doesn\'t have a resource type "gateways"): are the Gateway API CRDs installed and mesh/ applied?',
    ]);
    // Read from the cluster: the Gateway's status, as kubectl prints it.
    const gateway = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', status: { conditions: [{ type: 'Accepted', status: 'True' }, { type: 'Programmed', status: 'False', reason: 'Pending', message: 'waiting for deployment' }] } };
    const calls: string[] = [];
    const run: CommandRunner = (tool, args) => {
      calls.push(`${tool} ${args.join(' ')}`);
      if (args.includes('gateways.gateway.networking.k8s.io')) return JSON.stringify(gateway);
      if (args.includes('configmap')) throw new Error('not found');
      return args.includes('pods') ? JSON.stringify({ items: [] }) : 'NAME SECRET STATUS ISTIOD\n';
    };
    expect(collectLiveState(expected('c2'), run, 'c2').waypointStatus).toEqual({ 'egress/egress-waypoint': { programmed: false, reason: 'Pending', message: 'waiting for deployment' } });
    expect(calls).toContain('kubectl --context c2 get gateways.gateway.networking.k8s.io egress-waypoint -n egress -o json');
  });

  test('a service unknown to ztunnel, and one served only elsewhere without endpoints, fail saying where to look', () => {
    expect(results(liveWith([ztunnelService(web, [])])).filter(r => r.startsWith('fail'))).toEqual([
      `fail ztunnel-x1.istio-system ${api}: unknown to ztunnel: is its Service applied in c2, labelled istio.io/global, in a namespace of the ambient data plane?`,
      `fail ztunnel-x1.istio-system ${web}: no endpoint: its pods run in c1, which istiod here does not see (is the remote secret applied, the Service labelled istio.io/global there, the east-west gateway up?)`,
    ]);
    expect(results(liveWith([], null)).filter(r => r.startsWith('fail'))).toEqual([
      'fail ztunnel: no running ztunnel pod in istio-system (app=ztunnel): is the ambient data plane installed?',
    ]);
  });

  test('the live state is read from a running ztunnel pod', () => {
    const calls: string[] = [];
    const run: CommandRunner = (tool, args) => {
      calls.push(`${tool} ${args.join(' ')}`);
      if (args.includes('configmap')) throw new Error('not found');
      if (args.includes('pods')) {
        return JSON.stringify({ items: [{ metadata: { name: 'ztunnel-x1', namespace: 'istio-system', labels: { app: 'ztunnel' } }, spec: { containers: [{ name: 'istio-proxy' }] }, status: { phase: 'Running', podIP: '10.0.0.5' } }] });
      }
      if (args.includes('ztunnel-config')) return JSON.stringify([ztunnelService(web, ['c1//Pod/shop/web-1'])]);
      return 'NAME SECRET STATUS ISTIOD\n';
    };
    const state = collectLiveState(expected('c2'), run, 'c2');
    expect([state.ztunnelPod, state.ztunnelServices?.map(s => s.hostname)]).toEqual(['ztunnel-x1.istio-system', [web]]);
    expect(calls).toContain('kubectl --context c2 get pods -n istio-system -l app=ztunnel -o json');
    expect(calls).toContain('istioctl --context c2 ztunnel-config services ztunnel-x1.istio-system -o json');
  });
});

describe('the verify command', () => {
  test('runs kubectl and istioctl on the cluster\'s context, prints the report and exits 1 on a failure', () => {
    // GIVEN kubectl and istioctl on PATH that answer from the recordings, with another CA's root in c1
    const bin = tempDir('fake-tools-');
    for (const tool of ['kubectl', 'istioctl']) {
      fs.writeFileSync(path.join(bin, tool), `#!/bin/sh\nexec node ${JSON.stringify(path.join(__dirname, 'fake-tool.js'))} ${tool} "$@"\n`, { mode: 0o755 });
    }
    const rootFile = path.join(bin, 'root.pem');
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_FIXTURES: FIXTURES, FAKE_ROOT_CERT_FILE: rootFile, TS_NODE_TRANSPILE_ONLY: 'true' };
    const verify = (...args: string[]) => spawnSync(process.execPath, ['-r', 'ts-node/register', path.join(ROOT, 'src/verify/cli.ts'), 'verify', ...args], { cwd: ROOT, env, encoding: 'utf8' });

    fs.writeFileSync(rootFile, rootPem);
    const passing = verify(path.join(mesh.app.outdir, 'c2/expected-state.json'));
    expect(passing.stdout).toMatch(/^c2: 0 failed, 0 skipped, 6 ok$/m);
    expect(passing.status).toBe(0);

    fs.writeFileSync(rootFile, otherCaPem);
    const failing = verify(path.join(mesh.app.outdir, 'c1/expected-state.json'), '--json');
    expect(failing.status).toBe(1);
    expect(JSON.parse(failing.stdout).results.filter((r: VerifyResult) => r.status === 'fail').map((r: VerifyResult) => r.subject)).toEqual(['roots']);

    fs.writeFileSync(rootFile, rootPem);
    expect(verify(path.join(mesh.app.outdir, 'c1/expected-state.json')).status).toBe(0);
    const everyPod = verify(path.join(mesh.app.outdir, 'c1/expected-state.json'), '--all-pods');
    expect([everyPod.status, everyPod.stdout]).toEqual([1, expect.stringMatching(/^FAIL sleep-5c7b9d8f4-zr7wd.default outbound\|80\|\|echo.demo.global: missing cluster/)]);
  });

  test('says why it cannot run: usage, an unreadable file, a failing tool', () => {
    const out: string[] = [];
    const run: CommandRunner = () => {
      throw new Error('Command failed: kubectl --context c9 get pods\nerror: context "c9" does not exist');
    };
    expect(main(['verify'], run, t => out.push(t))).toBe(2);
    expect(out.pop()).toMatch(/^usage: cdk8s-istio-multicluster verify/);
    expect(main(['verify', '/nonexistent.json'], run, t => out.push(t))).toBe(2);
    expect(out.pop()).toMatch(/^verify: cannot read \/nonexistent.json/);
    expect(main(['verify', path.join(mesh.app.outdir, 'c1/expected-state.json'), '--context', 'c9'], run, t => out.push(t))).toBe(2);
    expect(out.pop()).toMatch(/^verify: reading cluster c1 through context c9 failed: .*context "c9" does not exist/s);
    const stale = path.join(tempDir(), 'old.json');
    fs.writeFileSync(stale, JSON.stringify({ format: 'something/else' }));
    expect(main(['verify', stale], run, t => out.push(t))).toBe(2);
    expect(out.pop()).toMatch(/is not an expected-state file of this version/);
    // A CI that reads --json gets JSON even then.
    expect(main(['verify', '/nonexistent.json', '--json'], run, t => out.push(t))).toBe(2);
    expect(JSON.parse(out.pop()!)).toEqual({ error: expect.stringMatching(/^verify: cannot read \/nonexistent.json/) });
  });

  test('refuses a command line it cannot read whole, naming what is wrong, and prints its usage on --help', () => {
    const out: string[] = [];
    const run: CommandRunner = () => {
      throw new Error('no tool may run for a command line verify refuses');
    };
    const file = path.join(mesh.app.outdir, 'c1/expected-state.json');
    // A mistyped option would otherwise verify the cluster's default context quietly.
    for (const [argv, problem] of [
      [['verify', file, '--contxt', 'prod-east'], /^verify: Unknown option '--contxt'\n\nusage: /],
      [['verify', file, '--context'], /^verify: Option '--context <value>' argument missing\n\nusage: /],
      [['verify', file, '--json=yes'], /^verify: Option '--json' does not take an argument\n\nusage: /],
      [['verify', file, path.join(mesh.app.outdir, 'c2/expected-state.json'), '--context', 'prod'], /^verify: --context names the context of one cluster, and 2 files are given: verify them one at a time, or set each cluster's CTX_<CLUSTER>\n\nusage: /],
    ] as const) {
      expect(main(argv, run, t => out.push(t))).toBe(2);
      expect(out.pop()).toMatch(problem);
    }
    expect(main(['verify', '--help'], run, t => out.push(t))).toBe(0);
    expect(out.pop()).toMatch(/^usage: cdk8s-istio-multicluster verify .*--context <kube context>/);
  });

  test('verifies several files, each through its own cluster\'s context (CTX_<CLUSTER> when set), and exits with the worst status', () => {
    // GIVEN the recorded clusters, and a CTX_C1 that names c1's context otherwise
    const contexts: string[] = [];
    const runner = (pem: string): CommandRunner => {
      const recorded = fakeRunner(FIXTURES, pem);
      return (tool, args) => {
        const context = args[args.indexOf('--context') + 1];
        contexts.push(context);
        return recorded(tool, args.map(a => (a === 'prod-c1' ? 'c1' : a)));
      };
    };
    const files = ['c1', 'c2'].map(c => path.join(mesh.app.outdir, c, 'expected-state.json'));
    const env = { CTX_C1: 'prod-c1' };
    const out: string[] = [];

    // WHEN both are verified at once, as JSON
    const status = main(['verify', ...files, '--json'], runner(rootPem), t => out.push(t), env);

    // THEN each is read through its context and reported in an entry of its own
    expect(status).toBe(0);
    expect([...new Set(contexts)]).toEqual(['prod-c1', 'c2']);
    const entries = JSON.parse(out.pop()!);
    expect(entries.map((e: { file: string; cluster: string; context: string }) => [e.file, e.cluster, e.context])).toEqual([[files[0], 'c1', 'prod-c1'], [files[1], 'c2', 'c2']]);
    expect(entries.every((e: { results: VerifyResult[] }) => e.results.length > 0 && e.results.every(r => r.status !== VerifyStatus.FAIL))).toBe(true);

    // AND a failing check anywhere exits 1; a file that cannot be verified, 2, after the others are reported
    expect(main(['verify', ...files], runner(otherCaPem), t => out.push(t), env)).toBe(1);
    expect(out.pop()).toMatch(/^FAIL roots: [\s\S]*\nc1: 1 failed, 0 skipped, 8 ok\n\nFAIL roots: [\s\S]*\nc2: 1 failed, 0 skipped, 5 ok\n\nverify: 2 files, 2 failing \(c1, c2\), 0 not verified$/);
    expect(main(['verify', files[0], '/nonexistent.json'], runner(rootPem), t => out.push(t), env)).toBe(2);
    expect(out.pop()).toMatch(/\nc1: 0 failed, 0 skipped, 9 ok\n\nverify: cannot read \/nonexistent.json: [^\n]*\n\nverify: 2 files, 0 failing, 1 not verified \(\/nonexistent.json\)$/);
    expect(main(['verify', files[0], '/nonexistent.json', '--json'], runner(otherCaPem), t => out.push(t), env)).toBe(2);
    expect(JSON.parse(out.pop()!).map((e: { cluster?: string; error?: string }) => e.cluster ?? e.error))
      .toEqual(['c1', expect.stringMatching(/^verify: cannot read \/nonexistent.json/)]);
  });

  test('--strict counts a skipped scope as a failure: right after a rollout, a scope without a running pod is not done', () => {
    // GIVEN a cluster whose frontend namespace has no running pod yet
    const recorded = fakeRunner(FIXTURES, rootPem);
    const noFrontendPod: CommandRunner = (tool, args) => (tool === 'kubectl' && args.includes('pods') && args.includes('frontend') ? JSON.stringify({ items: [] }) : recorded(tool, args));
    const file = path.join(mesh.app.outdir, 'c1/expected-state.json');
    const out: string[] = [];

    // THEN the scope is skipped, which passes by default and fails with --strict
    expect(main(['verify', file], noFrontendPod, t => out.push(t))).toBe(0);
    expect(out.pop()).toMatch(/^SKIP namespace frontend: no running pod[\s\S]*\nc1: 0 failed, 1 skipped, /m);
    expect(main(['verify', file, '--strict'], noFrontendPod, t => out.push(t))).toBe(1);
    expect(main(['verify', file, '--strict'], recorded, t => out.push(t))).toBe(0);
  });

  test('takes --context=<name> as well as --context <name>', () => {
    const contexts: string[] = [];
    const run: CommandRunner = (_tool, args) => {
      contexts.push(args[args.indexOf('--context') + 1]);
      throw new Error('stop here');
    };
    const file = path.join(mesh.app.outdir, 'c1/expected-state.json');
    main(['verify', file, '--context=prod-east'], run, () => undefined);
    main(['verify', '--context', 'prod-west', file], run, () => undefined);
    main(['verify', file], run, () => undefined);
    expect([...new Set(contexts)]).toEqual(['prod-east', 'prod-west', 'c1']);
  });
});

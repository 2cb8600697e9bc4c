import { X509Certificate } from 'crypto';
import { splitPemBundle } from '../pki/x509';
import { formatLabels, selectorMatches } from '../validation/names';
import { ExpectedCluster, ExpectedEndpoint, ExpectedScope, ExpectedState, hostOf, scopeClusters, scopeToCheck } from '../render/expected-state';
import { DISCOVERY_LABEL } from '../render/namespace-labels';
import { EnvoyCluster, LiveProxy, LiveState, selectionKey } from './live-state';

/** How one check of `verify` came out. */
export enum VerifyStatus {
  OK = 'ok',
  FAIL = 'fail',
  /** Could not be checked (no pod to ask, no CA declared): says what is missing. */
  SKIP = 'skip',
}

/** One line of the report. */
export interface VerifyResult {
  readonly status: VerifyStatus;
  /** What was checked: `roots`, `<pod> outbound|...`, the gateway, `remote-clusters <cluster>`, `<ztunnel pod> <host>`. */
  readonly subject: string;
  readonly detail: string;
}

const ok = (subject: string, detail: string): VerifyResult => ({ status: VerifyStatus.OK, subject, detail });
const fail = (subject: string, detail: string): VerifyResult => ({ status: VerifyStatus.FAIL, subject, detail });
const skip = (subject: string, detail: string): VerifyResult => ({ status: VerifyStatus.SKIP, subject, detail });

const list = (items: readonly string[]) => items.join(', ');

/** Fingerprints of every certificate in a PEM bundle. */
function fingerprints(pem: string): string[] {
  return splitPemBundle(pem).map(b => new X509Certificate(b).fingerprint256).sort();
}

function checkRoots(expected: ExpectedState, live: LiveState): VerifyResult[] {
  if (expected.roots.length === 0) return [skip('roots', 'the mesh declares no CA, so there is no root to compare')];
  if (live.rootCertPem === undefined) return [fail('roots', 'configmap istio-system/istio-ca-root-cert not found: is istiod running?')];
  const want = expected.roots.map(r => r.sha256);
  const have = fingerprints(live.rootCertPem);
  const missing = want.filter(f => !have.includes(f));
  const extra = have.filter(f => !want.includes(f));
  if (missing.length === 0 && extra.length === 0) return [ok('roots', `${want.length} root(s) as rendered`)];
  return [fail('roots', [
    ...(missing.length ? [`missing ${list(missing)} (${list(expected.roots.filter(r => missing.includes(r.sha256)).map(r => r.subject))})`] : []),
    ...(extra.length ? [`not rendered by the mesh: ${list(extra)}: istiod runs with another CA (was cacerts applied before istiod started?)`] : []),
  ].join('; '))];
}

/** The SNI a live cluster sends: its TLS socket's, or the `tlsMode-istio` match's under auto-mTLS. */
function sniOf(cluster: EnvoyCluster): string | undefined {
  return cluster.transportSocket?.typedConfig?.sni
    ?? cluster.transportSocketMatches?.find(m => m.name === 'tlsMode-istio')?.transportSocket?.typedConfig?.sni;
}

/** `address:port` of every endpoint the expectation pins; for a hostname, any address on its port. */
function checkEndpoints(subject: string, want: ExpectedCluster, have: ReadonlyArray<{ address: string; port: number; healthy: boolean }>, live: LiveState): VerifyResult[] {
  const exact = new Set<string>();
  const open: ExpectedEndpoint[] = [];
  for (const e of want.endpoints) {
    if (e.address) exact.add(`${e.address}:${e.port}`);
    else if (e.pods) (live.podIps[selectionKey(e.pods.namespace, e.pods.labels)] ?? []).forEach(ip => exact.add(`${ip}:${e.port}`));
    else open.push(e);
  }
  const seen = have.map(h => `${h.address}:${h.port}`);
  const missing = [...exact].filter(a => !seen.includes(a));
  const unexplained = have.filter(h => !exact.has(`${h.address}:${h.port}`));
  // A hostname endpoint (a gateway's DNS name) resolves to addresses verify cannot know: one per port is owed.
  const unresolved = open.filter(e => !unexplained.some(h => h.port === e.port));
  // A partial expectation (multi-network) lets the pods of the client's own network come in unnamed.
  const extra = want.partial ? [] : unexplained.filter(h => !open.some(e => e.port === h.port)).map(h => `${h.address}:${h.port}`);
  const unhealthy = have.filter(h => !h.healthy).map(h => `${h.address}:${h.port}`);
  const problems = [
    ...(missing.length ? [`missing endpoint ${list(missing)}`] : []),
    ...(unresolved.length ? [`no endpoint for ${list(unresolved.map(e => `${e.hostname}:${e.port}`))}`] : []),
    ...(extra.length ? [`extra endpoint ${list(extra)}`] : []),
    ...(unhealthy.length ? [`unhealthy endpoint ${list(unhealthy)}`] : []),
  ];
  const selections = want.endpoints.filter(e => e.pods);
  if (selections.length > 0 && exact.size === 0 && open.length === 0) {
    problems.push(`no running pod matches ${selections.map(e => `${e.pods!.namespace}/${formatLabels(e.pods!.labels)}`).join(', ')}, so nothing can serve it`);
  }
  return problems.length === 0 ? [ok(subject, `${have.length} endpoint(s) as rendered`)] : [fail(subject, problems.join('; '))];
}

/** What every proxy's check reads of the expected state: its clusters by name, and the hosts they are of. */
interface OutboundIndex {
  readonly byName: ReadonlyMap<string, ExpectedCluster>;
  readonly meshHosts: ReadonlySet<string>;
}

function checkScopes(expected: ExpectedState, live: LiveState): VerifyResult[] {
  const index: OutboundIndex = { byName: new Map(expected.outbound.map(c => [c.name, c])), meshHosts: new Set(expected.outbound.map(c => hostOf(c.name))) };
  return expected.scopes.flatMap((scope, i) => {
    if (!scopeToCheck(expected, scope)) return [];
    const where = `${scope.namespace === '*' ? 'any namespace' : `namespace ${scope.namespace}`}${scope.selector ? ` (${formatLabels(scope.selector)})` : ''}`;
    // One live scope per expected one, in order: a namespace can have a Sidecar per workload selector.
    const proxies = live.scopes[i]?.proxies ?? [];
    if (proxies.length === 0) return [skip(where, 'no running pod with an istio-proxy container to ask: start one (e.g. a sleep pod) and run verify again')];
    return proxies.flatMap(proxy => checkProxy(expected, index, scope, where, proxy, live));
  });
}

/** One proxy of a scope: every `.global` cluster the scope expects, and none beyond them where a Sidecar scopes it. */
function checkProxy(expected: ExpectedState, { byName, meshHosts }: OutboundIndex, scope: ExpectedScope, where: string, proxy: LiveProxy, live: LiveState): VerifyResult[] {
  const clusters = new Map(proxy.clusters.map(c => [c.name, c]));
  const endpoints = new Map(proxy.endpoints.map(e => [e.name, (e.hostStatuses ?? []).filter(h => h.address?.socketAddress).map(h => ({
    address: h.address!.socketAddress!.address,
    port: h.address!.socketAddress!.portValue,
    healthy: (h.healthStatus?.edsHealthStatus ?? 'HEALTHY') === 'HEALTHY' && !h.healthStatus?.failedOutlierCheck,
  }))]));
  const expectedNames = scopeClusters(expected, scope);
  const expectedSet = new Set(expectedNames);
  const results = expectedNames.flatMap(name => {
    const subject = `${proxy.pod} ${name}`;
    const want = byName.get(name)!;
    const cluster = clusters.get(name);
    if (!cluster) return [fail(subject, `missing cluster: the sidecar has no ${name} (is the ServiceEntry applied, and visible to ${where}?)`)];
    const sni = sniOf(cluster);
    const sniProblem = sni === want.sni ? [] : [fail(subject, `sends SNI ${sni ?? 'none (plaintext)'}, expected ${want.sni}: the serving gateway routes by it`)];
    return [...sniProblem, ...checkEndpoints(subject, want, endpoints.get(name) ?? [], live)];
  });
  // A scoped namespace must not see the rest: the Sidecar that scopes it is not applied otherwise.
  const leaked = scope.exclusive ? [...clusters.keys()].filter(name => meshHosts.has(hostOf(name)) && !expectedSet.has(name)).sort() : [];
  return [
    ...results,
    ...(leaked.length ? [fail(`${proxy.pod} scope`, `sees ${list(leaked)}, which ${where} does not call: is its Sidecar applied?`)] : []),
  ];
}

function checkGateway(expected: ExpectedState, live: LiveState): VerifyResult[] {
  const gateway = expected.gateway;
  if (!gateway) return [];
  if (!live.gatewayPod) return [fail('gateway', `no running pod in ${gateway.namespace} matches ${JSON.stringify(gateway.selector)}: is the cross-cluster gateway installed?`)];
  const names = new Set(live.gatewayListeners.flatMap(l => (l.filterChains ?? []).flatMap(c => c.filterChainMatch?.serverNames ?? [])));
  const wanted = gateway.serverNames ?? expected.outbound.map(c => c.sni);
  const missing = wanted.filter(n => !names.has(n));
  return missing.length === 0
    ? [ok(`${live.gatewayPod} :${gateway.listenerPort}`, `${wanted.length} SNI filter chain(s) as rendered`)]
    : [fail(`${live.gatewayPod} :${gateway.listenerPort}`, `no filter chain for ${list(missing)}: clients sending these names get their connection reset (is the serving ServiceEntry, or its DestinationRule subset, applied?)`)];
}

/**
 * `istioctl remote-clusters` rows: NAME, SECRET (empty for the cluster itself), STATUS, ISTIOD; split on
 * whitespace, the status being the field before the istiod pod's name.
 */
export function parseRemoteClusters(text: string): Array<{ readonly name: string; readonly status: string }> {
  return text.split('\n').map(line => line.trim().split(/\s+/)).filter(fields => fields.length >= 3 && fields[0] !== 'NAME')
    .map(fields => ({ name: fields[0], status: fields[fields.length - 2] }));
}

function checkRemoteClusters(expected: ExpectedState, live: LiveState): VerifyResult[] {
  if (!expected.remoteClusters) return [];
  const rows = parseRemoteClusters(live.remoteClustersText ?? '');
  return expected.remoteClusters.map(name => {
    const row = rows.find(r => r.name === name);
    if (!row) return fail(`remote-clusters ${name}`, 'not listed: is its remote secret applied (remote-secrets.sh, or the ExternalSecret synced)?');
    return row.status === 'synced' ? ok(`remote-clusters ${name}`, 'synced') : fail(`remote-clusters ${name}`, `status ${row.status}: istiod cannot read that cluster's API server`);
  });
}

/**
 * Each global service of an ambient cluster must be known to its ztunnels, with endpoints: where it runs
 * only in other clusters, those can only come from them, so none means istiod here does not see them.
 */
function checkAmbientServices(expected: ExpectedState, live: LiveState): VerifyResult[] {
  const services = expected.ambientServices;
  if (!services) return [];
  if (!live.ztunnelPod) return [fail('ztunnel', 'no running ztunnel pod in istio-system (app=ztunnel): is the ambient data plane installed?')];
  const known = new Map((live.ztunnelServices ?? []).map(s => [s.hostname, s]));
  return services.map(want => {
    const subject = `${live.ztunnelPod} ${want.host}`;
    const have = known.get(want.host);
    if (!have) {
      return fail(subject, `unknown to ztunnel: is its Service applied in ${expected.cluster}, labelled istio.io/global, in a namespace of the ambient data plane?`);
    }
    const endpoints = Object.keys(have.endpoints ?? {}).length;
    if (endpoints > 0) return ok(subject, `${endpoints} endpoint(s)`);
    return fail(subject, want.servedHere
      ? `no endpoint: none of its pods runs${want.servedElsewhere.length ? ` here or in ${list(want.servedElsewhere)}` : ' here'}`
      : `no endpoint: its pods run in ${list(want.servedElsewhere)}, which istiod here does not see (is the remote secret applied, the Service labelled istio.io/global there, the east-west gateway up?)`);
  });
}

/** Compares a cluster's live state with what its bundle makes it expect; pure, so it is tested on recorded output. */
export function diffState(expected: ExpectedState, live: LiveState): VerifyResult[] {
  return [
    ...checkRoots(expected, live), ...checkScopes(expected, live), ...checkGateway(expected, live), ...checkRemoteClusters(expected, live),
    ...checkAmbientServices(expected, live), ...checkWaypoints(expected, live), ...checkDiscovery(expected, live), ...checkCredentials(expected, live),
  ];
}

/** Where istiod discovers only labelled namespaces: each namespace where sidecars run must be one of them. */
function checkDiscovery(expected: ExpectedState, live: LiveState): VerifyResult[] {
  if (!expected.discovery) return [];
  const namespaces = Object.entries(live.sidecarNamespaces ?? {});
  const undiscovered = namespaces.filter(([, labels]) => !expected.discovery!.some(set => selectorMatches(set, labels))).map(([namespace]) => namespace);
  if (undiscovered.length === 0) return [ok('discovery', `each of the ${namespaces.length} namespace(s) where sidecars run is one istiod discovers`)];
  const labelled = expected.discovery.map(set => formatLabels(set)).join(' or ');
  return undiscovered.map(namespace => fail(`discovery ${namespace}`, `pods with a sidecar run here, but istiod discovers only namespaces labelled ${labelled}: `
    + `they get no configuration, and injected pods do not start (no istio-ca-root-cert); label it ${formatLabels(DISCOVERY_LABEL)}`));
}

/** Each waypoint the bundle renders must be programmed: until it is, what ztunnel sends it goes nowhere. */
function checkWaypoints(expected: ExpectedState, live: LiveState): VerifyResult[] {
  return (expected.waypoints ?? []).map(({ namespace, name }) => {
    const subject = `waypoint ${namespace}/${name}`;
    const status = live.waypointStatus?.[`${namespace}/${name}`];
    if (!status || 'error' in status) {
      return fail(subject, `cannot be read (${status?.error ?? 'not looked up'}): are the Gateway API CRDs installed and mesh/ applied?`);
    }
    if (status.programmed) return ok(subject, 'programmed');
    const why = [status.reason, status.message].filter(Boolean).join(': ');
    return fail(subject, `not programmed${why ? ` (${why})` : ''}: ztunnel sends the traffic of the services that use it there, which fails until istiod deploys it (is Istio's istio-waypoint GatewayClass there?)`);
  });
}

/** Each Secret a proxy originates TLS with must exist with the keys its services' modes need. */
function checkCredentials(expected: ExpectedState, live: LiveState): VerifyResult[] {
  return (expected.credentials ?? []).map(({ namespace, name, keys }) => {
    const subject = `credential ${namespace}/${name}`;
    const found = live.credentialKeys?.[`${namespace}/${name}`];
    if (!found || 'error' in found) {
      return fail(subject, `cannot be read (${found?.error ?? 'not looked up'}): TLS origination with it fails; create it (the cluster's README says how), or see why its ExternalSecret does not sync`);
    }
    const missing = keys.filter(k => !found.keys.includes(k));
    return missing.length === 0 ? ok(subject, `holds ${list(keys)}`)
      : fail(subject, `lacks ${list(missing)} (holds ${list(found.keys) || 'nothing'}): the proxies read cert and key as the client certificate, cacert as the server's CA`);
  });
}

/** The report for people: one line per check, failures first, and a summary. */
export function formatReport(cluster: string, results: readonly VerifyResult[]): string {
  const mark = { [VerifyStatus.FAIL]: 'FAIL', [VerifyStatus.SKIP]: 'SKIP', [VerifyStatus.OK]: 'ok  ' };
  const rank = { [VerifyStatus.FAIL]: 0, [VerifyStatus.SKIP]: 1, [VerifyStatus.OK]: 2 };
  const sorted = [...results].sort((a, b) => rank[a.status] - rank[b.status]);
  const count = (s: VerifyStatus) => results.filter(r => r.status === s).length;
  return [
    ...sorted.map(r => `${mark[r.status]} ${r.subject}: ${r.detail}`),
    `${cluster}: ${count(VerifyStatus.FAIL)} failed, ${count(VerifyStatus.SKIP)} skipped, ${count(VerifyStatus.OK)} ok`,
  ].join('\n');
}

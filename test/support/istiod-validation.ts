import { isIP } from 'net';

/**
 * What istiod's validating webhook refuses in an Istio object beyond its CRD schema and CEL rules: a model of
 * the error rules of istio/istio `pkg/config/validation` (validation.go, virtualservice.go, agent/) for the
 * kinds the library renders. Warnings are left out: the API server stores those objects. Each line names
 * the object and what istiod would say.
 */
export function istiodRefusals(object: IstioObject): string[] {
  const check = CHECKS[object.kind];
  if (!check) return [];
  const where = `${object.kind} ${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? '?'}`;
  const problems: string[] = [];
  check(object.spec ?? {}, object, problem => problems.push(`${where}: istiod refuses it: ${problem}`));
  return problems;
}

interface IstioObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly spec?: Spec;
}

// The objects are parsed YAML, whose shape the schema check has vouched for.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Spec = any;
type Report = (problem: string) => void;

// istio's pkg/config/labels: DNS-1123 labels, upper case allowed, and wildcard first labels.
const LABEL = /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const WILDCARD_LABEL = /^(\*|(\*|\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)$/;
const isLabel = (value: string) => value.length <= 63 && LABEL.test(value);

/** ValidateDNS1123Labels: every label valid, the last not all digits (a trailing dot allowed). */
function dnsLabelsProblem(domain: string): string | undefined {
  const parts = domain.split('.');
  if (/^[0-9]+$/.test(parts[parts.length - 1])) return `domain name "${domain}" invalid (top level domain cannot be all-numeric)`;
  const bad = parts.find((label, i) => !(i === parts.length - 1 && label === '') && !isLabel(label));
  return bad === undefined ? undefined : `domain name "${domain}" invalid (label "${bad}" invalid)`;
}

function fqdnProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > 255) return `domain name "${name}" empty or over 255 characters`;
  return dnsLabelsProblem(name);
}

/** ValidateWildcardDomain: a wildcard allowed in the first label only. */
function wildcardDomainProblem(domain: string): string | undefined {
  if (domain.length === 0 || domain.length > 255) return `domain name "${domain}" empty or over 255 characters`;
  const dot = domain.indexOf('.');
  const first = dot < 0 ? domain : domain.slice(0, dot);
  if (first.length > 63 || !WILDCARD_LABEL.test(first)) return `domain name "${domain}" invalid (label "${first}" invalid)`;
  return dot < 0 ? undefined : dnsLabelsProblem(domain.slice(dot + 1));
}

const isIpOrCidr = (value: string) => {
  const [ip, bits, extra] = value.split('/');
  return extra === undefined && isIP(ip) !== 0 && (bits === undefined || /^[0-9]{1,3}$/.test(bits));
};

const QUALIFIED_NAME = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** labels.Instance.Validate: keys are qualified names (an optional DNS prefix), values label values. */
function checkLabels(labels: { [key: string]: string } | undefined, report: Report): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    const [prefix, name, extra] = key.includes('/') ? key.split('/') : [undefined, key];
    if (extra !== undefined || name === undefined || name.length > 63 || !QUALIFIED_NAME.test(name)
      || (prefix !== undefined && (prefix.length > 253 || prefix.split('.').some(l => !isLabel(l))))) report(`invalid tag key: "${key}"`);
    if (value.length > 63 || (value !== '' && !QUALIFIED_NAME.test(value))) report(`invalid tag value: "${value}"`);
  }
}

/** ValidateAlphaWorkloadSelector and validateWorkloadSelector: no empty key, no wildcard. */
function checkSelector(labels: { [key: string]: string } | undefined, report: Report): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (key === '') report(`empty key is not supported in selector: "${key}=${value}"`);
    if (key.includes('*') || value.includes('*')) report(`wildcard is not supported in selector: "${key}=${value}"`);
  }
}

const checkPort = (port: number, what: string, report: Report) => {
  if (!(port >= 1 && port <= 65535)) report(`${what} ${port} must be in the range 1..65535`);
};

/** istio's protocol.Parse: the protocols istiod knows (case-insensitive), and which carry a host name. */
const HTTP_PROTOCOLS = ['HTTP', 'HTTP2', 'HTTP_PROXY', 'GRPC', 'GRPC-WEB'];
const TLS_PROTOCOLS = ['HTTPS', 'TLS'];
const KNOWN_PROTOCOLS = [...HTTP_PROTOCOLS, ...TLS_PROTOCOLS, 'TCP', 'UDP', 'MONGO', 'REDIS', 'MYSQL'];
const protocolOf = (name: string | undefined) => (name ?? '').toUpperCase();

/** agent.ValidateDuration: at least 1ms, to the millisecond. */
function checkDuration(value: string | undefined, what: string, report: Report): void {
  if (value === undefined) return;
  // A Go duration, as the CRDs take it: `1.5s`, `500ms`, `1h30m`.
  const scale: { [unit: string]: number } = { h: 3.6e12, m: 6e10, s: 1e9, ms: 1e6, us: 1e3, µs: 1e3, ns: 1 };
  const parts = /^(?:[0-9]+(?:\.[0-9]+)?(?:h|ms|m|s|us|µs|ns))+$/.test(value) ? [...value.matchAll(/([0-9]+(?:\.[0-9]+)?)(h|ms|m|s|us|µs|ns)/g)] : [];
  const nanos = parts.length === 0 ? NaN : parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * scale[unit], 0);
  if (!(nanos >= 1e6)) report(`${what} ${value}: duration must be greater than 1ms`);
  else if (Math.round(nanos) % 1e6 !== 0) report(`${what} ${value}: only durations to ms precision are supported`);
}

function checkExportTo(namespace: string, exportTo: string[] | undefined, serviceEntry: boolean, report: Report): void {
  if (!exportTo?.length) return;
  const seen = new Set<string>();
  for (const e of exportTo) {
    const key = e === '.' ? namespace : e;
    if (seen.has(key)) report(`duplicate entries in exportTo: ${e}`);
    seen.add(key);
    if (e !== '.' && e !== '*' && !(serviceEntry && e === '~') && !isLabel(e)) report(`invalid exportTo value ${e}`);
  }
  if (seen.has('*') && exportTo.length > 1) report('cannot have both public (*) and non-public exportTo values for a resource');
  if (seen.has('~') && exportTo.length > 1) report('cannot export service entry to no one (~) and someone');
}

const CHECKS: { [kind: string]: (spec: Spec, object: IstioObject, report: Report) => void } = {
  ServiceEntry(spec, object, report) {
    checkSelector(spec.workloadSelector?.labels, report);
    const hosts: string[] = spec.hosts ?? [];
    if (hosts.length === 0) report('service entry must have at least one host');
    for (const host of hosts) {
      const problem = host === '*' ? `invalid host ${host}` : wildcardDomainProblem(host);
      if (problem) report(problem);
    }
    const addresses: string[] = spec.addresses ?? [];
    addresses.filter(a => !isIpOrCidr(a)).forEach(a => report(`${a} is not a valid IP or CIDR`));
    const resolution: string = spec.resolution ?? 'NONE';
    if (addresses.some(a => a.includes('/')) && resolution !== 'NONE' && resolution !== 'STATIC') {
      report('CIDR addresses are allowed only for NONE/STATIC resolution types');
    }
    const names = new Set<string>();
    const numbers = new Set<number>();
    for (const port of spec.ports ?? []) {
      if (names.has(port.name)) report(`service entry port name "${port.name}" already defined`);
      if (numbers.has(port.number)) report(`service entry port ${port.number} already defined`);
      names.add(port.name);
      numbers.add(port.number);
      if (!isLabel(port.name)) report(`invalid port name: ${port.name}`);
      if (port.protocol && !KNOWN_PROTOCOLS.includes(protocolOf(port.protocol))) report(`unsupported protocol: ${port.protocol}`);
      checkPort(port.number, 'port number', report);
      if (port.targetPort) checkPort(port.targetPort, 'port number', report);
    }
    const endpoints: Spec[] = spec.endpoints ?? [];
    const endpointPorts = (e: Spec) => Object.entries(e.ports ?? {}).forEach(([name, number]) => {
      if (!names.has(name)) report(`endpoint port ${number} is not defined by the service entry`);
      if (!isLabel(name)) report(`invalid port name: ${name}`);
      checkPort(number as number, 'port number', report);
    });
    if (resolution === 'NONE' && endpoints.length > 0) report('no endpoints should be provided for resolution type none');
    if (resolution === 'STATIC') {
      for (const e of endpoints) {
        if (!isIP(e.address ?? '') && !(e.address ?? '').startsWith('unix://')) report(`endpoint address "${e.address}" is not a valid IP address`);
        endpointPorts(e);
        checkLabels(e.labels, report);
      }
    }
    if (resolution === 'DNS' || resolution === 'DNS_ROUND_ROBIN') {
      if (endpoints.length === 0 && hosts.some(h => fqdnProblem(h))) report(`hosts must be FQDN if no endpoints are provided for resolution mode ${resolution}`);
      if (resolution === 'DNS_ROUND_ROBIN' && endpoints.length > 1) report(`there must only be 0 or 1 endpoint for resolution mode ${resolution}`);
      for (const e of endpoints) {
        if (!isIP(e.address ?? '') && fqdnProblem(e.address ?? '')) report(`endpoint address "${e.address}" is not a valid FQDN or an IP address`);
        checkLabels(e.labels, report);
        endpointPorts(e);
      }
    }
    const protocols = (spec.ports ?? []).map((p: Spec) => protocolOf(p.protocol));
    if (resolution !== 'NONE' && hosts.length > 1 && protocols.some((p: string) => !HTTP_PROTOCOLS.includes(p) && !TLS_PROTOCOLS.includes(p))) {
      report('multiple hosts provided with non-HTTP, non-TLS ports');
    }
    checkExportTo(object.metadata?.namespace ?? '', spec.exportTo, true, report);
  },

  DestinationRule(spec, object, report) {
    const problem = wildcardDomainProblem(spec.host ?? '');
    if (problem) report(problem);
    checkTrafficPolicy(spec.trafficPolicy, report);
    const names = new Set<string>();
    for (const subset of spec.subsets ?? []) {
      if (names.has(subset.name)) report(`duplicate subset names: ${subset.name}`);
      names.add(subset.name);
      if (!isLabel(subset.name ?? '')) report(`subset name is invalid: ${subset.name}`);
      checkLabels(subset.labels, report);
      checkTrafficPolicy(subset.trafficPolicy, report);
    }
    checkExportTo(object.metadata?.namespace ?? '', spec.exportTo, false, report);
    if (spec.workloadSelector && (spec.exportTo ?? []).some((e: string) => e !== '.' && e !== object.metadata?.namespace)) {
      report('destination rule with workload selector cannot have exportTo beyond current namespace');
    }
    checkSelector(spec.workloadSelector?.matchLabels, report);
  },

  VirtualService(spec, object, report) {
    const hosts: string[] = spec.hosts ?? [];
    const gateways: string[] = spec.gateways ?? [];
    const appliesToMesh = gateways.length === 0 || gateways.includes('mesh');
    gateways.filter(g => g !== 'mesh').forEach(g => checkGatewayName(g, report));
    for (const host of hosts) {
      const problem = wildcardDomainProblem(host);
      if (problem && !isIP(host) && !(!appliesToMesh && host.startsWith('outbound_'))) report(problem);
      else if (!problem && appliesToMesh && host === '*') report('wildcard host * is not allowed for virtual services bound to the mesh gateway');
    }
    hosts.forEach((a, i) => hosts.slice(i + 1).forEach(b => {
      if (hostCovers(a, b) || hostCovers(b, a)) report(`duplicate hosts in virtual service: ${a} & ${b}`);
    }));
    if (!spec.http?.length && !spec.tcp?.length && !spec.tls?.length) report('http, tcp or tls must be provided in virtual service');
    for (const route of spec.http ?? []) checkHttpRoute(route, report);
    for (const route of spec.tls ?? []) {
      if (!route.match?.length) report('TLS route must have at least one match condition');
      for (const match of route.match ?? []) {
        if (!match.sniHosts?.length) report('TLS match must have at least one SNI host');
        for (const sni of match.sniHosts ?? []) {
          if (!hosts.some(h => hostCovers(h, sni))) report(`SNI host "${sni}" is not a compatible subset of any of the virtual service hosts: [${hosts.join(', ')}]`);
        }
        if (match.port) checkPort(match.port, 'port number', report);
        checkLabels(match.sourceLabels, report);
      }
      if (!route.route?.length) report('TLS route is required');
      checkDestinations(route.route ?? [], report);
    }
    for (const route of spec.tcp ?? []) {
      for (const match of route.match ?? []) {
        if (match.port) checkPort(match.port, 'port number', report);
        checkLabels(match.sourceLabels, report);
      }
      if (!route.route?.length) report('TCP route is required');
      checkDestinations(route.route ?? [], report);
    }
    checkExportTo(object.metadata?.namespace ?? '', spec.exportTo, false, report);
  },

  Gateway(spec, object, report) {
    if (!isLabel(object.metadata?.name ?? '')) report(`invalid gateway name: "${object.metadata?.name}"`);
    const servers: Spec[] = spec.servers ?? [];
    if (servers.length === 0) report('gateway must have at least one server');
    const portNames = new Set<string>();
    for (const server of servers) {
      if (!server.hosts?.length) report('server config must contain at least one host');
      for (const host of server.hosts ?? []) checkNamespacedHost(host, true, report);
      const port = server.port ?? {};
      if (!KNOWN_PROTOCOLS.includes(protocolOf(port.protocol))) report(`invalid protocol "${port.protocol}"`);
      checkPort(port.number, 'port number', report);
      if (port.targetPort > 0) report('targetPort has no impact on Gateways');
      if (!port.name) report('port name must be set');
      if (portNames.has(port.name)) report(`port names in servers must be unique: duplicate name ${port.name}`);
      portNames.add(port.name);
      const protocol = protocolOf(port.protocol);
      const tls = server.tls;
      if (TLS_PROTOCOLS.includes(protocol) && !tls) report('server must have TLS settings for HTTPS/TLS protocols');
      if (!TLS_PROTOCOLS.includes(protocol) && tls) {
        const redirectOnly = HTTP_PROTOCOLS.includes(protocol) && Object.keys(tls).every(k => k === 'httpsRedirect');
        if (!redirectOnly) report(HTTP_PROTOCOLS.includes(protocol) ? 'server cannot have TLS settings for plain text HTTP ports' : 'server cannot have TLS settings for non HTTPS/TLS ports');
      }
      if (tls) checkServerTls(tls, report);
    }
  },

  Sidecar(spec, _object, report) {
    checkSelector(spec.workloadSelector?.labels, report);
    if (!spec.egress?.length && !spec.ingress?.length && !spec.outboundTrafficPolicy && !spec.inboundConnectionPool) report('sidecar: empty configuration provided');
    const ports = new Set<number>();
    (spec.egress ?? []).forEach((egress: Spec, i: number, all: Spec[]) => {
      if (!egress.port) {
        if (i !== all.length - 1) report('sidecar: the egress listener with empty port should be the last listener in the list');
      } else {
        if (ports.has(egress.port.number)) report('sidecar: ports on IP bound listeners must be unique');
        ports.add(egress.port.number);
        checkPort(egress.port.number, 'port number', report);
      }
      if (!egress.hosts?.length) report('sidecar: egress listener must contain at least one host');
      for (const host of egress.hosts ?? []) checkNamespacedHost(host, false, report);
    });
    if (spec.outboundTrafficPolicy?.egressProxy && spec.outboundTrafficPolicy.mode !== 'ALLOW_ANY') {
      report('sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode');
    }
  },

  WorkloadEntry(spec, _object, report) {
    const address: string = spec.address ?? '';
    if (address === '' && !spec.network) report('address is required');
    if (address !== '' && !address.startsWith('unix://') && !isIP(address) && fqdnProblem(address)) report(`endpoint address "${address}" is not a valid FQDN or an IP address`);
    for (const [name, number] of Object.entries(spec.ports ?? {})) {
      if (!isLabel(name)) report(`invalid port name: ${name}`);
      checkPort(number as number, 'port number', report);
    }
    checkLabels(spec.labels, report);
  },

  WorkloadGroup(spec, _object, report) {
    if (!spec.template) report('template is required');
    checkLabels(spec.metadata?.labels, report);
    const probe = spec.probe;
    if (!probe) return;
    for (const key of ['periodSeconds', 'initialDelaySeconds', 'timeoutSeconds', 'successThreshold', 'failureThreshold']) {
      if (probe[key] < 0) report(`${key} must be non-negative`);
    }
    if (probe.httpGet) {
      checkPort(probe.httpGet.port, 'port number', report);
      if (probe.httpGet.scheme && !['HTTP', 'HTTPS'].includes(probe.httpGet.scheme)) report('httpGet.scheme must be one of "HTTPS", "HTTP"');
      for (const header of probe.httpGet.httpHeaders ?? []) {
        if (!/^[-_A-Za-z0-9]+$/.test(header.name ?? '')) report(`header name ${header.name} is not a valid header name`);
      }
    } else if (probe.tcpSocket) {
      checkPort(probe.tcpSocket.port, 'port number', report);
    } else if (probe.exec) {
      if (!probe.exec.command?.length) report('exec.command is required');
    } else {
      report('unknown health check method');
    }
  },

  AuthorizationPolicy(spec, _object, report) {
    checkSelector(spec.selector?.matchLabels, report);
    if (spec.action === 'DENY' && !spec.rules) report('DENY action without `rules` is meaningless');
    (spec.rules ?? []).forEach((rule: Spec, i: number) => {
      if (rule.from && rule.from.length === 0) report(`\`from\` must not be empty, found at rule ${i}`);
      for (const from of rule.from ?? []) {
        const source = from.source;
        if (!source) report(`\`from.source\` must not be nil, found at rule ${i}`);
        else if (!Object.values(source).some(v => Array.isArray(v) && v.length > 0)) report(`\`from.source\` must not be empty, found at rule ${i}`);
        else if (Object.values(source).some(v => Array.isArray(v) && v.some(x => x === ''))) report(`empty value in \`from.source\`, found at rule ${i}`);
      }
      if (rule.to && rule.to.length === 0) report(`\`to\` must not be empty, found at rule ${i}`);
      for (const to of rule.to ?? []) {
        const operation = to.operation;
        if (!operation) report(`\`to.operation\` must not be nil, found at rule ${i}`);
        else if (!Object.values(operation).some(v => Array.isArray(v) && v.length > 0)) report(`\`to.operation\` must not be empty, found at rule ${i}`);
        else {
          for (const path of [...operation.paths ?? [], ...operation.notPaths ?? []] as string[]) checkPathTemplate(path, report);
          if (Object.values(operation).some(v => Array.isArray(v) && v.some(x => x === ''))) report(`empty value in \`to.operation\`, found at rule ${i}`);
        }
      }
      for (const condition of rule.when ?? []) {
        if (!condition.key) report('`key` must not be empty');
        else if (!condition.values?.length && !condition.notValues?.length) report(`at least one of \`values\` or \`notValues\` must be set for key ${condition.key}`);
      }
    });
  },

  PeerAuthentication(spec, _object, report) {
    const selectorLabels = spec.selector?.matchLabels ?? {};
    const portLevel = spec.portLevelMtls;
    if (Object.keys(selectorLabels).length === 0 && portLevel && Object.keys(portLevel).length > 0) report('mesh/namespace peer authentication cannot have port level mTLS');
    if (portLevel && Object.keys(portLevel).length === 0) report('port level mTLS, if defined, must have at least one element');
    Object.keys(portLevel ?? {}).forEach(port => checkPort(Number(port), 'port', report));
    checkSelector(selectorLabels, report);
  },

  Telemetry(spec, _object, report) {
    checkSelector(spec.selector?.matchLabels, report);
    for (const entry of [...spec.metrics ?? [], ...spec.tracing ?? [], ...spec.accessLogging ?? []]) {
      if ((entry.providers ?? []).some((p: Spec) => !p?.name)) report('providers.name may not be empty');
    }
    for (const tracing of spec.tracing ?? []) {
      const percent = tracing.randomSamplingPercentage;
      if (percent !== undefined && (percent < 0 || percent > 100)) report('randomSamplingPercentage must be in range [0.0, 100.0]');
    }
  },
};

/** host.Name.Matches, one way: whether `pattern` (maybe `*.x`) covers `name`. */
function hostCovers(pattern: string, name: string): boolean {
  if (pattern === name || pattern === '*') return true;
  if (!pattern.startsWith('*')) return false;
  const suffix = pattern.slice(1);
  return name.startsWith('*') ? name.slice(1).endsWith(suffix) : name.endsWith(suffix);
}

/** validateGatewayNames: `<namespace>/<name>` of DNS labels, or a legacy FQDN. */
function checkGatewayName(name: string, report: Report): void {
  const parts = name.split('/');
  if (parts.length === 1) {
    const problem = fqdnProblem(name);
    if (problem) report(problem);
    return;
  }
  const [namespace, gateway] = [parts[0], parts.slice(1).join('/')];
  if (!isLabel(namespace)) report(`invalid value for namespace: "${namespace}"`);
  if (!isLabel(gateway)) report(`invalid value for gateway name: "${gateway}"`);
}

/** ValidateNamespaceSlashWildcardHostname, for Gateway servers and Sidecar egress. */
function checkNamespacedHost(value: string, gateway: boolean, report: Report): void {
  const slash = value.indexOf('/');
  if (slash < 0) {
    if (!gateway) report('host must be of form namespace/dnsName');
    else checkHostPart(value, gateway, report);
    return;
  }
  const [namespace, host] = [value.slice(0, slash), value.slice(slash + 1)];
  if (!namespace || !host) report('config namespace and dnsName in host entry cannot be empty');
  const special = gateway ? ['*', '.'] : ['*', '.', '~'];
  if (!special.includes(namespace) && !isLabel(namespace)) report(`invalid namespace value "${namespace}" in ${gateway ? 'gateway' : 'sidecar'}`);
  checkHostPart(host, gateway, report);
}

function checkHostPart(host: string, gateway: boolean, report: Report): void {
  if (host !== '*' && !host.includes('.')) report('short names (non FQDN) are not allowed');
  const problem = wildcardDomainProblem(host);
  if (problem && !(gateway && isIP(host))) report(problem);
  if (host.includes('*') && host !== '*' && !host.startsWith('*.')) report(`partial wildcard "${host}" not allowed`);
}

function checkServerTls(tls: Spec, report: Report): void {
  const certificates = ['serverCertificate', 'privateKey', 'caCertificates', 'credentialName'].filter(k => tls[k]);
  if (tls.mode === 'ISTIO_MUTUAL' && certificates.length > 0) report(`ISTIO_MUTUAL TLS cannot have associated ${certificates.join(', ')}`);
  if ((tls.mode === 'SIMPLE' || tls.mode === 'MUTUAL' || tls.mode === 'OPTIONAL_MUTUAL') && !tls.credentialName) {
    if (!tls.serverCertificate) report(`${tls.mode} TLS requires a server certificate`);
    if (!tls.privateKey) report(`${tls.mode} TLS requires a private key`);
    if (tls.mode !== 'SIMPLE' && !tls.caCertificates) report('MUTUAL TLS requires a client CA bundle');
  }
}

/** CheckValidPathTemplate: `{*}` and `{**}` as whole segments, `{**}` last; no other braces. */
function checkPathTemplate(path: string, report: Report): void {
  let matchAny = false;
  for (const glob of path.replace(/^\/+|\/+$/g, '').split('/')) {
    if ((glob === '{*}' || glob === '{**}') && matchAny) report(`invalid or unsupported path ${path}: {**} is not the last operator`);
    else if (glob === '{**}') matchAny = true;
    else if (glob !== '{*}' && /[{}]/.test(glob)) report(`invalid or unsupported path ${path}`);
  }
}

function checkHttpRoute(route: Spec, report: Report): void {
  if (route.redirect && route.route?.length) report('HTTP route cannot contain both route and redirect');
  if (!route.redirect && !route.directResponse && !route.route?.length) report('HTTP route, redirect or direct_response is required');
  for (const match of route.match ?? []) {
    for (const name of Object.keys(match.headers ?? {})) {
      if (!/^[-_A-Za-z0-9]+$/.test(name)) report(`header name ${name} is not a valid header name`);
    }
    const strings = [match.uri, match.scheme, match.method, match.authority, ...Object.values(match.headers ?? {}), ...Object.values(match.queryParams ?? {})];
    for (const string of strings as Spec[]) {
      if (string?.regex === undefined) continue;
      if (string.regex === '' || string.regex.length > 1024) report(`regex "${string.regex}" is empty or over 1024 characters`);
    }
    if (match.port) checkPort(match.port, 'port number', report);
    checkLabels(match.sourceLabels, report);
    if (match.sourceNamespace !== undefined && !isLabel(match.sourceNamespace)) report(`sourceNamespace match ${match.sourceNamespace} is invalid`);
    (match.gateways ?? []).filter((g: string) => g !== 'mesh').forEach((g: string) => checkGatewayName(g, report));
  }
  const fault = route.fault;
  if (fault) {
    if (!fault.abort && !fault.delay) report('HTTP fault injection must have an abort and/or a delay');
    for (const percentage of [fault.abort?.percentage?.value, fault.delay?.percentage?.value]) {
      if (percentage !== undefined && (percentage < 0 || percentage > 100 || (percentage > 0 && percentage < 0.0001))) report(`percentage ${percentage} is neither 0.0, nor in range [0.0001, 100.0]`);
    }
    const status = fault.abort?.httpStatus;
    if (status !== undefined && (status < 200 || status > 600)) report(`HTTP status ${status} is not in range 200-599`);
    checkDuration(fault.delay?.fixedDelay, 'fixedDelay', report);
  }
  const retries = route.retries;
  if (retries) {
    if (retries.attempts < 0) report('attempts cannot be negative');
    if (!retries.attempts && (retries.perTryTimeout || retries.retryOn || retries.retryRemoteLocalities !== undefined)) report('http retry policy configured when attempts are set to 0 (disabled)');
    checkDuration(retries.perTryTimeout, 'perTryTimeout', report);
  }
  checkDuration(route.timeout, 'timeout', report);
  checkDestinations(route.route ?? [], report);
}

function checkDestinations(destinations: Spec[], report: Report): void {
  let total = 0;
  for (const { destination, weight } of destinations) {
    if (!destination) {
      report('destination is required');
      continue;
    }
    if (destination.host === '*') report(`invalid destination host ${destination.host}`);
    else {
      const problem = wildcardDomainProblem(destination.host ?? '');
      if (problem) report(problem);
    }
    if (destination.subset !== undefined && !isLabel(destination.subset)) report(`subset name is invalid: ${destination.subset}`);
    if (destination.port?.number !== undefined) checkPort(destination.port.number, 'port number', report);
    if (weight < 0) report(`weight ${weight} < 0`);
    total += weight ?? 0;
  }
  if (destinations.length > 1 && total === 0) report('total destination weight = 0');
}

function checkTrafficPolicy(policy: Spec, report: Report): void {
  if (!policy) return;
  const fields = ['outlierDetection', 'connectionPool', 'loadBalancer', 'tls', 'portLevelSettings', 'tunnel', 'proxyProtocol'];
  if (!fields.some(f => policy[f] !== undefined)) {
    report('traffic policy must have at least one field');
    return;
  }
  const outlier = policy.outlierDetection;
  if (outlier) {
    checkDuration(outlier.baseEjectionTime, 'baseEjectionTime', report);
    checkDuration(outlier.interval, 'interval', report);
    for (const key of ['maxEjectionPercent', 'minHealthPercent']) {
      if (outlier[key] !== undefined && (outlier[key] < 0 || outlier[key] > 100)) report(`percentage ${outlier[key]} is not in range 0..100`);
    }
    if (!outlier.splitExternalLocalOriginErrors && outlier.consecutiveLocalOriginFailures > 0) report('outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false');
  }
  const pool = policy.connectionPool;
  if (pool) {
    if (!pool.http && !pool.tcp) report('connection pool must have at least one field');
    checkDuration(pool.tcp?.connectTimeout, 'connectTimeout', report);
    checkDuration(pool.tcp?.idleTimeout, 'idleTimeout', report);
    checkDuration(pool.http?.idleTimeout, 'idleTimeout', report);
  }
  const locality = policy.loadBalancer?.localityLbSetting;
  if (locality) {
    const failover: Spec[] = locality.failover ?? [];
    if (locality.distribute?.length && failover.length) report('can not simultaneously specify \'distribute\' and \'failover\'');
    const topologyLabel = (locality.failoverPriority ?? []).find((label: string) =>
      ['topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone'].includes(label));
    if (failover.length && topologyLabel) report(`can not simultaneously set 'failover' and topology label '${topologyLabel}' in 'failover_priority'`);
    for (const f of failover) {
      if (f.from === f.to) report('locality lb failover settings must specify different regions');
      if (`${f.from}${f.to}`.includes('/')) report('locality lb failover only specify region');
      if (`${f.from}${f.to}`.includes('*')) report('locality lb failover region should not contain \'*\' wildcard');
    }
  }
  if (policy.loadBalancer?.consistentHash?.httpCookie && !policy.loadBalancer.consistentHash.httpCookie.name) report('name required for HttpCookie');
  for (const port of policy.portLevelSettings ?? []) {
    if (!port.port) report('portTrafficPolicy must have valid port');
    if (!['outlierDetection', 'connectionPool', 'loadBalancer', 'tls'].some(f => port[f] !== undefined)) report('port traffic policy must have at least one field');
    else checkTrafficPolicy({ ...port, port: undefined }, report);
  }
}

/**
 * What istiod's validating webhook warns of in an Istio object: the API server stores it, but `kubectl apply`
 * prints the warning on every apply (and GitOps tools on every sync), so a rendered bundle should give none.
 * The warnings of the rules modelled above that depend on nothing outside the object.
 */
export function istiodWarnings(object: IstioObject): string[] {
  const warn = WARNINGS[object.kind];
  if (!warn) return [];
  const where = `${object.kind} ${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? '?'}`;
  const warnings: string[] = [];
  warn(object.spec ?? {}, object, warning => warnings.push(`${where}: istiod warns: ${warning}`));
  return warnings;
}

/** validateWorkloadSelector's warning: a selector without labels selects the whole namespace. */
function warnEmptySelector(labels: { [key: string]: string } | undefined, present: boolean, report: Report): void {
  if (present && Object.keys(labels ?? {}).length === 0) report('workload selector specified without labels');
}

const WARNINGS: { [kind: string]: (spec: Spec, object: IstioObject, report: Report) => void } = {
  ServiceEntry(spec, _object, report) {
    warnEmptySelector(spec.workloadSelector?.labels, spec.workloadSelector !== undefined, report);
    for (const host of spec.hosts ?? []) {
      if (host.includes('*') && host !== '*' && !host.startsWith('*.')) report(`partial wildcard "${host}" not allowed`);
    }
    const resolution: string = spec.resolution ?? 'NONE';
    if (spec.workloadSelector && resolution !== 'STATIC') report(`workloadSelector should not be set when resolution mode is ${resolution}`);
    if (resolution === 'NONE' && (spec.ports ?? []).some((p: Spec) => p.targetPort)) report('targetPort has no effect when resolution mode is NONE');
    const tcp = (spec.ports ?? []).some((p: Spec) => protocolOf(p.protocol) === 'TCP' || !p.protocol);
    if ((resolution === 'DNS' || resolution === 'DNS_ROUND_ROBIN') && spec.addresses?.length && tcp && (spec.hosts ?? []).length > 1) {
      report('service entry can not have more than one host specified simultaneously with address and tcp port');
    }
  },
  DestinationRule(spec, _object, report) {
    const policies = [spec.trafficPolicy, ...(spec.subsets ?? []).map((s: Spec) => s.trafficPolicy)].filter(Boolean);
    for (const policy of policies) {
      const locality = policy.loadBalancer?.localityLbSetting;
      if ((locality?.failover?.length || locality?.failoverPriority?.length) && !policy.outlierDetection) report('outlier detection policy must be provided for failover');
    }
    warnEmptySelector(spec.workloadSelector?.matchLabels, spec.workloadSelector !== undefined, report);
  },
  Sidecar(spec, object, report) {
    warnEmptySelector(spec.workloadSelector?.labels, spec.workloadSelector !== undefined, report);
    for (const egress of spec.egress ?? []) {
      const byNamespace = new Map<string, Set<string>>();
      for (const entry of egress.hosts ?? []) {
        const [listed, host] = [entry.slice(0, entry.indexOf('/')), entry.slice(entry.indexOf('/') + 1)];
        const namespace = listed === '.' ? object.metadata?.namespace ?? '' : listed;
        const hosts = byNamespace.get(namespace) ?? new Set<string>();
        if (host !== '*' ? hosts.has(host) || hosts.has('*') : hosts.size > 0) report(`duplicated egress host: ${entry}`);
        hosts.add(host);
        byNamespace.set(namespace, hosts);
      }
      if (byNamespace.get('*')?.has('*') && byNamespace.size !== 1) report('`*/*` host select all resources, no other hosts can be added');
    }
  },
  Gateway(spec, _object, report) {
    for (const server of spec.servers ?? []) {
      if (server.tls?.httpsRedirect && !HTTP_PROTOCOLS.includes(protocolOf(server.port?.protocol))) report('tls.httpsRedirect should only be used with http servers');
    }
  },
  VirtualService(spec, _object, report) {
    // analyzeUnreachableHTTPRules, for exact repeats: a rule after one without matches, a match seen before.
    const seen = new Map<string, number>();
    let catchAll = -1;
    (spec.http ?? []).forEach((route: Spec, i: number) => {
      const name = route.name ? `"${route.name}"` : `#${i}`;
      if (!route.match?.length) {
        if (catchAll >= 0) report(`virtualService rule ${name} not used (only the last rule can have no matches)`);
        catchAll = i;
        return;
      }
      const repeats = (route.match as Spec[]).filter(match => {
        const key = JSON.stringify({ ...match, name: undefined });
        if (seen.has(key)) return true;
        seen.set(key, i);
        return false;
      });
      if (repeats.length === route.match.length) report(`virtualService rule ${name} not used (all matches used by prior rules)`);
      else if (repeats.length > 0) report(`virtualService rule ${name} has a match a prior rule already has`);
    });
    for (const gateway of spec.gateways ?? []) {
      if (!gateway.includes('/') && gateway.includes('.')) report(`using legacy gatewayName format "${gateway}"`);
    }
  },
  AuthorizationPolicy(spec, _object, report) {
    warnEmptySelector(spec.selector?.matchLabels, spec.selector !== undefined, report);
  },
  PeerAuthentication(spec, _object, report) {
    warnEmptySelector(spec.selector?.matchLabels, spec.selector !== undefined, report);
  },
  Telemetry(spec, _object, report) {
    warnEmptySelector(spec.selector?.matchLabels, spec.selector !== undefined, report);
    if ((spec.tracing ?? []).length > 1) report('multiple tracing is not currently supported');
    for (const tracing of spec.tracing ?? []) if ((tracing.providers ?? []).length > 1) report('multiple providers is not currently supported');
  },
};

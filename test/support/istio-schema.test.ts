import { istioSchemaErrors } from './istio-schema';
import { istiodRefusals, istiodWarnings } from './istiod-validation';

describe('istioSchemaErrors (the validator the other tests rely on)', () => {
  const entry = (spec: object) => ({ apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'a', namespace: 'b' }, spec });

  test('accepts a valid object', () => {
    expect(istioSchemaErrors([entry({ hosts: ['a.b.global'], ports: [{ name: 'http', number: 80, protocol: 'HTTP' }] })])).toEqual([]);
  });

  test('rejects a wrong type, a bad enum and an unknown field', () => {
    const errors = istioSchemaErrors([entry({ hosts: ['a.b.global'], resolution: 'MAGIC', ports: [{ name: 'http', number: 'x' }], bogus: 1 })]);
    expect(errors.join('\n')).toMatch(/\/spec\/ports\/0\/number must be integer/);
    expect(errors.join('\n')).toMatch(/\/spec\/resolution must be equal to one of the allowed values/);
    expect(errors.join('\n')).toMatch(/must NOT have additional properties \{"additionalProperty":"bogus"\}/);
  });

  test('rejects a version no CRD serves', () => {
    expect(istioSchemaErrors([{ ...entry({ hosts: ['a'] }), apiVersion: 'networking.istio.io/v2' }]))
      .toEqual([
        'ServiceEntry b/a: no CRD serves networking.istio.io/v2 ServiceEntry',
        'ServiceEntry b/a: @kubernetes-models/istio has no model for networking.istio.io/v2 ServiceEntry',
      ]);
  });

  test.each(['v1', 'v1beta1'])('checks a %s object against the Istio models of its own version too', version => {
    const errors = istioSchemaErrors([{ ...entry({ hosts: ['a.b.global'], resolution: 'MAGIC', ports: [{ name: 'http', number: 'x' }] }), apiVersion: `networking.istio.io/${version}` }]);
    expect(errors).toContain('ServiceEntry b/a: data/spec/ports/0/number must be integer, data/spec/resolution must be equal to one of the allowed values');
  });
});

describe('the CRDs\' CEL rules', () => {
  const entry = (spec: object) => ({ apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'a', namespace: 'b' }, spec });

  test('reject what only a CEL rule forbids', () => {
    // schema-valid, but a ServiceEntry may not have both a workloadSelector and endpoints, nor a "*" host
    const errors = istioSchemaErrors([entry({
      hosts: ['*'], ports: [{ name: 'http', number: 80, protocol: 'HTTP' }],
      workloadSelector: { labels: { app: 'a' } }, endpoints: [{ address: '10.0.0.1' }],
    })]);
    expect(errors).toEqual([
      'ServiceEntry b/a: /spec: only one of WorkloadSelector or Endpoints can be set',
      'ServiceEntry b/a: /spec: NONE mode cannot set endpoints',
      'ServiceEntry b/a: /spec/hosts/0: hostname cannot be wildcard',
      // istiod's webhook says it too, in its words
      'ServiceEntry b/a: istiod refuses it: invalid host *',
      'ServiceEntry b/a: istiod refuses it: no endpoints should be provided for resolution type none',
    ]);
  });

  test('pass a valid object', () => {
    expect(istioSchemaErrors([entry({ hosts: ['a.b.global'], ports: [{ name: 'http', number: 80 }], resolution: 'DNS', endpoints: [{ address: 'gw.example.com', ports: { http: 15443 } }] })])).toEqual([]);
  });
});

describe('what istiod\'s webhook refuses beyond the schemas (istiodRefusals)', () => {
  const object = (kind: string, spec: object, name = 'a') => ({ apiVersion: 'networking.istio.io/v1', kind, metadata: { name, namespace: 'b' }, spec });
  const refusals = (kind: string, spec: object, name?: string) => istiodRefusals(object(kind, spec, name)).map(line => line.replace(/^.*istiod refuses it: /, ''));

  test.each<[string, string, object, string[]]>([
    ['several hosts on a TCP port', 'ServiceEntry', { hosts: ['a.example.com', 'b.example.com'], ports: [{ name: 'tcp', number: 5432, protocol: 'TCP' }], resolution: 'DNS' },
      ['multiple hosts provided with non-HTTP, non-TLS ports']],
    ['a numeric top-level label', 'ServiceEntry', { hosts: ['api.example.123'], ports: [{ name: 'http', number: 80, protocol: 'HTTP' }], resolution: 'DNS' },
      ['domain name "example.123" invalid (top level domain cannot be all-numeric)', 'hosts must be FQDN if no endpoints are provided for resolution mode DNS']],
    ['a STATIC endpoint by name', 'ServiceEntry', { hosts: ['db.example.com'], ports: [{ name: 'tcp', number: 5432, protocol: 'TCP' }], resolution: 'STATIC', endpoints: [{ address: 'db1.example.com' }] },
      ['endpoint address "db1.example.com" is not a valid IP address']],
    ['an endpoint port the entry lacks', 'ServiceEntry', { hosts: ['db.example.com'], ports: [{ name: 'http', number: 80 }], resolution: 'DNS', endpoints: [{ address: 'db1.example.com', ports: { grpc: 9000 } }] },
      ['endpoint port 9000 is not defined by the service entry']],
    ['a duplicate subset', 'DestinationRule', { host: 'a.b.global', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v1', labels: { version: 'v2' } }] },
      ['duplicate subset names: v1']],
    ['failover beside a zone priority', 'DestinationRule', { host: 'a.b.global', trafficPolicy: { outlierDetection: {}, loadBalancer: { localityLbSetting: { failover: [{ from: 'us', to: 'eu' }], failoverPriority: ['topology.kubernetes.io/zone'] } } } },
      ['can not simultaneously set \'failover\' and topology label \'topology.kubernetes.io/zone\' in \'failover_priority\'']],
    ['an empty traffic policy', 'DestinationRule', { host: 'a.b.global', trafficPolicy: {} }, ['traffic policy must have at least one field']],
    ['a sub-millisecond timeout and zero weights', 'VirtualService', { hosts: ['a.b.global'], http: [{ timeout: '500us', route: [{ destination: { host: 'a.b.global', subset: 'v1' }, weight: 0 }, { destination: { host: 'a.b.global', subset: 'v2' }, weight: 0 }] }] },
      ['timeout 500us: duration must be greater than 1ms', 'total destination weight = 0']],
    ['an SNI host outside the hosts', 'VirtualService', { hosts: ['a.example.com'], gateways: ['istio-system/egress'], tls: [{ match: [{ sniHosts: ['b.example.com'] }], route: [{ destination: { host: 'b.example.com' } }] }] },
      ['SNI host "b.example.com" is not a compatible subset of any of the virtual service hosts: [a.example.com]']],
    ['a Gateway name with a dot and an HTTPS server without TLS', 'Gateway', { servers: [{ hosts: ['*.global'], port: { name: 'https', number: 443, protocol: 'HTTPS' } }] },
      ['invalid gateway name: "gw.1"', 'server must have TLS settings for HTTPS/TLS protocols']],
    ['a Sidecar host without a namespace, and the catch-all first', 'Sidecar', { egress: [{ hosts: ['istio-system/*'] }, { port: { number: 80, protocol: 'HTTP', name: 'http' }, hosts: ['a.b.global'] }] },
      ['sidecar: the egress listener with empty port should be the last listener in the list', 'host must be of form namespace/dnsName']],
    ['a path with braces', 'AuthorizationPolicy', { rules: [{ to: [{ operation: { paths: ['/items/{id}'] } }] }] }, ['invalid or unsupported path /items/{id}']],
  ])('%s', (_, kind, spec, expected) => {
    expect(refusals(kind, spec, kind === 'Gateway' ? 'gw.1' : undefined)).toEqual(expected);
  });

  test('accepts what the library renders: a consumer entry, a subset rule, a weighted route, the cross-network gateway', () => {
    expect([
      ...refusals('ServiceEntry', { hosts: ['a.b.global'], addresses: ['240.0.0.1'], location: 'MESH_INTERNAL', resolution: 'DNS', ports: [{ name: 'http', number: 80, protocol: 'HTTP' }],
        endpoints: [{ address: 'gw.example.com', ports: { http: 15443 }, labels: { 'cluster': 'c2', 'security.istio.io/tlsMode': 'istio' } }] }),
      ...refusals('DestinationRule', { host: 'a.b.global', subsets: [{ name: 'v1', labels: { version: 'v1' } }], trafficPolicy: { outlierDetection: { interval: '5s', baseEjectionTime: '30s' } } }),
      ...refusals('VirtualService', { hosts: ['a.b.global'], http: [{ name: 'default', timeout: '1m30.5s', route: [{ destination: { host: 'a.b.global', subset: 'v1' }, weight: 90 }, { destination: { host: 'a.b.global', subset: 'v2' }, weight: 10 }] }] }),
      ...refusals('Gateway', { selector: { istio: 'eastwestgateway' }, servers: [{ hosts: ['*.global'], port: { name: 'tls', number: 15443, protocol: 'TLS' }, tls: { mode: 'AUTO_PASSTHROUGH' } }] }, 'cross-network-gateway'),
    ]).toEqual([]);
  });
});

describe('what istiod\'s webhook warns of (istiodWarnings)', () => {
  const object = (kind: string, spec: object) => ({ apiVersion: 'networking.istio.io/v1', kind, metadata: { name: 'a', namespace: 'b' }, spec });
  const warnings = (kind: string, spec: object) => istiodWarnings(object(kind, spec)).map(line => line.replace(/^.*istiod warns: /, ''));

  test.each<[string, string, object, string[]]>([
    ['a host its namespace already imports, and two spellings of one namespace', 'Sidecar', { egress: [{ hosts: ['./*', 'b/*', 'istio-system/*', 'istio-system/api.example.com'] }] },
      ['duplicated egress host: b/*', 'duplicated egress host: istio-system/api.example.com']],
    ['*/* beside other hosts', 'Sidecar', { egress: [{ hosts: ['*/*', 'shop/web.shop.global'] }] }, ['`*/*` host select all resources, no other hosts can be added']],
    ['a rule whose matches a prior rule has', 'VirtualService', { hosts: ['a.b.global'], http: [
      { name: 'one', match: [{ uri: { prefix: '/a' } }], route: [{ destination: { host: 'a.b.global' } }] },
      { name: 'two', match: [{ uri: { prefix: '/a' } }], route: [{ destination: { host: 'a.b.global' } }] },
    ] }, ['virtualService rule "two" not used (all matches used by prior rules)']],
    ['a workload selector with DNS resolution', 'ServiceEntry', { hosts: ['a.b.global'], resolution: 'DNS', workloadSelector: { labels: { app: 'a' } }, ports: [{ name: 'http', number: 80, protocol: 'HTTP' }] },
      ['workloadSelector should not be set when resolution mode is DNS']],
    ['failover without outlier detection', 'DestinationRule', { host: 'a.b.global', trafficPolicy: { loadBalancer: { localityLbSetting: { failoverPriority: ['topology.istio.io/network'] } } } },
      ['outlier detection policy must be provided for failover']],
  ])('%s', (_, kind, spec, expected) => {
    expect(warnings(kind, spec)).toEqual(expected);
  });

  test('none for a scoped Sidecar and a serving entry as the library renders them', () => {
    expect([
      ...warnings('Sidecar', { egress: [{ hosts: ['./*', 'istio-system/*', 'shop/web.shop.global', 'shop/web.shop.svc.cluster.local'] }] }),
      ...warnings('ServiceEntry', { hosts: ['web.shop.global'], resolution: 'STATIC', workloadSelector: { labels: { app: 'web' } }, ports: [{ name: 'http', number: 80, protocol: 'HTTP', targetPort: 8080 }] }),
    ]).toEqual([]);
  });
});

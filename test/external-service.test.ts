import * as fs from 'fs';
import * as path from 'path';
import {
  ClientNamespace, ExternalResolution, ExternalService, ExternalServiceProps, GlobalDns, GlobalService, MeshCluster, MeshTopology, OutboundTrafficPolicy, TlsOriginationMode,
} from '../src';
import { KUBEADM_COREFILE } from './support/fixtures';
import { istioSchemaErrors, istiodWarningsOf } from './support/istio-schema';
import { allObjects, bundleFile, objectsOf, readYaml, synthOnce, testMesh } from './support/synth';
import { gatewayValuesErrors, toolSchemaErrors } from './support/tool-schema';

function mesh(props: Parameters<typeof testMesh>[0] = {}) {
  const m = testMesh({ meshId: 'mesh1', ...props });
  const c1 = new MeshCluster(m.mesh, 'c1', { gateway: { address: '10.0.0.1' } });
  const c2 = new MeshCluster(m.mesh, 'c2', { gateway: { address: '10.0.0.2' } });
  return { ...m, c1, c2 };
}

describe('ExternalService', () => {
  test('seed 004\'s service.cloud: a MESH_EXTERNAL entry and TLS origination, identical in every calling cluster', () => {
    const { app, mesh: m } = mesh();
    new ExternalService(m, 'provider', {
      hosts: ['service.cloud.provider.com'],
      ports: [{ name: 'http', number: 80, targetPort: 443 }],
      tls: { mode: TlsOriginationMode.SIMPLE, sni: 'service.cloud.provider.com' },
    });
    const entry = objectsOf(app, 'c1').get('ServiceEntry/istio-system/provider')!;
    expect(entry.spec).toEqual({
      hosts: ['service.cloud.provider.com'],
      location: 'MESH_EXTERNAL',
      resolution: 'DNS',
      ports: [{ name: 'http', number: 80, protocol: 'HTTP', targetPort: 443 }],
    });
    const rule = objectsOf(app, 'c1').get('DestinationRule/istio-system/provider')!;
    expect(rule.spec).toEqual({
      host: 'service.cloud.provider.com',
      trafficPolicy: { tls: { mode: 'SIMPLE', sni: 'service.cloud.provider.com' } },
    });
    // istioctl analyze asks for caCertificates (IST0128, an error); the sidecar verifies against the OS roots without them.
    expect(rule.metadata.annotations).toEqual({ 'galley.istio.io/analyze-suppress': 'IST0128' });
    expect(objectsOf(app, 'c2').get('ServiceEntry/istio-system/provider')).toEqual(entry);
    expect(istioSchemaErrors(allObjects(app))).toEqual([]);
    expect(bundleFile(app, 'mesh.md')).toContain('| service.cloud.provider.com | http 80->443 | DNS | SIMPLE | c1, c2 |');
  });

  test.each<[string, Partial<ExternalServiceProps>, object]>([
    ['STATIC with IP endpoints and a CIDR', {
      hosts: ['db.partner.example.com'], ports: [{ name: 'tcp-postgres', number: 5432 }], resolution: ExternalResolution.STATIC,
      addresses: ['203.0.113.0/28'], endpoints: [{ address: '203.0.113.5', locality: 'eu-west-1' }, { address: '203.0.113.6' }],
    }, { resolution: 'STATIC', addresses: ['203.0.113.0/28'], endpoints: [{ address: '203.0.113.5', locality: 'eu-west-1' }, { address: '203.0.113.6' }] }],
    ['DNS_ROUND_ROBIN with one endpoint', {
      hosts: ['api.partner.example.com'], ports: [{ name: 'https', number: 443 }], resolution: ExternalResolution.DNS_ROUND_ROBIN,
      endpoints: [{ address: 'lb.partner.example.com', ports: { https: 8443 } }],
    }, { resolution: 'DNS_ROUND_ROBIN', endpoints: [{ address: 'lb.partner.example.com', ports: { https: 8443 } }] }],
    ['a wildcard host with endpoints', {
      hosts: ['*.storage.example.com'], ports: [{ name: 'https', number: 443 }], endpoints: [{ address: 'storage-gw.example.com' }],
    }, { hosts: ['*.storage.example.com'], resolution: 'DNS' }],
    ['NONE for a wildcard host and a CIDR: the address the workload dialed', {
      hosts: ['*.db.partner.example.com'], ports: [{ name: 'tcp-postgres', number: 5432 }], resolution: ExternalResolution.NONE, addresses: ['203.0.113.0/24'],
    }, { hosts: ['*.db.partner.example.com'], resolution: 'NONE', addresses: ['203.0.113.0/24'] }],
    ['several hosts on HTTP and TLS ports, which name their host', {
      hosts: ['a.example.com', 'b.example.com'], ports: [{ name: 'http', number: 80 }, { name: 'https', number: 443 }],
    }, { hosts: ['a.example.com', 'b.example.com'], resolution: 'DNS' }],
    ['several hosts on a TCP port with NONE: the address the workload dialed', {
      hosts: ['a.db.example.com', 'b.db.example.com'], ports: [{ name: 'tcp-db', number: 5432 }], resolution: ExternalResolution.NONE, addresses: ['203.0.113.0/24'],
    }, { hosts: ['a.db.example.com', 'b.db.example.com'], resolution: 'NONE' }],
    ['mutual TLS origination at the egress gateway', {
      hosts: ['ledger.bank.example.com'], ports: [{ name: 'http', number: 80, targetPort: 443 }],
      tls: { mode: TlsOriginationMode.MUTUAL, credentialName: 'ledger-client' }, egressGateway: true,
    }, { hosts: ['ledger.bank.example.com'] }],
  ])('%s renders and validates', (_, props, expected) => {
    const { app, mesh: m, c2 } = mesh();
    new ExternalService(m, 'ext', { hosts: [], ports: [], ...props, clusters: [c2] } as ExternalServiceProps);
    const entry = objectsOf(app, 'c2').get('ServiceEntry/istio-system/ext')!;
    expect(entry.spec).toMatchObject(expected);
    expect(objectsOf(app, 'c1').has('ServiceEntry/istio-system/ext')).toBe(false);
    expect(istioSchemaErrors(allObjects(app))).toEqual([]);
    if (props.tls?.credentialName) {
      expect(objectsOf(app, 'c2').get('DestinationRule/istio-system/ext')?.spec.trafficPolicy.tls).toEqual({ mode: 'MUTUAL', credentialName: 'ledger-client' });
    }
  });

  test('mutual TLS originated by named workloads: a rule per host and workloads, in their namespace, that only their sidecars read', () => {
    // GIVEN a bank API called with a client certificate from two workloads, the Secret in each one's namespace
    const { app, mesh: m } = mesh();
    new ExternalService(m, 'ledger', {
      hosts: ['ledger.bank.example.com', 'audit.bank.example.com'], ports: [{ name: 'http', number: 80, targetPort: 443 }],
      tls: {
        mode: TlsOriginationMode.MUTUAL, credentialName: 'ledger-client',
        workloads: [{ namespace: 'payments', selector: { app: 'billing' } }, { namespace: 'reports', selector: { app: 'auditor', tier: 'batch' } }],
      },
    });

    for (const cluster of ['c1', 'c2']) {
      const objects = objectsOf(app, cluster);
      // THEN no rule reaches every sidecar: the credential would not
      // (each workload's namespace holds one rule per host, selecting its pods and seen only there)
      const rules = [...objects.entries()].filter(([key, o]) => key.startsWith('DestinationRule/') && o.spec.host.endsWith('.bank.example.com')).map(([key, o]) => [key, o.spec]);
      const tls = { mode: 'MUTUAL', credentialName: 'ledger-client' };
      expect(rules).toEqual(expect.arrayContaining([
        ['DestinationRule/payments/ledger-1-client-1', { host: 'ledger.bank.example.com', exportTo: ['.'], workloadSelector: { matchLabels: { app: 'billing' } }, trafficPolicy: { tls } }],
        ['DestinationRule/payments/ledger-2-client-1', { host: 'audit.bank.example.com', exportTo: ['.'], workloadSelector: { matchLabels: { app: 'billing' } }, trafficPolicy: { tls } }],
        ['DestinationRule/reports/ledger-1-client-2', { host: 'ledger.bank.example.com', exportTo: ['.'], workloadSelector: { matchLabels: { app: 'auditor', tier: 'batch' } }, trafficPolicy: { tls } }],
        ['DestinationRule/reports/ledger-2-client-2', { host: 'audit.bank.example.com', exportTo: ['.'], workloadSelector: { matchLabels: { app: 'auditor', tier: 'batch' } }, trafficPolicy: { tls } }],
      ]));
      expect(rules).toHaveLength(4);
      // the workloads' namespaces are the mesh's: created, labelled for injection
      for (const namespace of ['payments', 'reports']) expect(objects.get(`Namespace/${namespace}`)?.metadata.labels).toMatchObject({ 'istio-injection': 'enabled' });
    }
    // and istiod takes them (the schemas, and a selector rule exported to its namespace only) without a warning
    expect(istioSchemaErrors(allObjects(app))).toEqual([]);
    expect(istiodWarningsOf(allObjects(app))).toEqual([]);
    // and the mesh's picture says where and with what TLS is originated
    expect(bundleFile(app, 'mesh.md')).toContain('| ledger.bank.example.com, audit.bank.example.com | http 80->443 | DNS | MUTUAL (ledger-client) at payments app=billing; reports app=auditor,tier=batch | c1, c2 |');
  });

  test.each<[string, Partial<ExternalServiceProps>, RegExp]>([
    ['the seeds\' *.cluster2 (a wildcard DNS cannot look up)', { hosts: ['*.cluster2.example.com'] },
      /\[mesh\/ext\] hosts\[0\] "\*.cluster2.example.com" is a wildcard, which DNS resolution cannot look up: give endpoints/],
    ['a single-label host', { hosts: ['cluster2'] }, /hosts\[0\] "cluster2" is not a fully qualified host/],
    ['a .global name', { hosts: ['web.shop.global'] }, /hosts\[0\] "web.shop.global" is a mesh name \(\*.global or \*.local\)/],
    ['a cluster.local name', { hosts: ['web.shop.svc.cluster.local'] }, /is a mesh name/],
    ['STATIC without endpoints', { resolution: ExternalResolution.STATIC }, /\[mesh\/ext\] endpoints \[\] is empty, which STATIC resolution cannot do without/],
    ['STATIC with a hostname endpoint', { resolution: ExternalResolution.STATIC, endpoints: [{ address: 'db.example.com' }] }, /endpoints\[0\].address "db.example.com" is a hostname, which STATIC resolution never looks up/],
    ['DNS_ROUND_ROBIN with two endpoints', { resolution: ExternalResolution.DNS_ROUND_ROBIN, endpoints: [{ address: 'a.example.com' }, { address: 'b.example.com' }] },
      /endpoints \["a.example.com","b.example.com"\] has several addresses, and DNS_ROUND_ROBIN takes one at most/],
    ['MUTUAL without a credential', { tls: { mode: TlsOriginationMode.MUTUAL } }, /\[mesh\/ext\] tls.credentialName is not set, and MUTUAL needs it: name the Secret with the client certificate, key and CA/],
    ['a credential that is no Secret name', { tls: { mode: TlsOriginationMode.MUTUAL, credentialName: 'Ledger Client' }, egressGateway: true }, /\[mesh\/ext\] tls.credentialName "Ledger Client" is not a Secret name/],
    // Istio reads credentialName at gateways; a sidecar would originate without the client certificate.
    ['a credential for the sidecars', { tls: { mode: TlsOriginationMode.MUTUAL, credentialName: 'ledger-client' } },
      /\[mesh\/ext\] tls.credentialName "ledger-client" would reach no sidecar: Istio reads credentialName at gateways, and at sidecars only .*; set egressGateway: true to originate TLS at the egress gateway, with the Secret in istio-system, or name the workloads that originate it \(tls.workloads\), with the Secret in their namespace/],
    ['workloads without a credential', { tls: { mode: TlsOriginationMode.SIMPLE, workloads: [{ namespace: 'payments', selector: { app: 'billing' } }] } },
      /\[mesh\/ext\] tls.credentialName is not set, and tls.workloads names the sidecars that read it: name the Secret, or drop workloads \(every sidecar then originates\)/],
    ['no workloads', { tls: { mode: TlsOriginationMode.MUTUAL, credentialName: 'ledger-client', workloads: [] } }, /\[mesh\/ext\] tls.workloads \[\] is empty: name the workloads that originate TLS, or drop it/],
    ['workloads with the egress gateway', { tls: { mode: TlsOriginationMode.MUTUAL, credentialName: 'ledger-client', workloads: [{ namespace: 'payments', selector: { app: 'billing' } }] }, egressGateway: true },
      /\[mesh\/ext\] tls.workloads \["payments"\] would originate TLS at those sidecars while egressGateway originates it at the egress gateway: keep one/],
    ['workloads selected by nothing', { tls: { mode: TlsOriginationMode.MUTUAL, credentialName: 'ledger-client', workloads: [{ namespace: 'payments', selector: {} }] } },
      /\[mesh\/ext\] tls.workloads\[0\].selector \{\} is empty, .*: give the labels of the calling pods/],
    ['workloads with a bad label', { tls: { mode: TlsOriginationMode.MUTUAL, credentialName: 'ledger-client', workloads: [{ namespace: 'payments', selector: { 'bad key': 'x' } }] } },
      /\[mesh\/ext\] tls.workloads\[0\].selector key "bad key" is not a label key/],
    ['workloads in kube-system, where nothing is injected', { tls: { mode: TlsOriginationMode.MUTUAL, credentialName: 'ledger-client', workloads: [{ namespace: 'kube-system', selector: { app: 'x' } }] } },
      /\[mesh\/ext\] tls.workloads\[0\].namespace "kube-system" is a namespace where Istio injects no sidecar to originate TLS/],
    ['workloads named twice', { tls: { mode: TlsOriginationMode.MUTUAL, credentialName: 'ledger-client', workloads: [{ namespace: 'payments', selector: { app: 'billing', tier: 'a' } }, { namespace: 'payments', selector: { tier: 'a', app: 'billing' } }] } },
      /\[mesh\/ext\] tls.workloads\[1\] "payments\/app=billing,tier=a" names the same workloads as an earlier entry: drop one/],
    ['a CA for SIMPLE, by credential, for the sidecars', { tls: { mode: TlsOriginationMode.SIMPLE, credentialName: 'bank-ca' } }, /tls.credentialName "bank-ca" would reach no sidecar/],
    ['TLS origination over a TLS port', { ports: [{ name: 'https', number: 443 }], tls: { mode: TlsOriginationMode.SIMPLE } }, /tls "SIMPLE" would wrap port https, which workloads already speak TLS on/],
    ['an endpoint port for no port', { endpoints: [{ address: 'a.example.com', ports: { grpc: 9000 } }] }, /endpoints.ports "grpc" names no port of the service: use one of http/],
    ['an address that is no CIDR', { addresses: ['10.0.0.0/x'] }, /addresses\[0\] "10.0.0.0\/x" is not an IP address or CIDR/],
    ['a CIDR with DNS resolution (the API server refuses it)', { addresses: ['203.0.113.7', '10.0.0.0/8'] },
      /\[mesh\/ext\] addresses\[1\] "10.0.0.0\/8" is a CIDR range, which Istio takes only with resolution NONE or STATIC: give single addresses, or set resolution NONE \(the address the workload dialed\) \[MCM030\]/],
    // istiod's validation: "multiple hosts provided with non-HTTP, non-TLS ports".
    ['several hosts on a plain TCP port', { hosts: ['a.example.com', 'b.example.com'], ports: [{ name: 'http', number: 80 }, { name: 'tcp-db', number: 5432 }] },
      /^\[mesh\/ext\] hosts \["a.example.com","b.example.com"\] are several, and port tcp-db \(TCP\) carries no host name to tell them apart, which istiod refuses: declare one ExternalService per host, or use resolution NONE \[MCM030\]$/],
    ['a host whose last label is all digits (istiod refuses it)', { hosts: ['api.example.123'] }, /hosts\[0\] "api.example.123" is not a fully qualified host/],
    ['an endpoint hostname whose last label is all digits', { endpoints: [{ address: 'lb.example.10' }] }, /endpoints\[0\].address "lb.example.10" is neither an IP address nor a hostname/],
    ['NONE with a targetPort (istiod warns: it has no effect)', { resolution: ExternalResolution.NONE, hosts: ['*.db.example.com'], ports: [{ name: 'tcp-db', number: 5432, targetPort: 6432 }] },
      /\[mesh\/ext\] ports\[0\].targetPort 6432 means nothing with resolution NONE, which sends each connection to the address and port the workload dialed/],
    ['NONE with endpoints', { resolution: ExternalResolution.NONE, endpoints: [{ address: '203.0.113.5' }] },
      /\[mesh\/ext\] endpoints \["203.0.113.5"\] means nothing with resolution NONE, which sends each connection to the address the workload dialed: drop them, or use STATIC/],
  ])('refused: %s', (_, props, message) => {
    const { mesh: m } = mesh();
    expect(() => new ExternalService(m, 'ext', { hosts: ['api.example.com'], ports: [{ name: 'http', number: 80 }], ...props })).toThrow(message);
  });

  test('through the egress gateway: sidecars to the gateway, the gateway to the host (HTTP by host with TLS origination there, TLS by SNI); the install adds the gateway', () => {
    const { app, mesh: m } = mesh();
    new ExternalService(m, 'payments', {
      namespace: 'shop',
      hosts: ['api.payments.example.com'],
      ports: [{ name: 'http', number: 80, targetPort: 443 }, { name: 'tls', number: 8443 }],
      egressGateway: true,
    });
    const objects = objectsOf(app, 'c1');
    expect(objects.get('Gateway/shop/payments-egress')?.spec).toEqual({
      selector: { istio: 'egressgateway' },
      servers: [
        { hosts: ['api.payments.example.com'], port: { name: 'http', number: 80, protocol: 'HTTP' } },
        { hosts: ['api.payments.example.com'], port: { name: 'tls', number: 8443, protocol: 'TLS' }, tls: { mode: 'PASSTHROUGH' } },
      ],
    });
    const route = objects.get('VirtualService/shop/payments-egress')!.spec;
    expect(route.gateways).toEqual(['mesh', 'payments-egress']);
    expect(route.http.map((h: any) => [h.match[0].gateways[0], h.route[0].destination.host])).toEqual([
      ['mesh', 'istio-egressgateway.istio-system.svc.cluster.local'], ['payments-egress', 'api.payments.example.com'],
    ]);
    expect(route.tls.map((t: any) => [t.match[0].gateways[0], t.match[0].sniHosts[0], t.route[0].destination.host])).toEqual([
      ['mesh', 'api.payments.example.com', 'istio-egressgateway.istio-system.svc.cluster.local'], ['payments-egress', 'api.payments.example.com', 'api.payments.example.com'],
    ]);
    expect(objects.get('DestinationRule/shop/payments-egress')?.spec).toEqual({ host: 'istio-egressgateway.istio-system.svc.cluster.local', subsets: [{ name: 'payments' }] });
    expect(istioSchemaErrors(allObjects(app))).toEqual([]);
    // Both installers add the egress gateway with the routed ports.
    const egress = readYaml(path.join(app.bundlesOutdir, 'c1', 'istio', 'egress-gateway-values.yaml'))[0];
    expect(gatewayValuesErrors(egress)).toEqual([]);
    expect(egress.service.ports.map((p: any) => `${p.name}:${p.port}`)).toEqual(['status-port:15021', 'http-80:80', 'tls-8443:8443']);
    expect(objects.get('IstioOperator/istio-system/c1')?.spec.components.egressGateways[0]).toMatchObject({ name: 'istio-egressgateway', enabled: true });
    expect(bundleFile(app, 'c1/README.md')).toContain('helm upgrade --install istio-egressgateway istio/gateway --kube-context "$CTX_C1" -n istio-system --version 1.30.3 -f istio/egress-gateway-values.yaml');
  });

  test('a service of a 63-character name keeps its egress Gateway\'s name a DNS label (istiod refuses longer), which its VirtualService binds', () => {
    const { app, mesh: m } = mesh();
    new ExternalService(m, 'long', { name: 'p'.repeat(63), hosts: ['api.example.com'], ports: [{ name: 'https', number: 443 }], egressGateway: true });
    const objects = [...objectsOf(app, 'c1').values()];
    const gateway = objects.find(o => o.kind === 'Gateway' && o.metadata.name.startsWith('ppp'))!;
    expect(gateway.metadata.name).toMatch(/^p{54}-[0-9a-f]{8}$/);
    expect(objects.find(o => o.kind === 'VirtualService' && o.metadata.name === gateway.metadata.name)?.spec.gateways).toEqual(['mesh', gateway.metadata.name]);
  });

  test.each<[string, Partial<ExternalServiceProps>, RegExp]>([
    ['two hosts', { hosts: ['a.example.com', 'b.example.com'] }, /hosts \["a.example.com","b.example.com"\] routes through the egress gateway by host, which takes one host that is not a wildcard/],
    ['a TCP port', { ports: [{ name: 'tcp-db', number: 5432 }] }, /egressGateway true cannot route port tcp-db \(TCP\)/],
    ['NONE resolution', { resolution: ExternalResolution.NONE }, /resolution "NONE" leaves the egress gateway the address it was dialed, its own: resolve the host \(DNS\), or drop egressGateway/],
  ])('egress gateway refused: %s', (_, props, message) => {
    const { mesh: m } = mesh();
    expect(() => new ExternalService(m, 'ext', { hosts: ['api.example.com'], ports: [{ name: 'http', number: 80 }], egressGateway: true, ...props })).toThrow(message);
  });

  describe('a port that names no host, on a service without addresses, is matched by port alone where sidecars take no allocated address (MCM117)', () => {
    /** c1 and c2 capture DNS (the default), c3 and c4 answer .global from a CoreDNS zone. */
    function meshWithZones() {
      const m = mesh();
      const zone = () => GlobalDns.staticZone({ corefile: KUBEADM_COREFILE });
      const c3 = new MeshCluster(m.mesh, 'c3', { gateway: { address: '10.0.0.3' }, dns: zone() });
      const c4 = new MeshCluster(m.mesh, 'c4', { gateway: { address: '10.0.0.4' }, dns: zone() });
      return { ...m, c3, c4 };
    }
    const synthDb = (props: Partial<ExternalServiceProps>, clusters?: (m: ReturnType<typeof meshWithZones>) => MeshCluster[]) => {
      const m = meshWithZones();
      const db = new ExternalService(m.mesh, 'db', { hosts: ['db.partner.example.com'], ports: [{ name: 'tcp-postgres', number: 5432 }], ...props, clusters: clusters?.(m) });
      synthOnce(m.app);
      // Every calling cluster holds the same entry: one look at the first.
      const entry = objectsOf(m.app, db._clusters([m.c1, m.c2, m.c3, m.c4])[0].clusterName).get('ServiceEntry/istio-system/db')!;
      return { warnings: m.app.warnings.filter(w => w.endsWith('[MCM117]')), annotations: entry.metadata.annotations };
    };
    const warningsOf = (...args: Parameters<typeof synthDb>) => synthDb(...args).warnings;

    test('sidecars without DNS capture: every connection on the port that no other service claims goes to the host', () => {
      expect(warningsOf({ ports: [{ name: 'tcp-postgres', number: 5432 }, { name: 'http', number: 80 }, { name: 'mysql', number: 3306 }] })).toEqual([
        '[mesh/db] port tcp-postgres 5432 (TCP) carries no host name and the service has no addresses: the sidecars of c3, c4 do not capture DNS and so take '
          + 'no address Istio allocates: they match port 5432 alone, sending every connection on it that no other service claims to db.partner.example.com; '
          + 'give the service\'s addresses, or use GlobalDns.dnsProxy() in those clusters [MCM117]',
        expect.stringMatching(/^\[mesh\/db\] port mysql 3306 \(MYSQL\) carries no host name .* they match port 3306 alone, .* \[MCM117\]$/),
      ]);
    });

    test('a wildcard host gets no allocated address, so DNS capture does not help', () => {
      expect(warningsOf({ hosts: ['*.db.partner.example.com'], resolution: ExternalResolution.STATIC, endpoints: [{ address: '203.0.113.5' }] }, m => [m.c1])).toEqual([
        '[mesh/db] port tcp-postgres 5432 (TCP) carries no host name and the service has no addresses: Istio allocates no address to the wildcard host '
          + '*.db.partner.example.com, so the sidecars of c1 match port 5432 alone, sending every connection on it that no other service claims to '
          + '*.db.partner.example.com; give the service\'s addresses [MCM117]',
      ]);
    });

    test.each<[string, Partial<ExternalServiceProps>, ((m: ReturnType<typeof meshWithZones>) => MeshCluster[]) | undefined]>([
      ['with addresses', { addresses: ['203.0.113.7'] }, undefined],
      ['with resolution NONE, which asks for the port\'s every destination', { resolution: ExternalResolution.NONE }, undefined],
      ['on ports that name their host (HTTP, TLS)', { ports: [{ name: 'http', number: 80 }, { name: 'tls', number: 443 }] }, undefined],
      ['called only from clusters whose sidecars capture DNS', {}, m => [m.c1, m.c2]],
    ])('no warning %s', (_, props, clusters) => {
      expect(warningsOf(props, clusters)).toEqual([]);
    });

    test('istioctl analyze\'s IST0134 (a TCP port without addresses) is suppressed where no caller matches by port alone, and only there', () => {
      const suppressed = { 'galley.istio.io/analyze-suppress': 'IST0134' };
      expect(synthDb({}, m => [m.c1, m.c2]).annotations).toEqual(suppressed);
      expect(synthDb({ resolution: ExternalResolution.NONE }).annotations).toEqual(suppressed);
      // A true positive: the warning says so too.
      expect(synthDb({})).toEqual({ warnings: [expect.stringContaining('[MCM117]')], annotations: undefined });
      // Nothing for the analyzer to flag: an address, or no TCP port (it flags TCP only).
      expect(synthDb({ addresses: ['203.0.113.7'] }).annotations).toBeUndefined();
      expect(synthDb({ ports: [{ name: 'http', number: 80 }] }, m => [m.c1]).annotations).toBeUndefined();
    });
  });

  describe('in the ambient topology', () => {
    const ambient = () => {
      const m = testMesh({ meshId: 'mesh1', topology: MeshTopology.AMBIENT });
      new MeshCluster(m.mesh, 'c1', { network: 'n1', gateway: { address: '10.0.0.1' } });
      new MeshCluster(m.mesh, 'c2', { network: 'n2', gateway: { address: '10.0.0.2' } });
      return m;
    };

    test('the egress gateway is an egress waypoint: ztunnel sends the host there, and it originates TLS', () => {
      // GIVEN an external API that c1's workloads call in plain HTTP, through the egress gateway with TLS origination
      const { app, mesh: m } = ambient();
      new ExternalService(m, 'provider', {
        namespace: 'egress', hosts: ['api.provider.example.com'], ports: [{ name: 'http', number: 80, targetPort: 443 }],
        tls: { mode: TlsOriginationMode.SIMPLE }, egressGateway: true, clusters: [m.node.findChild('c1') as MeshCluster],
      });
      const objects = objectsOf(app, 'c1');
      // THEN the namespace gets a waypoint for services, and the ServiceEntry uses it
      expect(objects.get('Gateway/egress/egress-waypoint')).toMatchObject({
        apiVersion: 'gateway.networking.k8s.io/v1',
        metadata: { labels: { 'istio.io/waypoint-for': 'service' } },
        spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
      });
      expect(objects.get('ServiceEntry/egress/provider')?.metadata.labels).toMatchObject({ 'istio.io/use-waypoint': 'egress-waypoint' });
      // the waypoint reads the host's DestinationRule and originates TLS
      expect(objects.get('DestinationRule/egress/provider')?.spec).toEqual({ host: 'api.provider.example.com', trafficPolicy: { tls: { mode: 'SIMPLE' } } });
      expect(bundleFile(app, 'mesh.md')).toContain('| api.provider.example.com | http 80->443 | DNS | SIMPLE at the egress waypoint | c1 |');
      // and nothing of the sidecar recipe: no egress gateway install, no Gateway or VirtualService steering sidecars
      expect([...objects.keys()].filter(key => /^(VirtualService|Gateway)\//.test(key) && key !== 'Gateway/egress/egress-waypoint' && !key.includes('istio-system'))).toEqual([]);
      expect(readYaml(path.join(app.bundlesOutdir, 'c1', 'istio', 'istio-operator.yaml'))[0].spec.components?.egressGateways).toBeUndefined();
      expect(fs.existsSync(path.join(app.bundlesOutdir, 'c1', 'istio', 'egress-gateway-values.yaml'))).toBe(false);
      // c2 does not call it
      expect(objectsOf(app, 'c2').has('Gateway/egress/egress-waypoint')).toBe(false);
      expect(istioSchemaErrors(allObjects(app))).toEqual([]);
      expect(toolSchemaErrors(allObjects(app))).toEqual([]);
    });

    test('TLS without the waypoint, and a credential (istiod gives a waypoint none), are refused (MCM026); a plain entry renders', () => {
      const refused = ambient();
      new ExternalService(refused.mesh, 'provider', { hosts: ['api.provider.example.com'], ports: [{ name: 'http', number: 80, targetPort: 443 }], tls: { mode: TlsOriginationMode.SIMPLE } });
      new ExternalService(refused.mesh, 'bank', {
        namespace: 'egress', hosts: ['ledger.bank.example.com'], ports: [{ name: 'http', number: 80, targetPort: 443 }],
        tls: { mode: TlsOriginationMode.MUTUAL, credentialName: 'ledger-client' }, egressGateway: true,
      });
      expect(() => refused.app.synth()).toThrow(expect.objectContaining({ message: expect.stringMatching(new RegExp([
        '\\[mesh/bank\\] tls.credentialName ledger-client: in ambient TLS is originated by the egress waypoint, which istiod does not give credentialName Secrets \\(istio/istio#55329\\): .* \\[MCM026\\]\n',
        '.*\\[mesh/provider\\] tls SIMPLE: ztunnel does not originate TLS, the egress waypoint does: set egressGateway: true, or let the workloads speak TLS to the service \\(drop tls\\) \\[MCM026\\]',
      ].join(''))) }));
      const plain = ambient();
      new ExternalService(plain.mesh, 'provider', { hosts: ['api.provider.example.com'], ports: [{ name: 'https', number: 443 }] });
      expect(objectsOf(plain.app, 'c1').get('ServiceEntry/istio-system/provider')?.spec.hosts).toEqual(['api.provider.example.com']);
    });
  });

  test('REGISTRY_ONLY warns in the ambient topology: ztunnel does not enforce the allow-list (MCM119)', () => {
    const warned = (topology: MeshTopology) => {
      const { app, mesh: m } = testMesh({ meshId: 'mesh1', topology, outboundTrafficPolicy: OutboundTrafficPolicy.REGISTRY_ONLY });
      new MeshCluster(m, 'c1', { network: 'n1', gateway: { address: '10.0.0.1' } });
      synthOnce(app);
      return app.warnings.filter(w => w.endsWith('[MCM119]'));
    };
    expect(warned(MeshTopology.AMBIENT)).toEqual(['[mesh] outboundTrafficPolicy REGISTRY_ONLY: ztunnel does not enforce it (istio/istio#54281), so ambient workloads '
      + 'still reach any address, declared or not: control egress with the egress waypoint (egressGateway: true) and AuthorizationPolicies, or drop it [MCM119]']);
    expect(warned(MeshTopology.MULTI_NETWORK)).toEqual([]);
  });

  test('workloads that originate TLS but whose ClientNamespace scope leaves the service out are refused (MCM037)', () => {
    const declare = (callsExternal: boolean) => {
      const { app, mesh: m, c1 } = mesh();
      const bank = new ExternalService(m, 'bank', {
        hosts: ['ledger.bank.example.com'], ports: [{ name: 'http', number: 80, targetPort: 443 }],
        tls: { mode: TlsOriginationMode.MUTUAL, credentialName: 'ledger-client', workloads: [{ namespace: 'payments', selector: { app: 'billing', tier: 'a' } }] },
      });
      const web = new GlobalService(m, 'web', { namespace: 'shop', ports: [{ name: 'http', number: 80, targetPort: 8080 }], servedBy: [c1] });
      // The whole payments namespace is scoped to web (and the bank where it says so); its billing pods are among them.
      new ClientNamespace(m, 'payments', { namespace: 'payments', clusters: [c1], calls: [web], callsExternal: callsExternal ? [bank] : [] });
      // A scope of other pods of the namespace says nothing of the billing pods.
      new ClientNamespace(m, 'reports', { namespace: 'payments', clusters: [c1], calls: [web], selector: { app: 'reports' } });
      return app;
    };
    expect(() => synthOnce(declare(false))).toThrow(
      /\[mesh\/bank\] tls.workloads names payments app=billing,tier=a, whose sidecars mesh\/payments scopes to what it calls, which leaves out ledger.bank.example.com: their calls never reach the rule that originates TLS; add mesh\/bank to its callsExternal, or drop the workloads \[MCM037\]/);
    expect(() => synthOnce(declare(true))).not.toThrow();
  });

  describe('credentials from a store (credentialStore)', () => {
    const vault = { storeName: 'vault' };
    const team = { storeName: 'team-store', storeKind: 'SecretStore' as const, remoteKeyPrefix: 'team/tls', refreshInterval: '15m' };
    const plainPort = [{ name: 'http', number: 80, targetPort: 443 }];
    function declare(partnerMutualStore: typeof vault | typeof team = team) {
      const m = testMesh({ meshId: 'mesh1', topology: MeshTopology.MULTI_NETWORK });
      const p = new MeshCluster(m.mesh, 'p', { network: 'n1', gateway: { address: '10.0.0.1' } });
      new MeshCluster(m.mesh, 'r', { network: 'n1', primary: p });
      // the egress gateway's credential, and one the shop's two workloads share (SIMPLE needs the CA, MUTUAL all three keys)
      new ExternalService(m.mesh, 'bank', { hosts: ['ledger.bank.example.com'], ports: plainPort, egressGateway: true, tls: { mode: TlsOriginationMode.MUTUAL, credentialName: 'ledger-client', credentialStore: vault } });
      new ExternalService(m.mesh, 'partner', {
        hosts: ['api.partner.example.com'], ports: plainPort,
        tls: { mode: TlsOriginationMode.SIMPLE, credentialName: 'partner-tls', credentialStore: team, workloads: [{ namespace: 'shop', selector: { app: 'cart' } }] },
      });
      new ExternalService(m.mesh, 'partner-mtls', {
        hosts: ['mtls.partner.example.com'], ports: plainPort,
        tls: { mode: TlsOriginationMode.MUTUAL, credentialName: 'partner-tls', credentialStore: partnerMutualStore, workloads: [{ namespace: 'shop', selector: { app: 'checkout' } }] },
      });
      return m.app;
    }

    test('each namespace that reads a credential gets one ExternalSecret, in every cluster whose proxies read it, remotes included', () => {
      const app = declare();
      for (const cluster of ['p', 'r']) {
        const objects = objectsOf(app, cluster);
        // THEN the egress gateway's Secret comes from vault, under the mesh's default prefix, with the three keys of MUTUAL
        expect(objects.get('ExternalSecret/istio-system/ledger-client')?.spec).toEqual({
          refreshInterval: '1h',
          secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' },
          target: { name: 'ledger-client', creationPolicy: 'Owner' },
          data: ['cert', 'key', 'cacert'].map(key => ({ secretKey: key, remoteRef: { key: 'mesh1/credentials/ledger-client', property: key } })),
        });
        // and the shared one once, with what both services need
        expect(objects.get('ExternalSecret/shop/partner-tls')?.spec).toEqual({
          refreshInterval: '15m',
          secretStoreRef: { name: 'team-store', kind: 'SecretStore' },
          target: { name: 'partner-tls', creationPolicy: 'Owner' },
          data: ['cert', 'key', 'cacert'].map(key => ({ secretKey: key, remoteRef: { key: 'team/tls/partner-tls', property: key } })),
        });
        expect(objects.get('Namespace/shop')?.metadata.labels).toMatchObject({ 'istio-injection': 'enabled' });
        // the README says where each comes from, and creates none by hand
        const readme = bundleFile(app, `${cluster}/README.md`).replace(/\s+/g, ' ');
        expect(readme).toContain('The ExternalSecret shop/partner-tls in `mesh/` reads `cert`, `key`, `cacert` from `team/tls/partner-tls` in the store `team-store`');
        expect(readme).not.toContain('create secret');
      }
      // (the rules that select the workloads are the primary's: the remote's configuration is served from there)
      expect(objectsOf(app, 'r').has('DestinationRule/shop/partner-client-1')).toBe(false);
      expect(toolSchemaErrors(allObjects(app))).toEqual([]);
      expect(istioSchemaErrors(allObjects(app))).toEqual([]);
    });

    test('one Secret read from two stores is refused at synth (MCM036), naming both services and stores', () => {
      expect(() => synthOnce(declare(vault))).toThrow(
        /\[mesh\] Secret shop\/partner-tls is read from 2 different stores by mesh\/partner and mesh\/partner-mtls \(SecretStore team-store, team\/tls\/partner-tls; ClusterSecretStore vault, mesh1\/credentials\/partner-tls\): an ExternalSecret writes it from one: give them the same credentialStore, or different credentialNames \[MCM036\]/);
    });

    test.each<[string, Partial<ExternalServiceProps>, RegExp]>([
      ['a store without a credential', { tls: { mode: TlsOriginationMode.SIMPLE, credentialStore: vault } }, /\[mesh\/ext\] tls.credentialName is not set, and tls.credentialStore delivers a Secret of that name: name it, or drop credentialStore/],
      ['a store the External Secrets CRD refuses', { egressGateway: true, tls: { mode: TlsOriginationMode.MUTUAL, credentialName: 'c', credentialStore: { storeName: 'Vault Store' } } }, /\[mesh\/ext\] tls.credentialStore.storeName "Vault Store" is not a store name/],
    ])('refused: %s', (_, props, message) => {
      const { mesh: m } = mesh();
      expect(() => new ExternalService(m, 'ext', { hosts: ['api.example.com'], ports: plainPort, ...props })).toThrow(message);
    });
  });

  test('a host declared twice is refused at synth; REGISTRY_ONLY makes the declared services the allow-list', () => {
    const { app, mesh: m, c1 } = mesh({ outboundTrafficPolicy: OutboundTrafficPolicy.REGISTRY_ONLY });
    new GlobalService(m, 'web', { namespace: 'shop', ports: [{ name: 'http', number: 80, targetPort: 8080 }], servedBy: [c1] });
    new ExternalService(m, 'a', { hosts: ['api.example.com'], ports: [{ name: 'http', number: 80 }] });
    const b = new ExternalService(m, 'b', { hosts: ['api.example.com'], ports: [{ name: 'http', number: 80 }] });
    expect(() => app.synth()).toThrow(/api.example.com is declared by mesh\/a and mesh\/b: declare each external host once/);
    b.node.scope!.node.tryRemoveChild(b.node.id);
    expect(objectsOf(app, 'c1').get('IstioOperator/istio-system/c1')?.spec.meshConfig.outboundTrafficPolicy).toEqual({ mode: 'REGISTRY_ONLY' });
  });
});

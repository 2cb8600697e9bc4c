import * as fs from 'fs';
import * as path from 'path';
import { GlobalDns, GlobalService, Mesh, MeshCluster, MeshProps, MeshTopology, Protocol, RemoteSecrets, ServingEntry, VersionedRoute, VmWorkload } from '../src';
import { istioSchemaErrors } from './support/istio-schema';
import { isDnsLabel } from '../src/validation/names';
import { shellcheckFindings } from './support/shellcheck';
import { allObjects, bundleFile, objectsOf, tempDir, testApp, testMesh } from './support/synth';
import { toolSchemaErrors } from './support/tool-schema';

const multiNetwork = (props: Omit<MeshProps, 'lockFile'> = {}) => testMesh({ meshId: 'mesh1', topology: MeshTopology.MULTI_NETWORK, ...props });

describe('options that mean nothing in a topology are refused, naming the option', () => {
  test('remote secrets in global names', () => {
    expect(() => new Mesh(testApp(), 'mesh', { remoteSecrets: RemoteSecrets.script() })).toThrow(/\[mesh\] remoteSecrets .* means nothing in the global-names topology/);
    // A store the External Secrets CRD would refuse, refused at synth.
    const store = (options: Parameters<typeof RemoteSecrets.externalSecret>[0]) => () => new Mesh(testApp(), 'mesh', { topology: MeshTopology.MULTI_NETWORK, remoteSecrets: RemoteSecrets.externalSecret(options) });
    expect(store({ storeName: 'Vault Store' })).toThrow(/\[mesh\] remoteSecrets.storeName "Vault Store" is not a store name: use a DNS name of lower-case letters, digits, "-" and "\.", e.g. vault \[MCM030\]/);
    expect(store({ storeName: 'vault', storeKind: 'Vault' as 'SecretStore' })).toThrow(/\[mesh\] remoteSecrets.storeKind "Vault" is not a store kind: use one of SecretStore, ClusterSecretStore/);
    expect(store({ storeName: 'vault', remoteKeyPrefix: ' ' })).toThrow(/\[mesh\] remoteSecrets.remoteKeyPrefix " " is not a key prefix: give the path under which the store holds the keys, e.g. mesh1\/remote-secrets/);
  });

  test('cluster and service options', () => {
    const { mesh } = multiNetwork();
    expect(() => new MeshCluster(mesh, 'c0')).toThrow(/\[mesh\/c0\] network is not set, and the multi-network topology needs it: istiod, the istio-system label and the east-west gateway all name it/);
    expect(() => new MeshCluster(mesh, 'c1', { network: 'n1', dns: GlobalDns.staticZone({ corefile: '.:53 {\n}\n' }) }))
      .toThrow(/\[mesh\/c1\] dns "static-zone" means nothing in the multi-network topology/);
    const c2 = new MeshCluster(mesh, 'c2', { network: 'n1', gateway: { address: '10.0.0.2' } });
    expect(() => new GlobalService(mesh, 'web', { namespace: 'shop', ports: [{ name: 'http', number: 80 }], servedBy: [c2], vip: '240.0.0.9' }))
      .toThrow(/\[mesh\/web\] vip "240.0.0.9" means nothing in the multi-network topology/);
    expect(() => new GlobalService(mesh, 'api', { namespace: 'shop', ports: [{ name: 'http', number: 80 }], servedBy: [c2], servingEntry: ServingEntry.LOCAL_DNS }))
      .toThrow(/\[mesh\/api\] servingEntry "local-dns" means nothing in the multi-network topology/);
    const global = testMesh().mesh;
    const primary = new MeshCluster(global, 'p', { gateway: { address: '10.0.0.1' } });
    expect(() => new MeshCluster(global, 'r', { primary })).toThrow(/\[mesh\/r\] primary "mesh\/p" means nothing in the global-names topology/);
  });
});

describe('primary-remote checks', () => {
  test.each<[string, (mesh: Mesh) => void, RegExp]>([
    ['a chain of remotes', mesh => {
      const p = new MeshCluster(mesh, 'p', { network: 'n1', gateway: { address: '10.0.0.1' } });
      const r = new MeshCluster(mesh, 'r', { network: 'n1', primary: p });
      new MeshCluster(mesh, 'rr', { network: 'n1', primary: r });
    }, /\[mesh\/rr\] primary "r" is itself a remote of p: a remote needs a primary that runs istiod; use p/],
    ['a primary without a gateway', mesh => {
      const p = new MeshCluster(mesh, 'p', { network: 'n1' });
      new MeshCluster(mesh, 'r', { network: 'n1', primary: p });
    }, /\[mesh\/r\] primary "p" has no gateway: a remote reaches its primary's istiod through the primary's east-west gateway/],
    ['a primary behind NodePorts', mesh => {
      const p = new MeshCluster(mesh, 'p', { network: 'n1', gateway: { address: '10.0.0.1', nodePort: 31443 } });
      new MeshCluster(mesh, 'r', { network: 'n1', primary: p });
    }, /\[mesh\/r\] primary "p" has a NodePort gateway: a remote dials its primary's istiod on 15012 and 15017 themselves/],
    ['an API server without TLS', mesh => {
      new MeshCluster(mesh, 'p', { network: 'n1', apiServer: 'http://10.0.0.1:6443' });
    }, /\[mesh\/p\] apiServer "http:\/\/10.0.0.1:6443" is not an https:\/\/ API server URL/],
  ])('%s', (_, declare, message) => {
    expect(() => declare(multiNetwork().mesh)).toThrow(message);
  });

  test('a remote of a 63-character name on its own gateway: its Gateway in the primary keeps a DNS-label name (istiod refuses longer)', () => {
    const { app, mesh } = multiNetwork();
    const p = new MeshCluster(mesh, 'p', { network: 'n1', gateway: { address: '10.0.0.1' } });
    new MeshCluster(mesh, 'r', { name: 'r'.repeat(63), network: 'n2', primary: p, gateway: { address: '10.0.0.2', selector: { istio: 'remote-eastwest' } } });
    const names = [...objectsOf(app, 'p').values()].filter(o => o.kind === 'Gateway' && o.apiVersion.startsWith('networking.istio.io/')).map(o => o.metadata.name);
    expect(names).toEqual(expect.arrayContaining(['cross-network-gateway', expect.stringMatching(/^cross-network-gateway-r{32}-[0-9a-f]{8}$/)]));
    expect(names.filter(name => !isDnsLabel(name))).toEqual([]);
  });

  test('at synth: a remote as a route client, a VM on a remote, a network no gateway reaches', () => {
    const { app, mesh } = multiNetwork();
    const p = new MeshCluster(mesh, 'p', { network: 'n1', gateway: { address: '10.0.0.1' } });
    const r = new MeshCluster(mesh, 'r', { network: 'n1', primary: p });
    const other = new MeshCluster(mesh, 'other', { network: 'n2' });
    const web = new GlobalService(mesh, 'web', { namespace: 'shop', ports: [{ name: 'http', number: 80 }], servedBy: [other], consumers: [p] });
    const v1 = web.addVersion('v1', { clusters: [other] });
    new VersionedRoute(mesh, 'route', { service: web, clients: [r], defaultRoute: [{ version: v1 }] });
    new VmWorkload(mesh, 'legacy', { namespace: 'shop', cluster: r, ports: [{ name: 'http', number: 80 }], instances: [{ name: 'vm1', address: '10.1.0.9' }] });
    expect(() => app.synth()).toThrow(new RegExp([
      /\[mesh\/web\] cluster p \(network n1\) consumes web.shop.svc.cluster.local from other on network n2, which has no east-west gateway: set gateway.address on a cluster of network n2/.source,
      /\[mesh\/route\] client r is a remote of p: Istio reads a remote's routes from its primary, so name p as the client/.source,
      /\[mesh\/legacy\] cluster r is a remote: a VM joins through a cluster that runs istiod; use its primary p/.source,
    ].join('[\\s\\S]*')));
  });
});

test('without a secret store, remote-secrets.sh holds the istioctl command for every primary and peer, with the given API servers', () => {
  const { app, mesh } = multiNetwork();
  const east = new MeshCluster(mesh, 'east', { network: 'n1', gateway: { address: '10.0.0.1' }, apiServer: 'https://10.0.0.1:6443/' });
  new MeshCluster(mesh, 'east-remote', { network: 'n1', primary: east });
  new MeshCluster(mesh, 'west', { network: 'n2', gateway: { address: '10.0.1.1' } });
  const script = bundleFile(app, 'remote-secrets.sh');
  const commands = script.split('\n').filter(l => l.startsWith('istioctl'));
  expect(commands).toEqual([
    'istioctl create-remote-secret --context="${CTX_EAST_REMOTE}" --name=east-remote | kubectl apply --context="${CTX_EAST}" -f -',
    'istioctl create-remote-secret --context="${CTX_WEST}" --name=west | kubectl apply --context="${CTX_EAST}" -f -',
    'istioctl create-remote-secret --context="${CTX_EAST}" --name=east --server=https://10.0.0.1:6443 | kubectl apply --context="${CTX_WEST}" -f -',
    'istioctl create-remote-secret --context="${CTX_EAST_REMOTE}" --name=east-remote | kubectl apply --context="${CTX_WEST}" -f -',
  ]);
  expect(script).toContain('CTX_EAST_REMOTE="${CTX_EAST_REMOTE:-east-remote}"');
  expect(shellcheckFindings(script, 'remote-secrets.sh')).toEqual([]);
  // The script creates credentials when it runs; none is in the bundles.
  expect([...objectsOf(app, 'east').values()].filter(o => o.kind === 'Secret' || o.kind === 'ExternalSecret')).toEqual([]);
});

describe('each cluster\'s README says which remote secrets it takes part in, and how they get there', () => {
  const declare = (remoteSecrets?: RemoteSecrets) => {
    const { app, mesh } = multiNetwork({ remoteSecrets });
    const east = new MeshCluster(mesh, 'east', { network: 'n1', gateway: { address: '10.0.0.1' } });
    new MeshCluster(mesh, 'east-remote', { network: 'n1', primary: east });
    new MeshCluster(mesh, 'west', { network: 'n2', gateway: { address: '10.0.1.1' } });
    const step = (cluster: string) => bundleFile(app, `${cluster}/README.md`).split('\n').find(l => l.startsWith('**Remote secrets.**'));
    return { app, east: step('east'), remote: step('east-remote'), west: step('west') };
  };

  test('by script: what each istiod reads, and when to run remote-secrets.sh', () => {
    const { east, remote, west } = declare();
    expect(east).toMatch(/^\*\*Remote secrets\.\*\* This cluster's istiod reads the API servers of east-remote and west\. The istiod of west reads this cluster's API server\. Once Istio runs in every cluster .* run `bash \.\.\/remote-secrets\.sh` once for the whole mesh/);
    // A remote runs no istiod: it is only read, by every primary.
    expect(remote).toMatch(/^\*\*Remote secrets\.\*\* The istiods of east and west read this cluster's API server\. Once Istio runs/);
    expect(west).toMatch(/^\*\*Remote secrets\.\*\* This cluster's istiod reads the API servers of east and east-remote\. The istiod of east reads/);
  });

  test('by ExternalSecrets: the store, and the key each cluster\'s kubeconfig goes under', () => {
    const { app, east, remote } = declare(RemoteSecrets.externalSecret({ storeName: 'vault', remoteKeyPrefix: 'platform/kube' }));
    // The layer table says what the ExternalSecrets need; the script mode renders none.
    const meshRow = (cluster: string) => bundleFile(app, `${cluster}/README.md`).split('\n').find(l => l.startsWith('| 3 | mesh |'));
    expect(meshRow('east')).toContain('its ExternalSecrets need the External Secrets Operator and the store they name');
    expect(bundleFile(declare().app, 'east/README.md')).not.toContain('External Secrets Operator');
    expect(east).toBe('**Remote secrets.** This cluster\'s istiod reads the API servers of east-remote and west through ExternalSecrets (in `mesh/`) from the store `vault`, '
      + 'each kubeconfig under `platform/kube/<cluster>`, property `kubeconfig` (the one `istioctl create-remote-secret --name=<cluster>` writes into its Secret). '
      + 'The istiod of west reads this cluster\'s API server: put its kubeconfig under `platform/kube/east`.');
    expect(remote).toBe('**Remote secrets.** The istiods of east and west read this cluster\'s API server: put its kubeconfig under `platform/kube/east-remote`.');
  });

  test('a remote\'s README says it comes after its primary, whose istiod serves it', () => {
    const { app, mesh } = multiNetwork();
    const east = new MeshCluster(mesh, 'east', { network: 'n1', gateway: { address: '10.0.0.1' } });
    new MeshCluster(mesh, 'east-remote', { network: 'n1', primary: east });
    const intro = (cluster: string) => bundleFile(app, `${cluster}/README.md`).split('\n\n')[1].replace(/\s+/g, ' ');
    expect(intro('east-remote')).toBe('Generated by cdk8s-istio-multicluster. This cluster is a remote of east: its proxies get their configuration and '
      + 'certificates from east\'s istiod, through east\'s east-west gateway, so apply east\'s bundle first, and this one once that gateway runs. '
      + 'Apply the layers in this order, each once the previous one is ready: the mesh configuration needs Istio\'s CRDs.');
    // The primary (in a mesh without a CA here) reads as any cluster.
    expect(intro('east')).toBe('Generated by cdk8s-istio-multicluster. Apply the layers in this order, each once the previous one is ready: the mesh configuration needs Istio\'s CRDs.');
  });

  test('in the global-names topology there are none', () => {
    const { app, mesh } = testMesh();
    new MeshCluster(mesh, 'east', { gateway: { address: '10.0.0.1' } });
    expect(bundleFile(app, 'east/README.md')).not.toContain('Remote secrets');
  });
});

test('switching an existing mesh to multi-network is one line: the same constructs render Istio\'s own topology, valid', () => {
  const declare = (topology: MeshTopology) => {
    const dir = tempDir();
    const { app, mesh } = testMesh({ meshId: 'hello-mesh', topology }, dir);
    const c1 = new MeshCluster(mesh, 'cluster1', { network: 'network1', gateway: { address: '172.18.0.3', nodePort: 30001 } });
    const c2 = new MeshCluster(mesh, 'cluster2', { network: 'network2', gateway: { address: '172.18.0.4', nodePort: 30001 } });
    const hello = new GlobalService(mesh, 'helloworld', { namespace: 'hello', ports: [{ name: 'http', number: 5000, targetPort: 5000 }], servedBy: [c1, c2] });
    const v1 = hello.addVersion('v1', { clusters: [c1] });
    const v2 = hello.addVersion('v2', { clusters: [c2] });
    new VersionedRoute(mesh, 'route', { service: hello, clients: [c1], rules: [{ name: 'jason', match: [{ headers: { 'end-user': { exact: 'jason' } } }], to: [{ version: v2 }] }], defaultRoute: [{ version: v1 }] });
    app.synth();
    return { app, dir };
  };
  const global = declare(MeshTopology.GLOBAL_NAMES);
  const local = declare(MeshTopology.MULTI_NETWORK);
  expect(objectsOf(global.app, 'cluster1').get('VirtualService/hello/helloworld')?.spec.hosts).toEqual(['helloworld.hello.svc.cluster.local', 'helloworld.hello.global']);
  expect(objectsOf(local.app, 'cluster1').get('VirtualService/hello/helloworld')?.spec.hosts).toEqual(['helloworld.hello.svc.cluster.local']);
  expect(objectsOf(local.app, 'cluster2').has('Gateway/istio-system/cross-network-gateway')).toBe(true);
  expect(fs.existsSync(path.join(global.dir, 'mesh.lock.json'))).toBe(true);
  expect(fs.existsSync(path.join(local.dir, 'mesh.lock.json'))).toBe(false);
  const objects = allObjects(local.app);
  expect(istioSchemaErrors(objects)).toEqual([]);
  expect(toolSchemaErrors(objects)).toEqual([]);
  expect(bundleFile(local.app, 'mesh.md')).toContain('multi-network: services keep their cluster.local names');
});

describe('failover and cluster-local services', () => {
  test('failover by network, then cluster: the priority renders with outlier detection, and validates', () => {
    const { app, mesh } = multiNetwork();
    const c1 = new MeshCluster(mesh, 'c1', { network: 'n1', gateway: { address: '10.0.0.1' } });
    const c2 = new MeshCluster(mesh, 'c2', { network: 'n2', gateway: { address: '10.0.1.1' } });
    const web = new GlobalService(mesh, 'web', { namespace: 'shop', ports: [{ name: 'http', number: 80, targetPort: 8080 }], servedBy: [c1, c2] });
    const stable = web.addVersion('stable', { clusters: [c1, c2] });
    new VersionedRoute(mesh, 'route', {
      service: web, clients: [c1, c2], spread: true, defaultRoute: [{ version: stable }],
      trafficPolicy: {
        outlierDetection: { consecutive5xxErrors: 0, consecutiveGatewayErrors: 3 },
        failoverPriority: ['topology.istio.io/network', 'topology.istio.io/cluster'],
      },
    });
    const rule = objectsOf(app, 'c1').get('DestinationRule/shop/web')!;
    expect(rule.spec.trafficPolicy.loadBalancer).toEqual({ localityLbSetting: { enabled: true, failoverPriority: ['topology.istio.io/network', 'topology.istio.io/cluster'] } });
    expect(istioSchemaErrors(allObjects(app))).toEqual([]);
  });

  test('failover priority by network beside region failover: istiod takes both, so both render', () => {
    const { app, mesh } = multiNetwork();
    const c1 = new MeshCluster(mesh, 'c1', { network: 'n1', gateway: { address: '10.0.0.1' }, locality: 'us-east-1/a' });
    const c2 = new MeshCluster(mesh, 'c2', { network: 'n2', gateway: { address: '10.0.1.1' }, locality: 'us-west-2/a' });
    const web = new GlobalService(mesh, 'web', { namespace: 'shop', ports: [{ name: 'http', number: 80 }], servedBy: [c1, c2] });
    const stable = web.addVersion('stable', { clusters: [c1, c2] });
    new VersionedRoute(mesh, 'route', {
      service: web, clients: [c1, c2], spread: true, defaultRoute: [{ version: stable }],
      trafficPolicy: {
        outlierDetection: { consecutiveGatewayErrors: 3 },
        failoverPriority: ['topology.istio.io/network'],
        localityFailover: [{ from: 'us-east-1', to: 'us-west-2' }, { from: 'us-west-2', to: 'us-east-1' }],
      },
    });
    expect(objectsOf(app, 'c1').get('DestinationRule/shop/web')!.spec.trafficPolicy.loadBalancer.localityLbSetting).toEqual({
      enabled: true, failover: [{ from: 'us-east-1', to: 'us-west-2' }, { from: 'us-west-2', to: 'us-east-1' }], failoverPriority: ['topology.istio.io/network'],
    });
  });

  test.each<[string, object, RegExp]>([
    ['without outlier detection', { failoverPriority: ['topology.istio.io/network'] }, /trafficPolicy.failoverPriority \["topology.istio.io\/network"\] has no effect without outlierDetection/],
    ['a label twice', { outlierDetection: { consecutiveGatewayErrors: 3 }, failoverPriority: ['topology.istio.io/network', 'topology.istio.io/network'] }, /names a label twice/],
    // istiod's validation: "can not simultaneously set 'failover' and topology label ... in 'failover_priority'".
    ['a locality label beside localityFailover', {
      outlierDetection: { consecutiveGatewayErrors: 3 },
      failoverPriority: ['topology.istio.io/network', 'topology.kubernetes.io/zone'],
      localityFailover: [{ from: 'us-east-1', to: 'us-west-2' }],
    }, /^\[mesh\/route\] trafficPolicy.failoverPriority \["topology.istio.io\/network","topology.kubernetes.io\/zone"\] ranks by topology.kubernetes.io\/zone beside localityFailover, which istiod refuses: drop one of them/],
    ['a wildcard region in localityFailover', { outlierDetection: { consecutiveGatewayErrors: 3 }, localityFailover: [{ from: 'us-*', to: 'us-west-2' }] },
      /trafficPolicy.localityFailover\[0\].from "us-\*" has a wildcard, which istiod refuses in failover: name one region/],
  ])('failover priority refused %s', (_, trafficPolicy, message) => {
    const { mesh } = multiNetwork();
    const c1 = new MeshCluster(mesh, 'c1', { network: 'n1', gateway: { address: '10.0.0.1' } });
    const web = new GlobalService(mesh, 'web', { namespace: 'shop', ports: [{ name: 'http', number: 80 }], servedBy: [c1] });
    const v1 = web.addVersion('v1', { clusters: [c1] });
    expect(() => new VersionedRoute(mesh, 'route', { service: web, clients: [c1], defaultRoute: [{ version: v1 }], trafficPolicy })).toThrow(message);
  });

  test('cluster-local hosts reach the install; one that shadows a global service, or a malformed one, is refused', () => {
    const { app, mesh } = multiNetwork({ clusterLocalHosts: ['*.kube-system.svc.cluster.local', 'metrics.shop.svc.cluster.local'] });
    new MeshCluster(mesh, 'c1', { network: 'n1', gateway: { address: '10.0.0.1' } });
    expect(objectsOf(app, 'c1').get('IstioOperator/istio-system/c1')?.spec.meshConfig.serviceSettings).toEqual([
      { settings: { clusterLocal: true }, hosts: ['*.kube-system.svc.cluster.local', 'metrics.shop.svc.cluster.local'] },
    ]);
    const shadowed = multiNetwork({ clusterLocalHosts: ['metrics.shop.svc.cluster.local'] });
    const c = new MeshCluster(shadowed.mesh, 'c1', { network: 'n1', gateway: { address: '10.0.0.1' } });
    new GlobalService(shadowed.mesh, 'metrics', { namespace: 'shop', ports: [{ name: 'http', number: 80 }], servedBy: [c] });
    expect(() => shadowed.app.synth()).toThrow(/\[mesh\/metrics\] metrics.shop.svc.cluster.local is served across clusters, but clusterLocalHosts has metrics.shop.svc.cluster.local/);
    expect(() => new Mesh(testApp(), 'm', { topology: MeshTopology.MULTI_NETWORK, clusterLocalHosts: ['metrics.shop'] })).toThrow(/clusterLocalHosts\[0\] "metrics.shop" is not a cluster.local service host/);
    expect(() => new Mesh(testApp(), 'm', { clusterLocalHosts: ['*.kube-system.svc.cluster.local'] })).toThrow(/clusterLocalHosts .* means nothing in the global-names topology/);
  });
});

describe('moving a running .global mesh to multi-network', () => {
  const declare = (dir: string, topology: MeshTopology, keepGlobalName?: boolean) => {
    const { app, mesh } = testMesh({ meshId: 'mesh1', topology }, dir);
    const c1 = new MeshCluster(mesh, 'c1', { network: 'n1', gateway: { address: '10.0.0.1' } });
    const c2 = new MeshCluster(mesh, 'c2', { network: 'n2', gateway: { address: '10.0.1.1' } });
    new GlobalService(mesh, 'web', { namespace: 'shop', ports: [{ name: 'http', number: 80, targetPort: 8080 }], servedBy: [c1], consumers: [c2], keepGlobalName });
    app.synth();
    return app;
  };

  test('both names during the move (the .global one with its old VIP), then only cluster.local, the VIP still reserved', () => {
    const dir = tempDir();
    const before = declare(dir, MeshTopology.GLOBAL_NAMES);
    const vip = objectsOf(before, 'c2').get('ServiceEntry/shop/web-global')!.spec.addresses[0];

    // During: old clients keep web.shop.global (same VIP, through the east-west gateway); new ones use the local name.
    const during = declare(dir, MeshTopology.MULTI_NETWORK, true);
    const c2 = objectsOf(during, 'c2');
    expect(c2.get('ServiceEntry/shop/web-global')?.spec).toMatchObject({ hosts: ['web.shop.global'], addresses: [vip], endpoints: [{ address: '10.0.0.1' }] });
    expect(c2.get('Service/shop/web')?.spec.selector).toBeUndefined();
    const c1 = objectsOf(during, 'c1');
    expect(c1.get('ServiceEntry/shop/web-global')?.spec.hosts).toEqual(['web.shop.global']);
    expect(c1.get('Gateway/istio-system/istio-multicluster-ingressgateway')?.spec).toMatchObject({ selector: { istio: 'eastwestgateway' }, servers: [{ hosts: ['*.global'] }] });
    expect(c1.get('Gateway/istio-system/cross-network-gateway')?.spec.servers[0].hosts).toEqual(['*.local']);
    const objects = allObjects(during);
    expect(istioSchemaErrors(objects)).toEqual([]);
    expect(toolSchemaErrors(objects)).toEqual([]);

    // After: no .global object; the lock file keeps the VIP reserved, and the synth says so.
    const after = declare(dir, MeshTopology.MULTI_NETWORK);
    expect([...objectsOf(after, 'c2').keys()].filter(k => k.includes('global'))).toEqual([]);
    expect(fs.readFileSync(path.join(dir, 'mesh.lock.json'), 'utf8')).toContain(vip);
    expect(after.warnings).toContainEqual(expect.stringMatching(/keeps VIPs of removed services: web.shop.global.* \[MCM109\]$/));
  });

  test('keepGlobalName means nothing in global names; .global options in multi-network need a service that keeps its name', () => {
    const { mesh } = testMesh();
    const c1 = new MeshCluster(mesh, 'c1', { gateway: { address: '10.0.0.1' } });
    expect(() => new GlobalService(mesh, 'web', { namespace: 'shop', ports: [{ name: 'http', number: 80 }], servedBy: [c1], keepGlobalName: true }))
      .toThrow(/\[mesh\/web\] keepGlobalName true means nothing in the global-names topology/);
    const { app, mesh: m } = multiNetwork({ vipRange: '240.1.0.0/16' });
    new MeshCluster(m, 'c1', { network: 'n1' });
    expect(() => app.synth()).toThrow(/vipRange means nothing in the multi-network topology unless a service keeps its .global name \(keepGlobalName\)/);
  });
});

describe('the Services the cluster.local topologies render carry a declared protocol their port names do not state', () => {
  test.each([MeshTopology.MULTI_NETWORK, MeshTopology.AMBIENT])('%s: appProtocol where the name does not say it, nothing where it does', topology => {
    const { app, mesh } = testMesh({ meshId: 'mesh1', topology });
    const c1 = new MeshCluster(mesh, 'c1', { network: 'n1', gateway: { address: '10.0.0.1' } });
    const c2 = new MeshCluster(mesh, 'c2', { network: 'n2', gateway: { address: '10.0.1.1' } });
    new GlobalService(mesh, 'web', {
      namespace: 'shop', servedBy: [c1], consumers: [c2],
      ports: [{ name: 'web', number: 80, protocol: Protocol.HTTP }, { name: 'grpc-api', number: 9000 }, { name: 'http-legacy', number: 8080, protocol: Protocol.HTTP2 }],
    });
    // The consumer's stub (multi-network) or global Service (ambient, in the serving cluster too): Istio reads appProtocol before the name.
    const protocols = (cluster: string) => objectsOf(app, cluster).get('Service/shop/web')?.spec.ports.map((p: { name: string; appProtocol?: string }) => [p.name, p.appProtocol]);
    const expected = [['web', 'http'], ['grpc-api', undefined], ['http-legacy', 'http2']];
    expect(protocols('c2')).toEqual(expected);
    expect(protocols('c1')).toEqual(topology === MeshTopology.AMBIENT ? expected : undefined);
  });
});

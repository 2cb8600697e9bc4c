import { AccessPolicy, ExternalService, GitOps, GlobalService, HttpMethod, Mesh, MeshCluster, MeshProps, MeshTopology, Principal, VersionedRoute, VmWorkload } from '../../src';
import { testMesh } from '../support/synth';

const port = [{ name: 'http', number: 80, targetPort: 8080 }];
const gateway = (n: number) => ({ address: `10.0.0.${n}` });
const web = (mesh: Mesh, props: object) => new GlobalService(mesh, 'web', { namespace: 'shop', ports: port, ...props } as never);
const multiNetwork: Omit<MeshProps, 'lockFile'> = { topology: MeshTopology.MULTI_NETWORK };
const ambient: Omit<MeshProps, 'lockFile'> = { topology: MeshTopology.AMBIENT };

/**
 * Every whole-mesh error, triggered by the smallest mesh that breaks it: the synth fails, and the message
 * carries the rule's code (the constructs' own tests hold the wording).
 */
test.each<[string, Omit<MeshProps, 'lockFile'>, (mesh: Mesh) => void]>([
  ['MCM001', {}, () => undefined],
  ['MCM002', {}, mesh => ['a', 'b'].forEach(id => new MeshCluster(mesh, id, { name: 'same' }))],
  ['MCM003', {}, mesh => {
    const c1 = new MeshCluster(mesh, 'c1', { gateway: gateway(1) });
    ['a', 'b'].forEach(id => new GlobalService(mesh, id, { name: 'web', namespace: 'shop', ports: port, servedBy: [c1] }));
    new MeshCluster(mesh, 'c2');
  }],
  ['MCM004', {}, mesh => {
    const [c1, c2] = [1, 2].map(n => new MeshCluster(mesh, `c${n}`, { gateway: gateway(n) }));
    web(mesh, { servedBy: [c1, c2], consumers: [c1, c2] });
  }],
  ['MCM005', {}, mesh => web(mesh, { servedBy: [new MeshCluster(mesh, 'c1')], consumers: [new MeshCluster(mesh, 'c2')] })],
  ['MCM006', {}, mesh => {
    const [c1, c2] = [1, 2].map(n => new MeshCluster(mesh, `c${n}`, { gateway: gateway(n) }));
    const service = web(mesh, { servedBy: [c1] });
    const v1 = service.addVersion('v1', { clusters: [c1] });
    ['r1', 'r2'].forEach(id => new VersionedRoute(mesh, id, { service, clients: [c2], defaultRoute: [{ version: v1 }] }));
  }],
  ['MCM007', {}, mesh => {
    new MeshCluster(mesh, 'c1');
    new AccessPolicy(mesh, 'p', { namespace: 'shop', selector: { app: 'nothing' }, principals: [Principal.namespace('shop')] });
  }],
  ['MCM008', { gitOps: GitOps.argoCd({ repoUrl: 'https://git.example.com/x.git', destinations: { nowhere: 'in-cluster' } }) }, mesh => new MeshCluster(mesh, 'c1')],
  ['MCM009', {}, mesh => {
    new MeshCluster(mesh, 'c1');
    ['a', 'b'].forEach(id => new ExternalService(mesh, id, { hosts: ['api.example.com'], ports: [{ name: 'https', number: 443, protocol: 'TLS' as never }] }));
  }],
  ['MCM010', { ...multiNetwork, globalDomain: 'mesh' }, mesh => new MeshCluster(mesh, 'c1', { network: 'n1' })],
  ['MCM011', multiNetwork, mesh => {
    const p = new MeshCluster(mesh, 'p', { network: 'n1', gateway: gateway(1) });
    const r = new MeshCluster(mesh, 'r', { network: 'n1', primary: p });
    web(mesh, { servedBy: [p], consumers: [r], keepGlobalName: true });
  }],
  ['MCM012', { ...multiNetwork, clusterLocalHosts: ['*.shop.svc.cluster.local'] }, mesh => {
    const [c1, c2] = [1, 2].map(n => new MeshCluster(mesh, `c${n}`, { network: `n${n}`, gateway: gateway(n) }));
    web(mesh, { servedBy: [c1], consumers: [c2] });
  }],
  ['MCM013', multiNetwork, mesh => web(mesh, { servedBy: [new MeshCluster(mesh, 'c1', { network: 'n1' })], consumers: [new MeshCluster(mesh, 'c2', { network: 'n2' })] })],
  ['MCM014', multiNetwork, mesh => {
    const p = new MeshCluster(mesh, 'p', { network: 'n1', gateway: gateway(1) });
    const r = new MeshCluster(mesh, 'r', { network: 'n1', primary: p });
    const service = web(mesh, { servedBy: [p] });
    new VersionedRoute(mesh, 'route', { service, clients: [r], defaultRoute: [{ version: service.addVersion('v1', { clusters: [p] }) }] });
  }],
  ['MCM015', multiNetwork, mesh => {
    const p = new MeshCluster(mesh, 'p', { network: 'n1', gateway: gateway(1) });
    const r = new MeshCluster(mesh, 'r', { network: 'n1', primary: p });
    new VmWorkload(mesh, 'vm', { namespace: 'shop', cluster: r, ports: port, instances: [{ name: 'vm1', address: '10.1.0.9' }] });
  }],
  ['MCM016', ambient, mesh => {
    const c1 = new MeshCluster(mesh, 'c1', { network: 'n1', gateway: gateway(1) });
    web(mesh, { servedBy: [c1] });
    new AccessPolicy(mesh, 'p', { namespace: 'shop', selector: { app: 'web' }, principals: [Principal.namespace('shop')], methods: [HttpMethod.GET], clusters: [c1] });
  }],
  ['MCM017', ambient, mesh => {
    const c1 = new MeshCluster(mesh, 'c1', { network: 'n1', gateway: gateway(1) });
    new VmWorkload(mesh, 'vm', { namespace: 'shop', cluster: c1, ports: port, instances: [{ name: 'vm1', address: '10.1.0.9' }] });
  }],
])('%s is raised, with its code, by a mesh that breaks it', (code, props, declare) => {
  const { app, mesh } = testMesh(props);
  declare(mesh);
  expect(() => app.synth()).toThrow(new RegExp(`\\[${code}\\]`));
});

import { GlobalService, Mesh, MeshCluster, MeshTopology, VmWorkload } from '../src';
import { Protocol, protocolFromName } from '../src/service-port';
import { synthOnce, testMesh } from './support/synth';

describe('protocolFromName', () => {
  test.each<[string, Protocol | undefined]>([
    ['http', Protocol.HTTP], ['http-web', Protocol.HTTP], ['http1', Protocol.HTTP], ['http2', Protocol.HTTP2], ['http2-api', Protocol.HTTP2],
    ['https', Protocol.HTTPS], ['grpc-web', Protocol.GRPC_WEB], ['grpc-web-x', Protocol.GRPC_WEB], ['grpc', Protocol.GRPC], ['grpc-api', Protocol.GRPC],
    ['tcp-db', Protocol.TCP], ['tls', Protocol.TLS], ['mongo', Protocol.MONGO], ['mysql-0', Protocol.MYSQL], ['redis', Protocol.REDIS],
    ['web', undefined], ['httpx', undefined], ['http1x', undefined], ['xhttp', undefined], ['grpcweb', undefined], ['tcp2a', undefined],
  ])('%s states %s', (name, protocol) => {
    expect(protocolFromName(name)).toBe(protocol);
  });
});

test('a port name of 63 characters is refused: Istio\'s CRD takes 62 at most as an endpoint\'s port key', () => {
  const { mesh } = testMesh();
  const cluster = new MeshCluster(mesh, 'c1', { gateway: { address: '10.0.0.1' } });
  const name = (length: number) => `http-${'x'.repeat(length - 5)}`;
  expect(new GlobalService(mesh, 'ok', { namespace: 'shop', servedBy: [cluster], ports: [{ name: name(62), number: 80 }] }).ports[0].name).toHaveLength(62);
  expect(() => new GlobalService(mesh, 'web', { namespace: 'shop', servedBy: [cluster], ports: [{ name: name(63), number: 80 }] }))
    .toThrow(/\[mesh\/web\] ports\[0\].name "http-x+" is not a valid port name: use at most 62 lower-case letters, digits and "-", e.g. http-web \[MCM030\]/);
});

describe('ports where the Istio proxy listens (MCM114)', () => {
  const warningsOf = (topology: MeshTopology, declare: (mesh: Mesh, cluster: MeshCluster) => void) => {
    const { app, mesh } = testMesh({ topology });
    const cluster = new MeshCluster(mesh, 'c1', { network: 'n1', gateway: { address: '10.0.0.1' } });
    new MeshCluster(mesh, 'c2', { network: 'n2', gateway: { address: '10.0.0.2' } });
    declare(mesh, cluster);
    synthOnce(app);
    return app.warnings.filter(w => w.endsWith('[MCM114]'));
  };

  test('pods listening on a sidecar port, at targetPort or (without one) at the service port', () => {
    expect(warningsOf(MeshTopology.GLOBAL_NAMES, (mesh, c1) => new GlobalService(mesh, 'web', {
      namespace: 'shop', servedBy: [c1],
      ports: [{ name: 'http', number: 80, targetPort: 15001 }, { name: 'http-metrics', number: 15090 }, { name: 'grpc', number: 15006, targetPort: 9090 }],
    }))).toEqual([
      '[mesh/web] ports[0] http listens on 15001, the Istio proxy\'s outbound capture port in every workload with a sidecar: the application cannot bind it, '
        + 'or the proxy takes its traffic; move the application to another port and set targetPort [MCM114]',
      expect.stringMatching(/^\[mesh\/web\] ports\[1\] http-metrics listens on 15090, the Istio proxy's Envoy metrics port in every workload with a sidecar: .* \[MCM114\]$/),
    ]);
  });

  test('a VM listening on a sidecar port, for the workload or one instance', () => {
    expect(warningsOf(MeshTopology.GLOBAL_NAMES, (mesh, c1) => new VmWorkload(mesh, 'whoami', {
      namespace: 'default', cluster: c1, ports: [{ name: 'http', number: 80, targetPort: 8888 }],
      instances: [{ name: 'vm1', address: '172.29.9.61' }, { name: 'vm2', address: '172.29.9.62', ports: { http: 15021 } }],
    }))).toEqual([expect.stringMatching(/^\[mesh\/whoami\] instance vm2's http port listens on 15021, the Istio proxy's health check port in every workload with a sidecar: .*; move the application to another port and set the instance's port \[MCM114\]$/)]);
  });

  test('in ambient pods only ztunnel\'s in-pod ports are taken: 15008 is, 15090 is the application\'s', () => {
    expect(warningsOf(MeshTopology.AMBIENT, (mesh, c1) => new GlobalService(mesh, 'web', {
      namespace: 'shop', servedBy: [c1], ports: [{ name: 'http', number: 80, targetPort: 15008 }, { name: 'http-metrics', number: 9000, targetPort: 15090 }],
    }))).toEqual([expect.stringMatching(/^\[mesh\/web\] ports\[0\] http listens on 15008, the Istio proxy's HBONE tunnel port in every ambient pod: .* \[MCM114\]$/)]);
  });
});

import { ApiObject } from 'cdk8s';
import { GlobalService, MeshCluster } from '../../src';
import { hostsOverlap } from '../../src/validation/rendered-conflicts';
import { bundleFile, testMesh } from '../support/synth';

/** c2 serves web.shop.global to c1. */
function served() {
  const { app, mesh } = testMesh();
  const c1 = new MeshCluster(mesh, 'c1');
  const c2 = new MeshCluster(mesh, 'c2', { gateway: { address: '192.0.2.2' } });
  new GlobalService(mesh, 'web', { namespace: 'shop', ports: [{ name: 'http', number: 80, targetPort: 8080 }], servedBy: [c2] });
  return { app, c1, c2 };
}

test.each([
  ['*.global', 'web.shop.global', true], ['*', 'x.example.com', true], ['*.global', '*.shop.global', true],
  ['*.a.com', '*.b.com', false], ['web.shop.global', 'api.shop.global', false], ['*.global', 'global', false],
])('hosts %s and %s overlap: %s', (a, b, overlap) => {
  expect([hostsOverlap(a, b), hostsOverlap(b, a)]).toEqual([overlap, overlap]);
});

test('a Gateway of yours passing through hosts the mesh gateway passes through, on its pods and port, is refused (MCM022)', () => {
  const { app, c2 } = served();
  new ApiObject(c2, 'mine', {
    apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'mine', namespace: 'istio-system' },
    spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 15443, name: 'tls', protocol: 'TLS' }, hosts: ['*.shop.global'], tls: { mode: 'AUTO_PASSTHROUGH' } }] },
  });
  expect(() => app.synth()).toThrow(/\[mesh\/c2\] Gateway\/istio-system\/istio-multicluster-ingressgateway and Gateway\/istio-system\/mine both pass through \*\.global and \*\.shop\.global on port 15443 of the same gateway pods: .*IST0145.* \[MCM022\]/);
});

test('a Gateway of yours serving plain HTTP on the mesh gateway\'s TLS port, on its pods, is refused (MCM024); HTTPS beside TLS shares the listener', () => {
  const http = served();
  new ApiObject(http.c2, 'mine', {
    apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'mine', namespace: 'shop' },
    spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 15443, name: 'http', protocol: 'HTTP' }, hosts: ['web.example.com'] }] },
  });
  expect(() => http.app.synth()).toThrow(/\[mesh\/c2\] Gateway\/istio-system\/istio-multicluster-ingressgateway and Gateway\/shop\/mine serve port 15443 of the same gateway pods as TLS and HTTP, .* \[MCM024\]/);

  const https = served();
  new ApiObject(https.c2, 'mine', {
    apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'mine', namespace: 'shop' },
    spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 15443, name: 'https', protocol: 'HTTPS' }, hosts: ['web.example.com'], tls: { mode: 'SIMPLE', credentialName: 'web-cert' } }] },
  });
  expect(() => https.app.synth()).not.toThrow();
});

test('the same Gateway hosts on other pods or another port are fine', () => {
  const { app, c2 } = served();
  new ApiObject(c2, 'mine', {
    apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'mine', namespace: 'istio-system' },
    spec: { selector: { istio: 'eastwestgateway' }, servers: [{ port: { number: 15443, name: 'tls', protocol: 'TLS' }, hosts: ['*.global'], tls: { mode: 'AUTO_PASSTHROUGH' } }] },
  });
  expect(() => app.synth()).not.toThrow();
});

test('a ServiceEntry of yours for a mesh host in another namespace, or with another protocol on its port, is refused (MCM023)', () => {
  const other = served();
  new ApiObject(other.c1, 'mine', {
    apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'web', namespace: 'legacy' },
    spec: { hosts: ['web.shop.global'], ports: [{ name: 'http', number: 80, protocol: 'HTTP' }], resolution: 'DNS' },
  });
  expect(() => other.app.synth()).toThrow(/\[mesh\/c1\] web\.shop\.global is declared in 2 namespaces \(ServiceEntry\/shop\/web-global, ServiceEntry\/legacy\/web\): sidecars would use either; declare it once \[MCM023\]/);

  const protocol = served();
  new ApiObject(protocol.c1, 'mine', {
    apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'web-tcp', namespace: 'shop' },
    spec: { hosts: ['web.shop.global'], ports: [{ name: 'tcp', number: 80, protocol: 'TCP' }], resolution: 'DNS' },
  });
  expect(() => protocol.app.synth()).toThrow(/\[mesh\/c1\] web\.shop\.global port 80 is declared with protocols HTTP and TCP .*: Istio keeps one; give the port one protocol \[MCM023\]/);
});

test('a port without a protocol is left to Istio\'s inference: no clash is claimed', () => {
  const { app, c1 } = served();
  new ApiObject(c1, 'mine', {
    apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'web-extra', namespace: 'shop' },
    spec: { hosts: ['web.shop.global'], ports: [{ name: 'http-alt', number: 80 }], resolution: 'DNS' },
  });
  expect(() => app.synth()).not.toThrow();
  // An entry without endpoints resolves its host: the expected state says so instead of failing on it.
  expect(bundleFile(app, 'c1/expected-state.json')).toContain('{"port":80,"hostname":"web.shop.global"}');
});

import { App } from 'cdk8s';
import { IstioApiVersion, Mesh, MeshCluster } from '../src';
import { istioSchemaErrors } from './support/istio-schema';
import { allObjects, objectsOf, testApp } from './support/synth';

describe('Mesh', () => {
  test('defaults: mesh id from the construct id, cluster.local, global, v1, strict mTLS', () => {
    const mesh = new Mesh(testApp(), 'mesh1');
    expect([mesh.meshId, mesh.trustDomain, mesh.globalDomain, mesh.apiVersion, mesh.strictMtls])
      .toEqual(['mesh1', 'cluster.local', 'global', IstioApiVersion.V1, true]);
  });

  test('global domain and trust domain flow into the gateway hosts and the install overlay', () => {
    const app = testApp();
    const mesh = new Mesh(app, 'mesh', { globalDomain: 'mesh.internal', trustDomain: 'example.org' });
    new MeshCluster(mesh, 'c1', { gateway: { address: '10.0.0.1' } });
    const objects = objectsOf(app, 'c1');
    expect(objects.get('Gateway/istio-system/istio-multicluster-ingressgateway')?.spec.servers[0].hosts).toEqual(['*.mesh.internal']);
    expect(objects.get('DestinationRule/istio-system/istio-multicluster-destinationrule')?.spec.host).toBe('*.mesh.internal');
    expect(objects.get('IstioOperator/istio-system/c1')?.spec.meshConfig.trustDomain).toBe('example.org');
  });

  test('v1beta1 renders every Istio object at v1beta1, valid for that version', () => {
    const app = testApp();
    new MeshCluster(new Mesh(app, 'mesh', { apiVersion: IstioApiVersion.V1BETA1 }), 'c1', { gateway: { address: '10.0.0.1' } });
    const istio = allObjects(app).filter(o => o.apiVersion.includes('.istio.io/') && o.kind !== 'IstioOperator');
    expect(istio.map(o => o.apiVersion).sort()).toEqual(['networking.istio.io/v1beta1', 'networking.istio.io/v1beta1', 'security.istio.io/v1beta1']);
    expect(istioSchemaErrors(istio)).toEqual([]);
  });

  test('strictMtls: false renders no PeerAuthentication', () => {
    const app = testApp();
    new MeshCluster(new Mesh(app, 'mesh', { strictMtls: false }), 'c1');
    expect([...objectsOf(app, 'c1').keys()].filter(k => k.startsWith('PeerAuthentication'))).toEqual([]);
  });

  describe('errors', () => {
    test.each([
      [{ meshId: 'Mesh 1' }, /\[mesh\] meshId "Mesh 1" is not a DNS-1123 label/],
      [{ trustDomain: 'Example..org' }, /\[mesh\] trustDomain "Example..org" is not a DNS name/],
      [{ globalDomain: '*.global' }, /\[mesh\] globalDomain "\*.global" is not a host name/],
      // istiod refuses a host whose top-level label is all digits: every `.global` host would end in it.
      [{ globalDomain: 'mesh.1' }, /\[mesh\] globalDomain "mesh.1" is not a host name: use dot-separated labels of lower-case letters, digits and "-", the last one not all digits/],
      [{ apiVersion: 'v2' as IstioApiVersion }, /\[mesh\] apiVersion "v2" is not an Istio API version the library renders: use one of v1, v1beta1/],
    ])('bad prop %j', (props, message) => {
      expect(() => new Mesh(testApp(), 'mesh', props)).toThrow(message);
    });

    test('a mesh without clusters fails at synth', () => {
      const app = testApp();
      new Mesh(app, 'mesh');
      expect(() => app.synth()).toThrow(/\[mesh\] the mesh has no cluster: add one with `new MeshCluster/);
    });

    test('two clusters with one name fail at synth, naming both', () => {
      const app = testApp();
      const mesh = new Mesh(app, 'mesh');
      new MeshCluster(mesh, 'a', { name: 'cluster1' });
      new MeshCluster(mesh, 'b', { name: 'cluster1' });
      expect(() => app.synth()).toThrow(/cluster name "cluster1" is used by mesh\/a and mesh\/b: cluster names must be unique/);
    });

    test('a mesh in a plain cdk8s App says to use MeshApp', () => {
      const app = new App({ outdir: testApp().outdir });
      new MeshCluster(new Mesh(app, 'mesh'), 'c1');
      expect(() => app.synth()).toThrow(/a Mesh renders only inside a MeshApp, .*create your app with `new MeshApp\(\)` instead of `new App\(\)` \(it synthesizes your other charts as App does\), and in tests use `new MeshApp\(\{ outdir \}\)` with `Testing.synth\(cluster\)`/);
    });
  });
});

import { ApiObject, Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { DestinationRule, ServiceEntry, VirtualService } from '../../imports/networking.istio.io';
import { IstioOperator } from '../../src/render/istio-operator';
import { jsonBytes, manifestOf, withApiVersion, withoutUndefined } from '../../src/render/manifest';

describe('manifestOf', () => {
  // What cdk8s itself would write: its generated manifest() over props sanitized as an ApiObject does.
  const viaCdk8s = (type: { manifest(props: never): object }, props: object) => {
    const app = Testing.app();
    const chart = new Chart(app, 'c', { disableResourceNameHashes: true });
    return new (type as unknown as new (s: Chart, id: string, p: object) => ApiObject)(chart, 'o', props).toJson();
  };
  test.each<[string, { manifest(props: never): object }, object]>([
    ['ServiceEntry', ServiceEntry, { metadata: { name: 'a', namespace: 'b', labels: { z: '1', a: '2' } }, spec: { hosts: ['h'], resolution: 'DNS', ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], endpoints: [{ ports: { http: 1 }, address: '10.0.0.1', labels: { 'security.istio.io/tlsMode': 'istio', 'cluster': 'c' } }], location: 'MESH_INTERNAL', addresses: ['240.0.0.1'] } }],
    ['DestinationRule (a renamed field)', DestinationRule, { metadata: { name: 'a', annotations: { x: 'y' } }, spec: { host: 'h', trafficPolicy: { outlierDetection: { consecutive5XxErrors: 0, consecutiveGatewayErrors: 3, interval: '5s' }, tls: { mode: 'ISTIO_MUTUAL' } }, subsets: [{ name: 'v1', labels: { version: 'v1' } }] } }],
    ['VirtualService (a renamed field)', VirtualService, { metadata: { name: 'a' }, spec: { hosts: ['h'], http: [{ name: 'r', match: [{ port: 80, headers: { u: { exact: 'j' } } }], mirrorPercent: 5, route: [{ destination: { host: 'h', subset: 's', port: { number: 80 } }, weight: 100 }] }] } }],
    ['IstioOperator', IstioOperator, { metadata: { name: 'c', namespace: 'istio-system' }, spec: { values: { global: { meshID: 'm' } }, meshConfig: { trustDomain: 'cluster.local' } } }],
    // Kubernetes kinds, through their generated manifest(): props in key order, and not.
    ['Namespace', k8s.KubeNamespace, { metadata: { annotations: { 'a/b': 'c' }, labels: { 'istio-injection': 'enabled' }, name: 'ns' } }],
    ['Namespace, keys out of order', k8s.KubeNamespace, { metadata: { name: 'ns', labels: { z: '1', a: undefined, b: '2' } } }],
    ['Service', k8s.KubeService, { metadata: { name: 's', namespace: 'n' }, spec: { ports: [{ name: 'http', port: 80, targetPort: k8s.IntOrString.fromNumber(8080) }], selector: { app: 's' } } }],
    // A long string with what JSON escapes (newlines, quotes), and one beyond ASCII: sizes stay exact in bytes.
    ['ConfigMap', k8s.KubeConfigMap, { data: { 'Corefile': '.:53 {\n    errors\n    forward . /etc/resolv.conf\n    log . "{remote} {type} {name}"\n}\n', 'a.db': 'x' }, metadata: { name: 'coredns', namespace: 'kube-system' } }],
    ['Namespace, annotated beyond ASCII', k8s.KubeNamespace, { metadata: { annotations: { note: 'Équipe paiements — propriétaire du namespace, joignable sur #paiements' }, name: 'ns' } }],
  ])('%s: byte for byte what cdk8s writes, key order included', (_, type, props) => {
    const manifest = manifestOf(type as never, props);
    expect(JSON.stringify(manifest)).toBe(JSON.stringify(viaCdk8s(type, props)));
    // The size the budgets report reads is the size of that JSON in bytes, whether counted while rendering or after.
    expect(jsonBytes(manifest)).toBe(Buffer.byteLength(JSON.stringify(manifest)));
    expect(jsonBytes(JSON.parse(JSON.stringify(manifest)))).toBe(Buffer.byteLength(JSON.stringify(manifest)));
  });

  test('props in key order are kept as they are, undefined members included (JSON and YAML skip them); others are copied', () => {
    const spec = { hosts: ['h'], http: [{ fault: undefined, match: [{ port: 80 }], name: 'default', route: [{ destination: { host: 'h', port: { number: 80 }, subset: undefined }, weight: undefined }] }] };
    const kept = manifestOf(VirtualService as never, { metadata: { name: 'a' }, spec }) as { spec: object };
    expect(kept.spec).toBe(spec);
    expect(JSON.stringify(kept)).toBe(JSON.stringify(viaCdk8s(VirtualService, { metadata: { name: 'a' }, spec })));
    expect(jsonBytes(kept)).toBe(JSON.stringify(kept).length);
    const unordered = { http: spec.http, hosts: ['h'] };
    const copied = manifestOf(VirtualService as never, { metadata: { name: 'a' }, spec: unordered }) as { spec: object };
    expect(copied.spec).not.toBe(unordered);
    expect(Object.keys(copied.spec)).toEqual(['hosts', 'http']);
    expect(JSON.stringify(copied)).toBe(JSON.stringify(kept));
  });

  test('withoutUndefined drops undefined members, copying only what holds one, and leaves the object as it was', () => {
    const clean = { a: 1, b: [{ c: 'x' }] };
    expect(withoutUndefined(clean)).toBe(clean);
    const shared = { x: 1 };
    const rendered = { a: undefined, b: [{ c: undefined, d: shared }, shared], e: shared };
    const json = withoutUndefined(rendered);
    expect(JSON.stringify(json)).toBe(JSON.stringify(rendered));
    expect(Object.keys(json)).toEqual(['b', 'e']);
    expect(Object.keys(json.b[0])).toEqual(['d']);
    expect([json.e, json.b[1]]).toEqual([shared, shared]);
    expect(json.e).toBe(shared);
    expect(Object.keys(rendered)).toEqual(['a', 'b', 'e']);
    expect(Object.keys(rendered.b[0])).toEqual(['c', 'd']);
  });

  test('withApiVersion gives a manifest an older apiVersion, leaves the original as it was, and its JSON size stays exact', () => {
    const manifest = manifestOf(ServiceEntry as never, { metadata: { name: 'a' }, spec: { hosts: ['h'] } }) as { apiVersion: string };
    const older = withApiVersion(manifest, 'networking.istio.io/v1beta1');
    expect([manifest.apiVersion, older.apiVersion]).toEqual(['networking.istio.io/v1', 'networking.istio.io/v1beta1']);
    expect(JSON.stringify(older)).toBe(JSON.stringify(manifest).replace('/v1"', '/v1beta1"'));
    expect(jsonBytes(older)).toBe(JSON.stringify(older).length);
  });

  test('jsonBytes counts any value as compact JSON does', () => {
    for (const value of [{}, [], '', 'x', 0, 12345, -1.5, true, [{}], { a: [1, 'b', { c: false }], d: { e: [] } }]) {
      expect([value, jsonBytes(value)]).toEqual([value, JSON.stringify(value).length]);
    }
  });
});

import * as path from 'path';
import { ApiObject, Chart, Testing } from 'cdk8s';
import { DestinationRule, ServiceEntry, VirtualService } from '../../imports/networking.istio.io';
import { jsonBytes, manifestOf, withoutUndefined } from '../../src/render/cluster-bundle';
import { IstioOperator } from '../../src/render/istio-operator';
import { k8s } from 'cdk8s-plus-27';
import { Mesh, MeshApp, MeshCluster } from '../../src';
import { ClusterBundle } from '../../src/render/cluster-bundle';
import { renderExample } from '../support/examples';
import { testApp } from '../support/synth';

function bundle() {
  const app = testApp();
  const mesh = new Mesh(app, 'mesh');
  const cluster = new MeshCluster(mesh, 'c1');
  return { mesh, cluster, bundle: new ClusterBundle(cluster, mesh) };
}

describe('ClusterBundle', () => {
  test('two objects with one kind, namespace and name are an error naming both origins', () => {
    const { mesh, cluster, bundle: b } = bundle();
    b.add('dns', mesh, k8s.KubeConfigMap, { metadata: { name: 'coredns', namespace: 'kube-system' } });
    expect(() => b.add('dns', cluster, k8s.KubeConfigMap, { metadata: { name: 'coredns', namespace: 'kube-system' } }))
      .toThrow('[mesh/c1] ConfigMap "kube-system/coredns" is rendered twice, by mesh and by mesh/c1: give one of them another name');
  });

  test('the same name in another namespace or of another kind is fine', () => {
    const { mesh, bundle: b } = bundle();
    b.add('dns', mesh, k8s.KubeConfigMap, { metadata: { name: 'x', namespace: 'a' } });
    b.add('dns', mesh, k8s.KubeConfigMap, { metadata: { name: 'x', namespace: 'b' } });
    b.add('dns', mesh, k8s.KubeService, { metadata: { name: 'x', namespace: 'a' } });
  });

  test('files list objects by kind rank, then namespace and name, whatever the order they were added in', () => {
    const { mesh, bundle: b } = bundle();
    b.add('dns', mesh, k8s.KubeService, { metadata: { name: 'a', namespace: 'z' } });
    b.add('dns', mesh, k8s.KubeConfigMap, { metadata: { name: 'b', namespace: 'z' } });
    b.add('dns', mesh, k8s.KubeConfigMap, { metadata: { name: 'a', namespace: 'z' } });
    b.add('dns', mesh, k8s.KubeConfigMap, { metadata: { name: 'z', namespace: 'a' } });
    const dns = b.toFiles().find(f => f.path === 'c1/mesh/dns.yaml')!;
    expect((dns.content as any[]).map(o => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`))
      .toEqual(['ConfigMap/a/z', 'ConfigMap/z/a', 'ConfigMap/z/b', 'Service/z/a']);
  });

  test('each applied layer has a kustomization listing its concerns in order; the install overlay is in none', () => {
    const { mesh, cluster, bundle: b } = bundle();
    b.add('install', cluster, IstioOperator, { metadata: { name: 'c1', namespace: 'istio-system' }, spec: {} });
    b.add('security', mesh, k8s.KubeConfigMap, { metadata: { name: 'x', namespace: 'a' } });
    b.add('dns', mesh, k8s.KubeConfigMap, { metadata: { name: 'x', namespace: 'b' } });
    const files = b.toFiles();
    expect(files.map(f => f.path)).toEqual([
      'c1/ca/namespace.yaml', 'c1/istio/istio-operator.yaml', 'c1/mesh/security.yaml', 'c1/mesh/dns.yaml', 'c1/ca/kustomization.yaml', 'c1/mesh/kustomization.yaml',
    ]);
    const kustomization = (file: string) => files.find(f => f.path === file)!.content;
    expect(kustomization('c1/ca/kustomization.yaml')).toEqual([{ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['namespace.yaml'] }]);
    expect(kustomization('c1/mesh/kustomization.yaml')).toEqual([{ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['security.yaml', 'dns.yaml'] }]);
  });
});

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
  ])('%s: byte for byte what cdk8s writes, key order included', (_, type, props) => {
    const manifest = manifestOf(type as never, props);
    expect(JSON.stringify(manifest)).toBe(JSON.stringify(viaCdk8s(type, props)));
    // The size the budgets report reads is the size of that JSON, whether counted while rendering or after.
    expect(jsonBytes(manifest)).toBe(JSON.stringify(manifest).length);
    expect(jsonBytes(JSON.parse(JSON.stringify(manifest)))).toBe(JSON.stringify(manifest).length);
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

  test('jsonBytes counts any value as compact JSON does', () => {
    for (const value of [{}, [], '', 'x', 0, 12345, -1.5, true, [{}], { a: [1, 'b', { c: false }], d: { e: [] } }]) {
      expect([value, jsonBytes(value)]).toEqual([value, JSON.stringify(value).length]);
    }
  });
});

describe('objects are kept as rendered', () => {
  const deepFreeze = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
    Object.freeze(value);
    Object.values(value).forEach(deepFreeze);
  };

  // Props in canonical form are kept and may be shared between clusters, not copied: a renderer that
  // changed an object after adding it would change what other clusters render. Frozen at `add`, any such
  // change throws (modules are strict).
  test.each(['global-services', 'versioned-routing', 'vm-workloads', 'security', 'multi-network', 'gitops'])('no renderer changes an object after adding it: examples/%s', example => {
    const add = ClusterBundle.prototype.add;
    const frozen = jest.spyOn(ClusterBundle.prototype, 'add').mockImplementation(function (this: ClusterBundle, ...args: Parameters<ClusterBundle['add']>) {
      deepFreeze(args[3]);
      return add.apply(this, args);
    });
    try {
      const exampleDir = path.join(__dirname, '..', '..', 'examples', example);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { build } = require(path.join(exampleDir, 'main')) as { build: (dir: string) => MeshApp | MeshApp[] };
      const { rendered, committed } = renderExample(exampleDir, build);
      expect(frozen).toHaveBeenCalled();
      expect(rendered.dist).toEqual(committed.dist);
    } finally {
      frozen.mockRestore();
    }
  });
});

import * as path from 'path';
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

import { k8s } from 'cdk8s-plus-27';
import { Mesh, MeshCluster } from '../../src';
import { ClusterBundle } from '../../src/render/cluster-bundle';
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
    const dns = b.toFiles().find(f => f.path === 'c1/dns.yaml')!;
    expect((dns.content as any[]).map(o => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`))
      .toEqual(['ConfigMap/a/z', 'ConfigMap/z/a', 'ConfigMap/z/b', 'Service/z/a']);
  });

  test('the kustomization lists the applied concerns in order, never the install overlay', () => {
    const { bundle: b } = bundle();
    const files = b.toFiles();
    expect(files.map(f => f.path)).toEqual(['c1/namespaces.yaml', 'c1/kustomization.yaml']);
    expect(files.find(f => f.path === 'c1/kustomization.yaml')!.content).toEqual([
      { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['namespaces.yaml'] },
    ]);
  });
});

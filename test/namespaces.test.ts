import * as path from 'path';
import { Construct } from 'constructs';
import { AccessPolicy, GlobalService, Mesh, MeshCluster, MeshMetadata, NamespaceManagement, Principal, VmWorkload } from '../src';
import { istioSchemaErrors } from './support/istio-schema';
import { allObjects, KubeObject, objectsOf, readYaml, tempDir, testApp } from './support/synth';

/** A mesh whose services come and go: bar served by c2 and consumed by c1, shop by c2 too, a VM in c3. */
function declare(dir: string, options: {
  services?: string[]; clusters?: string[]; namespaces?: NamespaceManagement; namespaceOverrides?: Record<string, NamespaceManagement>; injectionRevision?: string;
} = {}) {
  const app = testApp(dir);
  const mesh = new Mesh(app, 'mesh', {
    meshId: 'mesh1', lockFile: path.join(dir, 'mesh.lock.json'), namespaces: options.namespaces, namespaceOverrides: options.namespaceOverrides,
    injectionRevision: options.injectionRevision,
    labels: { team: 'platform' }, annotations: { 'argocd.argoproj.io/sync-wave': '2' },
  });
  const clusters = Object.fromEntries((options.clusters ?? ['c1', 'c2', 'c3']).map(name =>
    [name, new MeshCluster(mesh, name, { gateway: { address: `gw.${name}.example.com` } })]));
  const services = options.services ?? ['httpbin', 'shop-api'];
  if (clusters.c2 && services.includes('httpbin')) {
    new GlobalService(mesh, 'httpbin', { namespace: 'bar', ports: [{ name: 'http', number: 8000, targetPort: 8080 }], servedBy: [clusters.c2], consumers: clusters.c1 ? [clusters.c1] : [] });
  }
  if (clusters.c2 && services.includes('shop-api')) {
    new GlobalService(mesh, 'shop-api', { namespace: 'shop', ports: [{ name: 'http', number: 80, targetPort: 8080 }], servedBy: [clusters.c2], consumers: [] });
    new AccessPolicy(mesh, 'shop-readers', { namespace: 'shop', selector: { app: 'shop-api' }, principals: [Principal.namespace('bar')] });
  }
  if (clusters.c3) {
    new VmWorkload(mesh, 'legacy', { namespace: 'legacy', cluster: clusters.c3, ports: [{ name: 'http', number: 80, targetPort: 80 }], instances: [{ name: 'vm1', address: '10.0.0.9' }] });
  }
  return app;
}

const namespacesOf = (app: ReturnType<typeof testApp>, cluster: string) =>
  [...objectsOf(app, cluster).values()].filter(o => o.kind === 'Namespace');

/** Argo CD and Flux both leave the object in place when it leaves the bundle. */
const pruneSafe = (ns: KubeObject) =>
  /(^|,)Prune=false(,|$)/.test(ns.metadata.annotations?.['argocd.argoproj.io/sync-options'] ?? '')
  && ns.metadata.annotations?.['kustomize.toolkit.fluxcd.io/prune'] === 'disabled';

describe('namespaces', () => {
  test('removing a service, a namespace\'s last service, or a whole cluster never makes a GitOps prune delete a Namespace', () => {
    const before = declare(tempDir());
    const variants = [
      declare(tempDir(), { services: ['httpbin'] }), // shop's last service and its policy leave
      declare(tempDir(), { services: [] }),
      declare(tempDir(), { clusters: ['c1', 'c2'] }), // c3 and its VM leave the mesh
    ];
    for (const cluster of ['c1', 'c2', 'c3']) {
      const previous = namespacesOf(before, cluster);
      expect(previous.length).toBeGreaterThan(0);
      for (const after of variants) {
        const kept = new Set(namespacesOf(after, cluster).map(n => n.metadata.name));
        for (const gone of previous.filter(n => !kept.has(n.metadata.name))) {
          expect([cluster, gone.metadata.name, pruneSafe(gone)]).toEqual([cluster, gone.metadata.name, true]);
        }
      }
      // And every rendered Namespace is prune-safe from the start, istio-system included.
      expect(previous.filter(n => !pruneSafe(n)).map(n => n.metadata.name)).toEqual([]);
    }
  });

  test('injection only where mesh workloads run, with a revision label on request', () => {
    const app = declare(tempDir(), { injectionRevision: '1-30-3' });
    const labelsOf = (cluster: string, ns: string) => objectsOf(app, cluster).get(`Namespace/${ns}`)?.metadata.labels;
    expect(labelsOf('c2', 'bar')).toMatchObject({ 'istio.io/rev': '1-30-3' });
    expect(labelsOf('c2', 'bar')).not.toHaveProperty('istio-injection');
    expect(labelsOf('c3', 'legacy')).toMatchObject({ 'istio.io/rev': '1-30-3' });
    expect(labelsOf('c1', 'bar')).not.toHaveProperty('istio.io/rev'); // c1 only consumes
  });

  test('LABEL_ONLY renders labels as a server-side merge of the namespaces where workloads run, and nothing else', () => {
    const app = declare(tempDir(), { namespaces: NamespaceManagement.LABEL_ONLY });
    expect(namespacesOf(app, 'c1').map(n => n.metadata.name)).toEqual(['istio-system']);
    const bar = objectsOf(app, 'c2').get('Namespace/bar')!;
    expect(bar.metadata.annotations).toMatchObject({
      'argocd.argoproj.io/sync-options': 'Prune=false,ServerSideApply=true',
      'kustomize.toolkit.fluxcd.io/prune': 'disabled',
      'kustomize.toolkit.fluxcd.io/ssa': 'Merge',
    });
  });

  test('NONE leaves every namespace but istio-system to the platform', () => {
    const app = declare(tempDir(), { namespaces: NamespaceManagement.NONE });
    for (const cluster of ['c1', 'c2', 'c3']) {
      expect(namespacesOf(app, cluster).map(n => n.metadata.name)).toEqual(['istio-system']);
    }
  });

  test('per namespace: another team\'s namespace left alone, one only labelled, the rest created', () => {
    const app = declare(tempDir(), { namespaceOverrides: { shop: NamespaceManagement.NONE, legacy: NamespaceManagement.LABEL_ONLY } });
    expect(namespacesOf(app, 'c2').map(n => n.metadata.name)).toEqual(['istio-system', 'bar']);
    const legacy = objectsOf(app, 'c3').get('Namespace/legacy')!;
    expect(legacy.metadata.labels).toMatchObject({ 'istio-injection': 'enabled' });
    expect(legacy.metadata.annotations).toMatchObject({ 'argocd.argoproj.io/sync-options': 'Prune=false,ServerSideApply=true', 'kustomize.toolkit.fluxcd.io/ssa': 'Merge' });
    expect(objectsOf(app, 'c2').get('Namespace/bar')!.metadata.annotations).toMatchObject({ 'argocd.argoproj.io/sync-options': 'Prune=false' });
  });

  test('every rendered object carries the ownership labels and the mesh\'s labels and annotations; objects\' own win', () => {
    const app = declare(tempDir());
    const objects = allObjects(app);
    for (const object of objects) {
      expect([object.kind, object.metadata.name, object.metadata.labels]).toEqual([object.kind, object.metadata.name, expect.objectContaining({
        'app.kubernetes.io/managed-by': 'cdk8s-istio-multicluster', 'app.kubernetes.io/part-of': 'mesh1', 'team': 'platform',
      })]);
      expect(object.metadata.annotations).toMatchObject({ 'argocd.argoproj.io/sync-wave': '2' });
    }
    expect(istioSchemaErrors(objects)).toEqual([]);
    const kustomization = readYaml(path.join(app.bundlesOutdir, 'c2', 'mesh', 'kustomization.yaml'))[0];
    expect(kustomization.metadata).toBeUndefined();
  });

  test('MeshMetadata adds labels and annotations per cluster bundle and per construct (scopes included); the more specific wins, objects\' own last', () => {
    const dir = tempDir();
    const app = testApp(dir);
    const mesh = new Mesh(app, 'mesh', { meshId: 'mesh1', lockFile: path.join(dir, 'mesh.lock.json'), labels: { team: 'platform' } });
    const c1 = new MeshCluster(mesh, 'c1', { gateway: { address: '10.0.0.1' } });
    const c2 = new MeshCluster(mesh, 'c2', { gateway: { address: '10.0.0.2' } });
    const payments = new Construct(mesh, 'payments');
    new GlobalService(payments, 'checkout', { namespace: 'pay', ports: [{ name: 'http', number: 80, targetPort: 8080 }], servedBy: [c1], consumers: [c2] });
    MeshMetadata.of(c2).addAnnotation('argocd.argoproj.io/sync-wave', '5');
    MeshMetadata.of(c2).addLabel('team', 'edge');
    MeshMetadata.of(payments).addLabel('team', 'payments');
    MeshMetadata.of(payments).addLabel('cost-center', 'cc-42');
    MeshMetadata.of(mesh).addLabel('tier', 'mesh');
    MeshMetadata.of(c2).addLabel('tier', 'edge');

    const c2Objects = objectsOf(app, 'c2');
    // The service's objects: the team that owns it, in every cluster; the cluster's annotation too.
    expect(c2Objects.get('ServiceEntry/pay/checkout-global')?.metadata).toMatchObject({
      labels: { 'team': 'payments', 'cost-center': 'cc-42', 'app.kubernetes.io/part-of': 'mesh1' },
      annotations: { 'argocd.argoproj.io/sync-wave': '5' },
    });
    expect(objectsOf(app, 'c1').get('ServiceEntry/pay/checkout-global')?.metadata.labels).toMatchObject({ team: 'payments' });
    expect(objectsOf(app, 'c1').get('ServiceEntry/pay/checkout-global')?.metadata.annotations).toBeUndefined();
    // The cluster's own objects: the cluster's metadata over the mesh's.
    expect(c2Objects.get('Gateway/istio-system/istio-multicluster-ingressgateway')?.metadata.labels).toMatchObject({ team: 'edge' });
    expect(objectsOf(app, 'c1').get('Gateway/istio-system/istio-multicluster-ingressgateway')?.metadata.labels).toMatchObject({ team: 'platform', tier: 'mesh' });
    // The mesh's MeshMetadata sits under the cluster's, also on objects of a construct inside the mesh.
    expect(c2Objects.get('Gateway/istio-system/istio-multicluster-ingressgateway')?.metadata.labels).toMatchObject({ tier: 'edge' });
    expect(c2Objects.get('ServiceEntry/pay/checkout-global')?.metadata.labels).toMatchObject({ tier: 'edge' });
    expect(objectsOf(app, 'c1').get('ServiceEntry/pay/checkout-global')?.metadata.labels).toMatchObject({ tier: 'mesh' });
    // An object's own metadata wins: the Namespace keeps its prune protection.
    expect(c2Objects.get('Namespace/istio-system')?.metadata.annotations).toMatchObject({ 'argocd.argoproj.io/sync-options': 'Prune=false' });
    expect(istioSchemaErrors([...c2Objects.values()])).toEqual([]);

    expect(() => MeshMetadata.of(c1).addLabel('team', 'a b')).toThrow(/\[mesh\/c1\] MeshMetadata label.team "a b" is not a label value/);
    expect(() => MeshMetadata.of(c1).addAnnotation('bad key', 'x')).toThrow(/\[mesh\/c1\] MeshMetadata annotation key "bad key" is not an annotation key/);
  });

  test.each([
    [{ labels: { 'bad key': 'x' } }, /\[mesh\] labels key "bad key" is not a label key/],
    [{ annotations: { 'bad key': 'x' } }, /\[mesh\] annotations key "bad key" is not an annotation key/],
    [{ injectionRevision: '1.30' }, /\[mesh\] injectionRevision "1.30" is not a DNS-1123 label/],
    [{ namespaceOverrides: { 'kube-system': NamespaceManagement.NONE } }, /\[mesh\] namespaceOverrides key "kube-system" is never an application namespace/],
    [{ namespaceOverrides: { shop: 'mine' as NamespaceManagement } }, /\[mesh\] namespaceOverrides.shop "mine" is not a namespace management: use one of create, label-only, none/],
  ])('bad mesh metadata: %j', (props, message) => {
    expect(() => new Mesh(testApp(), 'mesh', props)).toThrow(message);
  });
});

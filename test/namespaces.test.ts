import * as fs from 'fs';
import * as path from 'path';
import { Construct } from 'constructs';
import { AccessPolicy, DiscoveryScope, GlobalService, Mesh, MeshCluster, MeshMetadata, NamespaceManagement, Principal, VmWorkload } from '../src';
import { istioSchemaErrors } from './support/istio-schema';
import { allObjects, KubeObject, objectsOf, readYaml, synthOnce, tempDir, testApp } from './support/synth';
import { discoverySelectorsOf, discovers, undiscovered } from './support/discovery';
import { EXPECTED_STATE_FILE, ExpectedState } from '../src/render/expected-state';

/** A mesh whose services come and go: bar served by c2 and consumed by c1, shop by c2 too, a VM in c3. */
function declare(dir: string, options: {
  services?: string[]; clusters?: string[]; namespaces?: NamespaceManagement; namespaceOverrides?: Record<string, NamespaceManagement>; injectionRevision?: string; discovery?: DiscoveryScope;
} = {}) {
  const app = testApp(dir);
  const mesh = new Mesh(app, 'mesh', {
    meshId: 'mesh1', lockFile: path.join(dir, 'mesh.lock.json'), namespaces: options.namespaces, namespaceOverrides: options.namespaceOverrides,
    injectionRevision: options.injectionRevision, discovery: options.discovery,
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

describe('discovery: MESH_NAMESPACES', () => {
  const labelsIn = (app: ReturnType<typeof testApp>, cluster: string) =>
    new Map(namespacesOf(app, cluster).map(ns => [ns.metadata.name, ns.metadata.labels ?? {}]));

  test('by default istiod discovers every namespace: no selectors, no discovery label', () => {
    const app = declare(tempDir());
    for (const cluster of ['c1', 'c2', 'c3']) {
      expect(discoverySelectorsOf(app, cluster)).toBeUndefined();
      expect([...labelsIn(app, cluster).values()].filter(labels => 'istio-discovery' in labels)).toEqual([]);
    }
  });

  test.each<[string, { injectionRevision?: string; namespaces?: NamespaceManagement }]>([
    ['CREATE', {}],
    ['a revision', { injectionRevision: '1-30-3' }],
    ['LABEL_ONLY', { namespaces: NamespaceManagement.LABEL_ONLY }],
  ])('with %s, every namespace the bundle uses is one istiod discovers, and injected namespaces are discovered by their injection label', (_, options) => {
    const app = declare(tempDir(), { ...options, discovery: DiscoveryScope.MESH_NAMESPACES });
    for (const cluster of ['c1', 'c2', 'c3']) {
      const selectors = discoverySelectorsOf(app, cluster)!;
      expect([cluster, undiscovered(app, cluster, ['istio-system'])]).toEqual([cluster, []]);
      // A namespace of the user's, labelled for injection by this mesh, is discovered without the bundle's label;
      // one labelled for nothing is not.
      const injection: Record<string, string> = options.injectionRevision ? { 'istio.io/rev': options.injectionRevision } : { 'istio-injection': 'enabled' };
      expect([discovers(selectors, injection), discovers(selectors, { team: 'x' })]).toEqual([true, false]);
    }
    // c1 only consumes bar: under LABEL_ONLY its Namespace is now rendered, with the discovery label and no injection.
    expect(labelsIn(app, 'c1').get('bar')).toMatchObject({ 'istio-discovery': 'enabled' });
    expect(Object.keys(labelsIn(app, 'c1').get('bar')!).filter(key => key.startsWith('istio'))).toEqual(['istio-discovery']);
    expect(app.warnings.filter(w => w.includes('MCM120'))).toEqual([]);
  });

  test('a namespace left to the platform that holds only configuration gets a warning (MCM120) naming it and the label', () => {
    const app = declare(tempDir(), { namespaces: NamespaceManagement.NONE, discovery: DiscoveryScope.MESH_NAMESPACES });
    synthOnce(app);
    // c1 holds bar's consumer entry; c2 and c3 hold only namespaces where workloads run, which their injection label enrolls.
    expect(app.warnings.filter(w => w.includes('MCM120'))).toEqual([
      expect.stringMatching(/^\[mesh\/c1\] namespace bar holds what istiod must discover \(the cluster's mesh configuration, or the tracing collector\), .* label it istio-discovery=enabled, or istiod ignores what is there \[MCM120\]$/),
    ]);
    // istio-system, the one namespace the bundle still renders, carries the label.
    expect(labelsIn(app, 'c1').get('istio-system')).toMatchObject({ 'istio-discovery': 'enabled' });
  });

  describe('with the platform\'s own label sets (meshNamespacesAnd)', () => {
    const platform = { 'platform.example.com/mesh': 'member', tier: 'gold' };

    test('istiod also discovers the namespaces that carry all of one set, and every place that names the labels says so', () => {
      // GIVEN a mesh whose platform labels its client namespaces by its own convention (the bundle's label named again)
      const dir = tempDir();
      const app = declare(dir, { namespaces: NamespaceManagement.NONE, discovery: DiscoveryScope.meshNamespacesAnd([platform, { 'istio-discovery': 'enabled' }]) });

      // THEN the selectors hold the mesh's two sets, then the platform's, each once
      const selectors = discoverySelectorsOf(app, 'c1')!;
      expect(selectors.map(s => s.matchLabels)).toEqual([{ 'istio-injection': 'enabled' }, { 'istio-discovery': 'enabled' }, platform]);
      // a namespace needs every label of the set
      expect([discovers(selectors, { ...platform, team: 'x' }), discovers(selectors, { 'platform.example.com/mesh': 'member' })]).toEqual([true, false]);
      // the expected state that verify reads carries the same sets
      const expected = JSON.parse(fs.readFileSync(path.join(app.bundlesOutdir, 'c1', EXPECTED_STATE_FILE), 'utf8')) as ExpectedState;
      expect(expected.discovery).toEqual(selectors.map(s => s.matchLabels));
      // the warning for the consumer-only namespace left to the platform offers the platform's labels too
      expect(app.warnings.filter(w => w.includes('MCM120'))).toEqual([
        expect.stringContaining('label it istio-discovery=enabled or platform.example.com/mesh=member,tier=gold, or istiod ignores what is there'),
      ]);
      // and the cluster's README names all three
      expect(fs.readFileSync(path.join(app.bundlesOutdir, 'c1', 'README.md'), 'utf8').replace(/\s+/g, ' ')).toContain(
        'discover only the namespaces labelled `istio-injection=enabled` or `istio-discovery=enabled` or `platform.example.com/mesh=member,tier=gold`');
    });

    test.each<[string, Record<string, string>, RegExp]>([
      ['an empty set', {}, /\[mesh\] discovery.labelSets\[1\] \{\} is empty, and an empty selector selects every namespace: give at least one label, or use DiscoveryScope.ALL_NAMESPACES/],
      ['a bad label key', { 'bad key': 'x' }, /\[mesh\] discovery.labelSets\[1\] key "bad key" is not a label key/],
      ['a bad label value', { team: 'a b' }, /\[mesh\] discovery.labelSets\[1\].team "a b" is not a label value/],
    ])('%s is refused by name', (_, labels, message) => {
      expect(() => new Mesh(testApp(), 'mesh', { discovery: DiscoveryScope.meshNamespacesAnd([platform, labels]) })).toThrow(message);
    });
  });
});

import { GitOps, Mesh, MeshCluster } from '../src';
import { allObjects, bundleFile, objectsOf, testApp, testMesh } from './support/synth';

describe('GitOps options', () => {
  test.each<[string, GitOps, RegExp]>([
    ['a chart repository that is no URL', GitOps.flux({ chartRepository: 'istio' }), /gitOps.chartRepository "istio" is not a Helm repository URL/],
    ['a Flux interval Flux cannot parse', GitOps.flux({ interval: '10 minutes' }), /gitOps.interval "10 minutes" is not a duration Flux reads: use e.g. 10m or 1h/],
    ['a path outside the repository', GitOps.flux({ path: '../dist' }), /gitOps.path "..\/dist" is not a path inside the repository/],
    ['an absolute path', GitOps.argoCd({ repoUrl: 'https://git.example.com/x.git', path: '/dist' }), /gitOps.path "\/dist" is not a path inside the repository/],
    ['no repository URL', GitOps.argoCd({ repoUrl: '' }), /gitOps.repoUrl "" is not a repository URL: give the Git URL Argo CD clones/],
    ['a namespace that is no DNS label', GitOps.argoCd({ repoUrl: 'https://git.example.com/x.git', namespace: 'Argo CD' }), /gitOps.namespace "Argo CD" is not a namespace name/],
  ])('%s is refused when the mesh is declared', (_, gitOps, message) => {
    expect(() => new Mesh(testApp(), 'mesh', { gitOps })).toThrow(message);
  });

  test('a destination for a cluster the mesh does not have is refused at synth, with the clusters it has', () => {
    const { app, mesh } = testMesh({ gitOps: GitOps.argoCd({ repoUrl: 'https://git.example.com/x.git', destinations: { eats: 'prod-east' } }) });
    new MeshCluster(mesh, 'east');
    new MeshCluster(mesh, 'west');
    expect(() => app.synth()).toThrow(/\[mesh\] gitOps.destinations names cluster "eats", which the mesh does not have: use one of east, west/);
  });

  test('the mesh\'s Istio version and the chart repository reach every install path: Flux sources and releases, and the README commands', () => {
    const { app, mesh } = testMesh({ istioVersion: '1.29.2', gitOps: GitOps.flux({ chartRepository: 'oci://registry.example.com/istio' }) });
    new MeshCluster(mesh, 'east', { gateway: { address: '10.0.0.1' } });
    const objects = objectsOf(app, 'east');
    expect(objects.get('HelmRepository/flux-system/mesh-istio-charts')?.spec).toEqual({ interval: '24h', type: 'oci', url: 'oci://registry.example.com/istio' });
    const releases = [...objects.values()].filter(o => o.kind === 'HelmRelease');
    expect(releases.map(r => r.spec.chart.spec.version)).toEqual(['1.29.2', '1.29.2', '1.29.2']);
    const readme = bundleFile(app, 'east/README.md');
    expect(readme).not.toContain('helm repo add'); // an OCI registry is addressed per chart
    expect(readme).toContain('helm upgrade --install istiod oci://registry.example.com/istio/istiod --kube-context "$CTX_EAST" -n istio-system --version 1.29.2 -f istio/istiod-values.yaml --wait');
    expect(readme).toContain('Flux applies the layers in this order');
  });
});

describe('the Istio version target', () => {
  test.each([
    ['latest', /\[mesh\] istioVersion "latest" is not an Istio release: use one such as 1.30.3/],
    ['1.26.4', /\[mesh\] istioVersion "1.26.4" is Istio 1.26, which the library does not render for: use 1.29, 1.30, 1.31/],
  ])('%s is refused', (istioVersion, message) => {
    expect(() => new Mesh(testApp(), 'mesh', { istioVersion })).toThrow(message);
  });

  test('a release candidate of a supported minor is accepted; the default is the release the library is tested against', () => {
    expect(new Mesh(testApp(), 'mesh', { istioVersion: '1.31.0-rc.0' }).istioVersion).toBe('1.31.0-rc.0');
    expect(new Mesh(testApp(), 'mesh').istioVersion).toBe('1.30.3');
  });
});

describe('names a GitOps tool puts in labels', () => {
  test('Argo CD Applications and Flux Kustomizations and HelmReleases of long mesh and cluster names stay 63 characters, and what refers to them follows', () => {
    // Argo CD (label tracking) and Flux label every object they apply with the Application's or Kustomization's
    // name, and a label value takes 63 characters at most.
    const names = (gitOps: GitOps) => {
      const { app, mesh } = testMesh({ meshId: 'm'.repeat(63), gitOps });
      new MeshCluster(mesh, 'c1', { name: 'c'.repeat(63), gateway: { address: '10.0.0.1' } });
      const objects = [...allObjects(app)].filter(o => /^(Application|Kustomization|HelmRelease)$/.test(o.kind) && o.apiVersion !== 'kustomize.config.k8s.io/v1beta1');
      return { objects, names: objects.map(o => o.metadata.name) };
    };
    const argo = names(GitOps.argoCd({ repoUrl: 'https://github.com/acme/platform.git' }));
    expect(argo.names.length).toBeGreaterThan(3);
    expect(argo.names.filter(n => n.length > 63)).toEqual([]);
    expect(new Set(argo.names).size).toBe(argo.names.length);
    const flux = names(GitOps.flux());
    expect(flux.names.filter(n => n.length > 63)).toEqual([]);
    const dependsOn = flux.objects.flatMap(o => (o.spec.dependsOn ?? []).map((d: { name: string }) => d.name));
    expect(dependsOn.length).toBeGreaterThan(0);
    expect(dependsOn.filter(n => !flux.names.includes(n))).toEqual([]);
  });
});

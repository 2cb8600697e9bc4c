import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { expectExampleHolds, renderExample } from '../../test/support/examples';
import { istioSchemaErrors } from '../../test/support/istio-schema';
import { KubeObject, readYaml } from '../../test/support/synth';
import { toolSchemaErrors } from '../../test/support/tool-schema';
import { build } from './main';

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = path.join(__dirname, 'dist');
const CLUSTERS = ['east', 'edge', 'west'];
const values = (tool: string, cluster: string, file: string) => yaml.load(fs.readFileSync(path.join(DIST, tool, cluster, 'istio', file), 'utf8'));
/** Objects of every YAML file below a directory of the committed output. */
const objectsBelow = (dir: string): KubeObject[] => fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })
  .filter(f => f.endsWith('.yaml') && !f.endsWith('-values.yaml')).flatMap(f => readYaml(path.join(dir, f))).filter(o => o?.kind);

test('the committed output is what the code renders (refresh with: npm run examples), valid for Istio and for the GitOps tools', () => {
  expectExampleHolds(renderExample(__dirname, build));
  // Every file of the committed output, the GitOps tools' own included.
  const objects = objectsBelow(DIST);
  expect(new Set(objects.map(o => o.kind))).toEqual(new Set([
    'Application', 'DestinationRule', 'ExternalSecret', 'Gateway', 'HelmRelease', 'HelmRepository', 'IstioOperator', 'Kustomization',
    'Namespace', 'PeerAuthentication', 'SealedSecret', 'ServiceEntry',
  ]));
  expect(istioSchemaErrors(objects)).toEqual([]);
  expect(toolSchemaErrors(objects)).toEqual([]);
});

describe('Argo CD', () => {
  const applications = (cluster: string) => readYaml(path.join(DIST, 'argo-cd', 'argocd', `${cluster}.yaml`));

  test.each(CLUSTERS)('%s: the CA, then base, istiod, the gateway (if any), then the mesh configuration, in strictly rising sync waves', cluster => {
    const apps = applications(cluster);
    const gateway = cluster === 'edge' ? [] : ['gateway'];
    expect(apps.map(a => a.metadata.name)).toEqual(['ca', 'base', 'istiod', ...gateway, 'mesh'].map(what => `shop-${cluster}-${what}`));
    const waves = apps.map(a => Number(a.metadata.annotations!['argocd.argoproj.io/sync-wave']));
    expect(waves).toEqual([...waves].sort((a, b) => a - b));
    expect(new Set(waves).size).toBe(waves.length);
    // cacerts comes from the store in the CA layer, which is the first wave: istiod (wave 2) starts with it.
    const caLayer = apps[0].spec.source.path;
    expect(readYaml(path.join(ROOT, caLayer, 'cacerts.yaml')).map(o => o.kind)).toEqual(['ExternalSecret']);
    expect(readYaml(path.join(ROOT, caLayer, 'kustomization.yaml'))[0].resources).toContain('cacerts.yaml');
  });

  test.each(CLUSTERS)('%s: layers point at directories of the committed output, charts carry the values files verbatim', cluster => {
    for (const app of applications(cluster)) {
      const source = app.spec.source;
      expect(app.spec.destination).toEqual({ name: cluster === 'east' ? 'in-cluster' : cluster, namespace: 'istio-system' });
      if (source.path) {
        expect(source).toMatchObject({ repoURL: 'https://git.example.com/platform/mesh.git', targetRevision: 'main' });
        expect(fs.existsSync(path.join(ROOT, source.path, 'kustomization.yaml'))).toBe(true);
      } else {
        expect(source).toMatchObject({ repoURL: 'https://istio-release.storage.googleapis.com/charts', targetRevision: '1.30.3' });
        expect(source.helm.valuesObject).toEqual(values('argo-cd', cluster, `${source.chart}-values.yaml`));
      }
    }
  });

  test('the root Application syncs the directory of the others, whose kustomization lists every cluster', () => {
    const [root] = readYaml(path.join(DIST, 'argo-cd', 'argocd', 'root.yaml'));
    expect(root.spec.source.path).toBe('examples/gitops/dist/argo-cd/argocd');
    expect(readYaml(path.join(ROOT, root.spec.source.path, 'kustomization.yaml'))[0].resources).toEqual(CLUSTERS.map(c => `${c}.yaml`));
  });
});

describe('Flux', () => {
  test.each(CLUSTERS)('%s: Kustomizations chained ca -> istio -> mesh by dependsOn, each waiting where a later one needs it ready', cluster => {
    const dir = path.join(DIST, 'flux', cluster, 'flux');
    expect(readYaml(path.join(dir, 'kustomization.yaml'))[0].resources).toEqual(['layers.yaml']);
    const layers = readYaml(path.join(dir, 'layers.yaml'));
    expect(layers.map(k => [k.metadata.name, k.spec.dependsOn, k.spec.wait])).toEqual([
      ['shop-ca', undefined, true],
      ['shop-istio', [{ name: 'shop-ca' }], true],
      ['shop-mesh', [{ name: 'shop-istio' }], undefined],
    ]);
    for (const layer of layers) expect(fs.existsSync(path.join(ROOT, layer.spec.path, 'kustomization.yaml'))).toBe(true);
    // cacerts arrives sealed in the CA layer, which Flux applies and waits for before the Istio layer.
    expect(readYaml(path.join(ROOT, layers[0].spec.path, 'cacerts.yaml')).map(o => o.kind)).toEqual(['SealedSecret']);
    expect(layers[1].spec.path).toBe(`./examples/gitops/dist/flux/${cluster}/flux/istio`);
  });

  test.each(CLUSTERS)('%s: HelmReleases install base, istiod and the gateway in order, with the values files verbatim', cluster => {
    const releases = readYaml(path.join(DIST, 'flux', cluster, 'flux', 'istio', 'releases.yaml')).filter(o => o.kind === 'HelmRelease');
    const byChart = new Map(releases.map(r => [r.spec.chart.spec.chart, r]));
    const charts = cluster === 'edge' ? ['base', 'istiod'] : ['base', 'istiod', 'gateway'];
    expect([...byChart.keys()].sort()).toEqual([...charts].sort());
    charts.forEach((chart, i) => {
      const release = byChart.get(chart)!;
      expect(release.spec.dependsOn).toEqual(i === 0 ? undefined : [{ name: byChart.get(charts[i - 1])!.metadata.name }]);
      expect(release.spec).toMatchObject({ targetNamespace: 'istio-system', storageNamespace: 'istio-system' });
      expect(release.spec.values).toEqual(values('flux', cluster, `${chart}-values.yaml`));
    });
  });
});

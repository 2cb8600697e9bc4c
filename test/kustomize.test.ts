import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { KubeObject, readYaml } from './support/synth';

const EXAMPLES = path.resolve(__dirname, '..', 'examples');

/** Every kustomization of the examples' committed output: bundle layers, Argo CD and Flux directories. */
function bundles(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === 'secrets' || entry.name.startsWith('.')) continue;
      const sub = path.join(dir, entry.name);
      if (fs.existsSync(path.join(sub, 'kustomization.yaml'))) found.push(sub);
      walk(sub);
    }
  };
  walk(EXAMPLES);
  return found.sort();
}

const key = (o: KubeObject) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;

describe('kubectl kustomize builds every committed bundle', () => {
  test('there are bundles to build', () => {
    expect(bundles().length).toBeGreaterThanOrEqual(30);
  });

  test.each(bundles().map(b => [path.relative(EXAMPLES, b), b]))('%s', (_, dir) => {
    // GIVEN the objects the kustomization lists
    const listed = (readYaml(path.join(dir, 'kustomization.yaml'))[0].resources as string[])
      .flatMap(file => readYaml(path.join(dir, file)));

    // WHEN kustomize (as kubectl apply -k would) builds the bundle
    const built = yaml.loadAll(execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' })) as KubeObject[];

    // THEN it yields exactly those objects, unchanged, and nothing from outside the kustomization
    expect(built.map(key).sort()).toEqual(listed.map(key).sort());
    const byKey = new Map(built.map(o => [key(o), o]));
    for (const object of listed) expect(byKey.get(key(object))).toEqual(object);
  });
});

import * as fs from 'fs';
import * as path from 'path';
import { listFiles, readYaml } from './support/synth';

const EXAMPLES = path.resolve(__dirname, '..', 'examples');

/** Every committed mesh output of the examples: directories holding a mesh.md, with their clusters. */
function meshes(): Array<[string, string[]]> {
  return listFiles(EXAMPLES).filter(f => f.endsWith('/mesh.md')).map(f => path.join(EXAMPLES, path.dirname(f))).map(dir => [
    path.relative(EXAMPLES, dir),
    fs.readdirSync(dir).filter(c => fs.existsSync(path.join(dir, c, 'istio', 'istiod-values.yaml'))).sort(),
  ]);
}

const load = (file: string) => (fs.existsSync(file) ? readYaml(file)[0] as Record<string, any> : undefined);

describe('what Istio needs the same everywhere is one value, by construction (checked on every example)', () => {
  test('there are meshes to check', () => {
    expect(meshes().length).toBeGreaterThanOrEqual(9);
  });

  test.each(meshes())('%s: one mesh ID and trust domain; each cluster\'s network the same in istiod, istio-system, ztunnel and its gateway', (_, clusters) => {
    const dir = path.join(EXAMPLES, _);
    const istiod = clusters.map(c => load(path.join(dir, c, 'istio', 'istiod-values.yaml'))!);
    expect(new Set(istiod.map(v => v.global.meshID)).size).toBe(1);
    expect(new Set(istiod.map(v => v.meshConfig.trustDomain)).size).toBe(1);
    clusters.forEach((cluster, i) => {
      const network = istiod[i].global.network;
      const namespace = readYaml(path.join(dir, cluster, 'ca', 'namespace.yaml')).find(o => o.metadata.name === 'istio-system')!;
      expect([cluster, namespace.metadata.labels?.['topology.istio.io/network']]).toEqual([cluster, network]);
      const gateway = load(path.join(dir, cluster, 'istio', 'gateway-values.yaml'));
      const gatewayNetwork = gateway?.labels?.['topology.istio.io/network'];
      if (gatewayNetwork !== undefined) expect([cluster, gatewayNetwork, gateway!.env.ISTIO_META_REQUESTED_NETWORK_VIEW]).toEqual([cluster, network, network]);
      const ztunnel = load(path.join(dir, cluster, 'istio', 'ztunnel-values.yaml'));
      if (ztunnel) expect([cluster, ztunnel.network, ztunnel.multiCluster.clusterName]).toEqual([cluster, network, cluster]);
      expect(istiod[i].global.multiCluster.clusterName).toBe(cluster);
    });
  });
});

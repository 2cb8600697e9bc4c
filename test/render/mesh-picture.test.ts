import * as fs from 'fs';
import * as path from 'path';
import { declareMesh } from '../../scripts/bench-mesh';
import { AccessPolicy, GlobalService, HttpMethod, MeshApp, MeshCluster, Principal, VersionedRoute, VmWorkload } from '../../src';
import { mermaidBlocks, parseMermaid } from '../support/mermaid';
import { bundleFile, listFiles, tempDir, testMesh } from '../support/synth';

test('mesh.md draws clusters with their DNS mode, gateways, one edge per consuming pair, VMs, route shares and policies', () => {
  const { app, mesh } = testMesh({ meshId: 'mesh1' });
  const c1 = new MeshCluster(mesh, 'cluster1', { network: 'network1', gateway: { address: '172.18.0.3' } });
  const c2 = new MeshCluster(mesh, 'cluster2', { network: 'network2', gateway: { address: '172.18.0.4', nodePort: 30001 }, locality: 'us-west-2' });
  new GlobalService(mesh, 'httpbin', { namespace: 'bar', ports: [{ name: 'http', number: 8000 }], servedBy: [c2] });
  const hello = new GlobalService(mesh, 'helloworld', { namespace: 'hello', ports: [{ name: 'http', number: 5000 }], servedBy: [c1, c2] });
  const v1 = hello.addVersion('v1', { clusters: [c1] });
  const v2 = hello.addVersion('v2', { clusters: [c2] });
  new VersionedRoute(mesh, 'route', { service: hello, clients: [c1], rules: [{ name: 'jason', match: [{ headers: { 'end-user': { exact: 'jason' } } }], to: [{ version: v2 }] }], defaultRoute: [{ version: v1 }] });
  new AccessPolicy(mesh, 'readers', { namespace: 'bar', selector: { app: 'httpbin' }, principals: [Principal.namespace('foo')] });
  new AccessPolicy(mesh, 'api-readers', {
    namespace: 'bar', selector: { app: 'httpbin' }, principals: [Principal.namespace('foo')], methods: [HttpMethod.GET], paths: ['/get', '/status/*'], ports: [8000],
  });
  new VmWorkload(mesh, 'whoami', { namespace: 'default', cluster: c1, ports: [{ name: 'http', number: 80, targetPort: 8888 }], instances: [{ name: 'vm1', address: '172.29.9.61' }] });

  const picture = bundleFile(app, 'mesh.md');
  expect(picture).toContain([
    '```mermaid',
    'flowchart LR',
    '  subgraph cluster1["cluster1 · network1 · dns dns-proxy"]',
    '    cluster1_gw{{"gateway 172.18.0.3:15443"}}',
    '    cluster1_vm_default_whoami_vm1[/"VM whoami/vm1 172.29.9.61"/]',
    '  end',
    '  subgraph cluster2["cluster2 · network2 · us-west-2 · dns dns-proxy"]',
    '    cluster2_gw{{"gateway 172.18.0.4:30001"}}',
    '  end',
    '  cluster1 -->|"2 services"| cluster2_gw',
    '  cluster1 -.->|"helloworld jason: v2 100%"| cluster2_gw',
    '```',
  ].join('\n'));
  expect(picture).toContain('| httpbin.bar.global | 240.0.0.2 | cluster2 | cluster1 |');
  expect(picture).toContain('cluster1: end-user=jason -> v2@cluster2 100%; otherwise -> v1@cluster1 100%');
  expect(picture).toContain('- whoami/vm1 at 172.29.9.61 in cluster1 (default), serves whoami.default.svc.cluster.local');
  expect(picture).toContain('| bar/readers | app=httpbin | cluster.local/ns/foo/sa/* | cluster2 |');
  expect(picture).toContain('| bar/api-readers | app=httpbin | cluster.local/ns/foo/sa/* (GET; /get, /status/*; port 8000) | cluster2 |');
});

test('mesh.md stays readable at any size: beyond Mermaid\'s edge limit, a note and the tables instead of a diagram', () => {
  const { app, mesh } = testMesh({ meshId: 'mesh1' });
  const clusters = Array.from({ length: 30 }, (_, i) => new MeshCluster(mesh, `c${i}`, { gateway: { address: `10.0.0.${i + 1}` } }));
  clusters.forEach((c, i) => new GlobalService(mesh, `svc${i}`, { namespace: 'ns', ports: [{ name: 'http', number: 80 }], servedBy: [c] }));
  const picture = bundleFile(app, 'mesh.md');
  expect(picture).not.toContain('```mermaid');
  expect(picture).toContain('The topology has 870 cluster-to-gateway edges, more than a diagram can show (Mermaid draws 500 at most): read the tables below.');
  expect(picture).toContain('| svc0.ns.global |');
});

describe('Mermaid\'s own parser reads every diagram', () => {
  const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');

  test('of the examples\' committed mesh.md files', () => {
    const pictures = listFiles(EXAMPLES).filter(f => f.endsWith('/mesh.md'));
    expect(pictures.length).toBeGreaterThanOrEqual(6);
    const diagrams = pictures.flatMap(f => mermaidBlocks(fs.readFileSync(path.join(EXAMPLES, f), 'utf8')));
    expect(diagrams.length).toBe(pictures.length);
    expect(parseMermaid(diagrams)).toEqual(diagrams.map(() => ({ type: 'flowchart-v2' })));
  });

  test('of the benchmark\'s 20-cluster all-to-all mesh: one edge per consuming cluster pair keeps it under Mermaid\'s limit', () => {
    // Edges count cluster pairs, not services: 200 services make every pair consume, as 2,000 would.
    const dir = tempDir();
    const app = new MeshApp({ outdir: path.join(dir, 'dist'), secretsOutdir: path.join(dir, 'secrets') });
    declareMesh(app, dir, 20, 200, 'all-to-all');
    const picture = app._synthFiles().find(f => f.path === 'mesh.md')!.content as string;
    const [diagram] = mermaidBlocks(picture);
    expect(diagram.match(/-->/g)).toHaveLength(20 * 19);
    // What the fallback avoids: Mermaid refuses a diagram with more edges than its limit.
    const tooMany = `flowchart LR\n${Array.from({ length: 501 }, (_, i) => `  a${i} --> b${i}`).join('\n')}\n`;
    expect(parseMermaid([diagram, tooMany])).toEqual([{ type: 'flowchart-v2' }, { error: expect.stringContaining('Edge limit exceeded') }]);
  });
});

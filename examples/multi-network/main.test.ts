import * as fs from 'fs';
import * as path from 'path';
import { expectExampleHolds, renderExample } from '../../test/support/examples';
import { KubeObject, objectsOf, readYaml } from '../../test/support/synth';
import { gatewayValuesErrors } from '../../test/support/tool-schema';
import { build } from './main';

const DIST = path.join(__dirname, 'dist');
// Rendered once, from the committed lock files, into a scratch directory (minting a CA is the slow part).
const example = renderExample(__dirname, build);
const objects = (cluster: string) => objectsOf(example.apps[0], cluster);
const values = (cluster: string, file: string) => readYaml(path.join(DIST, cluster, 'istio', file))[0] as KubeObject & Record<string, any>;

test('the committed output is what the code renders (refresh with: npm run examples), valid for Istio 1.30.3 and Gateway API v1.5.1', () => {
  const all = expectExampleHolds(example);
  // No .global names, so no VIPs and no lock file.
  expect(example.rendered.locks).toEqual({});
  expect(all.some(o => JSON.stringify(o).includes('.global'))).toBe(false);
});

describe('east-west gateways', () => {
  test('cluster1 (LoadBalancer) and cluster3 (NodePort): the network on pods and Service, the requested network view, 15443; istiod\'s ports where remotes need them', () => {
    const lb = values('cluster1', 'gateway-values.yaml');
    expect(gatewayValuesErrors(lb)).toEqual([]);
    expect(lb.labels).toEqual({ 'app': 'istio-eastwestgateway', 'istio': 'eastwestgateway', 'topology.istio.io/network': 'network1' });
    expect(lb.env).toEqual({ ISTIO_META_REQUESTED_NETWORK_VIEW: 'network1' });
    expect(lb.service.ports.map((p: any) => `${p.name}:${p.port}`)).toEqual(['status-port:15021', 'tls:15443', 'tls-istiod:15012', 'tls-webhook:15017']);
    const nodePort = values('cluster3', 'gateway-values.yaml');
    expect(gatewayValuesErrors(nodePort)).toEqual([]);
    expect(nodePort.service).toMatchObject({ type: 'NodePort', annotations: { 'traffic.istio.io/nodeSelector': '{}' } });
    expect(nodePort.service.ports.find((p: any) => p.name === 'tls')).toMatchObject({ port: 15443, nodePort: 31443 });
    // The istioctl overlay carries the same labels and environment.
    const component = objects('cluster3').get('IstioOperator/istio-system/cluster3')!.spec.components.ingressGateways[0];
    expect(component.label).toEqual(nodePort.labels);
    expect(component.k8s.env).toEqual([{ name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: 'network2' }]);
    expect(objects('cluster1').get('Namespace/istio-system')?.metadata.labels).toMatchObject({ 'topology.istio.io/network': 'network1' });
  });

  test('*.local is exposed on 15443 with AUTO_PASSTHROUGH where a gateway runs', () => {
    for (const cluster of ['cluster1', 'cluster3']) {
      expect(objects(cluster).get('Gateway/istio-system/cross-network-gateway')?.spec).toEqual({
        selector: { istio: 'eastwestgateway' },
        servers: [{ hosts: ['*.local'], port: { name: 'tls', number: 15443, protocol: 'TLS' }, tls: { mode: 'AUTO_PASSTHROUGH' } }],
      });
    }
    expect([...objects('cluster2').keys()].filter(k => k.startsWith('Gateway/'))).toEqual([]);
  });

  test('each primary pins the other network\'s gateway statically (istio-remote), never its own network\'s', () => {
    const peers = (cluster: string) => [...objects(cluster).values()].filter(o => o.apiVersion === 'gateway.networking.k8s.io/v1');
    expect(peers('cluster1').map(g => [g.metadata.name, g.metadata.labels?.['topology.istio.io/network'], g.spec.addresses, g.spec.listeners[0].port])).toEqual([
      ['istio-remote-cluster3', 'network2', [{ type: 'Hostname', value: 'eastwest.cluster3.example.com' }], 31443],
    ]);
    expect(peers('cluster3').map(g => [g.metadata.name, g.spec.addresses, g.spec.listeners[0].port])).toEqual([
      ['istio-remote-cluster1', [{ type: 'IPAddress', value: '203.0.113.10' }], 15443],
    ]);
    expect(peers('cluster3')[0].spec).toMatchObject({ gatewayClassName: 'istio-remote', listeners: [{ protocol: 'TLS', tls: { mode: 'Passthrough' } }] });
    expect(peers('cluster2')).toEqual([]);
  });
});

describe('primary-remote', () => {
  test('the remote is installed with the remote profile, pointed at its primary\'s east-west gateway; it needs no cacerts', () => {
    const istiod = values('cluster2', 'istiod-values.yaml');
    expect(istiod).toMatchObject({
      profile: 'remote',
      global: { remotePilotAddress: '203.0.113.10', multiCluster: { clusterName: 'cluster2' }, network: 'network1' },
      istiodRemote: { injectionPath: '/inject/cluster/cluster2/net/network1' },
    });
    expect(objects('cluster2').get('IstioOperator/istio-system/cluster2')?.spec).toMatchObject({ profile: 'remote', values: { istiodRemote: istiod.istiodRemote } });
    expect(fs.existsSync(path.join(DIST, 'cluster2', 'ca', 'cacerts.yaml'))).toBe(false);
    expect(fs.readFileSync(path.join(DIST, 'cluster2', 'README.md'), 'utf8')).toContain('this remote runs no istiod; cluster1\'s istiod signs its workloads');
    // Istio reads a remote's configuration from its primary: no Istio config objects in the remote.
    expect([...objects('cluster2').values()].filter(o => o.apiVersion.includes('istio.io/') && o.kind !== 'IstioOperator')).toEqual([]);
  });

  test('the primary exposes istiod (15012) and its webhooks (15017) on its east-west gateway', () => {
    const vs = objects('cluster1').get('VirtualService/istio-system/istiod-vs')!;
    expect(vs.spec.tls.map((t: any) => [t.match[0].port, t.route[0].destination.port.number])).toEqual([[15012, 15012], [15017, 443]]);
    expect(objects('cluster3').has('VirtualService/istio-system/istiod-vs')).toBe(false);
  });
});

test('remote secrets: each primary reads every other cluster, the remote\'s included, through ExternalSecrets keyed by cluster name', () => {
  const secrets = (cluster: string) => [...objects(cluster).values()].filter(o => o.kind === 'ExternalSecret' && o.metadata.name.startsWith('istio-remote-secret-'));
  expect(secrets('cluster1').map(s => s.metadata.name)).toEqual(['istio-remote-secret-cluster2', 'istio-remote-secret-cluster3']);
  expect(secrets('cluster3').map(s => s.metadata.name)).toEqual(['istio-remote-secret-cluster1', 'istio-remote-secret-cluster2']);
  expect(secrets('cluster2')).toEqual([]);
  const [toCluster2] = secrets('cluster1');
  expect(toCluster2.spec.target.template.metadata).toEqual({ labels: { 'istio/multiCluster': 'true' }, annotations: { 'networking.istio.io/cluster': 'cluster2' } });
  expect(toCluster2.spec.data).toEqual([{ secretKey: 'cluster2', remoteRef: { key: 'mesh1/remote-secrets/cluster2', property: 'kubeconfig' } }]);
});

test('consumers that do not serve a service get a selector-less stub Service with its ports; serving clusters none', () => {
  const stub = objects('cluster2').get('Service/sample/helloworld')!;
  expect(stub.spec).toEqual({ ports: [{ name: 'http', port: 5000, protocol: 'TCP', targetPort: 5000 }] });
  expect(objects('cluster3').get('Service/sample/httpbin')?.spec.selector).toBeUndefined();
  expect(objects('cluster1').has('Service/sample/helloworld')).toBe(false);
  expect(objects('cluster3').has('Service/sample/helloworld')).toBe(false);
});

test('versions are cluster-pinned subsets of the cluster.local host, in each client', () => {
  for (const client of ['cluster1', 'cluster3']) {
    const rule = objects(client).get('DestinationRule/sample/helloworld')!;
    expect(rule.spec.host).toBe('helloworld.sample.svc.cluster.local');
    expect(rule.spec.subsets).toEqual([
      { name: 'v1', labels: { 'version': 'v1', 'topology.istio.io/cluster': 'cluster1' } },
      { name: 'v2', labels: { 'version': 'v2', 'topology.istio.io/cluster': 'cluster3' } },
    ]);
    const route = objects(client).get('VirtualService/sample/helloworld')!;
    expect(route.spec.hosts).toEqual(['helloworld.sample.svc.cluster.local']);
    expect(route.spec.http.map((h: any) => [h.name, h.route[0].destination.subset])).toEqual([['jason', 'v2'], ['default', 'v1']]);
  }
});

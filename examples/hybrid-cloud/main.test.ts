import * as fs from 'fs';
import * as path from 'path';
import { expectExampleHolds, renderExample } from '../../test/support/examples';
import { discoverySelectorsOf, undiscovered } from '../../test/support/discovery';
import { objectsOf, readYaml } from '../../test/support/synth';
import { build } from './main';

const example = renderExample(__dirname, build);
const [app] = example.apps;

test('the committed output is what the code renders (refresh with: npm run examples), valid for Istio and the Prometheus Operator', () => {
  expectExampleHolds(example);
});

test.each(['cluster1', 'cluster2'])('%s: the seed\'s scenario, object by object', cluster => {
  const objects = objectsOf(app, cluster);
  // 70% to v1 in us-east, 30% to v2 in us-west, from either region.
  const route = objects.get('VirtualService/default/service')!;
  expect(route.spec.http[0].route.map((r: any) => [r.destination.subset, r.weight])).toEqual([['v1', 70], ['v2', 30]]);
  expect(objects.get('DestinationRule/default/service')!.spec.subsets.map((s: any) => s.labels['topology.istio.io/cluster'])).toEqual(['cluster1', 'cluster2']);
  expect(objects.get('PeerAuthentication/istio-system/default')?.spec).toEqual({ mtls: { mode: 'STRICT' } });
  expect(objects.get('AuthorizationPolicy/default/cross-cluster-authz')?.spec).toMatchObject({
    selector: { matchLabels: { app: 'service' } },
    rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/*'] } }], to: [{ operation: { methods: ['GET', 'POST'] } }] }],
  });
  expect(objects.get('ServiceEntry/default/cloud-service')?.spec).toEqual({
    hosts: ['service.cloud'], location: 'MESH_EXTERNAL', resolution: 'DNS',
    ports: [{ name: 'http', number: 80, protocol: 'HTTP' }],
    endpoints: [{ address: 'service.cloud.provider.com', ports: { http: 80 } }],
  });
  expect(objects.get('ServiceMonitor/monitoring/istiod')?.spec.endpoints).toEqual([
    { port: 'http-monitoring', interval: '15s', relabelings: [{ action: 'replace', replacement: cluster, targetLabel: 'cluster' }] },
  ]);
  expect(objects.get('Telemetry/istio-system/mesh-default')?.spec.tracing).toEqual([{ providers: [{ name: 'mesh-tracing' }], randomSamplingPercentage: 1 }]);
  expect(readYaml(path.join(app.bundlesOutdir, cluster, 'istio', 'istiod-values.yaml'))[0].meshConfig.extensionProviders)
    .toEqual([{ name: 'mesh-tracing', opentelemetry: { service: 'otel-collector.observability.svc.cluster.local', port: 4317 } }]);
});

test.each(['cluster1', 'cluster2'])('%s: istiod discovers every namespace the bundle uses, and the tracing collector\'s', cluster => {
  expect(undiscovered(app, cluster, ['istio-system', 'observability'])).toEqual([]);
  // verify checks the live namespaces against the same label sets istiod selects by.
  const expectedState = JSON.parse(fs.readFileSync(path.join(app.bundlesOutdir, cluster, 'expected-state.json'), 'utf8'));
  expect(expectedState.discovery).toEqual(discoverySelectorsOf(app, cluster)!.map(s => s.matchLabels));
  // The external service's namespace holds its ServiceEntry: the bundle renders it, labelled.
  expect(objectsOf(app, cluster).get('Namespace/default')?.metadata.labels).toMatchObject({ 'istio-discovery': 'enabled' });
});

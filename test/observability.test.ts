import * as fs from 'fs';
import * as path from 'path';
import { Mesh, MeshCluster, MeshTopology, TracingProtocol } from '../src';
import { istioSchemaErrors } from './support/istio-schema';
import { allObjects, objectsOf, readYaml, testApp, testMesh } from './support/synth';
import { toolSchemaErrors } from './support/tool-schema';

describe('observability', () => {
  test('monitors label every series with the cluster; tracing and access logs through Telemetry and the install\'s provider', () => {
    const { app, mesh } = testMesh({
      meshId: 'mesh1',
      observability: {
        monitoring: { namespace: 'monitoring', labels: { release: 'kube-prometheus' } },
        tracing: { service: 'otel-collector.observability.svc.cluster.local', port: 4317, samplingPercent: 10 },
        accessLogging: true,
      },
    });
    new MeshCluster(mesh, 'east', { gateway: { address: '10.0.0.1' } });
    new MeshCluster(mesh, 'west');
    const objects = allObjects(app);
    expect(istioSchemaErrors(objects)).toEqual([]);
    expect(toolSchemaErrors(objects)).toEqual([]);

    for (const cluster of ['east', 'west']) {
      const all = objectsOf(app, cluster);
      const istiod = all.get('ServiceMonitor/monitoring/istiod')!;
      expect(istiod.metadata.labels).toMatchObject({ release: 'kube-prometheus' });
      expect(istiod.spec.endpoints[0]).toMatchObject({ port: 'http-monitoring', relabelings: [{ action: 'replace', replacement: cluster, targetLabel: 'cluster' }] });
      const envoy = all.get('PodMonitor/monitoring/envoy-stats')!;
      expect(envoy.spec.podMetricsEndpoints[0].relabelings).toContainEqual({ action: 'replace', replacement: cluster, targetLabel: 'cluster' });
      expect(all.get('Telemetry/istio-system/mesh-default')?.spec).toEqual({
        tracing: [{ providers: [{ name: 'mesh-tracing' }], randomSamplingPercentage: 10 }],
        accessLogging: [{ providers: [{ name: 'envoy' }] }],
      });
      const provider = [{ name: 'mesh-tracing', opentelemetry: { service: 'otel-collector.observability.svc.cluster.local', port: 4317 } }];
      expect(all.get(`IstioOperator/istio-system/${cluster}`)?.spec.meshConfig.extensionProviders).toEqual(provider);
      expect(readYaml(path.join(app.bundlesOutdir, cluster, 'istio', 'istiod-values.yaml'))[0].meshConfig.extensionProviders).toEqual(provider);
      // The monitors are Prometheus Operator kinds: the cluster's README says the mesh layer needs it.
      expect(fs.readFileSync(path.join(app.bundlesOutdir, cluster, 'README.md'), 'utf8')).toContain('its ServiceMonitor and PodMonitor need the Prometheus Operator');
    }
  });

  test('zipkin; a remote gets monitors but no Telemetry (Istio reads it from the primary)', () => {
    const { app, mesh } = testMesh({
      meshId: 'mesh1', topology: MeshTopology.MULTI_NETWORK,
      observability: { monitoring: {}, tracing: { protocol: TracingProtocol.ZIPKIN, service: 'zipkin.istio-system.svc.cluster.local', port: 9411 } },
    });
    const primary = new MeshCluster(mesh, 'p', { network: 'n1', gateway: { address: '10.0.0.1' } });
    new MeshCluster(mesh, 'r', { network: 'n1', primary });
    expect(objectsOf(app, 'p').get('IstioOperator/istio-system/p')?.spec.meshConfig.extensionProviders)
      .toEqual([{ name: 'mesh-tracing', zipkin: { service: 'zipkin.istio-system.svc.cluster.local', port: 9411 } }]);
    expect(objectsOf(app, 'p').has('Telemetry/istio-system/mesh-default')).toBe(true);
    expect(objectsOf(app, 'r').has('Telemetry/istio-system/mesh-default')).toBe(false);
    expect(objectsOf(app, 'r').has('PodMonitor/istio-system/envoy-stats')).toBe(true);
  });

  test.each([
    [{ tracing: { service: 'otel-collector', port: 4317 } }, /\[mesh\] observability.tracing.service "otel-collector" is not a fully qualified service/],
    [{ tracing: { service: 'otel.collector.4317', port: 4317 } }, /\[mesh\] observability.tracing.service "otel.collector.4317" is not a fully qualified service/],
    [{ tracing: { service: 'otel.obs.svc.cluster.local', port: 4317, samplingPercent: 150 } }, /observability.tracing.samplingPercent 150 is not a percentage/],
    // What the API server or Prometheus would refuse in the monitors.
    [{ monitoring: { namespace: 'Monitoring' } }, /\[mesh\] observability.monitoring.namespace "Monitoring" is not a DNS-1123 label/],
    [{ monitoring: { labels: { 'release name': 'prom' } } }, /\[mesh\] observability.monitoring.labels key "release name" is not a label key/],
    [{ monitoring: { clusterLabel: 'k8s-cluster' } }, /\[mesh\] observability.monitoring.clusterLabel "k8s-cluster" is not a Prometheus label name: use letters, digits and "_", not starting with a digit or "__", e.g. k8s_cluster \[MCM030\]/],
    [{ monitoring: { clusterLabel: '__cluster' } }, /observability.monitoring.clusterLabel "__cluster" is not a Prometheus label name/],
    [{ monitoring: { interval: '30 seconds' } }, /observability.monitoring.interval "30 seconds" is not a Prometheus duration/],
  ])('refused: %j', (observability, message) => {
    expect(() => new Mesh(testApp(), 'mesh', { observability })).toThrow(message);
  });
});

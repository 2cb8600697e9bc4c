import { Telemetry } from '../../imports/telemetry.istio.io';
import { TRACING_PROVIDER } from '../observability';
import { ClusterBundle, ISTIO_SYSTEM, NamespaceUse } from './cluster-bundle';
import { customKind } from './custom-kind';

interface Relabeling {
  readonly action?: 'replace' | 'keep' | 'labelmap';
  readonly sourceLabels?: readonly string[];
  readonly regex?: string;
  readonly replacement?: string;
  readonly targetLabel?: string;
}

/** The subset of Prometheus Operator's ServiceMonitor the library renders (monitoring.coreos.com/v1). */
interface ServiceMonitorSpec {
  readonly selector: { readonly matchLabels: { readonly [key: string]: string } };
  readonly namespaceSelector: { readonly matchNames: readonly string[] };
  readonly endpoints: ReadonlyArray<{ readonly port: string; readonly interval: string; readonly relabelings: readonly Relabeling[] }>;
}

/** The subset of Prometheus Operator's PodMonitor the library renders (monitoring.coreos.com/v1). */
interface PodMonitorSpec {
  readonly selector: { readonly matchExpressions: ReadonlyArray<{ readonly key: string; readonly operator: 'Exists' | 'DoesNotExist' }> };
  readonly namespaceSelector: { readonly any: boolean };
  readonly jobLabel: string;
  readonly podMetricsEndpoints: ReadonlyArray<{ readonly path: string; readonly interval: string; readonly relabelings: readonly Relabeling[] }>;
}

export const ServiceMonitor = customKind<ServiceMonitorSpec>({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor' });
const PodMonitor = customKind<PodMonitorSpec>({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor' });

/**
 * Renders a cluster's observability: Prometheus Operator monitors for istiod and every Envoy, each series
 * labelled with the cluster's name, and the mesh-wide Telemetry that turns on tracing and access logs.
 */
export function renderObservability(bundle: ClusterBundle): void {
  const { cluster, mesh } = bundle;
  const { monitoring, tracing, accessLogging } = mesh.observability;
  if (monitoring) {
    const namespace = monitoring.namespace ?? ISTIO_SYSTEM;
    const interval = monitoring.interval ?? '30s';
    const clusterName: Relabeling = { action: 'replace', replacement: cluster.clusterName, targetLabel: monitoring.clusterLabel ?? 'cluster' };
    const labels = monitoring.labels && { ...monitoring.labels };
    bundle.add('observability', mesh, ServiceMonitor, {
      metadata: { name: 'istiod', namespace, labels },
      spec: {
        selector: { matchLabels: { app: 'istiod' } },
        namespaceSelector: { matchNames: [ISTIO_SYSTEM] },
        endpoints: [{ port: 'http-monitoring', interval, relabelings: [clusterName] }],
      },
    });
    bundle.add('observability', mesh, PodMonitor, {
      metadata: { name: 'envoy-stats', namespace, labels },
      spec: {
        // Every pod with a sidecar or a gateway proxy; Istio's opt-out label is honoured.
        selector: { matchExpressions: [{ key: 'istio-prometheus-ignore', operator: 'DoesNotExist' }] },
        namespaceSelector: { any: true },
        jobLabel: 'envoy-stats',
        podMetricsEndpoints: [{
          path: '/stats/prometheus',
          interval,
          relabelings: [
            { action: 'keep', sourceLabels: ['__meta_kubernetes_pod_container_name'], regex: 'istio-proxy' },
            { action: 'keep', sourceLabels: ['__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape'] },
            // The agent serves Envoy's and the application's merged metrics on the port the pod annotates (15020).
            {
              action: 'replace',
              sourceLabels: ['__address__', '__meta_kubernetes_pod_annotation_prometheus_io_port'],
              regex: '([^:]+)(?::\\d+)?;(\\d+)',
              replacement: '$1:$2',
              targetLabel: '__address__',
            },
            { action: 'labelmap', regex: '__meta_kubernetes_pod_label_(.+)' },
            { action: 'replace', sourceLabels: ['__meta_kubernetes_namespace'], targetLabel: 'namespace' },
            { action: 'replace', sourceLabels: ['__meta_kubernetes_pod_name'], targetLabel: 'pod' },
            clusterName,
          ],
        }],
      },
    });
  }
  // istiod finds the tracing provider's service in its registry: where it discovers only the mesh's
  // namespaces, the collector's must be one of them.
  const collectorNamespace = tracing && /^[^.]+\.([^.]+)\.svc(\.|$)/.exec(tracing.service)?.[1];
  if (collectorNamespace && mesh.discovery._selective) bundle.useNamespace(collectorNamespace, NamespaceUse.CONFIG);
  // A remote's Istio configuration is its primary's, Telemetry included.
  if ((tracing || accessLogging) && !cluster.isRemote) {
    bundle.add('observability', mesh, Telemetry, {
      metadata: { name: 'mesh-default', namespace: ISTIO_SYSTEM },
      spec: {
        tracing: tracing && [{ providers: [{ name: TRACING_PROVIDER }], randomSamplingPercentage: tracing.samplingPercent ?? 1 }],
        accessLogging: accessLogging ? [{ providers: [{ name: 'envoy' }] }] : undefined,
      },
    });
  }
}

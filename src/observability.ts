import { IConstruct } from 'constructs';
import { propError } from './validation/errors';
import { checkDnsLabel, checkLabels, isQualifiedHostName } from './validation/names';
import { checkPort } from './validation/network';
import { checkOneOf, checkPercent } from './validation/values';

/** Prometheus Operator monitors for every cluster. */
export interface MonitoringOptions {
  /**
   * The namespace of the ServiceMonitor and PodMonitor (where your Prometheus selects monitors).
   * @default 'istio-system'
   */
  readonly namespace?: string;

  /**
   * How often Prometheus scrapes.
   * @default '30s'
   */
  readonly interval?: string;

  /**
   * The label that carries the cluster's name on every scraped series, so one Prometheus (or a federation)
   * tells the clusters apart.
   * @default 'cluster'
   */
  readonly clusterLabel?: string;

  /**
   * Labels of the monitors, for the Prometheus `serviceMonitorSelector`/`podMonitorSelector` that picks them.
   * @default - none
   */
  readonly labels?: { readonly [key: string]: string };
}

/** The protocol of the tracing backend. */
export enum TracingProtocol {
  OPENTELEMETRY = 'opentelemetry',
  ZIPKIN = 'zipkin',
}

/** Tracing for every cluster: a provider in the install and a mesh-wide Telemetry resource. */
export interface TracingOptions {
  /** The collector's Service, fully qualified, e.g. `otel-collector.observability.svc.cluster.local`. */
  readonly service: string;

  /** The collector's port (4317 for OTLP gRPC, 9411 for Zipkin). */
  readonly port: number;

  /**
   * @default TracingProtocol.OPENTELEMETRY
   */
  readonly protocol?: TracingProtocol;

  /**
   * The share of requests traced, in percent.
   * @default 1
   */
  readonly samplingPercent?: number;
}

/** What a mesh reports about itself, in every cluster. */
export interface ObservabilityOptions {
  /**
   * A ServiceMonitor for istiod and a PodMonitor for every Envoy (merged metrics on 15020), with the cluster's name.
   * @default - no monitors
   */
  readonly monitoring?: MonitoringOptions;

  /**
   * Traces to an OpenTelemetry or Zipkin collector.
   * @default - no tracing
   */
  readonly tracing?: TracingOptions;

  /**
   * Envoy access logs for every workload (Istio's built-in `envoy` provider, to stdout).
   * @default false
   */
  readonly accessLogging?: boolean;
}

/** The name of the tracing provider in meshConfig.extensionProviders. */
export const TRACING_PROVIDER = 'mesh-tracing';

/** Checks the options; errors name the mesh and the option. @internal */
export function checkObservability(mesh: IConstruct, o: ObservabilityOptions): ObservabilityOptions {
  if (o.tracing) {
    const t = o.tracing;
    if (!isQualifiedHostName(t.service)) {
      throw propError(mesh, 'observability.tracing.service', t.service, 'is not a fully qualified service: use e.g. otel-collector.observability.svc.cluster.local');
    }
    checkPort(mesh, 'observability.tracing.port', t.port);
    if (t.protocol !== undefined) checkOneOf(mesh, 'observability.tracing.protocol', t.protocol, TracingProtocol, 'a tracing protocol');
    if (t.samplingPercent !== undefined) checkPercent(mesh, 'observability.tracing.samplingPercent', t.samplingPercent);
  }
  const monitoring = o.monitoring;
  if (monitoring?.namespace !== undefined) checkDnsLabel(mesh, 'observability.monitoring.namespace', monitoring.namespace);
  if (monitoring?.labels) checkLabels(mesh, 'observability.monitoring.labels', monitoring.labels);
  // Prometheus' label names; `__` starts the names it reserves for itself.
  if (monitoring?.clusterLabel !== undefined && (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(monitoring.clusterLabel) || monitoring.clusterLabel.startsWith('__'))) {
    throw propError(mesh, 'observability.monitoring.clusterLabel', monitoring.clusterLabel, 'is not a Prometheus label name: use letters, digits and "_", not starting with a digit or "__", e.g. k8s_cluster');
  }
  const interval = monitoring?.interval;
  if (interval !== undefined && !/^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/.test(interval)) {
    throw propError(mesh, 'observability.monitoring.interval', interval, 'is not a Prometheus duration: use e.g. 30s or 1m');
  }
  return o;
}

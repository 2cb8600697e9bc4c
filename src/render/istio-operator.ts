import { customKind } from './custom-kind';

/** The subset of the IstioOperator install API the library renders (no CRD: istioctl reads it). */
export interface IstioOperatorSpec {
  readonly profile?: string;
  readonly revision?: string;
  readonly meshConfig?: {
    readonly trustDomain?: string;
    readonly defaultConfig?: { readonly proxyMetadata?: { readonly [key: string]: string } };
    readonly outboundTrafficPolicy?: { readonly mode: string };
    readonly serviceSettings?: ReadonlyArray<{ readonly settings: { readonly clusterLocal: boolean }; readonly hosts: readonly string[] }>;
    readonly extensionProviders?: ReadonlyArray<{ readonly name: string; readonly [protocol: string]: unknown }>;
  };
  readonly values?: {
    readonly global?: {
      readonly meshID?: string;
      readonly multiCluster?: { readonly clusterName?: string };
      readonly network?: string;
      readonly remotePilotAddress?: string;
    };
    readonly istiodRemote?: { readonly injectionPath: string };
    readonly pilot?: { readonly env: { readonly [name: string]: string } };
  };
  readonly components?: {
    readonly egressGateways?: ReadonlyArray<{
      readonly name: string;
      readonly enabled: boolean;
      readonly k8s: { readonly service: { readonly type: 'ClusterIP'; readonly ports: ReadonlyArray<{ readonly name: string; readonly port: number; readonly targetPort: number }> } };
    }>;
    readonly ingressGateways?: ReadonlyArray<{
      readonly name: string;
      readonly enabled: boolean;
      readonly label?: { readonly [key: string]: string };
      readonly k8s?: {
        readonly env?: ReadonlyArray<{ readonly name: string; readonly value: string }>;
        readonly service?: {
          readonly type?: 'LoadBalancer' | 'NodePort';
          readonly ports?: ReadonlyArray<{
            readonly name: string; readonly port: number; readonly targetPort: number; readonly nodePort?: number;
          }>;
        };
        readonly serviceAnnotations?: { readonly [key: string]: string };
      };
    }>;
  };
}

/** An `install.istio.io/v1alpha1` IstioOperator overlay, for `istioctl install -f`. */
export const IstioOperator = customKind<IstioOperatorSpec>({ apiVersion: 'install.istio.io/v1alpha1', kind: 'IstioOperator' });

import { customKind } from '../../custom-kind';

/** The subset of a Gateway API `Gateway` the library renders (gateway.networking.k8s.io/v1, standard channel). */
export interface GatewayApiGatewaySpec {
  readonly gatewayClassName: string;
  readonly addresses?: ReadonlyArray<{ readonly type: 'IPAddress' | 'Hostname'; readonly value: string }>;
  readonly listeners: ReadonlyArray<{
    readonly name: string;
    readonly port: number;
    readonly protocol: string;
    readonly tls?: { readonly mode: 'Passthrough' | 'Terminate'; readonly options?: { readonly [key: string]: string } };
  }>;
  /** Labels and annotations istiod copies to what it provisions for the Gateway (its Deployment and Service). */
  readonly infrastructure?: { readonly labels?: { readonly [key: string]: string } };
}

/** The Gateway API release whose standard-channel CRDs the rendered Gateways are validated against (the one Istio 1.30 builds against). */
export const GATEWAY_API_VERSION = '1.5.1';

export const GatewayApiGateway = customKind<GatewayApiGatewaySpec>({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway' });

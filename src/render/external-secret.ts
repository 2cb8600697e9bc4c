import { customKind } from './custom-kind';

/** The subset of external-secrets.io's ExternalSecret the library renders (no CRD import: not an Istio kind). */
export interface ExternalSecretSpec {
  readonly refreshInterval: string;
  readonly secretStoreRef: { readonly name: string; readonly kind: 'SecretStore' | 'ClusterSecretStore' };
  readonly target: {
    readonly name: string;
    readonly creationPolicy: 'Owner';
    readonly template?: {
      readonly type?: string;
      /** Labels and annotations of the Secret the operator writes. */
      readonly metadata?: { readonly labels?: { readonly [key: string]: string }; readonly annotations?: { readonly [key: string]: string } };
    };
  };
  readonly data: ReadonlyArray<{ readonly secretKey: string; readonly remoteRef: { readonly key: string; readonly property: string } }>;
}

/** An `external-secrets.io/v1` ExternalSecret. */
export const ExternalSecret = customKind<ExternalSecretSpec>({ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret' });

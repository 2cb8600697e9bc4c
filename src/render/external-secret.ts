import { ApiObject, ApiObjectMetadata, GroupVersionKind } from 'cdk8s';
import { Construct } from 'constructs';

/** The subset of external-secrets.io's ExternalSecret the library renders (no CRD import: not an Istio kind). */
export interface ExternalSecretSpec {
  readonly refreshInterval: string;
  readonly secretStoreRef: { readonly name: string; readonly kind: 'SecretStore' | 'ClusterSecretStore' };
  readonly target: { readonly name: string; readonly creationPolicy: 'Owner'; readonly template?: { readonly type: string } };
  readonly data: ReadonlyArray<{ readonly secretKey: string; readonly remoteRef: { readonly key: string; readonly property: string } }>;
}

export interface ExternalSecretProps {
  readonly metadata?: ApiObjectMetadata;
  readonly spec: ExternalSecretSpec;
}

/** An `external-secrets.io/v1` ExternalSecret. */
export class ExternalSecret extends ApiObject {
  public static readonly GVK: GroupVersionKind = { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret' };

  public constructor(scope: Construct, id: string, props: ExternalSecretProps) {
    super(scope, id, { ...ExternalSecret.GVK, ...props });
  }
}

import { customKind } from './custom-kind';

/** The subset of bitnami.com's SealedSecret the library renders. */
export interface SealedSecretSpec {
  /** Each Secret key's value, sealed for the cluster's controller (base64). */
  readonly encryptedData: { readonly [key: string]: string };
  readonly template: { readonly metadata: { readonly name: string; readonly namespace: string }; readonly type: string };
}

/** A `bitnami.com/v1alpha1` SealedSecret. */
export const SealedSecret = customKind<SealedSecretSpec>({ apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret' });

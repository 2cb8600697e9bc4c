import { ApiObject, ApiObjectMetadata, GroupVersionKind } from 'cdk8s';
import { Construct } from 'constructs';

/** Props of a kind the library renders without an imported CRD: metadata plus a typed spec. */
export interface CustomKindProps<S> {
  readonly metadata?: ApiObjectMetadata;
  readonly spec: S;
}

/** The class `customKind` makes: a static GVK, a (scope, id, props) constructor and `manifest()`, like a generated class. */
export interface CustomKind<S> {
  readonly GVK: GroupVersionKind;
  new (scope: Construct, id: string, props: CustomKindProps<S>): ApiObject;
  manifest(props: CustomKindProps<S>): object;
}

/**
 * A cdk8s class for a kind that has no CRD in `imports/` (IstioOperator is read by istioctl, not the
 * API server; ExternalSecret belongs to external-secrets.io): the same shape as a generated class.
 */
export function customKind<S>(gvk: GroupVersionKind): CustomKind<S> {
  return class extends ApiObject {
    public static readonly GVK: GroupVersionKind = gvk;

    public static manifest(props: CustomKindProps<S>): object {
      return { ...gvk, ...props };
    }

    public constructor(scope: Construct, id: string, props: CustomKindProps<S>) {
      super(scope, id, { ...gvk, ...props });
    }
  };
}

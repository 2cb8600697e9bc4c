import { IConstruct } from 'constructs';
import { propError } from './validation/errors';

/** The Istio release the library is tested against (its CRDs, charts and samples are the reference). */
export const DEFAULT_ISTIO_VERSION = '1.30.3';

/** How istiod compares a new root-cert.pem with the one it holds before it accepts it (ISTIO_MULTIROOT_MESH). */
export enum RootBundleComparison {
  /** One bundle must contain the other byte for byte. */
  BYTES = 'bytes',
  /** One bundle's certificates must be a superset or a subset of the other's, in any encoding and order. */
  CERTIFICATES = 'certificates',
}

/** What the library renders differently from one supported Istio minor to the next. @internal */
export interface IstioMinorTraits {
  readonly rootBundleComparison: RootBundleComparison;
}

/**
 * The Istio minors the library renders for, and what differs between them. Everything else it renders
 * reads the same on all of them: the install values it sets exist in each (the `.global`-era knobs
 * `global.multiCluster.enabled`, `globalDomainSuffix` and `includeEnvoyFilter`, removed in 1.27, are never
 * emitted), `istio-remote` Gateways date from 1.19 and the v1 Telemetry API from 1.22. A choice that comes
 * to differ between them belongs in this table, with the release note that makes it differ.
 */
const MINOR_TRAITS: { readonly [minor: string]: IstioMinorTraits } = {
  '1.29': { rootBundleComparison: RootBundleComparison.BYTES },
  // 1.30 parses both bundles and compares certificates (a re-encoded PEM no longer blocks a rotation).
  '1.30': { rootBundleComparison: RootBundleComparison.CERTIFICATES },
  '1.31': { rootBundleComparison: RootBundleComparison.CERTIFICATES },
};

/** The Istio minors the library renders for. */
export const SUPPORTED_ISTIO_MINORS: readonly string[] = Object.keys(MINOR_TRAITS);

const RELEASE = /^(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?$/;

/** Checks an Istio release (`1.30.3`, `1.31.0-rc.0`) against the supported minors; errors name the mesh. @internal */
export function checkIstioVersion(mesh: IConstruct, version: string): string {
  const match = RELEASE.exec(version);
  if (!match) {
    throw propError(mesh, 'istioVersion', version, 'is not an Istio release: use one such as 1.30.3 (it is also the version of the Helm charts installed)');
  }
  const minor = `${match[1]}.${match[2]}`;
  if (!SUPPORTED_ISTIO_MINORS.includes(minor)) {
    throw propError(mesh, 'istioVersion', version, `is Istio ${minor}, which the library does not render for: use ${SUPPORTED_ISTIO_MINORS.join(', ')} (multi-primary on different networks and Gateway API peers need current Istio)`);
  }
  return version;
}

/** The minor of a release checked by checkIstioVersion, and its traits. @internal */
export function istioMinorOf(version: string): { readonly minor: string; readonly traits: IstioMinorTraits } {
  const minor = version.split('.').slice(0, 2).join('.');
  return { minor, traits: MINOR_TRAITS[minor] };
}

import { IConstruct } from 'constructs';
import { propError } from './validation/errors';

/** The Istio release the library is tested against (its CRDs, charts and samples are the reference). */
export const DEFAULT_ISTIO_VERSION = '1.30.3';

/**
 * The Istio minors the library renders for. Everything it renders today reads the same on all of them:
 * the install values it sets exist in each (the `.global`-era knobs `global.multiCluster.enabled`,
 * `globalDomainSuffix` and `includeEnvoyFilter`, removed in 1.27, are never emitted), `istio-remote`
 * Gateways date from 1.19 and the v1 Telemetry API from 1.22. A choice that comes to differ between them
 * belongs in this table, with the release note that makes it differ.
 */
export const SUPPORTED_ISTIO_MINORS = ['1.29', '1.30', '1.31'] as const;

const RELEASE = /^(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?$/;

/** Checks an Istio release (`1.30.3`, `1.31.0-rc.0`) against the supported minors; errors name the mesh. @internal */
export function checkIstioVersion(mesh: IConstruct, version: string): string {
  const match = RELEASE.exec(version);
  if (!match) {
    throw propError(mesh, 'istioVersion', version, 'is not an Istio release: use one such as 1.30.3 (it is also the version of the Helm charts installed)');
  }
  const minor = `${match[1]}.${match[2]}`;
  if (!(SUPPORTED_ISTIO_MINORS as readonly string[]).includes(minor)) {
    throw propError(mesh, 'istioVersion', version, `is Istio ${minor}, which the library does not render for: use ${SUPPORTED_ISTIO_MINORS.join(', ')} (multi-primary on different networks and Gateway API peers need current Istio)`);
  }
  return version;
}

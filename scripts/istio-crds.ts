import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';

/** The Istio CRDs the library renders, by CRD name. Only their `v1` version is imported. */
export const IMPORTED_CRDS = [
  'destinationrules.networking.istio.io',
  'gateways.networking.istio.io',
  'serviceentries.networking.istio.io',
  'virtualservices.networking.istio.io',
  'workloadentries.networking.istio.io',
  'workloadgroups.networking.istio.io',
  'authorizationpolicies.security.istio.io',
  'peerauthentications.security.istio.io',
] as const;

/** The imported version of every CRD above: bare class names (`ServiceEntry`) then mean this version. */
export const IMPORTED_VERSION = 'v1';

/**
 * Where the Istio CRD bundle lives: `$ISTIO_CRDS`, else `../shared/istio/crd-all.gen.yaml` next to the
 * repository. Returns undefined when neither exists (a consumer's checkout has no shared/ folder).
 */
export function istioCrdFile(): string | undefined {
  const candidates = [
    process.env.ISTIO_CRDS,
    path.resolve(__dirname, '..', '..', 'shared', 'istio', 'crd-all.gen.yaml'),
  ];
  return candidates.find((file): file is string => !!file && fs.existsSync(file));
}

export interface CustomResourceDefinition {
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly group: string;
    readonly names: { readonly kind: string };
    readonly versions: ReadonlyArray<{ readonly name: string; readonly schema?: { readonly openAPIV3Schema: object } }>;
  };
}

export function loadCrds(file: string): CustomResourceDefinition[] {
  return yaml.loadAll(fs.readFileSync(file, 'utf8'))
    .filter((doc): doc is CustomResourceDefinition => !!doc && (doc as { kind?: string }).kind === 'CustomResourceDefinition');
}

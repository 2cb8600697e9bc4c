import Ajv, { ValidateFunction } from 'ajv';
import { istioCrdFile, loadCrds } from '../../scripts/istio-crds';

type Schema = { [key: string]: unknown };

/**
 * Makes a CRD's structural schema reject unknown fields, as `kubectl apply` (strict field validation)
 * does, instead of pruning them silently.
 */
function closeObjects(schema: Schema): Schema {
  const closed: Schema = { ...schema };
  if (schema.properties && typeof schema.properties === 'object') {
    closed.properties = Object.fromEntries(Object.entries(schema.properties as Record<string, Schema>)
      .map(([key, value]) => [key, closeObjects(value)]));
    if (schema.additionalProperties === undefined && !schema['x-kubernetes-preserve-unknown-fields']) {
      closed.additionalProperties = false;
    }
  }
  for (const key of ['items', 'additionalProperties'] as const) {
    if (schema[key] && typeof schema[key] === 'object') closed[key] = closeObjects(schema[key] as Schema);
  }
  for (const key of ['oneOf', 'anyOf', 'allOf'] as const) {
    if (Array.isArray(schema[key])) closed[key] = (schema[key] as Schema[]).map(closeObjects);
  }
  return closed;
}

let validators: Map<string, ValidateFunction> | undefined;

/** Validators keyed by `apiVersion|kind`, from the Istio CRD bundle (every served version). */
function crdValidators(): Map<string, ValidateFunction> {
  if (!validators) {
    const file = istioCrdFile();
    if (!file) {
      throw new Error('Istio CRD bundle not found: set ISTIO_CRDS or check out shared/ next to the repository');
    }
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    validators = new Map();
    for (const crd of loadCrds(file)) {
      for (const version of crd.spec.versions) {
        if (!version.schema) continue;
        const schema = closeObjects({ ...version.schema.openAPIV3Schema as Schema });
        // metadata is the API server's business; the CRD schema leaves it open.
        (schema.properties as Schema).metadata = { type: 'object' };
        (schema.properties as Schema).apiVersion = { type: 'string' };
        (schema.properties as Schema).kind = { type: 'string' };
        validators.set(`${crd.spec.group}/${version.name}|${crd.spec.names.kind}`, ajv.compile(schema));
      }
    }
  }
  return validators;
}

interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
}

/** Whether an object belongs to one of the Istio CRD groups. */
export function isIstioObject(object: KubeObject): boolean {
  return /^[a-z]+\.istio\.io\//.test(object.apiVersion) && !object.apiVersion.startsWith('install.istio.io/');
}

/**
 * Validates Istio objects against the CRD schemas of Istio 1.30.3; returns one line per problem.
 * Objects of other groups are skipped; an Istio kind without a schema is a problem.
 */
export function istioSchemaErrors(objects: readonly KubeObject[]): string[] {
  const errors: string[] = [];
  for (const object of objects.filter(isIstioObject)) {
    const where = `${object.kind} ${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? '?'}`;
    const validate = crdValidators().get(`${object.apiVersion}|${object.kind}`);
    if (!validate) {
      errors.push(`${where}: no CRD serves ${object.apiVersion} ${object.kind}`);
    } else if (!validate(object)) {
      errors.push(...(validate.errors ?? []).map(e => `${where}: ${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`));
    }
  }
  return errors;
}

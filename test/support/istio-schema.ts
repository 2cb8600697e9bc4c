import * as networkingModels from '@kubernetes-models/istio/networking.istio.io';
import * as securityModels from '@kubernetes-models/istio/security.istio.io';
import * as telemetryModels from '@kubernetes-models/istio/telemetry.istio.io';
import { parse as parseCel } from '@marcbachmann/cel-js';
import Ajv, { ValidateFunction } from 'ajv';
import { loadSchemaExtract } from '../../scripts/istio-crds';
import { istiodRefusals, istiodWarnings } from './istiod-validation';

type Schema = { [key: string]: unknown };

/**
 * Makes a CRD's structural schema reject unknown fields, as `kubectl apply` (strict field validation)
 * does, instead of pruning them silently.
 */
export function closeObjects(schema: Schema): Schema {
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
  // oneOf/anyOf/allOf branches are value constraints beside the structural schema (Gateway API's address
  // types, say), never a field list of their own: closing them would reject every field they leave out.
  return closed;
}

interface CelRule { readonly rule: string; readonly message?: string }

/** A schema node with its CEL rules (`x-kubernetes-validations`), as the API server evaluates them. */
export type CelSchema = Schema & { 'x-kubernetes-validations'?: CelRule[] };

const compiledRules = new Map<string, (context: object) => unknown>();

/**
 * Evaluates the CRD's CEL rules against an object, walking the schema alongside it: every rule runs with
 * `self` bound to the value at its node, where that value is present. Transition rules (`oldSelf`) need
 * the previous object and are skipped.
 */
export function celErrors(schema: CelSchema | undefined, value: unknown, where: string): string[] {
  if (!schema || value === undefined || value === null) return [];
  const errors: string[] = [];
  for (const { rule, message } of schema['x-kubernetes-validations'] ?? []) {
    if (rule.includes('oldSelf')) continue;
    let evaluate = compiledRules.get(rule);
    if (!evaluate) {
      evaluate = parseCel(rule);
      compiledRules.set(rule, evaluate);
    }
    try {
      if (evaluate({ self: value }) !== true) errors.push(`${where || '/'}: ${message ?? rule}`);
    } catch (e) {
      errors.push(`${where || '/'}: CEL rule could not be evaluated (${(e as Error).message.split('\n')[0]}): ${rule}`);
    }
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => errors.push(...celErrors(schema.items as CelSchema, item, `${where}/${i}`)));
  } else if (typeof value === 'object') {
    for (const [key, child] of Object.entries(value as object)) {
      const properties = schema.properties as Record<string, CelSchema> | undefined;
      const childSchema = properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties as CelSchema : undefined);
      errors.push(...celErrors(childSchema, child, `${where}/${key}`));
    }
  }
  return errors;
}

let validators: Map<string, ValidateFunction> | undefined;
const celSchemas = new Map<string, CelSchema>();

/** Validators keyed by `apiVersion|kind`, from the Istio CRD bundle (every served version). */
function crdValidators(): Map<string, ValidateFunction> {
  if (!validators) {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    validators = new Map();
    for (const crd of loadSchemaExtract()) {
      for (const version of crd.spec.versions) {
        if (!version.schema) continue;
        const schema = closeObjects({ ...version.schema.openAPIV3Schema as Schema });
        // metadata is the API server's business; the CRD schema leaves it open.
        (schema.properties as Schema).metadata = { type: 'object' };
        (schema.properties as Schema).apiVersion = { type: 'string' };
        (schema.properties as Schema).kind = { type: 'string' };
        validators.set(`${crd.spec.group}/${version.name}|${crd.spec.names.kind}`, ajv.compile(schema));
        celSchemas.set(`${crd.spec.group}/${version.name}|${crd.spec.names.kind}`, version.schema.openAPIV3Schema as CelSchema);
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

type Model = new (data: object) => { validate(): void };
/** The models of each API version, by `apiVersion|kind`: every version a bundle renders has its own. */
const MODEL_GROUPS: ReadonlyArray<[string, { readonly [version: string]: object }]> = [
  ['networking.istio.io', networkingModels],
  ['security.istio.io', securityModels],
  ['telemetry.istio.io', telemetryModels],
];
const MODELS: Record<string, Model> = Object.fromEntries(MODEL_GROUPS.flatMap(([group, versions]) =>
  Object.entries(versions).flatMap(([version, models]) =>
    Object.entries(models).map(([kind, cls]) => [`${group}/${version}|${kind}`, cls as unknown as Model]))));

/** What istiod's webhook warns of in Istio objects (`istiodWarnings`), one line per warning. */
export function istiodWarningsOf(objects: readonly KubeObject[]): string[] {
  return objects.filter(isIstioObject).flatMap(istiodWarnings);
}

/**
 * Validates Istio objects; returns one line per problem. Three independent checks:
 * - the CRD schemas of Istio 1.30.3 (the committed extract of `npm run import`), for the object's own version, unknown fields rejected,
 *   then the CRDs' CEL rules (`x-kubernetes-validations`), as the API server evaluates them;
 * - the `@kubernetes-models/istio` validators (generated from Istio 1.29's CRDs, a release before the schemas above), for the object's own version;
 * - what istiod's validating webhook refuses beyond the schemas (`istiodRefusals`).
 * Objects of other groups are skipped; an Istio kind neither check knows is a problem.
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
    } else {
      errors.push(...celErrors(celSchemas.get(`${object.apiVersion}|${object.kind}`), object, '').map(e => `${where}: ${e}`));
    }
    errors.push(...istiodRefusals(object));
    const Model = MODELS[`${object.apiVersion}|${object.kind}`];
    if (!Model) {
      errors.push(`${where}: @kubernetes-models/istio has no model for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new Model(object).validate();
    } catch (e) {
      errors.push(`${where}: ${(e as Error).message}`);
    }
  }
  return errors;
}

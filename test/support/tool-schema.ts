import Ajv, { ValidateFunction } from 'ajv';
import { loadToolSchemas } from '../../scripts/tool-schemas';
import { celErrors, CelSchema, closeObjects } from './istio-schema';
import { KubeObject } from './synth';

type Schema = { [key: string]: unknown };

let validators: Map<string, ValidateFunction> | undefined;
const celSchemas = new Map<string, CelSchema>();
let gatewayValuesValidator: ValidateFunction | undefined;

function compiled(): Map<string, ValidateFunction> {
  if (!validators) {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    const schemas = loadToolSchemas();
    validators = new Map();
    for (const crd of schemas.crds) {
      for (const version of crd.spec.versions) {
        if (!version.schema) continue;
        const schema = closeObjects({ ...version.schema.openAPIV3Schema as Schema });
        (schema.properties as Schema).metadata = { type: 'object' };
        validators.set(`${crd.spec.group}/${version.name}|${crd.spec.names.kind}`, ajv.compile(schema));
        celSchemas.set(`${crd.spec.group}/${version.name}|${crd.spec.names.kind}`, version.schema.openAPIV3Schema as CelSchema);
      }
    }
    gatewayValuesValidator = ajv.compile(schemas.gatewayValues);
  }
  return validators;
}

/** Whether a tool CRD of the committed extract (Argo CD, Flux, External Secrets, Sealed Secrets, Prometheus Operator) serves the object's kind. */
export function isToolObject(object: KubeObject): boolean {
  return compiled().has(`${object.apiVersion}|${object.kind}`);
}

/**
 * Validates objects of the tools' kinds against their CRDs, unknown fields rejected as `kubectl apply`
 * does, then the CRDs' CEL rules as the API server evaluates them; one line per problem. Objects of other
 * kinds are skipped.
 */
export function toolSchemaErrors(objects: readonly KubeObject[]): string[] {
  return objects.flatMap(object => {
    const where = `${object.kind} ${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? '?'}`;
    const key = `${object.apiVersion}|${object.kind}`;
    const validate = compiled().get(key);
    if (!validate) return [];
    if (!validate(object)) return (validate.errors ?? []).map(e => `${where}: ${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
    return celErrors(celSchemas.get(key), object, '').map(e => `${where}: ${e}`);
  });
}

/** Validates values for Istio 1.30.3's gateway chart against the chart's values.schema.json. */
export function gatewayValuesErrors(values: object): string[] {
  compiled();
  return gatewayValuesValidator!(values) ? [] : (gatewayValuesValidator!.errors ?? []).map(e => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

/**
 * Value keys a chart without a schema (Istio 1.30.3's `base`, `istiod`, `cni`, `ztunnel`) does not know, at the top level and
 * under `global`; `profile` is read by every chart's profile loader.
 */
export function unknownChartValueKeys(chart: 'base' | 'istiod' | 'cni' | 'ztunnel', values: Record<string, unknown>): string[] {
  const known = loadToolSchemas().chartValueKeys[chart];
  return [
    ...Object.keys(values).filter(k => k !== 'profile' && !known.top.includes(k)),
    ...Object.keys((values.global as object) ?? {}).filter(k => !known.global.includes(k)).map(k => `global.${k}`),
  ];
}

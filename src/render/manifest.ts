// A rendered object's manifest: the JSON cdk8s would write for it (keys sorted, nothing null), made
// without a construct, and its size as compact JSON, counted while it is made, for the budgets report.
import { ApiObject, GroupVersionKind } from 'cdk8s';
import { Construct } from 'constructs';
import { sortInPlace } from '../order';

/**
 * A generated cdk8s class: a static GVK, a (scope, id, props) constructor for its props' type, and the static
 * `manifest(props)` that renders those props as cdk8s would, without a construct.
 */
export interface ApiObjectClass {
  readonly GVK: GroupVersionKind;
  new (scope: Construct, id: string, props: never): ApiObject;
  manifest(props: never): object;
}

/**
 * A props object as cdk8s hands it to a generated class: keys sorted, undefined and null dropped (what
 * cdk8s's own sanitizer does), so that `manifest()` writes exactly what an ApiObject would. `into` receives
 * the top level after the keys it already has (a manifest's apiVersion and kind), saving a copy.
 */
export function sanitized(value: unknown, renames?: { readonly [key: string]: string }, into?: Record<string, unknown>): unknown {
  if (Array.isArray(value)) {
    copiedBytes += 1 + Math.max(value.length, 1);
    return value.map(item => sanitized(item, renames));
  }
  if (countedScalar(value)) return value;
  const out: Record<string, unknown> = into ?? {};
  const keys = Object.keys(value as object);
  sortInPlace(keys);
  let kept = 0;
  for (const key of keys) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined && item !== null) {
      const name = renames && Object.hasOwn(renames, key) ? renames[key] : key;
      copiedBytes += name.length + 3;
      out[name] = sanitized(item, renames);
      kept++;
    }
  }
  copiedBytes += 1 + Math.max(kept, 1);
  return out;
}

/**
 * Long strings (Corefiles, DNS zones, certificates, free-form annotations) may hold what JSON escapes, or
 * text beyond ASCII: those are measured, so that a large object's size is not undercounted by a byte per
 * line. Names, labels and hosts, the short strings a mesh has hundreds of thousands of, are counted.
 */
const LONG_STRING = 64;
const NOT_PLAIN_JSON = /["\\\u0000-\u001f\u0080-\uffff]/;

/** Counts a scalar's size as JSON; false for an object or array, which the caller walks. */
function countedScalar(value: unknown): boolean {
  if (typeof value === 'string') {
    copiedBytes += value.length > LONG_STRING && NOT_PLAIN_JSON.test(value) ? Buffer.byteLength(JSON.stringify(value)) : value.length + 2;
    return true;
  }
  if (typeof value !== 'object' || value === null) {
    copiedBytes += String(value).length;
    return true;
  }
  return false;
}

/**
 * Whether a value already writes what `sanitized` makes of it (plain objects, keys in order, no null
 * member, no key to rename; undefined members are skipped, as JSON and YAML writers skip them), counting
 * its JSON size as `sanitized` does. Renderers of the objects a mesh has thousands of write them so, and
 * skip the copy: it was a tenth of a large mesh's synth.
 */
function isCanonical(value: unknown, renames?: { readonly [key: string]: string }, memoizeMembers = false): boolean {
  if (Array.isArray(value)) {
    copiedBytes += 1 + Math.max(value.length, 1);
    for (const item of value) {
      if (!isCanonical(item, renames)) return false;
    }
    return true;
  }
  if (countedScalar(value)) return true;
  if (Object.getPrototypeOf(value as object) !== Object.prototype) return false;
  let previous = '';
  let kept = 0;
  for (const key in value as object) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined) continue;
    if (item === null || key < previous || (renames && Object.hasOwn(renames, key))) return false;
    previous = key;
    copiedBytes += key.length + 3;
    // Metadata is made per object (withMetadata): only the other members can be shared.
    if (!(memoizeMembers && key !== 'metadata' ? isCanonicalMember(item, renames) : isCanonical(item, renames))) return false;
    kept++;
  }
  copiedBytes += 1 + Math.max(kept, 1);
  return true;
}

/**
 * `isCanonical` of a manifest's member, remembered by identity (its JSON size, or -1): renderers share one
 * spec among the objects of many clusters, and walking it again for each was most of what adding cost.
 */
const canonicalMembers = new WeakMap<object, number>();
function isCanonicalMember(value: unknown, renames?: { readonly [key: string]: string }): boolean {
  if (typeof value !== 'object' || value === null) return isCanonical(value, renames);
  const known = canonicalMembers.get(value);
  if (known !== undefined) {
    if (known >= 0) copiedBytes += known;
    return known >= 0;
  }
  const before = copiedBytes;
  const canonical = isCanonical(value, renames);
  canonicalMembers.set(value, canonical ? copiedBytes - before : -1);
  return canonical;
}

/**
 * A rendered object without its undefined members (see `isCanonical`), for writers that would print them
 * as null (cdk8s's YAML): the object itself when it has none, else a copy of the parts that do.
 */
export function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = withoutUndefined(value[i]);
      if (item !== value[i]) (copy ??= [...value])[i] = item;
    }
    return (copy ?? value) as T;
  }
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    const kept = item === undefined ? item : withoutUndefined(item);
    if (item === undefined || kept !== item) {
      copy ??= { ...(value as Record<string, unknown>) };
      if (item === undefined) delete copy[key];
      else copy[key] = kept;
    }
  }
  return (copy ?? value) as T;
}

/**
 * The size as compact JSON of what `sanitized` copies, counted while it copies (the budgets report needs
 * every object's size, and a second walk of tens of thousands of objects costs as much as the copy).
 */
let copiedBytes = 0;

/** The JSON size of rendered Istio objects, counted as they were made: see `jsonBytes`. */
const renderedBytes = new WeakMap<object, number>();

/**
 * The size of an object as compact JSON in bytes (exact but for short strings holding escapes or non-ASCII
 * text, rare in manifests): remembered for the objects a bundle renders, counted for anything else.
 */
export function jsonBytes(value: unknown): number {
  const known = typeof value === 'object' && value !== null ? renderedBytes.get(value) : undefined;
  if (known !== undefined) return known;
  copiedBytes = 0;
  sanitized(value);
  return copiedBytes;
}

/**
 * The generated Istio classes' `toJson_*` functions copy props key by key (in the same sorted order) and
 * rename only these; doing it in one pass saves most of the render time of a large mesh. A test holds the
 * result equal to `manifest()`, key order included.
 */
const ISTIO_JSON_RENAMES: { readonly [tsName: string]: string } = { consecutive5XxErrors: 'consecutive5xxErrors', mirrorPercent: 'mirror_percent' };
const ISTIO_API = /^[a-z]+\.istio\.io\//;

/**
 * The manifest of a rendered object: what `type.manifest(props)` returns, for Istio kinds without its
 * copying, and with its JSON size counted while it is made (see `jsonBytes`).
 */
export function manifestOf(type: ApiObjectClass, props: object): object {
  const { apiVersion, kind } = type.GVK;
  const istio = ISTIO_API.test(apiVersion);
  const renames = istio ? ISTIO_JSON_RENAMES : undefined;
  // `"apiVersion":"...","kind":"...",` ahead of what the props count.
  const header = apiVersion.length + kind.length + 26;
  copiedBytes = header;
  let manifest: object;
  if (isCanonical(props, renames, true)) {
    // Kubernetes' generated toJson functions convert dates and quantities (classes, never canonical) and
    // copy the rest, plain values, as they are: canonical props give the JSON that was counted.
    manifest = istio ? { apiVersion, kind, ...props } : type.manifest(props as never);
  } else if (istio) {
    copiedBytes = header; // counted again by the copy
    manifest = sanitized(props, renames, { apiVersion, kind }) as object;
  } else {
    return type.manifest(sanitized(props) as never);
  }
  renderedBytes.set(manifest, copiedBytes);
  return manifest;
}

/** The same manifest under another apiVersion (an older Istio's), its counted size carried over. */
export function withApiVersion<T extends { readonly apiVersion: string }>(manifest: T, apiVersion: string): T {
  const renamed = { ...manifest, apiVersion };
  const bytes = renderedBytes.get(manifest);
  if (bytes !== undefined) renderedBytes.set(renamed, bytes + apiVersion.length - manifest.apiVersion.length);
  return renamed;
}

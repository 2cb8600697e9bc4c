import { createHash } from 'crypto';
import { IConstruct } from 'constructs';
import { propError } from './errors';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_LABEL_MAX = 63;
const DNS1123_SUBDOMAIN_MAX = 253;

export function isDnsLabel(value: string): boolean {
  return value.length <= DNS1123_LABEL_MAX && DNS1123_LABEL.test(value);
}

/** A DNS-1123 subdomain: dot-separated DNS labels, 253 characters at most. */
export function isDnsSubdomain(value: string): boolean {
  return value.length <= DNS1123_SUBDOMAIN_MAX && value.split('.').every(isDnsLabel);
}

/**
 * A name made of the user's names and a fixed part, kept a DNS-1123 label (what istiod takes as a Gateway's
 * name): as it is when it fits, else cut to fit with a hash of the whole, so that two long names stay apart
 * and the same input always gives the same name.
 */
export function boundedDnsLabel(name: string): string {
  if (name.length <= DNS1123_LABEL_MAX) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, DNS1123_LABEL_MAX - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

/** Throws unless `value` is a DNS-1123 label (Kubernetes names of clusters, namespaces, subsets). */
export function checkDnsLabel(scope: IConstruct, prop: string, value: string): string {
  if (!isDnsLabel(value)) {
    throw propError(scope, prop, value,
      'is not a DNS-1123 label: use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit');
  }
  return value;
}

/**
 * A host name istiod takes in a host field: a DNS-1123 subdomain whose last label is not all digits (istiod
 * refuses `api.example.123`, and a dotted number is a mistyped IP address).
 */
export function isHostName(value: string): boolean {
  return isDnsSubdomain(value) && !/(^|\.)[0-9]+$/.test(value);
}

/** A host name of two labels or more, where istiod wants a fully qualified one and refuses short names (`postgres`). */
export const isQualifiedHostName = (value: string) => isHostName(value) && value.includes('.');

/** Throws unless `value` is a host name istiod takes (see `isHostName`). */
export function checkHostName(scope: IConstruct, prop: string, value: string): string {
  if (!isHostName(value)) {
    throw propError(scope, prop, value,
      'is not a host name: use dot-separated labels of lower-case letters, digits and "-", the last one not all digits (253 characters at most)');
  }
  return value;
}

/** Throws unless `value` is a DNS-1123 subdomain (trust domains, service accounts, store names). */
export function checkDnsSubdomain(scope: IConstruct, prop: string, value: string): string {
  if (!isDnsSubdomain(value)) {
    throw propError(scope, prop, value,
      'is not a DNS name: use dot-separated labels of lower-case letters, digits and "-" (253 characters at most)');
  }
  return value;
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** A Kubernetes label key: `[prefix/]name`, name at most 63 characters, prefix a DNS subdomain. */
export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  return name.length <= 63 && LABEL_NAME.test(name) && (prefix === undefined || isDnsSubdomain(prefix));
}

/** A Kubernetes label value: empty, or at most 63 letters, digits, `-`, `_` and `.`, alphanumeric at both ends. */
export function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && LABEL_NAME.test(value));
}

/** Throws unless every key and value of `labels` is a valid Kubernetes label key and value. */
export function checkLabels(scope: IConstruct, prop: string, labels: { readonly [label: string]: string }): { readonly [label: string]: string } {
  for (const [key, value] of Object.entries(labels)) {
    if (!isLabelKey(key)) {
      throw propError(scope, `${prop} key`, key, 'is not a label key: use [prefix/]name, the name at most 63 letters, digits, "-", "_" and ".", e.g. app or app.kubernetes.io/name');
    }
    if (typeof value !== 'string' || !isLabelValue(value)) {
      throw propError(scope, `${prop}.${key}`, value, 'is not a label value: use at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit');
    }
  }
  return labels;
}

/** Checks annotation keys (values are any string); errors name the scope and the property. */
export function checkAnnotations(scope: IConstruct, prop: string, annotations: { readonly [key: string]: string }): { readonly [key: string]: string } {
  for (const [key, value] of Object.entries(annotations)) {
    if (!isLabelKey(key)) {
      throw propError(scope, `${prop} key`, key, 'is not an annotation key: use [prefix/]name, e.g. argocd.argoproj.io/sync-wave');
    }
    if (typeof value !== 'string') {
      throw propError(scope, `${prop}.${key}`, value, 'is not a string: annotation values are strings (quote numbers, e.g. "5")');
    }
  }
  return annotations;
}

/** `kube-system`, `kube-public`, `kube-node-lease` and any other namespace Kubernetes reserves. */
const isKubeSystemNamespace = (namespace: string) => namespace.startsWith('kube-');

/** istio-system or a `kube-*` namespace: never an application's, never labelled for injection here. */
export const isSystemNamespace = (namespace: string) => namespace === 'istio-system' || isKubeSystemNamespace(namespace);

/** The namespaces whose pods Istio's injector never gives a sidecar, whatever their labels (its IgnoredNamespaces). */
const NEVER_INJECTED = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);
export const isNeverInjected = (namespace: string) => NEVER_INJECTED.has(namespace);

/** Whether a label selector picks an object with these labels: every selector label is among them. */
export function selectorMatches(selector: { readonly [label: string]: string }, labels: { readonly [label: string]: string }): boolean {
  for (const key in selector) {
    if (labels[key] !== selector[key]) return false;
  }
  return true;
}

/** Labels as `kubectl -l` takes them and reports name them: `k=v,...`, sorted by key. */
export function formatLabels(labels: { readonly [label: string]: string }): string {
  return Object.keys(labels).sort().map(k => `${k}=${labels[k]}`).join(',');
}

/** Whether a host pattern (`*`, `*.suffix` or a name, as Istio writes hosts) matches a host. */
export function hostMatches(pattern: string, host: string): boolean {
  return pattern === '*' || pattern === host || (pattern.startsWith('*.') && host.endsWith(pattern.slice(1)));
}

/** Whether two label sets are the same. */
export function sameLabels(a: { readonly [label: string]: string }, b: { readonly [label: string]: string }): boolean {
  return Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);
}

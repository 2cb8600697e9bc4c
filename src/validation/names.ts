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

/** Throws unless `value` is a DNS-1123 label (Kubernetes names of clusters, namespaces, subsets). */
export function checkDnsLabel(scope: IConstruct, prop: string, value: string): string {
  if (!isDnsLabel(value)) {
    throw propError(scope, prop, value,
      'is not a DNS-1123 label: use at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit');
  }
  return value;
}

/** Throws unless `value` is a DNS-1123 subdomain (trust domains, hostnames). */
export function checkDnsSubdomain(scope: IConstruct, prop: string, value: string): string {
  if (!isDnsSubdomain(value)) {
    throw propError(scope, prop, value,
      'is not a DNS name: use dot-separated labels of lower-case letters, digits and "-" (253 characters at most)');
  }
  return value;
}

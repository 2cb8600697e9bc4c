import { Address4, Address6 } from 'ip-address';
import { IConstruct } from 'constructs';
import { propError } from './errors';
import { isHostName } from './names';

/** What a network address string denotes. */
export type AddressKind = 'ipv4' | 'ipv6' | 'hostname';

/** Classifies an address as an IP literal or a DNS hostname; undefined when it is neither. */
export function classifyAddress(value: string): AddressKind | undefined {
  if (Address4.isValid(value) && !value.includes('/')) {
    return 'ipv4';
  }
  if (Address6.isValid(value) && !value.includes('/')) {
    return 'ipv6';
  }
  if (isHostName(value)) {
    return 'hostname';
  }
  return undefined;
}

/** Throws unless `value` is an IPv4 address, an IPv6 address or a DNS hostname. */
export function checkAddress(scope: IConstruct, prop: string, value: string): AddressKind {
  const kind = classifyAddress(value);
  if (!kind) {
    throw propError(scope, prop, value,
      'is neither an IP address nor a DNS hostname: use an IPv4 address (172.18.0.4), an IPv6 address (fd00::4) or a hostname (gw.cluster2.example.com)');
  }
  return kind;
}

/** Throws unless `value` is an IP address (IPv4 or IPv6). */
export function checkIpAddress(scope: IConstruct, prop: string, value: string): 'ipv4' | 'ipv6' {
  const kind = classifyAddress(value);
  if (kind !== 'ipv4' && kind !== 'ipv6') {
    throw propError(scope, prop, value, 'is not an IP address: use an IPv4 address such as 10.96.0.53 or an IPv6 address');
  }
  return kind;
}

/** Throws unless `value` is a TCP/UDP port number. */
export function checkPort(scope: IConstruct, prop: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw propError(scope, prop, value, 'is out of range: use an integer from 1 to 65535');
  }
  return value;
}

/** `address:port`, with an IPv6 address in brackets (`[fd00::a]:53`), as DNS forwarders and URLs need it. */
export function hostPort(address: string, port: number): string {
  return classifyAddress(address) === 'ipv6' ? `[${address}]:${port}` : `${address}:${port}`;
}

import { CHECKS } from './findings';
import { Address4 } from 'ip-address';
import { MeshConfigError } from './errors';

/** Class E: reserved, never routed, so a VIP there can only be reached through the sidecar's capture. */
const CLASS_E = { start: ipToNumber('240.0.0.0'), end: ipToNumber('255.255.255.255'), cidr: '240.0.0.0/4' };
/** Istio's own VIP auto-allocation range (ISTIO_META_DNS_AUTO_ALLOCATE); explicit VIPs must stay clear of it. */
const ISTIO_AUTO_ALLOCATION = { start: ipToNumber('240.240.0.0'), end: ipToNumber('240.240.255.255'), cidr: '240.240.0.0/16' };
const LOOPBACK = { start: ipToNumber('127.0.0.0'), end: ipToNumber('127.255.255.255') };
const MULTICAST = { start: ipToNumber('224.0.0.0'), end: ipToNumber('239.255.255.255') };
export const BROADCAST = ipToNumber('255.255.255.255');

/** An IPv4 range VIPs are allocated from. */
export interface VipRange {
  readonly cidr: string;
  readonly start: number;
  readonly end: number;
}

export function ipToNumber(ip: string): number {
  return Number(new Address4(ip).bigInt());
}

/** Dotted quad of an IPv4 address as a number: plain arithmetic, as VIP allocation makes one per global host. */
export function numberToIp(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

interface Span { readonly start: number; readonly end: number }
const overlaps = (a: Span, b: Span) => a.start <= b.end && a.end >= b.start;

/** Why an address span cannot hold VIPs, or undefined when it can. */
export function vipProblem(span: Span): string | undefined {
  if (overlaps(span, LOOPBACK)) {
    return 'overlaps loopback 127.0.0.0/8: the sidecar redirects such traffic to its own inbound listener, so a VIP there never reaches the mesh; use class E, e.g. 240.0.0.0/16';
  }
  if (overlaps(span, MULTICAST)) {
    return 'overlaps multicast 224.0.0.0/4: there is no route for it';
  }
  if (span.start < CLASS_E.start) {
    return `is outside class E ${CLASS_E.cidr}: use addresses that are never routed, e.g. 240.0.0.0/16`;
  }
  if (overlaps(span, ISTIO_AUTO_ALLOCATION)) {
    return `overlaps ${ISTIO_AUTO_ALLOCATION.cidr}, where Istio auto-allocates VIPs itself: use another part of 240.0.0.0/4`;
  }
  return undefined;
}

/** Parses and checks a VIP range; the error names the owner, the value and why it cannot be used. */
export function parseVipRange(owner: string, cidr: string): VipRange {
  if (!cidr.includes('/') || !Address4.isValid(cidr)) {
    throw new MeshConfigError(`[${owner}] vipRange ${JSON.stringify(cidr)} is not an IPv4 CIDR range: use e.g. 240.0.0.0/16`, CHECKS.invalidProperty);
  }
  const address = new Address4(cidr);
  const range = { cidr, start: Number(address.startAddress().bigInt()), end: Number(address.endAddress().bigInt()) };
  const problem = vipProblem(range);
  if (problem) {
    throw new MeshConfigError(`[${owner}] vipRange ${JSON.stringify(cidr)} ${problem}`, CHECKS.invalidProperty);
  }
  return range;
}

/** Checks a user-pinned VIP. */
export function checkPinnedVip(owner: string, vip: string): string {
  if (!Address4.isValid(vip) || vip.includes('/')) {
    throw new MeshConfigError(`[${owner}] vip ${JSON.stringify(vip)} is not an IPv4 address: use one inside 240.0.0.0/4, e.g. 240.0.0.10`, CHECKS.invalidProperty);
  }
  const n = ipToNumber(vip);
  const problem = n === BROADCAST ? 'is the broadcast address' : vipProblem({ start: n, end: n });
  if (problem) {
    throw new MeshConfigError(`[${owner}] vip ${JSON.stringify(vip)} ${problem}`, CHECKS.invalidProperty);
  }
  return vip;
}

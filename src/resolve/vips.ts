import * as fs from 'fs';
import { Address4 } from 'ip-address';
import { MeshConfigError } from '../validation/errors';
import { byEntryKey, byKey } from './order';

/** Class E: reserved, never routed, so a VIP there can only be reached through the sidecar's capture. */
const CLASS_E = { start: ipToNumber('240.0.0.0'), end: ipToNumber('255.255.255.255'), cidr: '240.0.0.0/4' };
/** Istio's own VIP auto-allocation range (ISTIO_META_DNS_AUTO_ALLOCATE); explicit VIPs must stay clear of it. */
const ISTIO_AUTO_ALLOCATION = { start: ipToNumber('240.240.0.0'), end: ipToNumber('240.240.255.255'), cidr: '240.240.0.0/16' };
const LOOPBACK = { start: ipToNumber('127.0.0.0'), end: ipToNumber('127.255.255.255') };
const MULTICAST = { start: ipToNumber('224.0.0.0'), end: ipToNumber('239.255.255.255') };
const BROADCAST = ipToNumber('255.255.255.255');

/** An IPv4 range VIPs are allocated from. */
export interface VipRange {
  readonly cidr: string;
  readonly start: number;
  readonly end: number;
}

function ipToNumber(ip: string): number {
  return Number(new Address4(ip).bigInt());
}

function numberToIp(n: number): string {
  return Address4.fromBigInt(BigInt(n)).correctForm();
}

interface Span { readonly start: number; readonly end: number }
const overlaps = (a: Span, b: Span) => a.start <= b.end && a.end >= b.start;

/** Why an address span cannot hold VIPs, or undefined when it can. */
function vipProblem(span: Span): string | undefined {
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
    throw new MeshConfigError(`[${owner}] vipRange ${JSON.stringify(cidr)} is not an IPv4 CIDR range: use e.g. 240.0.0.0/16`);
  }
  const address = new Address4(cidr);
  const range = { cidr, start: Number(address.startAddress().bigInt()), end: Number(address.endAddress().bigInt()) };
  const problem = vipProblem(range);
  if (problem) {
    throw new MeshConfigError(`[${owner}] vipRange ${JSON.stringify(cidr)} ${problem}`);
  }
  return range;
}

/** Checks a user-pinned VIP. */
export function checkPinnedVip(owner: string, vip: string): string {
  if (!Address4.isValid(vip) || vip.includes('/')) {
    throw new MeshConfigError(`[${owner}] vip ${JSON.stringify(vip)} is not an IPv4 address: use one inside 240.0.0.0/4, e.g. 240.0.0.10`);
  }
  const n = ipToNumber(vip);
  const problem = n === BROADCAST ? 'is the broadcast address' : vipProblem({ start: n, end: n });
  if (problem) {
    throw new MeshConfigError(`[${owner}] vip ${JSON.stringify(vip)} ${problem}`);
  }
  return vip;
}

/** One host that needs a VIP. */
export interface VipRequest {
  readonly host: string;
  /** The construct that asks, named in errors. */
  readonly owner: string;
  readonly pinned?: string;
}

/** The outcome of an allocation: every requested host's VIP, and the lock to persist. */
export interface VipAllocation {
  readonly vips: ReadonlyMap<string, string>;
  /** host -> VIP, sorted by host: the requested hosts plus stale ones not pruned. */
  readonly lock: ReadonlyMap<string, string>;
  /** Hosts in the lock that no service requests any more; their VIPs stay reserved until pruned. */
  readonly stale: readonly string[];
}

/**
 * Allocates one VIP per host, unique across the mesh, stable across runs:
 * - a host in the lock keeps its VIP; a pinned VIP replaces it;
 * - a new host gets the lowest free address of the range (hosts taken in sorted order, so the result
 *   does not depend on declaration order);
 * - a host that left keeps its VIP reserved (stale) until `prune`, so it is never handed to another
 *   service while clients may still cache it.
 */
export function allocateVips(requests: readonly VipRequest[], locked: ReadonlyMap<string, string>, range: VipRange, prune: boolean, owner: string): VipAllocation {
  const sorted = [...requests].sort(byKey(r => r.host));
  const byHost = new Map(sorted.map(r => [r.host, r]));
  const requested = new Set(byHost.keys());
  const stale = [...locked.keys()].filter(host => !requested.has(host)).sort();

  // Which host holds each address: pinned first, then the lock (stale included unless pruned).
  const holder = new Map<string, string>();
  for (const request of sorted.filter(r => r.pinned)) {
    const other = holder.get(request.pinned!);
    if (other) {
      throw new MeshConfigError(`[${request.owner}] vip "${request.pinned}" is pinned for ${other} too: each .global host needs its own VIP`);
    }
    holder.set(request.pinned!, request.host);
  }
  for (const [host, vip] of locked) {
    const pinnedHere = byHost.get(host)?.pinned;
    if (pinnedHere || (prune && !requested.has(host))) continue;
    const other = holder.get(vip);
    if (other && other !== host) {
      const owned = byHost.get(other)!;
      throw new MeshConfigError(`[${owned.owner}] vip "${vip}" is pinned for ${other}, but the lock file gives it to ${host}${requested.has(host) ? '' : ' (a removed service; prune it with `pruneVips: true`)'}: pin another address`);
    }
    holder.set(vip, host);
  }

  const vips = new Map<string, string>();
  let cursor = range.start + (range.end > range.start ? 1 : 0); // skip the all-zero address of the range
  for (const request of sorted) {
    const kept = request.pinned ?? locked.get(request.host);
    if (kept) {
      vips.set(request.host, kept);
      continue;
    }
    while (cursor <= range.end && (holder.has(numberToIp(cursor)) || cursor === BROADCAST)) cursor++;
    if (cursor > range.end) {
      const size = range.end - range.start + 1;
      throw new MeshConfigError(`[${owner}] vipRange "${range.cidr}" is full: its ${size} addresses cannot give ${request.host} a VIP`
        + (stale.length > 0 && !prune ? ` (${stale.length} are held by removed services: prune them with \`pruneVips: true\`)` : '')
        + ': use a larger vipRange');
    }
    const vip = numberToIp(cursor);
    holder.set(vip, request.host);
    vips.set(request.host, vip);
  }

  const lock = new Map<string, string>([...vips, ...(prune ? [] : stale.map(h => [h, locked.get(h)!] as const))].sort(byEntryKey));
  return { vips, lock, stale: prune ? [] : stale };
}

const LOCK_NOTE = 'VIPs of .global hosts, kept so that they never move. Commit this file; edit it only to free an address.';

/** Reads the VIP lock file; a missing file is an empty lock. */
export function readVipLock(file: string): Map<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return new Map();
  }
  let parsed: { vips?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new MeshConfigError(`lock file ${file} is not valid JSON (${(e as Error).message}): fix it, or restore it from Git`);
  }
  const entries = Object.entries(parsed.vips && typeof parsed.vips === 'object' ? parsed.vips : {});
  const holders = new Map<string, string>();
  for (const [host, vip] of entries) {
    if (typeof vip !== 'string' || !Address4.isValid(vip) || vip.includes('/')) {
      throw new MeshConfigError(`lock file ${file}: VIP of ${host} is ${JSON.stringify(vip)}, not an IPv4 address: fix it, or remove the entry to allocate a new one`);
    }
    const n = ipToNumber(vip);
    const problem = n === BROADCAST ? 'is the broadcast address' : vipProblem({ start: n, end: n });
    if (problem) {
      throw new MeshConfigError(`lock file ${file}: VIP ${vip} of ${host} ${problem}; remove the entry to allocate a new one`);
    }
    const other = holders.get(vip);
    if (other !== undefined) {
      throw new MeshConfigError(`lock file ${file} gives VIP ${vip} to both ${other} and ${host} (often a merge of two branches): remove one of the two entries, and the next synth allocates that host a new VIP`);
    }
    holders.set(vip, host);
  }
  return new Map(entries as Array<[string, string]>);
}

/** Renders the lock file: sorted, one host per line, so that a diff shows exactly what moved. */
export function renderVipLock(lock: ReadonlyMap<string, string>): string {
  return `${JSON.stringify({ note: LOCK_NOTE, vips: Object.fromEntries(lock) }, null, 2)}\n`;
}

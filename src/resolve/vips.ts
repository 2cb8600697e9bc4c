import { CHECKS } from '../validation/findings';
import * as fs from 'fs';
import { Address4 } from 'ip-address';
import { MeshConfigError } from '../validation/errors';
import { BROADCAST, ipToNumber, numberToIp, VipRange, vipProblem } from '../validation/vip-range';
import { byEntryKey, byKey } from '../order';

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
      throw new MeshConfigError(`[${request.owner}] vip "${request.pinned}" is pinned for ${other} too: each .global host needs its own VIP`, CHECKS.lockFile);
    }
    holder.set(request.pinned!, request.host);
  }
  for (const [host, vip] of locked) {
    const pinnedHere = byHost.get(host)?.pinned;
    if (pinnedHere || (prune && !requested.has(host))) continue;
    const other = holder.get(vip);
    if (other && other !== host) {
      const owned = byHost.get(other)!;
      throw new MeshConfigError(`[${owned.owner}] vip "${vip}" is pinned for ${other}, but the lock file gives it to ${host}${requested.has(host) ? '' : ' (a removed service; prune it with `pruneVips: true`)'}: pin another address`, CHECKS.lockFile);
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
      throw new MeshConfigError(`[${owner}] vipRange "${range.cidr}" is full: its ${size} address${size === 1 ? '' : 'es'} cannot give ${request.host} a VIP`
        + (stale.length > 0 && !prune ? ` (${stale.length} ${stale.length === 1 ? 'is' : 'are'} held by removed services: prune them with \`pruneVips: true\`)` : '')
        + ': use a larger vipRange', CHECKS.lockFile);
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
    throw new MeshConfigError(`lock file ${file} is not valid JSON (${(e as Error).message}): fix it, or restore it from Git`, CHECKS.lockFile);
  }
  const entries = Object.entries(parsed.vips && typeof parsed.vips === 'object' ? parsed.vips : {});
  const holders = new Map<string, string>();
  for (const [host, vip] of entries) {
    if (typeof vip !== 'string' || !Address4.isValid(vip) || vip.includes('/')) {
      throw new MeshConfigError(`lock file ${file}: VIP of ${host} is ${JSON.stringify(vip)}, not an IPv4 address: fix it, or remove the entry to allocate a new one`, CHECKS.lockFile);
    }
    const n = ipToNumber(vip);
    const problem = n === BROADCAST ? 'is the broadcast address' : vipProblem({ start: n, end: n });
    if (problem) {
      throw new MeshConfigError(`lock file ${file}: VIP ${vip} of ${host} ${problem}; remove the entry to allocate a new one`, CHECKS.lockFile);
    }
    const other = holders.get(vip);
    if (other !== undefined) {
      throw new MeshConfigError(`lock file ${file} gives VIP ${vip} to both ${other} and ${host} (often a merge of two branches): remove one of the two entries, and the next synth allocates that host a new VIP`, CHECKS.lockFile);
    }
    holders.set(vip, host);
  }
  return new Map(entries as Array<[string, string]>);
}

/** Renders the lock file: sorted, one host per line, so that a diff shows exactly what moved. */
export function renderVipLock(lock: ReadonlyMap<string, string>): string {
  // What JSON.stringify(..., null, 2) writes, a line per host: it took four times as long through a
  // record of thousands of keys (a dictionary-mode object, off its fast path).
  const lines: string[] = [];
  for (const [host, vip] of lock) lines.push(`    ${JSON.stringify(host)}: ${JSON.stringify(vip)}`);
  return `{\n  "note": ${JSON.stringify(LOCK_NOTE)},\n  "vips": {${lines.length > 0 ? `\n${lines.join(',\n')}\n  ` : ''}}\n}\n`;
}

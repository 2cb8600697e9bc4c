import * as fc from 'fast-check';
import { allocateVips, readVipLock, renderVipLock, VipRequest } from '../../src/resolve/vips';
import { parseVipRange } from '../../src/validation/vip-range';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from '../support/synth';

const RANGE = parseVipRange('mesh', '240.0.0.0/16');
const requests = (...hosts: string[]): VipRequest[] => hosts.map(host => ({ host, owner: `mesh/${host}` }));

describe('allocateVips', () => {
  test('new hosts get the lowest free addresses, in host order, skipping the range\'s zero address', () => {
    const result = allocateVips(requests('b.x.global', 'a.x.global'), new Map(), RANGE, false, 'mesh');
    expect([...result.vips]).toEqual([['a.x.global', '240.0.0.1'], ['b.x.global', '240.0.0.2']]);
  });

  test('locked hosts keep their VIP; pinned VIPs win; removed hosts stay reserved until pruned', () => {
    const locked = new Map([['a.x.global', '240.0.0.7'], ['gone.x.global', '240.0.0.1']]);
    const result = allocateVips([...requests('a.x.global', 'new.x.global'), { host: 'p.x.global', owner: 'mesh/p', pinned: '240.0.9.9' }], locked, RANGE, false, 'mesh');
    expect(Object.fromEntries(result.vips)).toEqual({ 'a.x.global': '240.0.0.7', 'new.x.global': '240.0.0.2', 'p.x.global': '240.0.9.9' });
    expect(result.stale).toEqual(['gone.x.global']);
    expect([...result.lock.keys()]).toEqual(['a.x.global', 'gone.x.global', 'new.x.global', 'p.x.global']);

    const pruned = allocateVips(requests('a.x.global', 'new.x.global'), locked, RANGE, true, 'mesh');
    expect(pruned.stale).toEqual([]);
    expect(pruned.lock.has('gone.x.global')).toBe(false);
  });

  test('a pinned VIP that the lock gives to another host is an error naming both', () => {
    const locked = new Map([['old.x.global', '240.0.0.5']]);
    expect(() => allocateVips([{ host: 'a.x.global', owner: 'mesh/a', pinned: '240.0.0.5' }], locked, RANGE, false, 'mesh'))
      .toThrow(/\[mesh\/a\] vip "240.0.0.5" is pinned for a.x.global, but the lock file gives it to old.x.global \(a removed service; prune it with `pruneVips: true`\)/);
  });

  test('a full range is a clear error', () => {
    const tiny = parseVipRange('mesh', '240.0.0.0/30');
    expect(() => allocateVips(requests('a', 'b', 'c', 'd'), new Map(), tiny, false, 'mesh'))
      .toThrow(/\[mesh\] vipRange "240.0.0.0\/30" is full: its 4 addresses cannot give d a VIP: use a larger vipRange/);
    expect(() => allocateVips(requests('a', 'b', 'c', 'd'), new Map([['x', '240.0.0.1']]), tiny, false, 'mesh'))
      .toThrow(/is full.*\(1 is held by removed services: prune them with `pruneVips: true`\)/);
    // A /32 is one VIP: the address itself.
    const one = parseVipRange('mesh', '240.0.0.7/32');
    expect(allocateVips(requests('a'), new Map(), one, false, 'mesh').vips.get('a')).toBe('240.0.0.7');
    expect(() => allocateVips(requests('a', 'b'), new Map(), one, false, 'mesh')).toThrow(/vipRange "240.0.0.7\/32" is full: its 1 address cannot give b a VIP/);
  });

  test('property: adding, removing and reordering services never moves another service\'s VIP, and VIPs stay unique', () => {
    const host = fc.stringMatching(/^[a-z]{1,6}$/).map(s => `${s}.ns.global`);
    fc.assert(fc.property(
      fc.uniqueArray(host, { maxLength: 40 }),
      fc.array(fc.tuple(fc.uniqueArray(host, { maxLength: 10 }), fc.uniqueArray(host, { maxLength: 10 })), { maxLength: 6 }),
      (initial, edits) => {
        let hosts = initial;
        let lock = allocateVips(requests(...hosts), new Map(), RANGE, false, 'mesh').lock;
        for (const [added, removed] of edits) {
          hosts = [...hosts.filter(h => !removed.includes(h)), ...added].filter((h, i, all) => all.indexOf(h) === i).reverse();
          const next = allocateVips(requests(...hosts), lock, RANGE, false, 'mesh');
          for (const h of hosts) {
            if (lock.has(h)) expect(next.vips.get(h)).toBe(lock.get(h));
          }
          const addresses = [...next.lock.values()];
          expect(new Set(addresses).size).toBe(addresses.length);
          lock = next.lock;
        }
      }), { numRuns: 200 });
  });
});

describe('the lock file', () => {
  test('round-trips, sorted, one host per line', () => {
    const file = path.join(tempDir(), 'mesh.lock.json');
    fs.writeFileSync(file, renderVipLock(new Map([['a.x.global', '240.0.0.1'], ['b.x.global', '240.0.0.2']])));
    expect(fs.readFileSync(file, 'utf8')).toContain('"vips": {\n    "a.x.global": "240.0.0.1",\n    "b.x.global": "240.0.0.2"\n  }');
    expect([...readVipLock(file)]).toEqual([['a.x.global', '240.0.0.1'], ['b.x.global', '240.0.0.2']]);
  });

  test.each([
    ['empty', new Map<string, string>()],
    ['two hosts', new Map([['a.x.global', '240.0.0.1'], ['b.x.global', '240.0.0.2']])],
  ])('is laid out as JSON.stringify indents it (%s)', (_, lock) => {
    const text = renderVipLock(lock);
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    expect(Object.keys(JSON.parse(text))).toEqual(['note', 'vips']);
    expect(JSON.parse(text).vips).toEqual(Object.fromEntries(lock));
  });

  test('a missing file is an empty lock; a broken one is an error that says how to recover', () => {
    const dir = tempDir();
    expect(readVipLock(path.join(dir, 'none.json')).size).toBe(0);
    fs.writeFileSync(path.join(dir, 'bad.json'), '{');
    expect(() => readVipLock(path.join(dir, 'bad.json'))).toThrow(/is not valid JSON .*: fix it, or restore it from Git/);
    fs.writeFileSync(path.join(dir, 'bad2.json'), '{"vips": {"a": "nope"}}');
    expect(() => readVipLock(path.join(dir, 'bad2.json'))).toThrow(/VIP of a is "nope", not an IPv4 address/);
  });

  test('one VIP given to two hosts (a merge of two branches) names the file, both hosts and the VIP', () => {
    const file = path.join(tempDir(), 'mesh.lock.json');
    fs.writeFileSync(file, JSON.stringify({ vips: { 'a.x.global': '240.0.0.7', 'b.x.global': '240.0.0.7' } }));
    expect(() => readVipLock(file)).toThrow(new RegExp(`lock file ${file.replace(/[/.]/g, '\\$&')} gives VIP 240.0.0.7 to both a.x.global and b.x.global \\(often a merge of two branches\\): remove one of the two entries`));
  });

  test.each([
    ['127.0.0.5', /VIP 127.0.0.5 of a.x.global overlaps loopback/],
    ['10.1.2.3', /VIP 10.1.2.3 of a.x.global is outside class E/],
    ['240.240.0.1', /VIP 240.240.0.1 of a.x.global overlaps 240.240.0.0\/16/],
    ['255.255.255.255', /VIP 255.255.255.255 of a.x.global is the broadcast address/],
  ])('a lock-file VIP %s that the range rules forbid is refused', (vip, message) => {
    const file = path.join(tempDir(), 'mesh.lock.json');
    fs.writeFileSync(file, JSON.stringify({ vips: { 'a.x.global': vip } }));
    expect(() => readVipLock(file)).toThrow(message);
  });
});

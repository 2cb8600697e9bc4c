import * as fc from 'fast-check';
import { Address4 } from 'ip-address';
import { checkPinnedVip, ipToNumber, numberToIp, parseVipRange } from '../../src/validation/vip-range';

describe('VIP ranges', () => {
  test.each([
    ['127.255.0.0/16', /overlaps loopback 127.0.0.0\/8: the sidecar redirects such traffic to its own inbound listener/],
    ['224.0.0.0/8', /overlaps multicast 224.0.0.0\/4: there is no route for it/],
    ['10.0.0.0/8', /is outside class E 240.0.0.0\/4: use addresses that are never routed/],
    ['240.240.0.0/20', /overlaps 240.240.0.0\/16, where Istio auto-allocates VIPs itself/],
    ['240.0.0.0/4', /overlaps 240.240.0.0\/16/],
    ['240.0.0.0', /is not an IPv4 CIDR range: use e.g. 240.0.0.0\/16/],
    ['fd00::/64', /is not an IPv4 CIDR range/],
  ])('refuses %s', (cidr, message) => {
    expect(() => parseVipRange('mesh', cidr)).toThrow(message);
  });

  test('accepts class E ranges clear of Istio\'s', () => {
    expect(parseVipRange('mesh', '241.0.0.0/8')).toMatchObject({ start: 0xf1000000, end: 0xf1ffffff });
  });

  test('pinned VIPs follow the same rules', () => {
    expect(checkPinnedVip('mesh/a', '240.1.2.3')).toBe('240.1.2.3');
    expect(() => checkPinnedVip('mesh/a', '255.255.255.255')).toThrow(/\[mesh\/a\] vip "255.255.255.255" is the broadcast address/);
    expect(() => checkPinnedVip('mesh/a', '192.168.0.1')).toThrow(/outside class E/);
  });
});

describe('numberToIp', () => {
  test('writes what ip-address writes, across the whole IPv4 space', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), n => {
      const ip = numberToIp(n);
      expect(ip).toBe(Address4.fromBigInt(BigInt(n)).correctForm());
      expect(ipToNumber(ip)).toBe(n);
    }), { numRuns: 2000 });
    expect(numberToIp(2 ** 32 - 1)).toBe('255.255.255.255');
    expect(numberToIp(0)).toBe('0.0.0.0');
  });
});

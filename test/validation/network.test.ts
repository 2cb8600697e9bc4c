import { classifyAddress } from '../../src/validation/network';

describe('classifyAddress', () => {
  test.each([
    ['172.18.0.4', 'ipv4'],
    ['fd00::4', 'ipv6'],
    ['2001:db8::1', 'ipv6'],
    ['gw.cluster2.example.com', 'hostname'],
    ['istio-ingressgateway', 'hostname'],
    ['300.1.1.1', undefined],
    ['10.0.0', undefined],
    ['10.0.0.0/8', undefined],
    ['foo_bar', undefined],
    ['', undefined],
  ])('%j is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });
});

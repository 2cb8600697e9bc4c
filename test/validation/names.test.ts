import { boundedDnsLabel, isDnsLabel, isDnsSubdomain } from '../../src/validation/names';

describe('DNS-1123 names', () => {
  test.each(['cluster1', 'a', 'us-east-1', 'a'.repeat(63)])('%j is a label', v => expect(isDnsLabel(v)).toBe(true));
  test.each(['Cluster1', '-a', 'a-', 'a.b', 'a_b', '', 'a'.repeat(64)])('%j is not a label', v => expect(isDnsLabel(v)).toBe(false));
  test.each(['cluster.local', 'example.com', 'global'])('%j is a subdomain', v => expect(isDnsSubdomain(v)).toBe(true));
  test.each(['a..b', '.a', 'A.b', `${'a'.repeat(63)}.`.repeat(5)])('%j is not a subdomain', v => expect(isDnsSubdomain(v)).toBe(false));
});

describe('boundedDnsLabel', () => {
  test('keeps a name that fits, and cuts a longer one to a DNS label with a hash of the whole', () => {
    expect(boundedDnsLabel('whoami-gateway')).toBe('whoami-gateway');
    const long = `${'w'.repeat(63)}-gateway`;
    const bounded = boundedDnsLabel(long);
    expect([bounded.length, isDnsLabel(bounded), bounded.startsWith('w'.repeat(40))]).toEqual([63, true, true]);
    // The same input, the same name; two names that share their first 54 characters stay apart.
    expect(boundedDnsLabel(long)).toBe(bounded);
    expect(boundedDnsLabel(`${'w'.repeat(63)}-ingress`)).not.toBe(bounded);
    // A cut that would end on "-" drops it.
    expect(isDnsLabel(boundedDnsLabel(`${'a'.repeat(53)}-${'b'.repeat(20)}`))).toBe(true);
  });
});

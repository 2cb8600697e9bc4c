import { isDnsLabel, isDnsSubdomain } from '../../src/validation/names';

describe('DNS-1123 names', () => {
  test.each(['cluster1', 'a', 'us-east-1', 'a'.repeat(63)])('%j is a label', v => expect(isDnsLabel(v)).toBe(true));
  test.each(['Cluster1', '-a', 'a-', 'a.b', 'a_b', '', 'a'.repeat(64)])('%j is not a label', v => expect(isDnsLabel(v)).toBe(false));
  test.each(['cluster.local', 'example.com', 'global'])('%j is a subdomain', v => expect(isDnsSubdomain(v)).toBe(true));
  test.each(['a..b', '.a', 'A.b', `${'a'.repeat(63)}.`.repeat(5)])('%j is not a subdomain', v => expect(isDnsSubdomain(v)).toBe(false));
});

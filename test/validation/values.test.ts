import { App, Chart, Duration } from 'cdk8s';
import { checkCount, checkDuration, checkOneOf, checkPercent } from '../../src/validation/values';

enum Color {
  RED = 'red',
  GREEN = 'green',
}
enum Only {
  SOLO = 'solo',
}

describe('property checks', () => {
  const scope = new Chart(new App(), 'owner');

  test('checkOneOf passes an enum\'s value through and names every allowed value otherwise', () => {
    expect(checkOneOf(scope, 'color', Color.GREEN, Color, 'a color')).toBe('green');
    expect(() => checkOneOf(scope, 'color', 'blue' as Color, Color, 'a color'))
      .toThrow(/^\[owner\] color "blue" is not a color: use one of red, green \[MCM030\]$/);
    expect(() => checkOneOf(scope, 'only', 'two' as Only, Only, 'an only')).toThrow(/"two" is not an only: use solo \[MCM030\]$/);
  });

  test('counts, percentages and durations say what they accept', () => {
    expect(() => checkCount(scope, 'n', 1.5, 1)).toThrow(/n 1.5 is not an integer from 1 to 2147483647/);
    // Istio's CRDs hold counts in 32 bits: a larger one is refused by the API server.
    expect(() => checkCount(scope, 'n', 2 ** 31, 0)).toThrow(/n 2147483648 is not an integer from 0 to 2147483647/);
    expect(checkCount(scope, 'n', 2 ** 31 - 1, 0)).toBe(2147483647);
    expect(() => checkPercent(scope, 'p', 101)).toThrow(/p 101 is not a percentage from 0 to 100/);
    expect(() => checkDuration(scope, 'd', Duration.millis(0))).toThrow(/d "0ms" is not a duration Istio accepts/);
    expect(checkCount(scope, 'n', 3, 1)).toBe(3);
  });
});

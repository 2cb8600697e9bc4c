import { byClusterName, byEntryKey, byKey, sortedEntries } from '../src/order';

describe('output order', () => {
  test('is code-unit order, the same on every machine whatever its locale', () => {
    // localeCompare would put "a" before "B" and "é" next to "e"
    expect(['é', 'a', 'B', 'e', '_'].sort(byKey(s => s))).toEqual(['B', '_', 'a', 'e', 'é']);
  });

  test('equal keys compare equal, so a stable sort keeps their order', () => {
    const items = [{ k: 'x', n: 1 }, { k: 'a', n: 2 }, { k: 'x', n: 3 }];
    expect(items.sort(byKey(i => i.k)).map(i => i.n)).toEqual([2, 1, 3]);
  });

  test('entries and clusters', () => {
    expect(sortedEntries({ b: 1, a: 2 })).toEqual([['a', 2], ['b', 1]]);
    expect([['z', 0], ['m', 1]].sort(byEntryKey as never)).toEqual([['m', 1], ['z', 0]]);
    expect([{ clusterName: 'c2' }, { clusterName: 'c10' }].sort(byClusterName)).toEqual([{ clusterName: 'c10' }, { clusterName: 'c2' }]);
  });
});

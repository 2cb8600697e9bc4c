/**
 * The one ordering of the output: by a string key in code-unit order. It is locale-independent, so no
 * machine renders a different order.
 */
export function byKey<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

/** Orders `[key, value]` entries by key. */
export const byEntryKey = byKey<readonly [string, unknown]>(([key]) => key);

/** Orders clusters (or anything named so) by their name. */
export const byClusterName = byKey<{ readonly clusterName: string }>(c => c.clusterName);

/** A record's entries, sorted by key. */
export function sortedEntries<V>(record: { readonly [key: string]: V }): Array<[string, V]> {
  return Object.entries(record).sort(byEntryKey);
}

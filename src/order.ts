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

/** A shallow copy with the keys in order, undefined and null members dropped. */
export function inKeyOrder<T extends object>(record: T): T {
  const keys = Object.keys(record).filter(key => record[key as keyof T] !== undefined && record[key as keyof T] !== null);
  sortInPlace(keys);
  const out = {} as T;
  for (const key of keys) out[key as keyof T] = record[key as keyof T];
  return out;
}

/**
 * An insertion sort in place: objects have a handful of keys, often in order already, and
 * Array.prototype.sort allocates a working copy per call (a fifth of a large mesh's garbage).
 */
export function sortInPlace(keys: string[]): void {
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    let j = i - 1;
    for (; j >= 0 && keys[j] > key; j--) keys[j + 1] = keys[j];
    keys[j + 1] = key;
  }
}

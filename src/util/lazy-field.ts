/**
 * `fields` with property `key` made by `make` when first read (then kept): enumerable, so
 * spreading, JSON and structured clones see a plain value; a key `fields` has already keeps its
 * place among the keys. A run's rows are kept as numbers and made objects only if read; an
 * oracleGeneral trace's page ids are made strings only if read.
 */
export function lazily<T extends object, K extends string, V>(fields: T, key: K, make: () => V): T & Record<K, V> {
  return Object.defineProperty(fields, key, {
    enumerable: true, configurable: true,
    get(this: T) {
      const value = make();
      Object.defineProperty(this, key, { value, enumerable: true, writable: true, configurable: true });
      return value;
    },
    // Assigned before it is read, it takes the value given, as a plain property would.
    set(this: T, value: V) {
      Object.defineProperty(this, key, { value, enumerable: true, writable: true, configurable: true });
    },
  }) as T & Record<K, V>;
}

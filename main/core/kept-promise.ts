/** Where promises are kept by key: a Map, or a WeakMap for keys that should not be held. */
interface PromiseStore<K, V> {
  get(key: K): Promise<V> | undefined;
  set(key: K, value: Promise<V>): unknown;
  delete(key: K): unknown;
}

/**
 * The promise `store` keeps for `key`, made by `make` where there is none, so that work asked for
 * twice is done once and a second caller waits for the first. One that fails is forgotten, for the
 * next caller to try again.
 */
export function keptPromise<K, V>(store: PromiseStore<K, V>, key: K, make: () => Promise<V>): Promise<V> {
  let kept = store.get(key);
  if (!kept) {
    const made = make();
    kept = made;
    store.set(key, made);
    made.catch(() => {
      if (store.get(key) === made) store.delete(key);
    });
  }
  return kept;
}

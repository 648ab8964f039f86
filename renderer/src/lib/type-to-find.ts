/**
 * Type to find in a list (WAI-ARIA's listbox type-ahead): letters typed in quick succession name
 * the item to move to, by the start of its name. A letter typed again and again steps through the
 * items that start with it, as in file managers. A space typed within a name goes on with it, as
 * in native listboxes, so that two-word names can be found; otherwise it is the list's own key.
 */
const PAUSE_MS = 700;

export class TypeToFind {
  private typed = '';
  private lastAt = -Infinity;

  /** Whether `key`, typed now, is a space within a name being typed (a space is found by then, and only then). */
  goesOn(key: string, now = performance.now()): boolean {
    return key === ' ' && this.typed !== '' && now - this.lastAt <= PAUSE_MS;
  }

  /**
   * The index of the item that what has been typed, with `key` now, names, searching from the
   * item after `from` around to it; null when `key` is no letter to find by, or none matches.
   */
  next(key: string, names: readonly string[], from: number, now = performance.now()): number | null {
    if ([...key].length !== 1 || (key === ' ' && !this.goesOn(key, now))) return null;
    if (now - this.lastAt > PAUSE_MS) this.typed = '';
    this.lastAt = now;
    this.typed += key.toLocaleLowerCase();
    // One letter again and again steps on; several letters stay on an item that still matches.
    const repeated = [...this.typed].every((letter) => letter === this.typed[0]);
    const prefix = repeated ? (this.typed[0] as string) : this.typed;
    const start = Math.max(0, repeated ? from + 1 : from);
    for (let step = 0; step < names.length; step++) {
      const index = (start + step) % names.length;
      if ((names[index] as string).toLocaleLowerCase().startsWith(prefix)) return index;
    }
    return null;
  }
}

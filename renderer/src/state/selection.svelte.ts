/** Photos selected in a grid: click, Ctrl/Cmd+click to add, Shift+click for a range, select all. */
export class Selection {
  ids = $state<Set<number>>(new Set());
  /** Where the last plain or Ctrl click was: the other end of a Shift range. */
  private anchor: number | null = null;

  get size(): number {
    return this.ids.size;
  }

  has(id: number): boolean {
    return this.ids.has(id);
  }

  /** Applies a click on `order[index]` with the given modifiers. */
  click(order: ArrayLike<number>, index: number, modifiers: { toggle: boolean; range: boolean }): void {
    const id = order[index] as number;
    if (modifiers.range && this.anchor !== null) {
      const from = Array.prototype.indexOf.call(order, this.anchor) as number;
      const start = Math.min(from < 0 ? index : from, index);
      const end = Math.max(from < 0 ? index : from, index);
      const next = modifiers.toggle ? new Set(this.ids) : new Set<number>();
      for (let i = start; i <= end; i++) next.add(order[i] as number);
      this.ids = next;
      return;
    }
    const next = new Set(modifiers.toggle ? this.ids : []);
    if (modifiers.toggle && next.has(id)) next.delete(id);
    else next.add(id);
    this.ids = next;
    this.anchor = id;
  }

  toggle(id: number): void {
    const next = new Set(this.ids);
    if (!next.delete(id)) next.add(id);
    this.ids = next;
    this.anchor = id;
  }

  selectAll(order: ArrayLike<number>): void {
    this.ids = new Set(Array.from(order));
  }

  clear(): void {
    this.ids = new Set();
    this.anchor = null;
  }
}

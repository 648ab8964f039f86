/** Photos selected in a grid: click, Ctrl/Cmd+click to add, Shift+click or Shift+arrows for a range, select all. */
import { SvelteSet } from 'svelte/reactivity';

export class Selection {
  readonly ids = new SvelteSet<number>();
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
      if (!modifiers.toggle) this.ids.clear();
      for (let i = start; i <= end; i++) this.ids.add(order[i] as number);
      // An anchor no longer shown: this photo starts the next range.
      if (from < 0) this.anchor = id;
      return;
    }
    const had = this.ids.has(id);
    if (!modifiers.toggle) this.ids.clear();
    if (modifiers.toggle && had) this.ids.delete(id);
    else this.ids.add(id);
    this.anchor = id;
  }

  /**
   * Selects from the anchor to `order[index]`, replacing the selection, as Shift with the arrow
   * keys or Space does; with no anchor in `order` yet, the range starts at `order[from]`.
   */
  extend(order: ArrayLike<number>, from: number, index: number): void {
    if (this.anchor === null || (Array.prototype.indexOf.call(order, this.anchor) as number) < 0) this.anchor = order[from] as number;
    this.click(order, index, { toggle: false, range: true });
  }

  toggle(id: number): void {
    if (!this.ids.delete(id)) this.ids.add(id);
    this.anchor = id;
  }

  selectAll(order: ArrayLike<number>): void {
    for (let i = 0; i < order.length; i++) this.ids.add(order[i] as number);
  }

  /** Unselects what `order` does not show (a new search or new filters: their actions would act on photos out of sight). */
  keepOnly(order: ArrayLike<number>): void {
    const kept: number[] = [];
    if (this.ids.size > 0) for (let i = 0; i < order.length; i++) if (this.ids.has(order[i] as number)) kept.push(order[i] as number);
    // An anchor no longer shown hands the next Shift range to a photo still selected, if any.
    if (this.anchor !== null && (Array.prototype.indexOf.call(order, this.anchor) as number) < 0) this.anchor = kept[0] ?? null;
    if (kept.length === this.ids.size) return;
    this.ids.clear();
    for (const id of kept) this.ids.add(id);
  }

  clear(): void {
    this.ids.clear();
    this.anchor = null;
  }
}

/**
 * Note [Place kept by a photo]: the same list laid out again (the window resized, photos
 * indexed before the ones in view) keeps in view the photos that were, not the pixel offset,
 * which would now show others: the photo with focus when it was in view, else the first in
 * view, stays at the same height on screen; scrolled to the top, with no photo focused, the grid
 * stays at the top, where photos newly indexed come. A new list starts at its top (PhotoGrid.svelte).
 */
import { visibleRows, type Layout } from '../../lib/justify.js';

/** A list of photos as the grid laid it out. */
export interface LaidOut {
  layout: Layout;
  ids: ArrayLike<number>;
}

/** The part of the grid in view: how far it is scrolled, and how high the viewport is. */
export interface GridView {
  scrollTop: number;
  viewportHeight: number;
}

/** Whether `row` is drawn, at least in part, between the heights `from` and `to`. */
export function overlaps(row: Layout['rows'][number] | undefined, from: number, to: number): boolean {
  return row !== undefined && row.top + row.height > from && row.top < to;
}

/**
 * Where to scroll `now` to keep in view the photos `was` showed in `view` (Note [Place kept by a
 * photo]); null: where it is. `focusedId` is the photo with keyboard focus in the grid, if any.
 */
export function keptScrollTop(was: LaidOut, now: LaidOut, view: GridView, focusedId: number | null): number | null {
  const anchor = anchorIn(was, view, focusedId);
  const index = anchor ? (Array.prototype.indexOf.call(now.ids, anchor.id) as number) : -1;
  const row = now.layout.rows[now.layout.rowOf[index] ?? -1];
  if (!anchor || !row) return null;
  return Math.max(0, row.top - anchor.offset);
}

/** The photo that keeps the grid's place in `old`, and how far below the scroll its row starts. */
function anchorIn(old: LaidOut, { scrollTop, viewportHeight }: GridView, focusedId: number | null): { id: number; offset: number } | null {
  const focusRow = old.layout.rows[old.layout.rowOf[focusedId === null ? -1 : (Array.prototype.indexOf.call(old.ids, focusedId) as number)] ?? -1];
  if (focusedId !== null && focusRow && overlaps(focusRow, scrollTop, scrollTop + viewportHeight)) return { id: focusedId, offset: focusRow.top - scrollTop };
  // At the top the grid stays there, where photos indexed since come into view.
  if (scrollTop <= 0) return null;
  const first = old.layout.rows[visibleRows(old.layout.rows, scrollTop, scrollTop + viewportHeight).first];
  const id = first?.tiles[0] ? old.ids[first.tiles[0].index] : undefined;
  return first && id !== undefined ? { id, offset: first.top - scrollTop } : null;
}

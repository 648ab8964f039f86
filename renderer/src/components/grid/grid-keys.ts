/**
 * Where the grid's move keys take focus: arrows to the next photo or the one above or below,
 * PageUp/PageDown a screenful of rows, Home and End to the first and last photo loaded (for End,
 * the grid loads the rest of its list first).
 */
import { verticalNeighbour, type Layout } from '../../lib/justify.js';

/** Where focus is in the grid, and what a move key needs to know around it. */
export interface GridPosition {
  layout: Layout;
  /** The photo with focus. */
  index: number;
  /** How many photos are loaded. */
  count: number;
  /** How many rows PageUp and PageDown move by (`rowsPerPage`). */
  pageRows: number;
}

/** How many rows of `targetHeight` fit in a viewport `viewportHeight` high (at least one): a page for PageUp and PageDown. */
export function rowsPerPage(viewportHeight: number, targetHeight: number, gap: number): number {
  return Math.max(1, Math.floor(viewportHeight / (targetHeight + gap)));
}

/** The photo `key` moves focus to from `at`, one of those loaded; null for a key that moves nothing. */
export function moveTarget(key: string, at: GridPosition): number | null {
  const next = unclampedTarget(key, at);
  return next === null ? null : Math.max(0, Math.min(at.count - 1, next));
}

function unclampedTarget(key: string, { layout, index, count, pageRows }: GridPosition): number | null {
  const row = layout.rowOf[index] ?? 0;
  switch (key) {
    case 'ArrowRight':
      return index + 1;
    case 'ArrowLeft':
      return index - 1;
    case 'ArrowDown':
      return verticalNeighbour(layout, index, 1);
    case 'ArrowUp':
      return verticalNeighbour(layout, index, -1);
    case 'PageDown':
      return layout.rows[Math.min(layout.rows.length - 1, row + pageRows)]?.tiles[0]?.index ?? index;
    case 'PageUp':
      return layout.rows[Math.max(0, row - pageRows)]?.tiles[0]?.index ?? index;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}

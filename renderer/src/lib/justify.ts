/**
 * The justified photo layout: rows of photos that keep their aspect ratios and fill the width,
 * grouped into sections with a heading (months in the library, one section for results).
 *
 * Note [Virtual grid]: the layout is computed for every photo at once (a few milliseconds for
 * 100k: only ratios are needed), but only the rows near the viewport are drawn; `visibleRows`
 * finds them by binary search, so scrolling costs the same at any library size.
 */
import { photoDateFormat, photoMonth } from './photo-dates.js';

export interface LayoutInput {
  /** Width / height of each photo, in display order. */
  ratios: ArrayLike<number>;
  /** Index of the first photo of each section, ascending, starting at 0 (empty: one section, no heading). */
  sectionStarts: readonly number[];
  width: number;
  targetHeight: number;
  gap: number;
  headingHeight: number;
}

export interface PlacedTile {
  index: number;
  left: number;
  width: number;
}

export interface Row {
  top: number;
  height: number;
  tiles: PlacedTile[];
}

export interface SectionHeading {
  /** Index of the section's first photo. */
  first: number;
  top: number;
}

export interface Layout {
  rows: Row[];
  headings: SectionHeading[];
  height: number;
  /** Row of each photo, for keyboard movement. */
  rowOf: Int32Array;
}

/** Ratios beyond these bounds (panoramas, slivers) are drawn as if they were at the bound. */
const MIN_RATIO = 0.4;
const MAX_RATIO = 3;

function clampRatio(ratio: number): number {
  return Number.isFinite(ratio) && ratio > 0 ? Math.min(MAX_RATIO, Math.max(MIN_RATIO, ratio)) : 1;
}

export function justify(input: LayoutInput): Layout {
  const { ratios, width, targetHeight, gap } = input;
  const count = ratios.length;
  const rows: Row[] = [];
  const headings: SectionHeading[] = [];
  const rowOf = new Int32Array(count);
  const starts = input.sectionStarts.length ? input.sectionStarts : [0];
  let top = 0;
  for (let s = 0; s < starts.length; s++) {
    const first = starts[s] as number;
    const end = s + 1 < starts.length ? (starts[s + 1] as number) : count;
    if (input.sectionStarts.length) {
      headings.push({ first, top });
      top += input.headingHeight;
    }
    let rowStart = first;
    let ratioSum = 0;
    for (let i = first; i < end; i++) {
      ratioSum += clampRatio(ratios[i] as number);
      const items = i - rowStart + 1;
      const naturalWidth = ratioSum * targetHeight + (items - 1) * gap;
      const last = i === end - 1;
      if (naturalWidth < width && !last) continue;
      // A full row is scaled to fill the width exactly; a section's short last row keeps the target height.
      const height = naturalWidth >= width ? (width - (items - 1) * gap) / ratioSum : targetHeight;
      const tiles: PlacedTile[] = [];
      let left = 0;
      for (let j = rowStart; j <= i; j++) {
        const tileWidth = j === i && naturalWidth >= width ? width - left : clampRatio(ratios[j] as number) * height;
        tiles.push({ index: j, left, width: tileWidth });
        rowOf[j] = rows.length;
        left += tileWidth + gap;
      }
      rows.push({ top, height, tiles });
      top += height + gap;
      rowStart = i + 1;
      ratioSum = 0;
    }
  }
  return { rows, headings, height: Math.max(0, top - (rows.length ? gap : 0)), rowOf };
}

/** Indexes of the first and last rows that overlap `[from, to]` (empty range: first > last). */
export function visibleRows(rows: readonly Row[], from: number, to: number): { first: number; last: number } {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    const row = rows[mid] as Row;
    if (row.top + row.height < from) low = mid + 1;
    else high = mid;
  }
  let last = low - 1;
  while (last + 1 < rows.length && (rows[last + 1] as Row).top <= to) last++;
  return { first: low, last };
}

/** The photo in the row above or below `index` whose middle is nearest to `index`'s (for arrow keys). */
export function verticalNeighbour(layout: Layout, index: number, direction: -1 | 1): number {
  const row = layout.rows[(layout.rowOf[index] ?? 0) + direction];
  if (!row) return index;
  const here = layout.rows[layout.rowOf[index] ?? 0]?.tiles.find((tile) => tile.index === index);
  const middle = here ? here.left + here.width / 2 : 0;
  let best = row.tiles[0] as PlacedTile;
  for (const tile of row.tiles) if (Math.abs(tile.left + tile.width / 2 - middle) < Math.abs(best.left + best.width / 2 - middle)) best = tile;
  return best.index;
}

/**
 * Whether capture times run in date order, newest first or (`oldestFirst`) oldest first: search
 * results shown while a search sorted otherwise is still answering do not, and get no headings.
 */
export function inDateOrder(takenAt: ArrayLike<number>, oldestFirst: boolean): boolean {
  for (let i = 1; i < takenAt.length; i++) {
    const step = (takenAt[i] as number) - (takenAt[i - 1] as number);
    if (oldestFirst ? step < 0 : step > 0) return false;
  }
  return true;
}

/** Where each month starts in a list of capture times in date order, and its heading ("June 2024"). */
export function monthSections(takenAt: ArrayLike<number>, locale?: string): { starts: number[]; labels: string[] } {
  const starts: number[] = [];
  const labels: string[] = [];
  const format = photoDateFormat({ month: 'long', year: 'numeric' }, locale);
  let current = '';
  for (let i = 0; i < takenAt.length; i++) {
    const key = photoMonth(takenAt[i] as number);
    if (key === current) continue;
    current = key;
    starts.push(i);
    labels.push(format.format(takenAt[i] as number));
  }
  return { starts, labels };
}

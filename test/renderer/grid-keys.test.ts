/** Where the grid's move keys take focus (renderer/src/components/grid/grid-keys.ts), as plain functions. */
import { describe, expect, it } from 'vitest';
import { moveTarget, rowsPerPage } from '../../renderer/src/components/grid/grid-keys.js';
import { justify } from '../../renderer/src/lib/justify.js';

// Twelve square photos, 1000 wide at a target height of 200: rows of 0–4 and 5–9, then a short last row of 10 and 11.
const layout = justify({ ratios: Array(12).fill(1), sectionStarts: [], width: 1000, targetHeight: 200, gap: 4, headingHeight: 40 });
const from = (index: number, pageRows = 1) => ({ layout, index, count: 12, pageRows });

describe('the grid’s move keys', () => {
  it('lay out the photos they are tested on in rows of five, five and two', () => {
    expect(layout.rows.map((row) => row.tiles.map((tile) => tile.index))).toEqual([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11]]);
  });

  it('move with ArrowLeft and ArrowRight to the photo before and after, across rows, and no further than the first and last', () => {
    expect(moveTarget('ArrowRight', from(2))).toBe(3);
    expect(moveTarget('ArrowRight', from(4))).toBe(5);
    expect(moveTarget('ArrowLeft', from(5))).toBe(4);
    expect(moveTarget('ArrowLeft', from(0))).toBe(0);
    expect(moveTarget('ArrowRight', from(11))).toBe(11);
  });

  it('move with ArrowUp and ArrowDown to the nearest photo in the row above or below, and stay on the first and last rows', () => {
    expect(moveTarget('ArrowDown', from(2))).toBe(7);
    expect(moveTarget('ArrowUp', from(7))).toBe(2);
    // The short last row's nearest to the middle photo of a full row is its last.
    expect(moveTarget('ArrowDown', from(7))).toBe(11);
    expect(moveTarget('ArrowUp', from(11))).toBe(6);
    expect(moveTarget('ArrowUp', from(3))).toBe(3);
    expect(moveTarget('ArrowDown', from(10))).toBe(10);
  });

  it('move with PageDown and PageUp by a page of rows, to its row’s first photo, no further than the first and last rows', () => {
    expect(moveTarget('PageDown', from(2))).toBe(5);
    expect(moveTarget('PageDown', from(2, 2))).toBe(10);
    expect(moveTarget('PageDown', from(7, 5))).toBe(10);
    expect(moveTarget('PageDown', from(11))).toBe(10);
    expect(moveTarget('PageUp', from(11))).toBe(5);
    expect(moveTarget('PageUp', from(11, 2))).toBe(0);
    expect(moveTarget('PageUp', from(8, 5))).toBe(0);
    expect(moveTarget('PageUp', from(3))).toBe(0);
  });

  it('move with Home and End to the first and last photo loaded', () => {
    expect(moveTarget('Home', from(7))).toBe(0);
    expect(moveTarget('End', from(7))).toBe(11);
    expect(moveTarget('End', { ...from(0), count: 6 })).toBe(5);
  });

  it('leave other keys to the grid', () => {
    for (const key of ['Enter', ' ', 'Tab', 'a', 'Escape']) expect(moveTarget(key, from(3))).toBeNull();
  });

  it('page by the rows of the target height that fit in the viewport, at least one', () => {
    expect(rowsPerPage(1000, 200, 4)).toBe(4);
    expect(rowsPerPage(100, 200, 4)).toBe(1);
  });
});

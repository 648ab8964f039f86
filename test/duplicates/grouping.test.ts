import { describe, expect, it } from 'vitest';
import { calibratedSimilarity, calibrationFrom, cosineCut } from '../../main/duplicates/calibration.js';
import { linkGroups, type NeighbourTable } from '../../main/duplicates/grouping.js';

/** A neighbour table from rows of [neighbour, similarity] pairs (best first), k = widest row. */
function table(rows: Record<number, Array<[number, number]>>): NeighbourTable {
  const ids = Object.keys(rows).map(Number);
  const k = Math.max(...Object.values(rows).map((row) => row.length));
  const neighbours = new Float64Array(ids.length * k).fill(-1);
  const similarities = new Float32Array(ids.length * k);
  ids.forEach((id, r) => (rows[id] ?? []).forEach(([other, similarity], j) => {
    neighbours[r * k + j] = other;
    similarities[r * k + j] = similarity;
  }));
  return { imageIds: ids, k, neighbours, similarities };
}

describe('linkGroups', () => {
  it('joins a burst whose ends are further apart than the cut through the frames between', () => {
    const burst = table({
      1: [[1, 1], [2, 0.95], [3, 0.7]],
      2: [[2, 1], [1, 0.95], [3, 0.93]],
      3: [[3, 1], [2, 0.93], [1, 0.7]],
      4: [[4, 1], [5, 0.99]],
      5: [[5, 1], [4, 0.99]],
      6: [[6, 1], [1, 0.6]],
    });
    expect(linkGroups(burst, 0.9)).toEqual([
      { imageIds: [1, 2, 3], weakestLink: expect.closeTo(0.93, 5) },
      { imageIds: [4, 5], weakestLink: expect.closeTo(0.99, 5) },
    ]);
  });

  it('links nothing below the cut, ignores itself, empty slots and images it was not asked about', () => {
    const rows = table({
      1: [[1, 1], [2, 0.85], [-1, 0]],
      2: [[2, 1], [1, 0.85], [99, 0.99]],
    });
    expect(linkGroups(rows, 0.9)).toEqual([]);
    expect(linkGroups(rows, 0.8).map((group) => group.imageIds)).toEqual([[1, 2]]);
  });

  it('lists larger groups first, then by their first image', () => {
    const rows = table({
      7: [[8, 0.99]],
      8: [[7, 0.99]],
      1: [[2, 0.99]],
      2: [[3, 0.99]],
      3: [[2, 0.99]],
      4: [[5, 0.99]],
      5: [[4, 0.99]],
    });
    expect(linkGroups(rows, 0.9).map((group) => group.imageIds)).toEqual([[1, 2, 3], [4, 5], [7, 8]]);
  });
});

describe('the calibrated threshold', () => {
  const calibration = calibrationFrom('m', [1, 0.99, 0.95, 0.9, 0.8], [0.7, 0.75, 0.6], 3);

  it('anchors 1 at the median edited copy and 0 at the median pair of views of one scene', () => {
    expect(calibration).toEqual({ model: 'm', edit: 0.95, scene: 0.7, photos: 3 });
    expect(cosineCut(calibration, 1)).toBeCloseTo(0.95, 10);
    expect(cosineCut(calibration, 0)).toBeCloseTo(0.7, 10);
    expect(cosineCut(calibration, 0.5)).toBeCloseTo(0.825, 10);
    expect(calibratedSimilarity(calibration, 0.825)).toBeCloseTo(0.5, 10);
  });
});

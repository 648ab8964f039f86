import { describe, expect, it } from 'vitest';
import { benchmarkRescoring } from '../bench/rescore.js';
import { ScoreCache } from '../../main/tags/cache.js';
import { rankOf, retrievalMetrics, table, transpose, zeroShotReport } from '../../main/tags/metrics.js';
import { cosineMatrix } from '../../main/models/matmul.js';
import { assignedTags, ensembleEmbedding, tagProbabilities } from '../../main/tags/scoring.js';

const f32 = (values: number[]) => Float32Array.from(values);

describe('prompt ensembles', () => {
  it('normalises each embedding, averages, and normalises again', () => {
    // [3,4] -> [0.6,0.8]; [0,2] -> [0,1]; mean [0.3,0.9]; |mean| = sqrt(0.9).
    const vector = ensembleEmbedding([f32([3, 4]), f32([0, 2])]);
    expect(vector[0]).toBeCloseTo(0.3 / Math.sqrt(0.9), 6);
    expect(vector[1]).toBeCloseTo(0.9 / Math.sqrt(0.9), 6);
    // Length does not weigh: a long vector counts as much as a short one.
    const axes = ensembleEmbedding([f32([1, 0, 0]), f32([0, 5, 0]), f32([0, 0, 0.2])]);
    for (const value of axes) expect(value).toBeCloseTo(1 / Math.sqrt(3), 6);
    // One prompt in one template is just that embedding, unit length.
    expect(Array.from(ensembleEmbedding([f32([0, -2])]))).toEqual([0, -1]);
    expect(() => ensembleEmbedding([])).toThrow(/at least one/);
  });
});

describe('scoring', () => {
  it('computes the photos x tags cosine matrix through ONNX Runtime, row-major', async () => {
    for (const [rows, cols, dim] of [[3, 7, 5], [1000, 1, 512], [257, 13, 64]] as const) {
      const images = Float32Array.from({ length: rows * dim }, (_, i) => Math.sin(i + 1));
      const tags = Float32Array.from({ length: cols * dim }, (_, i) => Math.cos(i * 0.7));
      const out = await cosineMatrix(images, rows, tags, cols, dim);
      expect(out).toHaveLength(rows * cols);
      for (let r = 0; r < rows; r += 37) {
        for (let c = 0; c < cols; c++) {
          let expected = 0;
          for (let k = 0; k < dim; k++) expected += images[r * dim + k]! * tags[c * dim + k]!;
          expect(out[r * cols + c]).toBeCloseTo(expected, 3);
        }
      }
    }
    // Only the first `rows` photos count; none at all is an empty matrix.
    const twoPhotos = Float32Array.from([1, 0, 0, 1, 5, 5]);
    expect(Array.from(await cosineMatrix(twoPhotos, 2, Float32Array.from([0, 1]), 1, 2))).toEqual([0, 1]);
    expect(await cosineMatrix(new Float32Array(0), 0, Float32Array.from([0, 1]), 1, 2)).toHaveLength(0);
    await expect(cosineMatrix(twoPhotos, 4, Float32Array.from([0, 1]), 1, 2)).rejects.toThrow(/smaller than their sizes/);
  });

  it('turns cosines into probabilities with the logit scale and a background class', () => {
    // Logits 3, 2 and 1 (background): e^3, e^2, e^1 over their sum.
    const probabilities = new Float32Array(2);
    const background = tagProbabilities([0.3, 0.2], 0.1, 10, probabilities);
    const total = Math.exp(3) + Math.exp(2) + Math.exp(1);
    expect(probabilities[0]).toBeCloseTo(Math.exp(3) / total, 6);
    expect(probabilities[1]).toBeCloseTo(Math.exp(2) / total, 6);
    expect(background).toBeCloseTo(Math.exp(1) / total, 6);
    // Stable at CLIP's scale with large cosines.
    const sharp = new Float32Array(2);
    tagProbabilities([0.9, 0.2], 0.25, 100, sharp);
    expect(sharp[0]).toBeCloseTo(1, 6);
    expect(Number.isFinite(sharp[1]!)).toBe(true);
    // Multi-label: each tag against its own threshold.
    expect(assignedTags([0.5, 0.3, 0.05, 0.15], [0.1, 0.4, 0.01, 0.1])).toEqual([0, 2, 3]);
  });

  it('caches cosines per tag key and photo, growing as photos arrive', () => {
    const cache = new ScoreCache('m');
    const rows = Array.from({ length: 3000 }, (_, i) => cache.row(i * 2 + 1));
    expect(cache.row(1)).toBe(rows[0]);
    const column = cache.column('k');
    expect(Number.isNaN(column[rows[2999]!]!)).toBe(true);
    column[rows[10]!] = 0.5;
    cache.row(999_999);
    expect(cache.column('k')[rows[10]!]).toBe(0.5);
    cache.retain(new Set());
    expect(Number.isNaN(cache.column('k')[rows[10]!]!)).toBe(true);
  });

  it('benchmarks re-scoring after one edit', async () => {
    const report = await benchmarkRescoring({ photos: 2000, dim: 32, tags: 10 });
    expect(report).toMatchObject({ photos: 2000, dim: 32, tags: 10 });
    expect(report.rescoreMs).toBeGreaterThan(0);
    expect(report.columnMs).toBeLessThanOrEqual(report.rescoreMs);
    expect(report.tagsPerPhoto).toBeGreaterThan(0);
  });
});

describe('evaluation metrics', () => {
  it('computes top-1, top-5, per-tag accuracy and confusions', () => {
    const scores = table([
      [0.9, 0.1, 0.0], // a: right
      [0.5, 0.4, 0.1], // b: taken for a
      [0.2, 0.3, 0.1], // c: taken for b (third)
      [0.6, 0.2, 0.7], // a: taken for c
    ]);
    const report = zeroShotReport(scores, [0, 1, 2, 0], ['a', 'b', 'c']);
    expect(report).toMatchObject({ n: 4, top1: 0.25, top5: 1 });
    expect(report.perTag).toEqual({ a: { n: 2, top1: 0.5, top5: 1 }, b: { n: 1, top1: 0, top5: 1 }, c: { n: 1, top1: 0, top5: 1 } });
    expect(report.confusion).toEqual({ b: { a: 1 }, c: { b: 1 }, a: { c: 1 } });
    expect(report.topConfusions).toHaveLength(3);

    // Seven tags: the true one sixth is outside the top five.
    const wide = zeroShotReport(table([[0.1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.0], [0.1, 0.9, 0.8, 0.7, 0.6, 0.0, 0.0]]), [0, 0], ['t0', 't1', 't2', 't3', 't4', 't5', 't6']);
    expect(wide).toMatchObject({ top1: 0, top5: 0.5 });
    expect(wide.confusion).toEqual({ t0: { t1: 2 } });
  });

  it('computes Recall@K and MRR', () => {
    const scores = table([
      [0.1, 0.9, 0.3, 0.2], // relevant 1: rank 1
      [0.8, 0.7, 0.6, 0.1], // relevant 2: rank 3
      [0.2, 0.9, 0.5, 0.4], // relevant 0 or 3: best 0.4, rank 3
    ]);
    expect(rankOf(scores, 2, [0, 3])).toBe(3);
    const metrics = retrievalMetrics(scores, [[1], [2], [0, 3]]);
    expect(metrics).toMatchObject({ n: 3, recallAt1: 1 / 3, recallAt5: 1, recallAt10: 1 });
    expect(metrics.mrr).toBeCloseTo((1 + 1 / 3 + 1 / 3) / 3, 10);

    // Ranks 7 and 11 among twelve.
    const row = (higher: number) => Array.from({ length: 12 }, (_, i) => (i === 0 ? 0.5 : i <= higher ? 0.9 : 0.1));
    const far = retrievalMetrics(table([row(6), row(10)]), [[0], [0]]);
    expect(far).toMatchObject({ recallAt1: 0, recallAt5: 0, recallAt10: 0.5 });
    expect(far.mrr).toBeCloseTo((1 / 7 + 1 / 11) / 2, 10);

    // image->text is the transpose of text->image.
    const t = transpose(table([[1, 2, 3], [4, 5, 6]]));
    expect(t).toMatchObject({ rows: 3, cols: 2 });
    expect(Array.from(t.values)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(() => retrievalMetrics(table([[1]]), [[]])).toThrow(/no relevant/);
  });
});

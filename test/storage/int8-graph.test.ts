/**
 * The integer graph (Note [Integer graph]): it keeps 8 bits of each component, so its scores
 * are within a few thousandths of the cosine, where usearch's own cast to i8 is not; and it
 * saves, views and loads like usearch's own index.
 */
import path from 'node:path';
import usearch from 'usearch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Int8Graph } from '../../main/storage/int8-graph.js';
import { tempDir } from '../helpers/fixtures.js';
import { clusteredSource } from '../helpers/vectors.js';

const DIM = 512;
const COUNT = 2000;
const settings = { dim: DIM, connectivity: 16, expansionAdd: 128, expansionSearch: 64 };

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

describe('Int8Graph', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  const vectors = clusteredSource(DIM, 20, 7)(COUNT);
  const keys = BigUint64Array.from({ length: COUNT }, (_, i) => BigInt(i + 1));
  const row = (i: number) => vectors.subarray(i * DIM, (i + 1) * DIM);

  beforeEach(async () => {
    scratch = await tempDir();
  });
  afterEach(async () => {
    await scratch.cleanup();
  });

  /** The largest gap between a graph's scores for the first queries' nearest and the true cosines. */
  function worstScoreError(search: (query: Float32Array) => { keys: ArrayLike<bigint>; distances: Float32Array; found: number }): number {
    let worst = 0;
    for (let q = 0; q < 50; q++) {
      const found = search(row(q));
      expect(found.found).toBe(10);
      for (let j = 0; j < found.found; j++) {
        const other = row(Number(found.keys[j]) - 1);
        worst = Math.max(worst, Math.abs(1 - (found.distances[j] as number) - dot(row(q), other)));
      }
    }
    return worst;
  }

  it('scores within 3e-3 of the cosine, where usearch casting to i8 itself does not', () => {
    const graph = new Int8Graph(settings);
    graph.add(keys, vectors, 2);
    expect(graph.size()).toBe(COUNT);
    const ours = worstScoreError((query) => {
      const found = graph.search(query, 10, 1);
      return { keys: found.keys, distances: found.distances, found: Number(found.counts[0]) };
    });
    const cast = new usearch.Index({ dimensions: DIM, metric: usearch.MetricKind.Cos, quantization: usearch.ScalarKind.I8, connectivity: 16, expansion_add: 128, expansion_search: 64, multi: false });
    cast.add(keys, vectors, 2);
    const theirs = worstScoreError((query) => {
      const found = cast.search(query, 10, 1) as { keys: BigUint64Array; distances: Float32Array };
      return { keys: found.keys, distances: found.distances, found: found.keys.length };
    });
    expect(ours).toBeLessThan(3e-3);
    expect(theirs).toBeGreaterThan(3 * ours);
  });

  it('finds vectors themselves first, and answers alike after save, view and load', () => {
    const graph = new Int8Graph(settings);
    graph.add(keys, Array.from({ length: COUNT }, (_, i) => row(i)), 2);
    const queries = vectors.subarray(0, 100 * DIM);
    const before = graph.search(queries, 5, 2);
    // HNSW is approximate: a vector may miss itself now and then, never often.
    const selfFirst = Array.from({ length: 100 }, (_, q) => before.keys[q * 5] === keys[q]).filter(Boolean).length;
    expect(selfFirst).toBeGreaterThanOrEqual(95);
    const file = path.join(scratch.dir, 'graph.usearch');
    graph.save(file);
    for (const open of ['view', 'load'] as const) {
      const reopened = new Int8Graph(settings);
      reopened[open](file);
      expect(reopened.size()).toBe(COUNT);
      const after = reopened.search(queries, 5, 2);
      expect(Array.from(after.keys)).toEqual(Array.from(before.keys));
      expect(Array.from(after.distances)).toEqual(Array.from(before.distances));
    }
  });

  it('tells which keys it holds, and forgets removed ones', () => {
    const graph = new Int8Graph(settings);
    graph.add(keys.subarray(0, 10), vectors.subarray(0, 10 * DIM), 1);
    graph.remove(BigUint64Array.of(3n));
    expect(graph.contains(BigUint64Array.of(1n, 3n, 11n))).toEqual([true, false, false]);
    const found = graph.search(row(2), 10, 1);
    expect(Array.from(found.keys.subarray(0, Number(found.counts[0])))).not.toContain(3n);
  });
});

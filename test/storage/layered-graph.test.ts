/**
 * Changes beside a viewed graph (Note [Changes beside the view]): searches see the view less what
 * was removed or replaced, plus the changes; a merge on a worker thread writes exactly that; and
 * changes made while it runs are laid over the merged file.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dot } from '../../main/models/vectors.js';
import { Int8Graph } from '../../main/storage/int8-graph.js';
import { LayeredGraph, mergeGraph } from '../../main/storage/layered-graph.js';
import { tempDir } from '../helpers/fixtures.js';
import { clusteredVectors, queriesNear } from '../helpers/vectors.js';

const DIM = 64;
const COUNT = 1500;
const settings = { dim: DIM, connectivity: 16, expansionAdd: 128, expansionSearch: 64 };
const keysOf = (keys: number[]) => BigUint64Array.from(keys, BigInt);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('a graph with changes beside its view', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  const vectors = clusteredVectors(COUNT + 200, DIM, 5, 12);
  const row = (i: number) => vectors.slice(i * DIM, (i + 1) * DIM);
  /** Rows after the first COUNT: vectors for new and replaced keys. */
  const spare = (i: number) => row(COUNT + i);
  /** What the graph should hold: key to vector. */
  let truth: Map<number, Float32Array>;

  beforeEach(async () => {
    scratch = await tempDir();
    truth = new Map(range(1, COUNT).map((key) => [key, row(key - 1)]));
  });
  afterEach(async () => {
    await scratch.cleanup();
  });

  async function viewOfSaved(): Promise<{ file: string; view: Int8Graph }> {
    const file = path.join(scratch.dir, 'saved.usearch');
    const graph = new Int8Graph(settings);
    graph.add(keysOf([...truth.keys()]), [...truth.values()], 2);
    graph.save(file);
    const view = new Int8Graph(settings);
    view.view(file);
    return { file, view };
  }

  function add(graph: LayeredGraph, keys: number[], rows: Float32Array[]): void {
    graph.add(keysOf(keys), rows);
    keys.forEach((key, i) => truth.set(key, rows[i] as Float32Array));
  }

  function remove(graph: LayeredGraph, keys: number[]): void {
    graph.remove(keysOf(keys));
    for (const key of keys) truth.delete(key);
  }

  /** Searches find what `truth` holds, each with the score of its current vector, and nothing removed. */
  function expectHoldsTruth(search: (query: Float32Array, k: number) => Array<{ imageId: number; score: number }>, queries: Float32Array[]): void {
    let found = 0;
    for (const query of queries) {
      const hits = search(query, 10);
      for (const hit of hits) {
        const vector = truth.get(hit.imageId);
        expect(vector, `key ${hit.imageId} is not in the graph`).toBeDefined();
        expect(Math.abs(hit.score - dot(query, vector as Float32Array))).toBeLessThan(3e-3);
      }
      const best = [...truth].map(([key, vector]) => ({ key, score: dot(query, vector) })).sort((a, b) => b.score - a.score).slice(0, 10);
      found += best.filter((top) => hits.some((hit) => hit.imageId === top.key)).length;
    }
    expect(found / (10 * queries.length)).toBeGreaterThanOrEqual(0.95);
  }

  /** Queries near the vectors of `keys` as they are now, and near the library. */
  const near = queriesNear(vectors, DIM, 20, 3);
  const queriesFor = (keys: number[]) => [...keys.map((key) => truth.get(key) as Float32Array), ...Array.from({ length: 20 }, (_, q) => near.slice(q * DIM, (q + 1) * DIM))];

  it('finds the view less what was removed or replaced, and the changes', async () => {
    const { view } = await viewOfSaved();
    const graph = new LayeredGraph(view, () => new Int8Graph(settings), DIM, 1);
    add(graph, range(COUNT + 1, COUNT + 60), range(0, 59).map(spare));
    add(graph, range(1, 40), range(60, 99).map(spare));
    remove(graph, range(41, 80));
    remove(graph, range(COUNT + 1, COUNT + 10));
    add(graph, range(COUNT + 11, COUNT + 20), range(100, 109).map(spare));

    expect(graph.size()).toBe(truth.size);
    const probe = [1, 41, COUNT + 1, COUNT + 11, COUNT + 60, 200];
    expect(graph.contains(keysOf(probe))).toEqual(probe.map((key) => truth.has(key)));
    // Near the replaced vectors, where an old vector left in the view would be found with its old score.
    expectHoldsTruth((query, k) => graph.nearest(query, k), queriesFor([...range(1, 20), ...range(COUNT + 11, COUNT + 20)]));
  });

  it('merges on a worker thread, and lays the changes made meanwhile over the merged file', async () => {
    const { file, view } = await viewOfSaved();
    const graph = new LayeredGraph(view, () => new Int8Graph(settings), DIM, 1);
    add(graph, range(COUNT + 1, COUNT + 30), range(0, 29).map(spare));
    add(graph, range(1, 20), range(30, 49).map(spare));
    remove(graph, [...range(21, 50), ...range(COUNT + 26, COUNT + 30)]);
    const atSnapshot = new Map(truth);
    const merged = mergeGraph({ settings, base: file, out: path.join(scratch.dir, 'merged.usearch'), threads: 1, ...graph.snapshot() });
    // While the merge runs: a key added, one of the view removed, one replaced, one of the changes replaced.
    add(graph, [COUNT + 100], [spare(150)]);
    remove(graph, [100]);
    add(graph, [101, COUNT + 1], [spare(151), spare(152)]);

    const { count } = await merged;
    expect(count).toBe(atSnapshot.size);
    const mergedView = new Int8Graph(settings);
    mergedView.view(path.join(scratch.dir, 'merged.usearch'));
    expect(mergedView.size()).toBe(atSnapshot.size);
    expect(mergedView.contains(keysOf([21, 50, COUNT + 25, COUNT + 30, 1]))).toEqual([false, false, true, false, true]);

    const next = graph.rebased(mergedView);
    expect(next.size()).toBe(truth.size);
    expect(next.contains(keysOf([100, 101, COUNT + 100, 21]))).toEqual([false, true, true, false]);
    expectHoldsTruth((query, k) => next.nearest(query, k), queriesFor([...range(1, 10), 101, COUNT + 1, COUNT + 100]));
  });

  it('says why a merge failed', async () => {
    const job = { settings, base: path.join(scratch.dir, 'missing.usearch'), out: path.join(scratch.dir, 'out.usearch'), threads: 1, dropped: keysOf([]), keys: keysOf([]), rows: new Int8Array(0) };
    await expect(mergeGraph(job)).rejects.toThrow(/^Merging the vector index failed: /);
  });
});

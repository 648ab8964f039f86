/**
 * The first change after a saved vector index opens, and the save that follows (Note [Changes
 * beside the view]): how long each holds the engine's thread. What they cost before, the file
 * loaded into memory at the first change and saved from there, is timed in the same run.
 */
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { rm } from 'node:fs/promises';
import { Library } from '../../main/library/library.js';
import { Int8Graph } from '../../main/storage/int8-graph.js';
import { LayeredGraph, mergeGraph } from '../../main/storage/layered-graph.js';
import { CONNECTIVITY, EXPANSION_ADD, expansionSearchFor } from '../../main/storage/vector-index.js';
import { savedGraphFile } from '../helpers/index-files.js';
import { clusteredVectors, queriesNear } from '../helpers/vectors.js';
import { percentile } from './search.js';
import { syntheticDatabase } from './synthetic.js';

type Log = (message: string) => void;

/** What one indexing batch writes. */
const BATCH = 16;
const THREADS = os.availableParallelism();

export async function changesAfterOpening(dataRoot: string, modelId: string, dim: number, count: number, log: Log) {
  const dataDir = path.join(dataRoot, `synthetic-${count}`);
  await syntheticDatabase(dataDir, count, dim, modelId, log);
  // The index saved, as a library that has been opened before finds it.
  const library = Library.open(dataDir);
  await (await library.vectorIndex(modelId, dim)).ready();
  await library.close();
  const file = (await savedGraphFile(path.join(dataDir, 'index'), modelId)) as string;
  const merged = path.join(os.tmpdir(), `lumen-bench-merged-${process.pid}.usearch`);
  const settings = { dim, connectivity: CONNECTIVITY, expansionAdd: EXPANSION_ADD, expansionSearch: expansionSearchFor(count) };
  const keys = BigUint64Array.from({ length: BATCH }, (_, i) => BigInt(10 * count + i));
  const rows = clusteredVectors(BATCH, dim, 77);
  const queries = queriesNear(clusteredVectors(1000, dim, 5), dim, 50, 7);
  const timed = (work: () => unknown) => ((start) => (work(), performance.now() - start))(performance.now());
  const searchP50 = (graph: { nearest(query: Float32Array, k: number): unknown }) =>
    percentile(Array.from({ length: 50 }, (_, q) => timed(() => graph.nearest(queries.subarray(q * dim, (q + 1) * dim), 50))), 0.5);
  try {
    const view = new Int8Graph(settings);
    view.view(file);
    const viewP50 = searchP50(view);
    const layered = new LayeredGraph(view, () => new Int8Graph(settings), dim, THREADS);
    const firstChangeMs = timed(() => layered.add(keys, rows));
    const layeredP50 = searchP50(layered);
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    // The merging thread loads the whole graph: what that adds to the process, sampled as it runs.
    const rssBefore = process.memoryUsage.rss();
    let rssPeak = rssBefore;
    const sampling = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 20);
    let start = performance.now();
    await mergeGraph({ settings, base: file, out: merged, threads: THREADS, ...layered.snapshot() });
    const mergeSeconds = (performance.now() - start) / 1000;
    clearInterval(sampling);
    delay.disable();
    const mergeMiB = (rssPeak - rssBefore) / 2 ** 20;
    const heldMs = delay.max / 1e6;
    await rm(merged, { force: true });

    // Before: the first change loaded the file on the engine's thread, and the save wrote it from there.
    const loaded = new Int8Graph(settings);
    const rssUnloaded = process.memoryUsage.rss();
    const loadMs = timed(() => loaded.load(file));
    const loadedMiB = (process.memoryUsage.rss() - rssUnloaded) / 2 ** 20;
    const addMs = timed(() => loaded.add(keys, rows, THREADS));
    start = performance.now();
    loaded.save(merged);
    const saveMs = performance.now() - start;
    await rm(merged, { force: true });
    log(
      `first change after opening the saved index of ${count}: ${firstChangeMs.toFixed(1)} ms on the engine's thread (before: ${loadMs.toFixed(0)} ms loading the file, then ${addMs.toFixed(1)} ms adding); ` +
        `search p50 ${viewP50.toFixed(2)} ms on the view alone, ${layeredP50.toFixed(2)} ms with the changes beside it; ` +
        `saving: merged on a worker thread in ${mergeSeconds.toFixed(2)} s, the engine's thread held at most ${heldMs.toFixed(0)} ms meanwhile, the process's RSS up to ${mergeMiB.toFixed(0)} MiB more (before: ${saveMs.toFixed(0)} ms writing on it, and the loaded graph kept ${loadedMiB.toFixed(0)} MiB from the first change on)`,
    );
    return { count, firstChangeMs, before: { loadMs, addMs, saveMs, loadedMiB }, search: { viewP50Ms: viewP50, layeredP50Ms: layeredP50 }, merge: { seconds: mergeSeconds, heldMs, addedRssMiB: mergeMiB } };
  } finally {
    await rm(merged, { force: true });
  }
}

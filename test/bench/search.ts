/**
 * Search benchmarks over synthetic libraries (synthetic.ts): filtered against unfiltered search
 * at 100k photos, the vector index at 1M (recall@10 and latency of each choice against exact f32
 * search), and building the index from SQLite at 1M.
 *
 * Every figure compared with another is measured in the same run, interleaved round by round,
 * so that the load of a shared machine falls on both alike.
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import usearch from 'usearch';
import { timeline } from '../../main/engine/photo-info.js';
import { Library } from '../../main/library/library.js';
import type { ClipModel } from '../../main/models/clip.js';
import type { SearchFilters } from '../../main/search/options.js';
import { PhotoSearch } from '../../main/search/search.js';
import { Storage } from '../../main/storage/storage.js';
import { Int8Graph } from '../../main/storage/int8-graph.js';
import { CONNECTIVITY, EXPANSION_ADD, expansionSearchFor, GRAPH_SCALAR, VectorIndex, type ScoredImage } from '../../main/storage/vector-index.js';
import { queriesNear } from '../helpers/vectors.js';
import { syntheticDatabase } from './synthetic.js';

const { Index, MetricKind, ScalarKind, exactSearch } = usearch;
/** The graph the app builds (Note [Graph vectors] in vector-index.ts). */
const GRAPH = `i8 graph (${GRAPH_SCALAR}, built at ${EXPANSION_ADD})`;
type Log = (message: string) => void;

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const year = (y: number) => ({ takenAfter: Date.UTC(y, 0, 1), takenBefore: Date.UTC(y, 11, 31, 23, 59, 59) });

/** The filters measured, with the share of the synthetic library each lets through (syntheticPhoto). */
export const FILTERS: Record<string, SearchFilters> = {
  'date (one year, 4 %)': year(2010),
  'date (five years, 20 %)': { takenAfter: Date.UTC(2005, 0, 1), takenBefore: Date.UTC(2009, 11, 31) },
  'date (ten years, 40 %)': { takenAfter: Date.UTC(2005, 0, 1), takenBefore: Date.UTC(2014, 11, 31) },
  'folder (a year, 4 %)': { folder: '/bench/photos/2010' },
  'folder (an album, 0.4 %)': { folder: '/bench/photos/2010/album-3' },
  'type (heic, 10 %)': { formats: ['heic'] },
  'type (jpeg, 80 %)': { formats: ['jpeg'] },
  'tag (beach, 4 %)': { tag: 'beach' },
  'tag (dog, 25 %)': { tag: 'dog' },
  'location (14 %)': { hasLocation: true },
  'camera (fujifilm, 20 %)': { camera: 'fujifilm' },
  'camera + location (2.9 %)': { camera: 'fujifilm', hasLocation: true },
  'date + type + tag (0.4 %)': { ...year(2010), formats: ['jpeg'], tag: 'dog' },
};

/** Photos written per batch, as the indexer writes them (its default batch). */
const WRITTEN_BATCH = 16;

/**
 * A filter asked for again after each batch indexing writes (Note [Facets follow writes]): what a
 * person typing with a filter set waits for while photos are being added; and the whole timeline,
 * which the grid asks for every few seconds meanwhile (Note [Timeline follows writes]). On a copy
 * of the library's database, which every run then finds as it was.
 */
export async function afterWrites(dataRoot: string, count: number, batches: number, log: Log) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lumen-bench-'));
  try {
    await copyFile(path.join(dataRoot, `synthetic-${count}`, 'library.db'), path.join(dir, 'library.db'));
    const storage = Storage.open(dir);
    try {
      const filters = FILTERS['camera (fujifilm, 20 %)'] as SearchFilters;
      const folderId = (storage.library.folders()[0] as { id: number }).id;
      let start = performance.now();
      storage.photos.matching(filters);
      const firstMs = performance.now() - start;
      start = performance.now();
      timeline(storage);
      const firstTimelineMs = performance.now() - start;
      const times: number[] = [];
      const timelines: number[] = [];
      for (let batch = 0; batch < batches; batch++) {
        const files = Array.from({ length: WRITTEN_BATCH }, (_, i) => ({
          path: `/bench/incoming/${batch}-${i}.jpg`,
          folderId,
          size: 1,
          mtimeMs: 1,
          ctimeMs: 1,
          image: { created: { contentHash: `incoming-${batch}-${i}`, format: 'jpeg', width: 4, height: 3, thumbnail: null, takenAt: Date.UTC(2007, 5, 1), cameraMake: 'FUJIFILM', cameraModel: 'X-T4', lens: null, latitude: null, longitude: null, orientation: null } },
          vector: null,
        }));
        storage.library.writeBatch('bench', files, []);
        start = performance.now();
        storage.photos.matching(filters);
        times.push(performance.now() - start);
        start = performance.now();
        timeline(storage);
        timelines.push(performance.now() - start);
      }
      log(`after each batch of ${WRITTEN_BATCH} photos written, ${batches} batches: a filter (camera, 20 %) p50 ${ms(percentile(times, 0.5))}, p95 ${ms(percentile(times, 0.95))} (the first, which reads every file's facets: ${ms(firstMs)}); the whole timeline p50 ${ms(percentile(timelines, 0.5))}, p95 ${ms(percentile(timelines, 0.95))} (the first, sorted in SQL: ${ms(firstTimelineMs)})`);
      return {
        batches,
        batchSize: WRITTEN_BATCH,
        filter: { firstMs, p50Ms: percentile(times, 0.5), p95Ms: percentile(times, 0.95) },
        timeline: { firstMs: firstTimelineMs, p50Ms: percentile(timelines, 0.5), p95Ms: percentile(timelines, 0.95) },
      };
    } finally {
      storage.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The library's timeline narrowed by each filter (Note [Filtered timeline]): found in the facets
 * (on a connection that has not read the whole timeline, after a first call that reads the
 * facets), and narrowed from the whole timeline kept (Note [Timeline follows writes]); against
 * the whole timeline as SQL sorts it, on a connection of its own each time. Medians of three.
 */
export function filteredTimelines(dataRoot: string, count: number, log: Log) {
  const open = () => Storage.open(path.join(dataRoot, `synthetic-${count}`), { readonly: true });
  const median = (work: () => unknown) => percentile([0, 1, 2].map(() => ((start) => (work(), performance.now() - start))(performance.now())), 0.5);
  const connections = [open(), open()];
  const [facetsOnly, kept] = connections as [Storage, Storage];
  try {
    const sortedMs = median(() => {
      const storage = open();
      try {
        timeline(storage);
      } finally {
        storage.close();
      }
    });
    timeline(facetsOnly, FILTERS['date (one year, 4 %)']);
    timeline(kept);
    const keptMs = median(() => timeline(kept));
    const rows = Object.entries(FILTERS).map(([filter, filters]) => ({ filter, facetsMs: median(() => timeline(facetsOnly, filters)), keptMs: median(() => timeline(kept, filters)) }));
    log(`the library's whole timeline: sorted in SQL ${ms(sortedMs)}, kept ${ms(keptMs)}; narrowed by a filter, found in the facets / from the timeline kept: ${rows.map((row) => `${row.filter} ${ms(row.facetsMs)} / ${ms(row.keptMs)}`).join(', ')}`);
    return { sortedMs, keptMs, filtered: rows };
  } finally {
    for (const storage of connections) storage.close();
  }
}

/**
 * Filtered against unfiltered search on a library of `count` photos: each round times every
 * filter (and none) once with a query embedded before the round ("cached": the search alone) and
 * once with a query never seen ("typed": embedding included), so both are compared like for like.
 */
export async function filteredSearch(model: ClipModel, dataRoot: string, count: number, rounds: number, log: Log) {
  await syntheticDatabase(path.join(dataRoot, `synthetic-${count}`), count, model.dim, model.id, log);
  const library = Library.open(path.join(dataRoot, `synthetic-${count}`));
  try {
    const vectors = await library.vectorIndex(model.id, model.dim);
    await vectors.ready();
    const search = new PhotoSearch(library, model);
    await search.search('warm up', { limit: 50 });
    let start = performance.now();
    const first = await search.search('warm up', { limit: 50, filters: FILTERS['date (one year, 4 %)'] });
    const firstFilteredMs = performance.now() - start;
    log(`first filtered search (reads the filter snapshot and the 8-bit matrix): ${ms(firstFilteredMs)}, ${first.method}`);
    const names = ['none', ...Object.keys(FILTERS)];
    // cached: the query vector cached, every result counted; page: the same, the page alone, as the app asks while a person types (Note [Page before count]); typed: counted, the text model included.
    const times = new Map(names.map((name) => [name, { cached: [] as number[], page: [] as number[], typed: [] as number[], method: '', total: 0 }]));
    for (let round = 0; round < rounds; round++) {
      const cachedQuery = `a photo of thing ${round} on the beach`;
      await search.search(cachedQuery, { limit: 1 });
      // Each round starts at another filter: the first after the query's warm-up finds the graph's pages near it in the CPU's caches.
      for (const name of [...names.slice(round % names.length), ...names.slice(0, round % names.length)]) {
        const filters = FILTERS[name] ?? {};
        const entry = times.get(name)!;
        start = performance.now();
        const page = await search.search(cachedQuery, { limit: 50, filters });
        entry.cached.push(performance.now() - start);
        start = performance.now();
        await search.search(cachedQuery, { limit: 50, filters, count: false });
        entry.page.push(performance.now() - start);
        start = performance.now();
        await search.search(`${name} ${round}: a photo of something`, { limit: 50, filters });
        entry.typed.push(performance.now() - start);
        [entry.method, entry.total] = [page.method, page.total];
      }
    }
    const none = times.get('none')!;
    const base = { cachedP95: percentile(none.cached, 0.95), pageP95: percentile(none.page, 0.95), typedP95: percentile(none.typed, 0.95) };
    const rows = names.map((name) => {
      const entry = times.get(name)!;
      const row = {
        filter: name,
        method: entry.method,
        cachedP50: percentile(entry.cached, 0.5),
        cachedP95: percentile(entry.cached, 0.95),
        pageP50: percentile(entry.page, 0.5),
        pageP95: percentile(entry.page, 0.95),
        typedP50: percentile(entry.typed, 0.5),
        typedP95: percentile(entry.typed, 0.95),
      };
      const ratios = { cachedRatio: row.cachedP95 / base.cachedP95, pageRatio: row.pageP95 / base.pageP95, typedRatio: row.typedP95 / base.typedP95, cachedVsTypedUnfiltered: row.cachedP95 / base.typedP95 };
      log(
        `${name.padEnd(28)} ${row.method.padEnd(5)} cached p50/p95 ${ms(row.cachedP50)}/${ms(row.cachedP95)} (x${ratios.cachedRatio.toFixed(2)}), page first ${ms(row.pageP50)}/${ms(row.pageP95)} (x${ratios.pageRatio.toFixed(2)}), typed ${ms(row.typedP50)}/${ms(row.typedP95)} (x${ratios.typedRatio.toFixed(2)})`,
      );
      return { ...row, ...ratios };
    });
    const filtered = rows.slice(1);
    const worst = { cachedRatio: Math.max(...filtered.map((r) => r.cachedRatio)), pageRatio: Math.max(...filtered.map((r) => r.pageRatio)), typedRatio: Math.max(...filtered.map((r) => r.typedRatio)) };
    log(`worst filtered p95 / unfiltered p95: x${worst.typedRatio.toFixed(2)} typed, x${worst.cachedRatio.toFixed(2)} cached, x${worst.pageRatio.toFixed(2)} cached page first (target <= 1.5)`);
    return { photos: count, rounds, firstFilteredMs, rows, worst };
  } finally {
    await library.close();
  }
}

/** Every stored vector of `model`, in image id order, for exact search. */
function allVectors(storage: Storage, model: string, dim: number): { ids: Float64Array; matrix: Float32Array } {
  const count = storage.embeddings.count(model);
  const ids = new Float64Array(count);
  const matrix = new Float32Array(count * dim);
  const bytes = new Uint8Array(matrix.buffer);
  let row = 0;
  for (let after = 0; row < count; ) {
    const page = storage.embeddings.rawAfter(model, after, 8192);
    if (page.length === 0) break;
    for (const [imageId, blob] of page) {
      ids[row] = imageId;
      bytes.set(blob, row++ * dim * 4);
    }
    after = page[page.length - 1]![0];
  }
  return { ids: ids.subarray(0, row), matrix: matrix.subarray(0, row * dim) };
}

/** Builds (or rebuilds) the vector index of a synthetic library from SQLite, timed. */
export async function indexBuild(dataDir: string, model: string, dim: number, log: Log) {
  const storage = Storage.open(dataDir);
  try {
    const index = new VectorIndex(storage, model, dim, path.join(dataDir, 'index'));
    await index.deleteFiles();
    const cpu = process.cpuUsage();
    const started = performance.now();
    await index.open();
    const readSeconds = (performance.now() - started) / 1000;
    await index.ready();
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const cpuSeconds = (used.user + used.system) / 1e6;
    const saveStart = performance.now();
    await index.save();
    const saveSeconds = (performance.now() - saveStart) / 1000;
    const result = { vectors: index.size, seconds, readSeconds, graphSeconds: seconds - readSeconds, cpuSeconds, saveSeconds };
    log(`index built from SQLite: ${index.size} vectors in ${seconds.toFixed(0)} s (read ${readSeconds.toFixed(0)} s, graph ${result.graphSeconds.toFixed(0)} s; ${cpuSeconds.toFixed(0)} CPU s), saved in ${saveSeconds.toFixed(0)} s`);
    return result;
  } finally {
    storage.close();
  }
}

interface Choice {
  name: string;
  search: (query: Float32Array) => ScoredImage[] | Promise<ScoredImage[]>;
}

/**
 * Recall@10 and latency of each way of searching `count` vectors, against exact f32 search, on
 * the same queries: the app's (8-bit integer graph, re-ranked, at its breadth), the same without
 * re-ranking or at other breadths, and the FP8 and f16 graphs the app used before (built once, cached).
 */
export async function vectorSearch(dataRoot: string, modelId: string, count: number, dim: number, log: Log) {
  const dataDir = path.join(dataRoot, `synthetic-${count}`);
  await syntheticDatabase(dataDir, count, dim, modelId, log);
  const storage = Storage.open(dataDir);
  try {
    const index = new VectorIndex(storage, modelId, dim, path.join(dataDir, 'index'));
    await index.open();
    await index.ready();
    await index.save();
    const { ids, matrix } = allVectors(storage, modelId, dim);
    const queries = queriesNear(matrix, dim, 200);
    const indexFile = path.join(dataDir, 'index', `${modelId}.usearch`);
    const view = (expansion: number) => {
      const graph = new Int8Graph({ dim, connectivity: CONNECTIVITY, expansionAdd: EXPANSION_ADD, expansionSearch: expansion });
      graph.view(indexFile);
      return (query: Float32Array, k: number) => graph.nearest(query, k);
    };
    const breadth = expansionSearchFor(count);
    const choices: Choice[] = [
      { name: `${GRAPH} + re-rank, breadth ${breadth} (the app)`, search: (q) => index.search(q, 10) },
      { name: `${GRAPH} alone, breadth ${breadth}`, search: (q) => index.search(q, 10, 0) },
      ...[breadth / 2, breadth * 2].map((e) => {
        const graph = view(e);
        return { name: `${GRAPH} + re-rank, breadth ${e}`, search: (q: Float32Array) => index.refine(q, graph(q, 50), 10).slice(0, 10) };
      }),
    ];
    // The graphs the app had before, built once from the same vectors and cached.
    const fp8 = await usearchGraph(dataRoot, { quantization: ScalarKind.E4M3, expansionAdd: 64 }, ids, matrix, breadth, log);
    choices.push({ name: `FP8 (e4m3) graph built at 64, breadth ${breadth}, + re-rank (before)`, search: (q) => index.refine(q, fp8(q, 50), 10).slice(0, 10) });
    const f16 = await usearchGraph(dataRoot, { quantization: ScalarKind.F16, expansionAdd: 128 }, ids, matrix, breadth, log);
    choices.push({ name: `f16 graph built at 128, breadth ${breadth} (before that)`, search: (q) => f16(q, 10) });

    const truth: Array<Set<number>> = [];
    const exactTimes: number[] = [];
    for (let q = 0; q < 200; q++) {
      const query = queries.slice(q * dim, (q + 1) * dim);
      const start = performance.now();
      const found = exactSearch(matrix, query, dim, 10, MetricKind.IP) as { keys: BigUint64Array };
      exactTimes.push(performance.now() - start);
      truth.push(new Set(Array.from(found.keys, (row) => ids[Number(row)] as number)));
    }
    const exact = { p50Ms: percentile(exactTimes, 0.5), p95Ms: percentile(exactTimes, 0.95) };
    log(`exact f32 search over ${count} vectors (all cores): p50 ${ms(exact.p50Ms)}, p95 ${ms(exact.p95Ms)}`);
    const results = [];
    for (const choice of choices) {
      // Steady state: a first pass maps in the pages of the graph file this choice's searches touch.
      for (let q = 0; q < 200; q++) await choice.search(queries.subarray(q * dim, (q + 1) * dim));
      const times: number[] = [];
      let hits = 0;
      for (let q = 0; q < 200; q++) {
        const query = queries.subarray(q * dim, (q + 1) * dim);
        const start = performance.now();
        const found = await choice.search(query);
        times.push(performance.now() - start);
        hits += found.filter((hit) => truth[q]!.has(hit.imageId)).length;
      }
      const row = { choice: choice.name, recallAt10: hits / 2000, p50Ms: percentile(times, 0.5), p95Ms: percentile(times, 0.95) };
      const speedup = { p50: exact.p50Ms / row.p50Ms, p95: exact.p95Ms / row.p95Ms };
      log(`${choice.name.padEnd(44)} recall@10 ${(row.recallAt10 * 100).toFixed(1)} %, p50 ${row.p50Ms.toFixed(2)} ms, p95 ${row.p95Ms.toFixed(2)} ms, x${speedup.p50.toFixed(0)} faster than exact (p50)`);
      results.push({ ...row, speedupOverExact: speedup });
    }
    return { vectors: count, dim, breadth, exact, choices: results };
  } finally {
    storage.close();
  }
}

/**
 * A graph built by usearch's own class (which casts f32 to its scalar) from the same vectors,
 * built once and cached next to the synthetic library.
 */
async function usearchGraph(dataRoot: string, settings: { quantization: (typeof ScalarKind)[keyof typeof ScalarKind]; expansionAdd: number }, ids: Float64Array, matrix: Float32Array, breadth: number, log: Log) {
  const count = ids.length;
  const dim = matrix.length / count;
  const file = path.join(dataRoot, `${settings.quantization}-${settings.expansionAdd}-graph-${count}.usearch`);
  const graph = new Index({ dimensions: dim, metric: MetricKind.Cos, quantization: settings.quantization, connectivity: 16, expansion_add: settings.expansionAdd, expansion_search: breadth, multi: false });
  const saved = await readFile(`${file}.json`, 'utf8').catch(() => null);
  if (saved === String(count)) {
    graph.view(file);
  } else {
    log(`building the ${settings.quantization} graph of ${count} vectors once (cached as ${file}) ...`);
    const started = performance.now();
    const keys = BigUint64Array.from(ids, (id) => BigInt(id));
    for (let at = 0; at < count; at += 50_000) graph.add(keys.subarray(at, at + 50_000), matrix.subarray(at * dim, Math.min(count, at + 50_000) * dim), 0);
    log(`${settings.quantization} graph built in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    await rm(file, { force: true });
    graph.save(file);
    await writeFile(`${file}.json`, String(count));
  }
  return (query: Float32Array, k: number) => {
    const found = graph.search(query, k, 1) as { keys: BigUint64Array; distances: Float32Array };
    return Array.from(found.keys, (key, i) => ({ imageId: Number(key), score: 1 - (found.distances[i] as number) }));
  };
}

/**
 * Library benchmarks: indexing throughput end to end next to model-only throughput, re-scan of
 * an unchanged 100k-file library, vector index rebuild, search latency (index-only at 10k, 100k
 * and 1M vectors; end to end through SQLite at 10k and 100k), HNSW recall@10 against exact
 * search, memory, and cold start to the first result.
 *
 * Vectors are synthetic but clustered like real embeddings (random unit vectors are the worst
 * case for HNSW and unlike any photo library).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import usearch from 'usearch';
import { Library } from '../../main/library/library.js';
import { ClipModel } from '../../main/models/clip.js';
import { PhotoSearch } from '../../main/search/search.js';
import type { IndexedFile } from '../../main/storage/library-store.js';
import { exactTopK, expansionSearchFor } from '../../main/storage/vector-index.js';

const { Index, MetricKind, ScalarKind } = usearch;
type Log = (message: string) => void;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

function rssMiB(): number {
  return Math.round(process.memoryUsage().rss / 2 ** 20);
}

/** Deterministic pseudo-random numbers (mulberry32), so runs compare. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(next: () => number): number {
  return Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
}

function normalise(v: Float32Array, offset = 0, dim = v.length): void {
  let sum = 0;
  for (let i = 0; i < dim; i++) sum += (v[offset + i] as number) ** 2;
  const norm = Math.sqrt(sum) || 1;
  for (let i = 0; i < dim; i++) v[offset + i] = (v[offset + i] as number) / norm;
}

/** `count` unit vectors around `clusters` centres (a photo library has many near-duplicates and themes). */
export function clusteredVectors(count: number, dim: number, seed = 1, clusters = Math.max(16, Math.round(count / 200))): Float32Array {
  const next = random(seed);
  const centres = new Float32Array(clusters * dim);
  for (let i = 0; i < centres.length; i++) centres[i] = gaussian(next);
  for (let c = 0; c < clusters; c++) normalise(centres, c * dim, dim);
  const out = new Float32Array(count * dim);
  for (let row = 0; row < count; row++) {
    const c = Math.floor(next() * clusters);
    for (let i = 0; i < dim; i++) out[row * dim + i] = (centres[c * dim + i] as number) + 0.6 * gaussian(next) / Math.sqrt(dim);
    normalise(out, row * dim, dim);
  }
  return out;
}

/**
 * A camera-like JPEG: smooth gradients and shapes with mild grain (real photos compress to a few
 * MB at 12 MP; pure noise would make decoding unrealistically slow).
 */
export async function syntheticPhoto(i: number, width: number, height: number): Promise<Buffer> {
  const hue = (i * 47) % 360;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="hsl(${hue},60%,70%)"/><stop offset="1" stop-color="hsl(${(hue + 120) % 360},50%,30%)"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>
    <circle cx="${width * 0.3}" cy="${height * 0.4}" r="${height * 0.2}" fill="hsl(${(hue + 200) % 360},70%,50%)"/>
    <rect x="${width * 0.55}" y="${height * 0.5}" width="${width * 0.3}" height="${height * 0.35}" fill="hsl(${(hue + 60) % 360},40%,45%)"/></svg>`;
  const grain = await sharp({ create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 6 } } }).png().toBuffer();
  return sharp(Buffer.from(svg)).composite([{ input: grain, blend: 'overlay' }]).jpeg({ quality: 90 }).toBuffer();
}

/** The same photo with a JPEG comment naming `i`: a new file (new content hash) that decodes alike. */
export function variant(jpeg: Buffer, i: number): Buffer {
  const text = Buffer.from(`lumen-bench-${i}`);
  const segment = Buffer.alloc(4);
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(text.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), segment, text, jpeg.subarray(2)]);
}

export async function indexingThroughput(modelDir: string, dataRoot: string, photos: number, log: Log) {
  const folder = path.join(dataRoot, 'photos');
  await rm(dataRoot, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  const bases = await Promise.all(Array.from({ length: 8 }, (_, i) => syntheticPhoto(i, i % 2 ? 4000 : 3000, i % 2 ? 3000 : 2000)));
  for (let i = 0; i < photos; i++) await writeFile(path.join(folder, `IMG_${String(i).padStart(5, '0')}.jpg`), variant(bases[i % bases.length] as Buffer, i));
  const model = await ClipModel.load(modelDir, { provider: (process.env['LUMEN_BENCH_PROVIDER'] as 'cpu') ?? 'auto', log });
  const library = Library.open(path.join(dataRoot, 'data'));
  try {
    const provider = (await model.providers()).image;
    const size = model.spec.image.preprocessing.size;
    const tensors = Array.from({ length: 32 }, () => Float32Array.from({ length: 3 * size * size }, () => Math.random() * 2 - 1));
    await model.embedTensors(tensors.slice(0, 4));
    let start = performance.now();
    for (let i = 0; i < tensors.length; i += 16) await model.embedTensors(tensors.slice(i, i + 16));
    const modelOnly = tensors.length / ((performance.now() - start) / 1000);
    start = performance.now();
    const summary = await library.index(model, { folders: await library.addFolders([folder]), batchSize: 16 });
    const endToEnd = summary.embedded / ((performance.now() - start) / 1000);
    start = performance.now();
    const rescan = await library.index(model);
    const rescanSeconds = (performance.now() - start) / 1000;
    const result = { model: model.id, provider, photos, photoSizes: '12 MP and 6 MP JPEGs', endToEndImagesPerSecond: endToEnd, modelOnlyImagesPerSecond: modelOnly, rescanSeconds, rescanUnchanged: rescan.unchanged, rssMiB: rssMiB() };
    log(`indexing ${model.id} on ${provider}: ${endToEnd.toFixed(1)} photos/s end to end, ${modelOnly.toFixed(1)} img/s model only; re-scan ${rescanSeconds.toFixed(2)} s`);
    return result;
  } finally {
    await library.close();
    await model.dispose();
  }
}

/** A library of `count` tiny files on disk, registered with synthetic embeddings (no model runs). */
export async function syntheticLibrary(dataRoot: string, count: number, dim: number, modelId: string, log: Log): Promise<{ library: Library; folder: string }> {
  const folder = path.join(dataRoot, 'photos');
  await rm(dataRoot, { recursive: true, force: true });
  const perFolder = 1000;
  for (let f = 0; f * perFolder < count; f++) await mkdir(path.join(folder, `${2000 + (f % 25)}`, `album-${f}`), { recursive: true });
  const library = Library.open(path.join(dataRoot, 'data'));
  const [folderRow] = await library.addFolders([folder]);
  const vectors = clusteredVectors(count, dim, 7);
  const started = performance.now();
  let batch: IndexedFile[] = [];
  for (let i = 0; i < count; i++) {
    const file = path.join(folder, `${2000 + (Math.floor(i / perFolder) % 25)}`, `album-${Math.floor(i / perFolder)}`, `IMG_${i}.jpg`);
    const bytes = randomBytes(64);
    await writeFile(file, bytes);
    const info = await stat(file);
    batch.push({
      path: file,
      folderId: folderRow!.id,
      size: info.size,
      mtimeMs: Math.floor(info.mtimeMs),
      image: { created: { contentHash: bytes.toString('hex'), format: 'jpeg', width: 4000, height: 3000, takenAt: Date.UTC(2000 + (i % 25), i % 12, 1), cameraMake: i % 3 ? 'Canon' : 'FUJIFILM', cameraModel: 'X', lens: null, latitude: i % 10 ? null : 38.7, longitude: i % 10 ? null : -9.1, orientation: 1, thumbnail: null } },
      vector: vectors.slice(i * dim, (i + 1) * dim),
    });
    if (batch.length === 2000) {
      library.storage.library.writeBatch(modelId, batch, []);
      batch = [];
    }
  }
  library.storage.library.writeBatch(modelId, batch, []);
  library.storage.library.setMeta('serving_model', modelId);
  log(`synthetic library of ${count} files written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { library, folder };
}

export async function libraryScale(modelDir: string, dataRoot: string, count: number, log: Log) {
  const model = await ClipModel.load(modelDir, { provider: 'cpu', log });
  const { library } = await syntheticLibrary(dataRoot, count, model.dim, model.id, log);
  try {
    let start = performance.now();
    const vectors = await library.vectorIndex(model.id, model.dim);
    await vectors.ready();
    const rebuildSeconds = (performance.now() - start) / 1000;
    start = performance.now();
    const rescan = await library.index(model);
    const rescanSeconds = (performance.now() - start) / 1000;
    log(`re-scan of ${count} unchanged files: ${rescanSeconds.toFixed(2)} s (${rescan.unchanged} unchanged, ${rescan.embedded} embedded)`);
    const search = new PhotoSearch(library, model);
    await search.search('warm up', { limit: 50 });
    const uncached: number[] = [];
    const cached: number[] = [];
    const filtered: number[] = [];
    for (let i = 0; i < 40; i++) {
      const query = `a photo of thing ${i} on the beach`;
      start = performance.now();
      await search.search(query, { limit: 50 });
      uncached.push(performance.now() - start);
      start = performance.now();
      await search.search(query, { limit: 50 });
      cached.push(performance.now() - start);
      start = performance.now();
      await search.search(query, { limit: 50, filters: { camera: 'fujifilm', hasLocation: true } });
      filtered.push(performance.now() - start);
    }
    const result = {
      photos: count,
      rescanSeconds,
      indexBuildSeconds: rebuildSeconds,
      searchMs: { typedQueryP50: percentile(uncached, 0.5), typedQueryP95: percentile(uncached, 0.95), cachedQueryP50: percentile(cached, 0.5), cachedQueryP95: percentile(cached, 0.95), filteredP50: percentile(filtered, 0.5), filteredP95: percentile(filtered, 0.95) },
      rssMiB: rssMiB(),
    };
    log(`${count} photos: index build ${rebuildSeconds.toFixed(1)} s; search p50/p95 ${result.searchMs.typedQueryP50.toFixed(1)}/${result.searchMs.typedQueryP95.toFixed(1)} ms typed, ${result.searchMs.cachedQueryP50.toFixed(1)}/${result.searchMs.cachedQueryP95.toFixed(1)} ms cached, ${result.searchMs.filteredP50.toFixed(1)}/${result.searchMs.filteredP95.toFixed(1)} ms filtered; RSS ${result.rssMiB} MiB`);
    return result;
  } finally {
    await library.close();
    await model.dispose();
  }
}

/** Index-only latency and recall@10 of the HNSW index (f16 and search breadth as the app uses them) against exact search. */
export function hnswScale(count: number, dim: number, log: Log) {
  const vectors = clusteredVectors(count, dim, 11);
  const rssBefore = rssMiB();
  const index = new Index({ dimensions: dim, metric: MetricKind.Cos, quantization: ScalarKind.F16, connectivity: 16, expansion_add: 128, expansion_search: expansionSearchFor(count), multi: false });
  let start = performance.now();
  const keys = BigUint64Array.from({ length: count }, (_, i) => BigInt(i));
  for (let at = 0; at < count; at += 50_000) index.add(keys.subarray(at, at + 50_000), vectors.subarray(at * dim, Math.min(count, at + 50_000) * dim), 0);
  const buildSeconds = (performance.now() - start) / 1000;
  // Queries near the data, as real queries are (a text query lands near the photos it describes).
  const next = random(99);
  const queries = new Float32Array(200 * dim);
  for (let q = 0; q < 200; q++) {
    const row = Math.floor(next() * count);
    for (let i = 0; i < dim; i++) queries[q * dim + i] = (vectors[row * dim + i] as number) + (0.8 * gaussian(next)) / Math.sqrt(dim);
    normalise(queries, q * dim, dim);
  }
  const ids = Array.from({ length: count }, (_, i) => i);
  const latencies: number[] = [];
  let hits = 0;
  for (let q = 0; q < 200; q++) {
    const query = queries.subarray(q * dim, (q + 1) * dim);
    start = performance.now();
    const found = index.search(query, 10, 1) as { keys: BigUint64Array };
    latencies.push(performance.now() - start);
    if (q < 100) {
      const exact = new Set(exactTopK(vectors, ids, dim, query, 10).map((r) => r.imageId));
      for (const key of found.keys) if (exact.has(Number(key))) hits++;
    }
  }
  const result = { vectors: count, dim, expansionSearch: expansionSearchFor(count), buildSeconds, p50Ms: percentile(latencies, 0.5), p95Ms: percentile(latencies, 0.95), recallAt10: hits / 1000, indexRssMiB: rssMiB() - rssBefore };
  log(`HNSW ${count} x ${dim} f16: build ${buildSeconds.toFixed(1)} s, search p50 ${result.p50Ms.toFixed(3)} ms, p95 ${result.p95Ms.toFixed(3)} ms, recall@10 ${(result.recallAt10 * 100).toFixed(1)} %, +${result.indexRssMiB} MiB`);
  return result;
}

/**
 * Wall time of a fresh CLI process from start to its printed first page of results, and that
 * process's peak memory (GNU time's maximum resident set, where /usr/bin/time exists).
 */
export function coldStart(root: string, dataDir: string, modelDir: string, log: Log) {
  const command = [process.execPath, '--import', 'tsx', path.join(root, 'main', 'cli', 'index.ts'), 'search', '--data', dataDir, '--model', modelDir, '--provider', 'cpu', '--json', 'a dog on the beach'];
  const timed = existsSync('/usr/bin/time');
  const start = performance.now();
  const result = spawnSync(timed ? '/usr/bin/time' : (command[0] as string), timed ? ['-f', 'maxrss_kib=%M', ...command] : command.slice(1), { cwd: root, encoding: 'utf8' });
  const seconds = (performance.now() - start) / 1000;
  const peak = /maxrss_kib=(\d+)/.exec(result.stderr ?? '');
  const peakRssMiB = peak ? Math.round(Number(peak[1]) / 1024) : null;
  log(`cold start to first result (new process: TypeScript loader, model load, index load, query): ${seconds.toFixed(2)} s, peak RSS ${peakRssMiB ?? '?'} MiB`);
  return { seconds, peakRssMiB };
}

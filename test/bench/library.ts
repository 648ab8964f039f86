/**
 * Library benchmarks: indexing throughput on the CPU (end to end against model alone, decode
 * alone, the shared-core bound and a naive sequential pipeline, all in the same run), and a
 * re-scan of an unchanged library of tiny files with the vector index rebuild and search latency.
 */
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { Library } from '../../main/library/library.js';
import { decodePhoto } from '../../main/library/decode.js';
import { identifyFile } from '../../main/library/identity.js';
import { ClipModel } from '../../main/models/clip.js';
import { PhotoSearch } from '../../main/search/search.js';
import type { IndexedFile } from '../../main/storage/library-store.js';
import { clusteredVectors } from '../helpers/vectors.js';
import { percentile } from './search.js';

export { clusteredVectors };

type Log = (message: string) => void;

function rssMiB(): number {
  return Math.round(process.memoryUsage().rss / 2 ** 20);
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

/** CPU seconds this process spends (all threads) and the wall seconds of `work`. */
export async function measured<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number; cpuSeconds: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await work();
  const used = process.cpuUsage(cpu);
  return { value, seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

/**
 * Indexing throughput on `photos` camera-sized JPEGs (12 and 6 MP), with what bounds it measured
 * in the same run: the model alone, decoding alone (identify, decode, thumbnail and metadata, in
 * CPU seconds per photo), and the shared-core bound 1 / (1/model + decode_cpu/cores) they give
 * when decoding and inference share the cores; and a naive pipeline (decode a batch one photo
 * after another, then embed it) the real one must beat. The model and decode figures are taken
 * before and after the pipelines and averaged, so that a change in the machine's load between
 * them falls on the bound too.
 */
export async function indexingThroughput(modelDir: string, dataRoot: string, photos: number, log: Log) {
  const folder = path.join(dataRoot, 'photos');
  await rm(dataRoot, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  const bases = await Promise.all(Array.from({ length: 8 }, (_, i) => syntheticPhoto(i, i % 2 ? 4000 : 3000, i % 2 ? 3000 : 2000)));
  const files: string[] = [];
  for (let i = 0; i < photos; i++) {
    files.push(path.join(folder, `IMG_${String(i).padStart(5, '0')}.jpg`));
    await writeFile(files[i] as string, variant(bases[i % bases.length] as Buffer, i));
  }
  const model = await ClipModel.load(modelDir, { provider: (process.env['LUMEN_BENCH_PROVIDER'] as 'cpu') ?? 'auto', log });
  const library = Library.open(path.join(dataRoot, 'data'));
  const cores = os.availableParallelism();
  const pre = model.spec.image.preprocessing;
  const decodeOne = async (file: string) => {
    await identifyFile(file);
    return (await decodePhoto(file, pre, { withThumbnail: true })).tensor;
  };
  try {
    const provider = (await model.providers()).image;
    const size = pre.size;
    const tensors = Array.from({ length: 32 }, () => Float32Array.from({ length: 3 * size * size }, () => Math.random() * 2 - 1));
    await model.embedTensors(tensors.slice(0, 4));
    const modelAlone = async () => {
      const run = await measured(async () => {
        for (let i = 0; i < tensors.length; i += 16) await model.embedTensors(tensors.slice(i, i + 16));
      });
      return tensors.length / run.seconds;
    };
    // Decoding alone, as the indexer runs it: as many photos at once as libuv has threads.
    const decodeAlone = async () => {
      const sample = files.slice(0, Math.min(files.length, 64));
      let next = 0;
      const run = await measured(() => Promise.all(Array.from({ length: Number(process.env['UV_THREADPOOL_SIZE'] ?? 4) }, async () => {
        while (next < sample.length) await decodeOne(sample[next++] as string);
      })));
      return { cpuSecondsPerPhoto: run.cpuSeconds / sample.length, photosPerSecond: sample.length / run.seconds };
    };
    const model1 = await modelAlone();
    const decode1 = await decodeAlone();

    const { folders } = await library.addFolders([folder]);
    const endToEnd = await measured(() => library.index(model, { folders, batchSize: 16 }));
    const endToEndPerSecond = endToEnd.value.embedded / endToEnd.seconds;
    const naive = await measured(async () => {
      for (let i = 0; i < files.length; i += 16) {
        const batch: Float32Array[] = [];
        for (const file of files.slice(i, i + 16)) batch.push(await decodeOne(file));
        await model.embedTensors(batch);
      }
    });
    const naivePerSecond = files.length / naive.seconds;

    const model2 = await modelAlone();
    const decode2 = await decodeAlone();
    const modelOnly = (model1 + model2) / 2;
    const decodeCpu = (decode1.cpuSecondsPerPhoto + decode2.cpuSecondsPerPhoto) / 2;
    const bound = 1 / (1 / modelOnly + decodeCpu / cores);
    const rescanStart = performance.now();
    const rescan = await library.index(model);
    const rescanSeconds = (performance.now() - rescanStart) / 1000;
    const result = {
      model: model.id,
      provider,
      photos,
      cores,
      photoSizes: '12 MP and 6 MP JPEGs',
      modelOnlyImagesPerSecond: modelOnly,
      modelOnlyRuns: [model1, model2],
      decodeCpuSecondsPerPhoto: decodeCpu,
      decodeRuns: [decode1, decode2],
      sharedCoreBound: bound,
      endToEndImagesPerSecond: endToEndPerSecond,
      endToEndCpuSeconds: endToEnd.cpuSeconds,
      naiveSequentialImagesPerSecond: naivePerSecond,
      ofBound: endToEndPerSecond / bound,
      overNaive: endToEndPerSecond / naivePerSecond,
      rescanSeconds,
      rescanUnchanged: rescan.unchanged,
      rssMiB: rssMiB(),
    };
    log(
      `indexing ${model.id} on ${provider}: ${endToEndPerSecond.toFixed(1)} photos/s end to end = ${(result.ofBound * 100).toFixed(0)} % of the shared-core bound ${bound.toFixed(1)} ` +
        `(model alone ${modelOnly.toFixed(1)} img/s, decode ${(decodeCpu * 1000).toFixed(0)} CPU ms/photo, ${cores} cores); naive sequential ${naivePerSecond.toFixed(1)} photos/s (x${result.overNaive.toFixed(2)}); re-scan ${rescanSeconds.toFixed(2)} s`,
    );
    return result;
  } finally {
    await library.close();
    await model.dispose();
  }
}

/** A library of `count` tiny files on disk, registered with synthetic embeddings (no model runs). */
export async function syntheticLibrary(dataRoot: string, count: number, dim: number, modelId: string, log: Log, clusters?: number): Promise<{ library: Library; folder: string }> {
  const folder = path.join(dataRoot, 'photos');
  await rm(dataRoot, { recursive: true, force: true });
  const perFolder = 1000;
  for (let f = 0; f * perFolder < count; f++) await mkdir(path.join(folder, `${2000 + (f % 25)}`, `album-${f}`), { recursive: true });
  const library = Library.open(path.join(dataRoot, 'data'));
  const { folders: [folderRow] } = await library.addFolders([folder]);
  // Indexed photos have a grid thumbnail; here they share one (the files themselves are not images).
  const thumbnail = await library.thumbnails.write('synthetic', await sharp(await syntheticPhoto(0, 256, 192)).webp({ quality: 78 }).toBuffer());
  const vectors = clusteredVectors(count, dim, 7, clusters);
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
      ctimeMs: Math.floor(info.ctimeMs),
      image: { created: { contentHash: bytes.toString('hex'), format: 'jpeg', width: 4000, height: 3000, takenAt: Date.UTC(2000 + (i % 25), i % 12, 1), cameraMake: i % 3 ? 'Canon' : 'FUJIFILM', cameraModel: 'X', lens: null, latitude: i % 10 ? null : 38.7, longitude: i % 10 ? null : -9.1, orientation: 1, thumbnail } },
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
    for (let i = 0; i < 40; i++) {
      const query = `a photo of thing ${i} on the beach`;
      start = performance.now();
      await search.search(query, { limit: 50 });
      uncached.push(performance.now() - start);
      start = performance.now();
      await search.search(query, { limit: 50 });
      cached.push(performance.now() - start);
    }
    // Photos deleted from disk: each one's rows go, with everything that refers to them.
    const deleted = library.storage.photos.allPhotos().filter((_, i) => i % 100 === 0);
    await Promise.all(deleted.map((row) => rm(row.path)));
    start = performance.now();
    const afterDeletion = await library.index(model);
    const deletionRescanSeconds = (performance.now() - start) / 1000;
    log(`re-scan after ${deleted.length} of the files were deleted: ${deletionRescanSeconds.toFixed(2)} s (${afterDeletion.removed} removed)`);
    // A photo added to one album, re-scanned where the watcher saw it (Note [Re-scan where it changed]); then again, nothing changed.
    const [last] = library.storage.photos.allPhotos().slice(-1);
    const album = new Map([[library.folders()[0]!.id, [path.dirname(last!.path)]]]);
    await writeFile(path.join(path.dirname(last!.path), 'added.jpg'), await syntheticPhoto(1, 640, 480));
    // The image tower started, as in an app that has indexed before: its start is not the re-scan's.
    await model.loadImageTower();
    start = performance.now();
    const whereChanged = await library.index(model, { within: album });
    const watchedRescanSeconds = (performance.now() - start) / 1000;
    start = performance.now();
    const nothingChanged = await library.index(model, { within: album });
    const watchedUnchangedSeconds = (performance.now() - start) / 1000;
    log(
      `re-scan of the one folder where a photo was added: ${(watchedRescanSeconds * 1000).toFixed(0)} ms (${whereChanged.embedded} embedded, ${whereChanged.unchanged} unchanged); ` +
        `of the same folder unchanged: ${(watchedUnchangedSeconds * 1000).toFixed(0)} ms (${nothingChanged.unchanged} unchanged)`,
    );
    const result = {
      photos: count,
      rescanSeconds,
      deletionRescanSeconds,
      watchedRescanSeconds,
      watchedUnchangedSeconds,
      indexBuildSeconds: rebuildSeconds,
      searchMs: { typedQueryP50: percentile(uncached, 0.5), typedQueryP95: percentile(uncached, 0.95), cachedQueryP50: percentile(cached, 0.5), cachedQueryP95: percentile(cached, 0.95) },
      rssMiB: rssMiB(),
    };
    log(`${count} photos: index build ${rebuildSeconds.toFixed(1)} s; search p50/p95 ${result.searchMs.typedQueryP50.toFixed(1)}/${result.searchMs.typedQueryP95.toFixed(1)} ms typed, ${result.searchMs.cachedQueryP50.toFixed(1)}/${result.searchMs.cachedQueryP95.toFixed(1)} ms cached (filtered: \`npm run bench -- filters\`); RSS ${result.rssMiB} MiB`);
    return result;
  } finally {
    await library.close();
    await model.dispose();
  }
}

/**
 * Indexing on a GPU machine (issue 11): the image tower alone, decoding alone and the indexer end
 * to end, per batch size and in one run, on 12 MP JPEGs with thumbnails. The target: end to end
 * at least 300 photos/s and 0.8 × the slower of model alone and decoding alone.
 *
 * It runs built, in a process of its own (`probe.mjs gpu-indexing`, probe.ts), so that libuv's
 * pool has a thread per core as in the built CLI and the app's engine process (Note [Thread
 * pool]): `npm run bench -- gpu` builds and starts it; on a GPU machine without npm,
 * test/bench/gpu-device.sh starts it (README, the benchmarks' `gpu` section).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodePhoto } from '../../main/library/decode.js';
import { decodeSlots } from '../../main/core/decode-slots.js';
import { identifyFile } from '../../main/library/identity.js';
import type { IndexProgress } from '../../main/library/indexer.js';
import { Library } from '../../main/library/library.js';
import { isUserError } from '../../main/core/errors.js';
import { ClipModel } from '../../main/models/clip.js';
import type { ProviderPreference } from '../../main/models/session.js';
import { measured, syntheticPhoto, variant } from './library.js';
import { percentile } from './search.js';

type Log = (message: string) => void;

export interface GpuIndexingOptions {
  provider: ProviderPreference;
  photos: number;
  batchSizes: number[];
}

/** 12 MP camera-like JPEGs, each a distinct file (`variant`) of one of eight scenes. */
async function cameraPhotos(folder: string, count: number): Promise<string[]> {
  await mkdir(folder, { recursive: true });
  const scenes = await Promise.all(Array.from({ length: 8 }, (_, i) => syntheticPhoto(i, 4000, 3000)));
  const files = Array.from({ length: count }, (_, i) => path.join(folder, `IMG_${String(i).padStart(5, '0')}.jpg`));
  await Promise.all(files.map((file, i) => writeFile(file, variant(scenes[i % scenes.length] as Buffer, i))));
  return files;
}

/**
 * `measured`, with how busy the event loop was: at hundreds of photos a second, its share of each
 * photo (metadata, tensors, writes) could be what limits the indexer rather than the cores.
 */
async function busy<T>(work: () => Promise<T>) {
  const before = performance.eventLoopUtilization();
  const run = await measured(work);
  return { ...run, eventLoopBusy: performance.eventLoopUtilization(before).utilization };
}

const percent = (share: number) => `${Math.round(share * 100)} %`;

export async function gpuIndexing(modelDir: string, workDir: string, options: GpuIndexingOptions, log: Log) {
  await rm(workDir, { recursive: true, force: true });
  const cores = os.availableParallelism();
  const threadPool = Number(process.env['UV_THREADPOOL_SIZE'] ?? 4);
  const model = await ClipModel.load(modelDir, { provider: options.provider, log });
  try {
    const starting = performance.now();
    // Starts the image tower only (indexing needs no other): a machine with no GPU provider says
    // so here, before any photo is written.
    const provider = await model.loadImageTower().then(
      (started) => started,
      (error: unknown) => {
        if (isUserError(error)) return { measured: false, note: error.message };
        throw error;
      },
    );
    if (typeof provider !== 'string') return provider;
    const imageTowerStartSeconds = (performance.now() - starting) / 1000;
    log(`image tower on ${provider}, image tower started in ${imageTowerStartSeconds.toFixed(1)} s; writing ${options.photos} 12 MP JPEGs (${cores} cores, libuv pool ${threadPool}) ...`);
    const files = await cameraPhotos(path.join(workDir, 'photos'), options.photos);
    const size = model.spec.image.preprocessing.size;

    const modelAlone = async (batch: number) => {
      const tensors = Array.from({ length: batch }, () => Float32Array.from({ length: 3 * size * size }, () => Math.random() * 2 - 1));
      // The first run of a shape compiles the provider's kernels for it: not part of the rate.
      const firstRun = await measured(() => model.embedTensors(tensors));
      const calls = Math.max(4, Math.ceil(256 / batch));
      const run = await measured(async () => {
        for (let i = 0; i < calls; i++) await model.embedTensors(tensors);
      });
      return { batch, imagesPerSecond: (calls * batch) / run.seconds, firstRunSeconds: firstRun.seconds };
    };

    // As the indexer decodes: identify (hash) and decode with a thumbnail, by default one photo per thread of the pool.
    const decodeAlone = async (inFlight = decodeSlots(), photos = 400) => {
      const sample = files.slice(0, Math.min(files.length, photos));
      let next = 0;
      const run = await busy(() =>
        Promise.all(
          Array.from({ length: inFlight }, async () => {
            while (next < sample.length) {
              const file = sample[next++] as string;
              await identifyFile(file);
              await decodePhoto(file, model.spec.image.preprocessing, { withThumbnail: true });
            }
          }),
        ),
      );
      return { photosPerSecond: sample.length / run.seconds, cpuSecondsPerPhoto: run.cpuSeconds / sample.length, eventLoopBusy: run.eventLoopBusy };
    };

    /**
     * The indexer on a new library of the photos. With `searching`, a text query every 100 ms
     * meanwhile: with the provider forced, the text tower runs on the GPU too, beside the image
     * tower (Note [One WebGPU run at a time] in main/models/session.ts).
     */
    const endToEnd = async (batch: number, searching = false) => {
      const library = Library.open(path.join(workDir, `data-${batch}${searching ? '-searching' : ''}`));
      const phases: Partial<Record<IndexProgress['phase'], number>> = {};
      const queries: number[] = [];
      let indexing = true;
      const searches = async () => {
        for (let i = 0; indexing; i++) {
          const started = performance.now();
          await model.embedText(`a photo of thing ${i} at the beach`);
          queries.push(performance.now() - started);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      try {
        const { folders } = await library.addFolders([path.join(workDir, 'photos')]);
        const started = performance.now();
        const onProgress = (progress: IndexProgress) => void (phases[progress.phase] ??= performance.now() - started);
        const searcher = searching ? searches() : Promise.resolve();
        const run = await busy(() => library.index(model, { folders, batchSize: batch, onProgress }).finally(() => (indexing = false)));
        await searcher;
        const summary = run.value;
        const steadySeconds = ((phases.finishing ?? 0) - (phases.indexing ?? 0)) / 1000;
        return {
          batch,
          photosPerSecond: summary.embedded / run.seconds,
          // Between the scan's end and the finishing phase (saving the vector index): the rate a long run keeps.
          photosPerSecondWhileIndexing: summary.embedded / steadySeconds,
          scanSeconds: (phases.indexing ?? 0) / 1000,
          finishSeconds: run.seconds - (phases.finishing ?? 0) / 1000,
          embedded: summary.embedded,
          failed: summary.failed.length,
          cpuSecondsPerPhoto: run.cpuSeconds / files.length,
          eventLoopBusy: run.eventLoopBusy,
          ...(searching ? { queries: queries.length, queryMsP50: percentile(queries, 0.5), queryMsP95: percentile(queries, 0.95), queryMsMax: Math.max(...queries) } : {}),
        };
      } finally {
        await library.close();
      }
    };

    // How decoding scales with the cores it uses: whether a photo costs more CPU when more decode at once.
    const scaling = [];
    for (const inFlight of [1, 2, 4, 8, cores].filter((n, i, all) => n <= cores && all.indexOf(n) === i)) {
      const run = await decodeAlone(inFlight, 40 * inFlight);
      log(`decoding alone, ${inFlight} at once: ${run.photosPerSecond.toFixed(0)} photos/s, ${(run.cpuSecondsPerPhoto * 1000).toFixed(0)} CPU ms a photo`);
      scaling.push({ inFlight, ...run });
    }
    const decodeBefore = await decodeAlone();
    log(`decoding alone: ${decodeBefore.photosPerSecond.toFixed(0)} photos/s, ${(decodeBefore.cpuSecondsPerPhoto * 1000).toFixed(0)} CPU ms a photo, event loop ${percent(decodeBefore.eventLoopBusy)} busy`);
    const rows = [];
    for (const batch of options.batchSizes) {
      const alone = await modelAlone(batch);
      log(`model alone, batch ${batch}: ${alone.imagesPerSecond.toFixed(0)} img/s (first run ${alone.firstRunSeconds.toFixed(2)} s)`);
      const whole = await endToEnd(batch);
      log(`end to end, batch ${batch}: ${whole.photosPerSecond.toFixed(0)} photos/s, ${whole.photosPerSecondWhileIndexing.toFixed(0)} between scan and finish (${whole.embedded} embedded, ${whole.failed} failed), event loop ${percent(whole.eventLoopBusy)} busy`);
      rows.push({ batch, modelImagesPerSecond: alone.imagesPerSecond, modelFirstRunSeconds: alone.firstRunSeconds, endToEnd: whole });
    }
    // Last: a crash here (two WebGPU runs at once) leaves the rows above in the log.
    const middle = options.batchSizes[Math.floor(options.batchSizes.length / 2)] as number;
    await model.embedText('a first query starts the text tower');
    const textTower = (await model.providers()).text;
    const searching = await endToEnd(middle, true);
    log(`end to end, batch ${middle}, searching on ${textTower} meanwhile: ${searching.photosPerSecond.toFixed(0)} photos/s; ${searching.queries} queries, p50 ${searching.queryMsP50?.toFixed(0)} ms, p95 ${searching.queryMsP95?.toFixed(0)} ms`);
    const decodeAfter = await decodeAlone();
    const decodePerSecond = (decodeBefore.photosPerSecond + decodeAfter.photosPerSecond) / 2;
    const result = {
      model: model.id,
      provider,
      cores,
      threadPool,
      photos: files.length,
      photoSize: '12 MP JPEGs (4000 x 3000), 256 px WebP thumbnails',
      imageTowerStartSeconds,
      decode: { before: decodeBefore, after: decodeAfter, photosPerSecond: decodePerSecond, scaling },
      searchingWhileIndexing: { textTower, ...searching },
      rows: rows.map((row) => ({ ...row, ofSlowerAlone: row.endToEnd.photosPerSecond / Math.min(row.modelImagesPerSecond, decodePerSecond) })),
    };
    for (const row of result.rows) {
      log(`batch ${row.batch}: end to end ${row.endToEnd.photosPerSecond.toFixed(0)} photos/s = ${row.ofSlowerAlone.toFixed(2)} x min(model ${row.modelImagesPerSecond.toFixed(0)}, decode ${decodePerSecond.toFixed(0)})`);
    }
    return result;
  } finally {
    await model.dispose();
  }
}

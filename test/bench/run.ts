/**
 * `npm run bench [-- SECTION...]`: the project's benchmarks, measured on this machine and printed
 * (and saved as JSON under .cache/bench/). Never run by `npm test`; targets are checked by reading
 * these figures, not by timed tests.
 *
 * Performance targets (issue 11), one section each: `filters` (filtered against unfiltered search
 * at 100k photos, a filter again after each batch indexing writes, and the filtered library
 * timeline), `pages` (every page of a broad search, as Ctrl/Cmd+A loads them), `hnsw` (recall@10 and latency at 1M vectors against exact search), `changes` (the
 * first change after a saved index opens, and its save, at 100k and 1M: the engine's thread
 * held), `memory`
 * (1M photos with the text model loaded, searching), `build` (the vector index from SQLite at
 * 1M), `coldstart` (a new process to its first result at 100k, against the model's own load),
 * `index` (indexing on the CPU against the shared-core bound) and `gpu`. Synthetic libraries are
 * written once under .cache/bench and reused (1M photos take a while to write and to index).
 *
 * Models: ViT-B/32-shaped random-weight models in both layouts, written by
 * ../shared/tools/make-bench-clip.py (needs python3-torch and python3-onnx) on first use, or the
 * folders named by LUMEN_BENCH_MODELS (comma-separated).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { benchmarkEmbedding } from '../../main/models/benchmark.js';
import { ClipModel } from '../../main/models/clip.js';
import type { ProviderPreference } from '../../main/models/session.js';
import { benchmarkRescoring } from './rescore.js';
import { HF_MODEL, IMMICH_MODEL } from '../helpers/fixtures.js';
import { appFigures, previewFigures } from './app.js';
import { groupingQuality, groupingTime } from './duplicates.js';
import { changesAfterOpening } from './index-changes.js';
import { indexingThroughput, libraryScale } from './library.js';
import { ocrFigures } from './ocr.js';
import { everyPage } from './pages.js';
import { refinementFigures } from './refine.js';
import { afterWrites, filteredSearch, filteredTimelines, indexBuild, vectorSearch } from './search.js';
import { syntheticDatabase } from './synthetic.js';
import { buildProbe, coldStart, memory } from './startup.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = process.env['LUMEN_BENCH_OUT'] ?? path.join(ROOT, '.cache', 'bench');
const log = (message: string) => process.stderr.write(`${message}\n`);

function benchModels(): string[] {
  if (process.env['LUMEN_BENCH_MODELS']) return process.env['LUMEN_BENCH_MODELS'].split(',');
  const tool = path.join(ROOT, '..', 'shared', 'tools', 'make-bench-clip.py');
  const tokenizer = path.join(ROOT, '..', 'shared', 'clip-tokenizer');
  return (['immich', 'hf'] as const).map((layout) => {
    const dir = path.join(OUT, `vit-b-32-${layout}`);
    if (!existsSync(dir)) {
      log(`writing ${dir} with make-bench-clip.py ...`);
      execFileSync('/usr/bin/python3', [tool, dir, '--layout', layout, '--tokenizer', tokenizer], { stdio: ['ignore', 'ignore', 'inherit'] });
    }
    return dir;
  });
}

async function embedSection(): Promise<unknown> {
  const providers = (process.env['LUMEN_BENCH_PROVIDERS'] ?? 'cpu,auto').split(',') as ProviderPreference[];
  const reports = [];
  for (const modelDir of benchModels()) {
    log(`\n== embedding throughput: ${modelDir}`);
    reports.push(
      await benchmarkEmbedding({
        modelDir,
        providers,
        batchSizes: [1, 8, 32],
        images: Number(process.env['LUMEN_BENCH_IMAGES'] ?? 64),
        queries: 20,
        photoSide: 3000,
        log,
      }),
    );
  }
  return reports;
}

async function indexSection(): Promise<unknown> {
  const photos = Number(process.env['LUMEN_BENCH_PHOTOS'] ?? 200);
  log('\n== indexing throughput (end to end vs model only)');
  const results = [];
  for (const [i, modelDir] of benchModels().entries()) results.push(await indexingThroughput(modelDir, path.join(OUT, `index-${i}`), photos, log));
  return results;
}

async function scaleSection(): Promise<unknown> {
  const [modelDir] = benchModels();
  const sizes = (process.env['LUMEN_BENCH_LIBRARY_SIZES'] ?? '10000,100000').split(',').map(Number);
  const results = [];
  for (const size of sizes) {
    log(`\n== library of ${size} photos`);
    const dataRoot = path.join(OUT, `library-${size}`);
    results.push(await libraryScale(modelDir as string, dataRoot, size, log));
    await rm(dataRoot, { recursive: true, force: true });
  }
  return results;
}

/** The synthetic libraries' model id: the immich-layout bench model (embeddings are synthetic). */
const MODEL_ID = 'vit-b-32-immich';
const MILLION = Number(process.env['LUMEN_BENCH_HNSW_SIZE'] ?? 1_000_000);

async function filtersSection(): Promise<unknown> {
  const [modelDir] = benchModels();
  const count = Number(process.env['LUMEN_BENCH_FILTER_PHOTOS'] ?? 100_000);
  log(`\n== filtered against unfiltered search, ${count} photos`);
  const model = await ClipModel.load(modelDir as string, { provider: 'cpu' });
  try {
    const searches = await filteredSearch(model, OUT, count, Number(process.env['LUMEN_BENCH_ROUNDS'] ?? 30), log);
    return { ...searches, afterWrites: await afterWrites(OUT, count, 20, log), timelines: filteredTimelines(OUT, count, log) };
  } finally {
    await model.dispose();
  }
}

async function pagesSection(): Promise<unknown> {
  const count = Number(process.env['LUMEN_BENCH_PAGES_PHOTOS'] ?? 100_000);
  log(`\n== every page of a broad search (Ctrl/Cmd+A), ${count} photos, the fixture model's embedding size`);
  const model = await ClipModel.load(IMMICH_MODEL, { provider: 'cpu' });
  try {
    return await everyPage(model, OUT, count, 60_000, log);
  } finally {
    await model.dispose();
  }
}

async function hnswSection(): Promise<unknown> {
  log(`\n== vector index at ${MILLION} vectors: recall@10 and latency of each choice against exact search`);
  return vectorSearch(OUT, MODEL_ID, MILLION, 512, log);
}

async function changesSection(): Promise<unknown> {
  const results = [];
  for (const count of [100_000, MILLION]) {
    log(`\n== the first change after the saved index opens, and its save, at ${count} photos`);
    results.push(await changesAfterOpening(OUT, MODEL_ID, 512, count, log));
  }
  return results;
}

async function buildSection(): Promise<unknown> {
  log(`\n== building the vector index from SQLite at ${MILLION} photos (${os.availableParallelism()} cores)`);
  const dataDir = path.join(OUT, `synthetic-${MILLION}`);
  await syntheticDatabase(dataDir, MILLION, 512, MODEL_ID, log);
  return indexBuild(dataDir, MODEL_ID, 512, log);
}

async function memorySection(): Promise<unknown> {
  const [modelDir] = benchModels();
  log(`\n== memory with ${MILLION} photos and the text model loaded, searching`);
  return memory(ROOT, OUT, modelDir as string, MODEL_ID, 512, MILLION, log);
}

async function coldStartSection(): Promise<unknown> {
  const [modelDir] = benchModels();
  const count = Number(process.env['LUMEN_BENCH_COLD_PHOTOS'] ?? 100_000);
  log(`\n== cold start to the first result, ${count} photos, against the model's own load`);
  return coldStart(ROOT, OUT, modelDir as string, MODEL_ID, 512, count, Number(process.env['LUMEN_BENCH_ROUNDS'] ?? 5), log);
}

/**
 * Indexing on a GPU machine (gpu.ts), run built in a process of its own with a libuv thread per
 * core; the last bench model (the dynamic-batch Hugging Face layout unless LUMEN_BENCH_MODELS
 * says otherwise). Without a GPU provider it says so.
 */
async function gpuSection(): Promise<unknown> {
  const modelDir = benchModels().at(-1) as string;
  log(`\n== indexing on a GPU machine: ${path.basename(modelDir)}, model alone, decoding alone and end to end per batch size`);
  buildProbe(ROOT);
  const run = spawnSync(process.execPath, [path.join(ROOT, 'out', 'bench', 'probe.mjs'), 'gpu-indexing', modelDir, path.join(OUT, 'gpu')], {
    cwd: ROOT,
    env: { ...process.env, UV_THREADPOOL_SIZE: String(os.availableParallelism()) },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await rm(path.join(OUT, 'gpu'), { recursive: true, force: true });
  if (run.status !== 0) return { measured: false, note: `the run stopped (${run.signal ?? `exit ${run.status}`}): see the messages above` };
  return JSON.parse(run.stdout) as unknown;
}

async function tagsSection(): Promise<unknown> {
  log('\n== tag re-scoring after one tag edit (100k photos x 512-d, 100 tags)');
  const report = await benchmarkRescoring({ photos: 100_000, dim: 512, tags: 100 });
  log(JSON.stringify(report));
  return report;
}

/** Peak memory of four 16000 x 16000 RGBA PNGs decoded at once (Note [Decode memory]). */
async function decodeSection(): Promise<unknown> {
  const side = Number(process.env['LUMEN_BENCH_DECODE_SIDE'] ?? 16_000);
  const file = path.join(OUT, `alpha-${side}.png`);
  if (!existsSync(file)) {
    log(`writing ${file} ...`);
    await sharp({ create: { width: side, height: side, channels: 4, background: { r: 200, g: 30, b: 90, alpha: 0.5 } } }).png().toFile(file);
  }
  log(`\n== peak memory of four ${side} x ${side} RGBA PNGs decoded at once`);
  const output = execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'helpers', 'decode-peak.ts'), file, file, file, file], { cwd: ROOT, encoding: 'utf8' });
  const result = JSON.parse(output) as { growth: number; seconds: number; budgetPeak: number | null };
  const report = { side, peakRssGrowthMiB: Math.round(result.growth / 2 ** 20), budgetPeakMiB: result.budgetPeak === null ? null : Math.round(result.budgetPeak / 2 ** 20), seconds: result.seconds };
  log(JSON.stringify(report));
  return report;
}

/**
 * The CLIP gate is measured with the fixture model, and with the models in LUMEN_BENCH_MODELS
 * when set (a model that knows documents from scenes is what its figures need).
 */
async function ocrSection(): Promise<unknown> {
  log('\n== OCR: character error rate, Recall@1, gates, photos per second on the CPU');
  const models = [IMMICH_MODEL, ...(process.env['LUMEN_BENCH_MODELS']?.split(',') ?? [])];
  return ocrFigures(path.join(OUT, 'ocr'), models, log);
}

async function duplicatesSection(): Promise<unknown> {
  log('\n== near-duplicate grouping: precision and recall on generated variants and distractors');
  // The random-weight ViT-B/32 has no semantics: it shows how the calibration copes with another scale.
  return groupingQuality([IMMICH_MODEL, HF_MODEL, benchModels()[0] as string], path.join(OUT, 'duplicates'), log);
}

async function duplicatesTimeSection(): Promise<unknown> {
  const count = Number(process.env['LUMEN_BENCH_DUPLICATE_PHOTOS'] ?? 100_000);
  log(`\n== near-duplicate grouping time: ${count} photos`);
  const result = await groupingTime(benchModels()[0] as string, path.join(OUT, 'duplicates-time'), count, log);
  await rm(path.join(OUT, 'duplicates-time'), { recursive: true, force: true });
  return result;
}

async function refineSection(): Promise<unknown> {
  const results = [];
  for (const model of [IMMICH_MODEL, HF_MODEL]) {
    log(`\n== refined tags on ${path.basename(model)}: zero-shot against refined at 5, 10 and 20 verdicts per kind`);
    results.push({ model: path.basename(model), tags: await refinementFigures(model, log) });
  }
  return results;
}

async function appSection(): Promise<unknown> {
  const count = Number(process.env['LUMEN_BENCH_APP_PHOTOS'] ?? 100_000);
  log(`\n== the app in preview mode: launch to first results, and searching while indexing (${count} photos)`);
  return appFigures(benchModels()[1] as string, path.join(OUT, 'app'), count, log);
}

async function previewSection(): Promise<unknown> {
  const count = Number(process.env['LUMEN_BENCH_PREVIEW_PHOTOS'] ?? 100_000);
  const results = [];
  // Both layouts: a static text tower (Immich: every text padded to 77 tokens, one at a time) and a dynamic one.
  for (const modelDir of benchModels()) {
    log(`\n== the template editor's live preview: ${count} photos, 100 tags, on the CPU, ${path.basename(modelDir)}`);
    results.push(await previewFigures(modelDir, path.join(OUT, 'preview', path.basename(modelDir)), count, 100, log));
  }
  return results;
}

const SECTIONS: Record<string, () => Promise<unknown>> = {
  app: appSection,
  preview: previewSection,
  decode: decodeSection,
  embed: embedSection,
  index: indexSection,
  scale: scaleSection,
  filters: filtersSection,
  pages: pagesSection,
  hnsw: hnswSection,
  changes: changesSection,
  build: buildSection,
  memory: memorySection,
  coldstart: coldStartSection,
  gpu: gpuSection,
  tags: tagsSection,
  ocr: ocrSection,
  duplicates: duplicatesSection,
  'duplicates-time': duplicatesTimeSection,
  refine: refineSection,
};

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(SECTIONS);
await mkdir(OUT, { recursive: true });
const results: Record<string, unknown> = { machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30) } };
for (const name of wanted) {
  const section = SECTIONS[name];
  if (!section) throw new Error(`Unknown benchmark section "${name}". Sections: ${Object.keys(SECTIONS).join(', ')}.`);
  results[name] = await section();
}
const file = path.join(OUT, `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
await writeFile(file, JSON.stringify(results, null, 2));
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
log(`saved ${file}`);

/**
 * Measurements that need a process of their own, run by startup.ts built (out/bench/probe.mjs,
 * probe.vite.config.ts), as the CLI and the engine process run:
 *
 *   probe.ts model-load MODEL_DIR DATA_DIR [app]
 *                                            time to load the model (as the engine does for the
 *                                            library in DATA_DIR; with `app`, as the app's engine
 *                                            does, its tokenizer on a thread of its own) and embed
 *                                            a first query, counted from just before the model is
 *                                            loaded
 *   probe.ts memory DATA_DIR MODEL_DIR       resident memory with the text model loaded while
 *                                            searching a library (unfiltered, then filtered)
 *   probe.ts gpu-indexing MODEL_DIR WORK_DIR indexing on a GPU machine (gpu.ts), in WORK_DIR;
 *                                            LUMEN_BENCH_PROVIDER (default gpu),
 *                                            LUMEN_BENCH_PHOTOS (default 1000) and
 *                                            LUMEN_BENCH_BATCHES (default 16,32,64)
 *
 * Prints one line of JSON on stdout.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Library } from '../../main/library/library.js';
import { graphsDir } from '../../main/core/paths.js';
import { ClipModel } from '../../main/models/clip.js';
import { TextGraphs } from '../../main/models/text-graphs.js';
import { PhotoSearch } from '../../main/search/search.js';
import { parseProvider } from '../../main/engine/model-host.js';
import { gpuIndexing, type GpuIndexingOptions } from './gpu.js';
import { FILTERS } from './search.js';

function memory(): { rssMiB: number; peakMiB: number; anonMiB: number; fileMiB: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kib = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
  return { rssMiB: Math.round(kib('VmRSS') / 1024), peakMiB: Math.round(kib('VmHWM') / 1024), anonMiB: Math.round(kib('RssAnon') / 1024), fileMiB: Math.round(kib('RssFile') / 1024) };
}

/**
 * The model as the engine loads it for a library in `dataDir`: its text tower on the query graph
 * settled there before (Note [Short graphs kept]); a probe never writes one.
 */
const engineModel = (modelDir: string, dataDir: string, app = false) =>
  ClipModel.load(modelDir, { provider: 'cpu', textGraphs: new TextGraphs(graphsDir(dataDir), () => {}, () => false), tokenizerThread: app });

async function modelLoad(modelDir: string, dataDir: string, app: boolean) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const model = await engineModel(modelDir, dataDir, app);
  await model.embedText('a first query');
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

async function searching(dataDir: string, modelDir: string) {
  const model = await engineModel(modelDir, dataDir);
  const library = Library.open(dataDir);
  const search = new PhotoSearch(library, model);
  const phases: Record<string, ReturnType<typeof memory>> = { start: memory() };
  for (let i = 0; i < 100; i++) await search.search(`a photo of thing ${i} at the beach`, { limit: 50 });
  phases['after 100 unfiltered searches'] = memory();
  for (const [i, filters] of Object.values(FILTERS).entries()) await search.search(`a photo of thing ${i} in a field`, { limit: 50, filters });
  phases['after filtered searches'] = memory();
  await library.close();
  await model.dispose();
  return phases;
}

const gpuOptions = (): GpuIndexingOptions => ({
  provider: parseProvider(process.env['LUMEN_BENCH_PROVIDER'] ?? 'gpu'),
  photos: Number(process.env['LUMEN_BENCH_PHOTOS'] ?? 1000),
  batchSizes: (process.env['LUMEN_BENCH_BATCHES'] ?? '16,32,64').split(',').map(Number),
});
const log = (message: string) => process.stderr.write(`${message}\n`);

const [what, ...args] = process.argv.slice(2);
const result =
  what === 'model-load'
    ? await modelLoad(args[0] as string, args[1] as string, args[2] === 'app')
    : what === 'gpu-indexing'
      ? await gpuIndexing(args[0] as string, args[1] as string, gpuOptions(), log)
      : await searching(args[0] as string, args[1] as string);
process.stdout.write(`${JSON.stringify(result)}\n`);

/**
 * Start-up and memory benchmarks, each in fresh processes:
 *
 * - cold start: a new CLI process (the built one, out/cli/lumen.cjs) to its printed first page,
 *   and the app's engine process (out/main/engine-process.js, forked as the app forks it, in the
 *   environment it gets: huge pages or not, as its earlier launches chose, Note [Huge pages where
 *   they pay] in huge-pages.ts, after the launches that try both) from its start to its
 *   first search answered, each against the model's own load (probe.ts, built; for the engine, its
 *   tokenizer on a thread as the app's engine runs it) measured in the same rounds and in the
 *   same environment as the process it is compared with; wall time, and CPU
 *   time, which the load of a shared machine does not inflate;
 * - memory: a process with 1M photos and the text model loaded, searching (probe.ts).
 * Both on a library whose first session has passed (`settledLibrary`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { TRIAL_LAUNCHES, engineEnv, readTowerStarts, useHugePages } from '../../main/app/huge-pages.js';
import { forkEngine } from '../../main/app/preview-engine.js';
import { engineCallSchemas } from '../../main/engine/calls.js';
import { graphsDir } from '../../main/core/paths.js';
import { Library } from '../../main/library/library.js';
import { ClipModel } from '../../main/models/clip.js';
import { TextGraphs } from '../../main/models/text-graphs.js';
import { syntheticDatabase } from './synthetic.js';

type Log = (message: string) => void;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** Builds the probe (probe.vite.config.ts), so that what it times runs built. */
export function buildProbe(root: string): void {
  execFileSync('npx', ['vite', 'build', '--config', path.join('test', 'bench', 'probe.vite.config.ts')], { cwd: root, stdio: 'ignore' });
}

function probe(root: string, args: string[], env: NodeJS.ProcessEnv = process.env): unknown {
  const output = execFileSync(process.execPath, [path.join(root, 'out', 'bench', 'probe.mjs'), ...args], { cwd: root, env, encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(output.trim().split('\n').at(-1) as string) as unknown;
}

/** Wall and CPU seconds of a command, and its peak memory (GNU time). */
function timed(command: string, args: string[], cwd: string): { ms: number; cpuMs: number; peakMiB: number; stdout: string } {
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', 'lumen-time %U %S %M', command, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 24 });
  const ms = performance.now() - started;
  const match = /lumen-time ([\d.]+) ([\d.]+) (\d+)/.exec(result.stderr ?? '');
  if (result.status !== 0 || !match) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return { ms, cpuMs: (Number(match[1]) + Number(match[2])) * 1000, peakMiB: Math.round(Number(match[3]) / 1024), stdout: result.stdout };
}

/**
 * Time from forking the app's engine process (the built one, through preview mode's `forkEngine`,
 * in the app's environment) to its answer to a first search. The process is then shut down as the
 * app shuts it down, so that the next process opens a library closed cleanly, as after a normal
 * quit (Note [Clean close] in database.ts).
 */
async function engineFirstSearch(root: string, dataDir: string, modelDir: string, query: string): Promise<number> {
  const started = performance.now();
  const engine = forkEngine({ dataDir, model: modelDir }, () => {}, () => {}, path.join(root, 'out', 'main', 'engine-process.js'));
  try {
    await engine.call('search.query', engineCallSchemas['search.query'].parse({ query, options: { limit: 50 } }));
    return performance.now() - started;
  } finally {
    await engine.shutdown();
  }
}

/**
 * A synthetic library as a person's is after its first session: its vector index built and saved,
 * the text tower's query graph written and checked (Note [Short graphs kept] in text-graphs.ts).
 */
async function settledLibrary(dataRoot: string, modelDir: string, modelId: string, dim: number, count: number, log: Log): Promise<string> {
  const dataDir = path.join(dataRoot, `synthetic-${count}`);
  await syntheticDatabase(dataDir, count, dim, modelId, log);
  const library = Library.open(dataDir);
  await (await library.vectorIndex(modelId, dim)).ready();
  await library.close();
  const model = await ClipModel.load(modelDir, { provider: 'cpu', textGraphs: new TextGraphs(graphsDir(dataDir), log) });
  await model.startedTextSessionPlan();
  await model.dispose();
  return dataDir;
}

/**
 * The app's first launches of a library, which try huge pages both ways until the engine has
 * chosen (Note [Huge pages where they pay]), as a person's first launches do; the choice is logged.
 */
export async function tryHugePages(dataDir: string, launch: (launch: number) => Promise<void>, log: Log): Promise<void> {
  rmSync(path.join(dataDir, 'tower-starts.json'), { force: true });
  let trial = readTowerStarts(dataDir);
  for (let launches = 0; Math.min(trial.withHugePages.length, trial.without.length) < TRIAL_LAUNCHES; launches++) {
    if (launches === 4 * TRIAL_LAUNCHES) throw new Error(`The engine process did not time its text tower in ${launches} launches.`);
    await launch(launches);
    trial = readTowerStarts(dataDir);
  }
  log(`the engine's text tower started in ${trial.withHugePages.join(', ')} ms with huge pages, ${trial.without.join(', ')} ms without: huge pages ${useHugePages(dataDir) ? 'chosen' : 'left out'}`);
}

export async function coldStart(root: string, dataRoot: string, modelDir: string, modelId: string, dim: number, count: number, rounds: number, log: Log) {
  // A cold start opens the index and the query graph; it does not build them.
  const dataDir = await settledLibrary(dataRoot, modelDir, modelId, dim, count, log);
  log('building the CLI, the app and the probe (npm run build:cli, electron-vite build, probe.vite.config.ts) ...');
  execFileSync('npx', ['vite', 'build', '--config', 'cli.vite.config.ts'], { cwd: root, stdio: 'ignore' });
  execFileSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'ignore' });
  buildProbe(root);
  await tryHugePages(dataDir, (launch) => engineFirstSearch(root, dataDir, modelDir, `a first launch ${launch}`).then(() => {}), log);
  const model: Array<{ ms: number; cpuMs: number }> = [];
  const engineModel: Array<{ ms: number; cpuMs: number }> = [];
  const cli: Array<{ ms: number; cpuMs: number; peakMiB: number }> = [];
  const engine: number[] = [];
  for (let round = 0; round < rounds; round++) {
    model.push(probe(root, ['model-load', modelDir, dataDir]) as { ms: number; cpuMs: number });
    const run = timed(process.execPath, [path.join(root, 'out', 'cli', 'lumen.cjs'), 'search', '--data', dataDir, '--model', modelDir, '--provider', 'cpu', '--json', `a dog on the beach ${round}`], root);
    if (!(JSON.parse(run.stdout) as { results: unknown[] }).results.length) throw new Error('the cold search found nothing');
    cli.push(run);
    const hugePages = useHugePages(dataDir);
    engineModel.push(probe(root, ['model-load', modelDir, dataDir, 'app'], engineEnv(hugePages)) as { ms: number; cpuMs: number });
    engine.push(await engineFirstSearch(root, dataDir, modelDir, `a cat in the snow ${round}`));
    log(
      `round ${round + 1}: model load ${model.at(-1)!.ms.toFixed(0)} ms (${model.at(-1)!.cpuMs.toFixed(0)} CPU ms); CLI ${run.ms.toFixed(0)} ms (${run.cpuMs.toFixed(0)} CPU ms); ` +
        `model load in the engine's environment (huge pages ${hugePages ? 'on' : 'off'}) ${engineModel.at(-1)!.ms.toFixed(0)} ms; engine ${engine.at(-1)!.toFixed(0)} ms`,
    );
  }
  const result = {
    photos: count,
    rounds,
    modelLoadMs: median(model.map((m) => m.ms)),
    modelLoadCpuMs: median(model.map((m) => m.cpuMs)),
    cliMs: median(cli.map((c) => c.ms)),
    cliCpuMs: median(cli.map((c) => c.cpuMs)),
    cliPeakMiB: median(cli.map((c) => c.peakMiB)),
    engineModelLoadMs: median(engineModel.map((m) => m.ms)),
    engineMs: median(engine),
  };
  // Each round's process and its reference run back to back: the median of their differences
  // is told apart from a machine whose speed drifts between rounds, as the difference of medians is not.
  const paired = (measured: number[], reference: number[]) => median(measured.map((ms, round) => ms - (reference[round] as number)));
  const beyond = {
    cliMs: result.cliMs - result.modelLoadMs,
    cliCpuMs: result.cliCpuMs - result.modelLoadCpuMs,
    engineMs: result.engineMs - result.engineModelLoadMs,
    cliPairedMs: paired(cli.map((c) => c.ms), model.map((m) => m.ms)),
    enginePairedMs: paired(engine, engineModel.map((m) => m.ms)),
  };
  log(
    `cold start at ${count} photos (medians): model load ${result.modelLoadMs.toFixed(0)} ms; CLI +${beyond.cliMs.toFixed(0)} ms beyond it (CPU +${beyond.cliCpuMs.toFixed(0)} ms); ` +
      `model load in the engine's environment ${result.engineModelLoadMs.toFixed(0)} ms; engine +${beyond.engineMs.toFixed(0)} ms beyond it (target <= 300); ` +
      `round by round (median of the differences): CLI +${beyond.cliPairedMs.toFixed(0)} ms, engine +${beyond.enginePairedMs.toFixed(0)} ms`,
  );
  return { ...result, beyondModelLoad: beyond };
}

export async function memory(root: string, dataRoot: string, modelDir: string, modelId: string, dim: number, count: number, log: Log) {
  const dataDir = await settledLibrary(dataRoot, modelDir, modelId, dim, count, log);
  buildProbe(root);
  const phases = probe(root, ['memory', dataDir, modelDir]) as Record<string, { rssMiB: number; peakMiB: number; anonMiB: number; fileMiB: number }>;
  for (const [phase, figures] of Object.entries(phases)) log(`${phase.padEnd(32)} RSS ${figures.rssMiB} MiB (anonymous ${figures.anonMiB}, files ${figures.fileMiB}), peak ${figures.peakMiB} MiB`);
  const peakMiB = Math.max(...Object.values(phases).map((figures) => figures.peakMiB));
  log(`peak RSS with ${count} photos and the text model, searching: ${peakMiB} MiB (target <= 1.5 GB = 1430 MiB)`);
  return { photos: count, phases, peakMiB };
}

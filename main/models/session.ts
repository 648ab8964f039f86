/**
 * ONNX Runtime sessions on the best execution provider the machine has, with a clean fall back
 * to the CPU.
 *
 * Note [Providers]: onnxruntime-node bundles WebGPU on every desktop OS, DirectML on Windows and
 * CoreML on macOS; CUDA works where its libraries were installed next to the addon. `auto` tries
 * the platform's GPU providers in order and ends with the CPU; a provider that fails to start
 * (no adapter, missing libraries) or fails on the first run is dropped for the CPU, and the
 * provider actually in use is what `provider` reports. Forcing a provider turns that fall back
 * off, so a person can tell "my GPU does not work" from "the app chose the CPU".
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { UserError, messageOf } from '../core/errors.js';
import { PROVIDER_ADVICE } from '../core/cli-advice.js';
import { startThreadedSession, type Feeds, type SessionRunner } from './threaded-session.js';

/**
 * Note [Runtime telemetry off]: when ONNX Runtime creates its environment it gathers platform
 * telemetry, on Linux and macOS by matching regular expressions against the process's command
 * line. GCC's std::regex recurses once per character, so a command line over about 16 KB (a
 * shell glob of many folders, a long query) overflowed the stack: a segfault, with no message.
 * Nothing the app wants is in that telemetry, so it is switched off, in the process's own
 * environment before any session starts (a worker thread's `process.env` is a copy the runtime
 * never reads).
 */
process.env['ORT_DISABLE_TELEMETRY'] = '1';

export const PROVIDERS = ['auto', 'gpu', 'cpu', 'webgpu', 'dml', 'coreml', 'cuda'] as const;
export type ProviderPreference = (typeof PROVIDERS)[number];
export type ExecutionProvider = Exclude<ProviderPreference, 'auto' | 'gpu'>;

export type Logger = (message: string) => void;

export interface TensorInfo {
  name: string;
  type: string;
  /** Dimension sizes; a string or -1 marks a dynamic dimension. */
  shape: ReadonlyArray<number | string>;
}

export function isFixed(dim: number | string | undefined): dim is number {
  return typeof dim === 'number' && dim > 0;
}

function gpuProvidersFor(platform: NodeJS.Platform): ExecutionProvider[] {
  if (platform === 'win32') return ['dml', 'webgpu'];
  if (platform === 'darwin') return ['coreml', 'webgpu'];
  return ['cuda', 'webgpu'];
}

/**
 * Providers this install of onnxruntime-node can start: bundled ones, plus those shipped as a
 * separate library (CUDA) when that library was installed next to the addon.
 */
export function installedProviders(): Set<string> {
  const addonDir = path.join(path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
  const libraryName = (name: string) => (process.platform === 'win32' ? `onnxruntime_providers_${name}.dll` : `libonnxruntime_providers_${name}.so`);
  return new Set(
    ort
      .listSupportedBackends()
      .filter((backend) => backend.bundled || existsSync(path.join(addonDir, libraryName(backend.name))))
      .map((backend) => backend.name),
  );
}

const VULKAN_LOADER = 'libvulkan.so.1';
const LIBRARY_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/lib64', '/lib'];

/**
 * Note [No GPU, no noise]: on Linux, WebGPU runs on Vulkan; without the Vulkan loader there is
 * no adapter to find, and Dawn's failed attempt prints a native warning with a source location on
 * stderr. So WebGPU is only tried, or offered in Settings, where the loader is installed, and
 * otherwise left out quietly.
 */
export function vulkanLoaderPresent(env: NodeJS.ProcessEnv = process.env): boolean {
  const dirs = [...(env['LD_LIBRARY_PATH']?.split(':').filter(Boolean) ?? []), ...LIBRARY_DIRS];
  return dirs.some((dir) => existsSync(path.join(dir, VULKAN_LOADER)));
}

/** Providers installed that can start here at all: what status offers, and `auto` tries (Note [No GPU, no noise]). */
export function usableProviders(platform: NodeJS.Platform = process.platform): Set<string> {
  return new Set([...installedProviders()].filter((name) => name !== 'webgpu' || platform !== 'linux' || vulkanLoaderPresent()));
}

function usableGpuProviders(platform: NodeJS.Platform): ExecutionProvider[] {
  const usable = usableProviders(platform);
  return gpuProvidersFor(platform).filter((name) => usable.has(name));
}

/** Providers to try, best first, for a preference on this platform. */
export function providerCandidates(preference: ProviderPreference, platform = process.platform): ExecutionProvider[] {
  const gpus = usableGpuProviders(platform);
  switch (preference) {
    case 'auto':
      return [...gpus, 'cpu'];
    case 'gpu':
      return gpus;
    default:
      return [preference];
  }
}

/**
 * Note [No spinning]: ONNX Runtime's CPU threads spin for a while after a run, waiting for the
 * next one. The app runs several sessions on few cores (the image tower indexing, the text tower
 * answering, the template editor's cosine product), and one session's spinning threads take the
 * cores another needs: the live preview's 8 new texts took 44 ms at p50 right after its cosine
 * product, 23 ms alone, and 27 ms once no session spun (`npm run bench -- preview`). So none spins.
 */
export const NO_SPINNING = { session: { intra_op: { allow_spinning: '0' } } };

/**
 * ONNX Runtime's own log lines (a provider's library it cannot load, nodes left to the CPU) say
 * in its words and colours, twice over, what Lumen says once in its own: shown only with
 * LUMEN_DEBUG. Its environment takes the level of whichever session starts first.
 */
const RUNTIME_LOG_LEVEL = process.env['LUMEN_DEBUG'] ? 'warning' : 'fatal';
const RUNTIME_LOG_SEVERITY = RUNTIME_LOG_LEVEL === 'fatal' ? 4 : 2;
ort.env.logLevel = RUNTIME_LOG_LEVEL;

function sessionOptions(provider: ExecutionProvider): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    logSeverityLevel: RUNTIME_LOG_SEVERITY,
    graphOptimizationLevel: 'all',
    // Chromium's allocator on macOS traps the arena's large aligned allocations inside Electron.
    enableCpuMemArena: process.platform !== 'darwin',
    // ORT rejects an explicit undefined here, so the key is only present for the CPU.
    ...(provider === 'cpu' ? { intraOpNumThreads: Math.max(1, os.availableParallelism()) } : {}),
    extra: NO_SPINNING,
  };
}

function tensorInfos(metadata: readonly ort.InferenceSession.ValueMetadata[]): TensorInfo[] {
  return metadata.map((value) =>
    value.isTensor ? { name: value.name, type: value.type, shape: value.shape } : { name: value.name, type: 'non-tensor', shape: [] },
  );
}

type StartRunner = (modelPath: string, options: ort.InferenceSession.SessionOptions) => Promise<SessionRunner>;

/**
 * Note [Runtime graphs]: creating a session parses the ONNX graph, then optimises it (fusing
 * attention, layer norms, quantised products): 0.5 s of the text tower's start on two idle cores,
 * more while the window draws its first screen, and the app's first search waits for it. ONNX
 * Runtime can save the optimised graph in its own format, which it then loads from memory as is,
 * its weights used in place: 0.24 s for the same ViT-B/32 query graph, with the same embeddings.
 * So the text tower's checked query graph is saved so once, in the background (text-graphs.ts),
 * at the `extended` level, which fuses nothing for one kind of CPU only, and is run only on the
 * CPU: a GPU provider starts from the ONNX graph. The bytes must outlive the session, so the
 * runner holds them until it is released.
 */
export const RUNTIME_GRAPH_EXTENSION = '.ort';

const ORT_BYTES_IN_PLACE = { use_ort_model_bytes_directly: '1', use_ort_model_bytes_for_initializers: '1' };

/** The options that save the optimised graph of a CPU session as `target`, in ONNX Runtime's format (Note [Runtime graphs]). */
export function savingRuntimeGraph(target: string): ort.InferenceSession.SessionOptions {
  return {
    ...sessionOptions('cpu'),
    graphOptimizationLevel: 'extended',
    optimizedModelFilePath: target,
    extra: { session: { ...NO_SPINNING.session, save_model_format: 'ORT' } },
  };
}

/** A session on the calling thread; the inference thread starts its own with this too. */
export const startOnThisThread: StartRunner = async (modelPath, options) => {
  const started = performance.now();
  let bytes: Uint8Array | null = null;
  let session: ort.InferenceSession;
  if (modelPath.endsWith(RUNTIME_GRAPH_EXTENSION)) {
    bytes = await readFile(modelPath);
    const extra = { ...options.extra, session: { ...(options.extra as { session?: object } | undefined)?.session, ...ORT_BYTES_IN_PLACE } };
    session = await ort.InferenceSession.create(bytes, { ...options, extra });
  } else {
    session = await ort.InferenceSession.create(modelPath, options);
  }
  return {
    inputs: tensorInfos(session.inputMetadata),
    outputs: tensorInfos(session.outputMetadata),
    startMs: performance.now() - started,
    run: async (feeds, { fetches } = {}) => {
      const outputs: Feeds[] = [];
      for (const each of feeds) outputs.push(await (fetches ? session.run(each, fetches) : session.run(each)));
      return outputs;
    },
    release: async () => {
      await session.release();
      bytes = null;
    },
  };
};

/** What a run of a `ModelSession` asks for (Note [Batches handed over] in threaded-session.ts). */
export interface SessionRunOptions {
  /** The outputs wanted (default: all). */
  fetches?: readonly string[];
  /** The caller never reads the inputs again: they may be moved to the graph's thread. */
  handOver?: boolean;
}

export interface SessionOptions {
  /**
   * Runs the graph on a worker thread of its own (Note [Inference off the event loop] in
   * threaded-session.ts); a background one also runs at a lower priority (Note [Background
   * priority] in core/worker-thread.ts).
   */
  thread?: 'background' | 'interactive';
}

/**
 * Note [One WebGPU run at a time]: ONNX Runtime's WebGPU provider crashes the whole process
 * (SIGSEGV) when two of its sessions run at once from different threads. Seen on the GPU machine
 * (12-04): two worker threads each running a session, the image and the text tower, exit 139;
 * each alone ran (onnxruntime#32561 on Linux and Vulkan, #27592 on macOS). Forcing WebGPU puts
 * both towers on it, and a search then runs beside indexing; OCR's two graphs would too. So
 * every WebGPU session's start, runs and release wait for the one before (starting two at once
 * is reported safe: waiting is the cautious side); other providers never wait. A search then
 * waits for at most one image batch, about 0.1 s at 64 photos; a GPU that hangs instead of
 * failing would hold up every WebGPU session of the process, as it would hold up its own.
 */
let webGpuTurn: Promise<void> = Promise.resolve();

function inWebGpuTurn<T>(provider: ExecutionProvider, work: () => Promise<T>): Promise<T> {
  if (provider !== 'webgpu') return work();
  const turn = webGpuTurn.then(work);
  webGpuTurn = turn.then(
    () => {},
    () => {},
  );
  return turn;
}

/** Sessions started by `ModelSession.startEarly` that nothing has taken over yet, by `earlyKey`. */
const startedEarly = new Map<string, Promise<ModelSession>>();

function earlyKey(modelPath: string, preference: ProviderPreference, options: SessionOptions): string {
  return JSON.stringify([modelPath, preference, options.thread ?? null]);
}

/** What a session on a thread of its own starts from: its graph, the provider asked for, its thread. */
export interface SessionPlan {
  modelPath: string;
  preference: ProviderPreference;
  thread: NonNullable<SessionOptions['thread']>;
}

/** One ONNX graph, on one provider, that moves to the CPU if its provider fails at run time. */
export class ModelSession {
  /** The move to the CPU under way or done (`runEach`), shared by the runs that failed together. */
  private movingToCpu: Promise<void> | null = null;

  private constructor(
    private session: SessionRunner,
    private readonly start: StartRunner,
    private currentProvider: ExecutionProvider,
    private readonly modelPath: string,
    private readonly mayFallBack: boolean,
    private readonly log: Logger,
    readonly inputs: TensorInfo[],
    readonly outputs: TensorInfo[],
    /** How long its first provider's session took to create, on its own thread (ms). */
    readonly startMs: number,
  ) {}

  /**
   * A session of `modelPath`; one started early with the same model, preference and thread
   * (`startEarly`) is taken over instead of starting a second.
   */
  static create(modelPath: string, preference: ProviderPreference, log: Logger, logProbe: Logger = log, options: SessionOptions = {}): Promise<ModelSession> {
    const key = earlyKey(modelPath, preference, options);
    const early = startedEarly.get(key);
    if (!early) return ModelSession.start(modelPath, preference, log, logProbe, options);
    startedEarly.delete(key);
    // One that could not start is started again here, to report why to the caller.
    return early.catch(() => ModelSession.start(modelPath, preference, log, logProbe, options));
  }

  /**
   * Starts a session before anything asks for it (Note [Text tower first] in the app's
   * engine-process.ts); `create` with the same arguments takes it over.
   */
  static startEarly({ modelPath, preference, thread }: SessionPlan, log: Logger): Promise<ModelSession> {
    const key = earlyKey(modelPath, preference, { thread });
    let early = startedEarly.get(key);
    if (!early) {
      early = ModelSession.start(modelPath, preference, log, log, { thread });
      // Not an unhandled rejection when nothing takes it: `create` reports a failure itself.
      early.catch(() => {});
      startedEarly.set(key, early);
    }
    return early;
  }

  /** Releases the sessions started early that nothing took over (the model changed since). */
  static async releaseUnclaimed(): Promise<void> {
    const unclaimed = [...startedEarly.values()];
    startedEarly.clear();
    await Promise.all(unclaimed.map((early) => early.then((session) => session.release(), () => {})));
  }

  private static async start(modelPath: string, preference: ProviderPreference, log: Logger, logProbe: Logger, options: SessionOptions): Promise<ModelSession> {
    const { thread } = options;
    const start: StartRunner = thread ? (path, settings) => startThreadedSession(path, settings, thread === 'background') : startOnThisThread;
    const candidates = providerCandidates(preference);
    if (candidates.length === 0) {
      throw new UserError('bad-input', `No GPU execution provider is available on this machine. ${PROVIDER_ADVICE}`);
    }
    const failures: string[] = [];
    for (const provider of candidates) {
      try {
        const session = await inWebGpuTurn(provider, () => start(modelPath, sessionOptions(provider)));
        const mayFallBack = preference === 'auto' && provider !== 'cpu';
        return new ModelSession(session, start, provider, modelPath, mayFallBack, log, session.inputs, session.outputs, session.startMs);
      } catch (error) {
        const reason = firstLine(messageOf(error));
        // The CPU's reason in full (a damaged file); a GPU's in short (no adapter, no library).
        failures.push(`${provider}: ${provider === 'cpu' ? reason : shortReason(reason)}`);
        if (provider !== candidates.at(-1)) logProbe(`${provider} could not start (${shortReason(reason)}); trying the next provider.`);
      }
    }
    // Without the runtime's own closing stop, as the sentence goes on ("parsing failed.." otherwise).
    const reason = failures.join('; ').replace(/\.+$/, '');
    if (candidates.includes('cpu')) {
      throw new UserError('model-invalid', `Cannot load ${modelPath}: ${reason}. The file may be damaged: download the model again.`);
    }
    throw new UserError('bad-input', `The requested provider could not start (${reason}). ${PROVIDER_ADVICE}`);
  }

  get provider(): ExecutionProvider {
    return this.currentProvider;
  }

  async run(feeds: Feeds, options?: SessionRunOptions): Promise<Feeds> {
    return (await this.runEach([feeds], options))[0] as Feeds;
  }

  /**
   * Runs the graph on each of `feeds` in turn, in one exchange with its thread (Note [Runs in one
   * message] in threaded-session.ts).
   */
  async runEach(feeds: readonly Feeds[], { fetches, handOver = false }: SessionRunOptions = {}): Promise<Feeds[]> {
    // Once on the CPU, a session has nowhere to move to.
    const mayMove = this.mayFallBack && this.currentProvider !== 'cpu';
    const session = this.session;
    try {
      // Inputs a retry on the CPU would need again stay the caller's (Note [Batches handed over]).
      const transfer = handOver && !mayMove;
      return await inWebGpuTurn(this.currentProvider, () => session.run(feeds, { fetches, transfer }));
    } catch (error) {
      if (!mayMove) {
        throw new UserError('model-invalid', `Running ${this.modelPath} failed: ${firstLine(messageOf(error))}.`, { cause: error });
      }
      // Runs that failed together move to the CPU once; one that failed after the move retries there.
      if (this.session === session) await (this.movingToCpu ??= this.moveToCpu(error));
      return this.runEach(feeds, { fetches, handOver });
    }
  }

  /** Replaces the GPU session that failed with one on the CPU, for good. */
  private async moveToCpu(error: unknown): Promise<void> {
    this.log(`${this.currentProvider} failed while running ${this.modelPath} (${firstLine(messageOf(error))}); using the CPU from now on.`);
    const cpu = await this.start(this.modelPath, sessionOptions('cpu'));
    const failed = this.session;
    await inWebGpuTurn(this.currentProvider, () => failed.release());
    this.session = cpu;
    this.currentProvider = 'cpu';
  }

  async release(): Promise<void> {
    const session = this.session;
    await inWebGpuTurn(this.currentProvider, () => session.release());
  }
}

/** A provider's start-up failure in a few words (ORT's messages carry source paths and lambdas). */
function shortReason(reason: string): string {
  if (/adapter/i.test(reason)) return 'no GPU adapter';
  const message = reason.replace(/^\S*\.(cc|cpp|h):\d+\s+\S.*?\)\s*/, '');
  return message.length > 120 ? `${message.slice(0, 117)}...` : message;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0]?.trim() ?? text;
}

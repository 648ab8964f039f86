/**
 * A loaded CLIP model: text and photos in, unit-length embeddings out.
 *
 * Note [Lazy towers]: each tower's session starts on first use, so a search-only process never
 * loads the image tower and an indexing-only run never loads the text tower.
 *
 * Note [Text on the CPU]: with `auto`, only the image tower goes to the GPU. A query is one short
 * sequence, where GPU dispatch costs more than it saves: measured on an H100 machine with the
 * WebGPU provider, a ViT-B/32 text query took 33 ms (p50) against 6 ms on its CPU, while images
 * ran 8x faster on the GPU in batches. Forcing a provider still applies it to both towers.
 *
 * How a tower's graph is fed and read: tower-io.ts (Note [Read the graph]).
 */
import ort from 'onnxruntime-node';
import { decodeSlots } from '../core/decode-slots.js';
import { BoundedQueue } from '../core/queue.js';
import { UserError, isUserError, messageOf, throwIfAborted } from '../core/errors.js';
import { readModelFolder, type ModelSpec } from './folder.js';
import type { ImageSource } from './preprocess.js';
import { ModelSession, isFixed, type Logger, type ProviderPreference, type SessionPlan } from './session.js';
import type { QueryGraphVariant, TextGraphs } from './text-graphs.js';
import { startTokenizer, type TokenizedText, type Tokenizing } from './tokenizer.js';
import { embeddingRows, maxBatchOf, pickOutput, textFeeds, textInputsOf, type TextBatch, type TextInputs } from './tower-io.js';
import { LruCache } from '../core/lru.js';
import { dot } from './vectors.js';

export interface ClipModelOptions {
  provider?: ProviderPreference;
  /** Query embeddings kept in memory; the same query again costs nothing. */
  textCacheSize?: number;
  log?: Logger;
  /** Where "provider X could not start, trying the next" goes (default `log`); the CLI mutes it with --json. */
  logProbe?: Logger;
  /** Where query graphs are kept (Note [Short graphs kept] in text-graphs.ts); without it, the text tower runs the model's own graph. */
  textGraphs?: TextGraphs;
  /** Builds and runs the tokenizer on a thread of its own, as the app's engine does (Note [Tokenizer off the event loop] in tokenizer.ts). */
  tokenizerThread?: boolean;
}

export interface EmbedImagesOptions {
  signal?: AbortSignal;
  /** Images per inference call for dynamic-batch models (batch-1 models always run one). */
  batchSize?: number;
  /** Photos decoding at once; sharp runs them on libuv's thread pool. */
  decodeConcurrency?: number;
}

/** One result of `embedImages`: the vector, or why that photo was skipped. */
export type ImageEmbedding = { index: number; vector: Float32Array } | { index: number; error: UserError };

export const DEFAULT_BATCH_SIZE = 16;

interface ImageTower {
  session: ModelSession;
  input: string;
  output: string;
  maxBatch: number;
}

/** Texts embedded in one exchange with the text tower's thread (a vocabulary's 800 texts in 13). */
const TEXTS_PER_RUN = 64;

interface TextTower extends TextInputs {
  session: ModelSession;
  tokenizer: Tokenizing;
}

/** Texts of different lengths that a query graph must embed as the original does (Note [Short graphs kept] in text-graphs.ts). */
const QUERY_GRAPH_PROBES = [
  'x',
  'a photo of a dog',
  'two children playing football on a sunny beach at the seaside, with boats on the water behind them and a red and white lighthouse',
];

export class ClipModel {
  private imageTower: Promise<ImageTower> | null = null;
  private textTower: Promise<TextTower> | null = null;
  private textSession: Promise<ModelSession> | null = null;
  /** Where each tower's session runs, once it has opened (Note [Status starts no tower] in engine.ts). */
  private readonly opened: { image: string | null; text: string | null } = { image: null, text: null };
  /** The text tower's runtime graph being saved, once its session has started (never rejects). */
  private runtimeGraphSaved: Promise<void> | null = null;
  private tokenizer: Promise<Tokenizing> | null = null;
  private readonly textCache: LruCache<string, Float32Array>;
  /** The tokens of long texts, as they are asked for (Note [Long texts tokenized once]). */
  private readonly longTextTokens: LruCache<string, Promise<TokenizedText>>;
  private readonly provider: ProviderPreference;
  private readonly log: Logger;
  private readonly logProbe: Logger;
  private readonly textGraphs: TextGraphs | null;
  private readonly tokenizerThread: boolean;

  private constructor(
    readonly spec: ModelSpec,
    options: ClipModelOptions,
  ) {
    this.provider = options.provider ?? 'auto';
    this.log = options.log ?? (() => {});
    this.logProbe = options.logProbe ?? this.log;
    this.textCache = new LruCache(options.textCacheSize ?? 1024);
    this.longTextTokens = new LruCache(options.textCacheSize ?? 1024);
    this.textGraphs = options.textGraphs ?? null;
    this.tokenizerThread = options.tokenizerThread ?? false;
  }

  /** Reads and validates the folder; sessions start on first use. */
  static async load(dir: string, options: ClipModelOptions = {}): Promise<ClipModel> {
    return new ClipModel(await readModelFolder(dir), options);
  }

  get id(): string {
    return this.spec.id;
  }

  get dim(): number {
    return this.spec.dim;
  }

  /** Starts both towers and reports the execution provider each one actually runs on. */
  async providers(): Promise<{ image: string; text: string }> {
    const [image, text] = await Promise.all([this.image(), this.text()]);
    return { image: image.session.provider, text: text.session.provider };
  }

  /** The provider of each tower whose session has opened, null for one not started or still starting; starts and waits for none (Note [Status starts no tower] in engine.ts). */
  startedProviders(): { image: string | null; text: string | null } {
    return { ...this.opened };
  }

  /** Starts the image tower now, so a model that cannot work fails before any photo is read; returns its provider. */
  async loadImageTower(): Promise<string> {
    return (await this.image()).session.provider;
  }

  /** Starts the text tower now, so that the first query does not wait for it (Note [Warm start] in engine.ts). */
  async loadTextTower(): Promise<void> {
    await this.text();
  }

  private image(): Promise<ImageTower> {
    this.imageTower ??= this.startImageTower().then(
      (tower) => ((this.opened.image = tower.session.provider), tower),
      (error: unknown) => {
        this.imageTower = null;
        throw error;
      },
    );
    return this.imageTower;
  }

  /**
   * Starts the text tower's graph on its thread, without its tokenizer, which the warm start or
   * the first query starts (on a thread of its own in the app: Notes [Photos first] in
   * engine-service.ts, [Tokenizer off the event loop] in tokenizer.ts). A failure is the first
   * query's to report.
   */
  startTextSession(): void {
    this.textSessionStarted().catch(() => {});
  }

  /** How the text tower's session starts: its graph, provider and thread (Note [Text tower first] in the app's engine-process.ts starts one so before the engine loads). */
  get textSessionPlan(): SessionPlan {
    const { modelPath, contextLength } = this.spec.text;
    const preference = this.provider === 'auto' ? 'cpu' : this.provider;
    const graph = this.textGraphs?.verified(modelPath, contextLength, { runtime: preference === 'cpu' }) ?? modelPath;
    return { modelPath: graph, preference, thread: 'interactive' };
  }

  /**
   * The text tower's session plan for its next start, once its session has started and what that
   * start saves is saved (its graph may change on the first starts, Note [Short graphs kept] in
   * text-graphs.ts).
   */
  async startedTextSessionPlan(): Promise<SessionPlan> {
    await this.textSessionStarted();
    await this.runtimeGraphSaved;
    return this.textSessionPlan;
  }

  private textSessionStarted(): Promise<ModelSession> {
    this.textSession ??= this.openTextSession().then(
      (session) => ((this.opened.text = session.provider), session),
      (error: unknown) => {
        this.textSession = null;
        throw error;
      },
    );
    return this.textSession;
  }

  /**
   * The text tower's session: on its query graph once one was shown close to the original, else
   * on the model's own graph. A model not settled yet has its rewrites written and checked here,
   * once (Note [Short graphs kept] in text-graphs.ts).
   */
  private async openTextSession(): Promise<ModelSession> {
    const { modelPath, contextLength } = this.spec.text;
    const { preference, thread } = this.textSessionPlan;
    const start = (graph: string) => ModelSession.create(graph, preference, this.log, this.logProbe, { thread });
    let reference: Promise<Float32Array[]> | null = null;
    const referenceEmbeddings = async () => {
      const original = await start(modelPath);
      try {
        return await this.embedProbes(original);
      } finally {
        await original.release();
      }
    };
    const accept = async (graph: string, variant: QueryGraphVariant): Promise<ModelSession | null> => {
      // A model whose own graph fails is for its start to report.
      const expected = await (reference ??= referenceEmbeddings());
      let session: ModelSession | null = null;
      try {
        session = await start(graph);
        const got = await this.embedProbes(session);
        if (got.every((vector, i) => dot(vector, expected[i] as Float32Array) >= variant.tolerance)) return session;
      } catch (error) {
        this.log(`A faster text graph of ${this.id} did not run (${messageOf(error)}); trying the next.`);
      }
      await session?.release();
      return null;
    };
    const settled = await this.textGraphs?.settle(modelPath, contextLength, accept);
    if (settled) {
      this.saveRuntimeGraph();
      return settled;
    }
    const planned = this.textSessionPlan.modelPath;
    const graph = this.textGraphs?.verified(modelPath, contextLength);
    if (!graph || !this.textGraphs) return start(modelPath);
    if (planned !== graph) {
      try {
        return await start(planned);
      } catch (error) {
        this.log(`The saved text graph of ${this.id} did not load (${messageOf(error)}); using the graph it was saved from, and saving it again.`);
        await this.textGraphs.forgetRuntimeGraph(planned);
      }
    }
    try {
      const session = await start(graph);
      this.saveRuntimeGraph();
      return session;
    } catch (error) {
      // A query graph damaged since it was checked costs its speed until the next start makes it
      // again. Only the graph is to blame if the model's own starts where it did not: a provider
      // that cannot start at all (asked for a GPU on a machine without one) leaves it be.
      const own = await start(modelPath);
      this.log(`The faster text graph of ${this.id} did not load (${messageOf(error)}); using the model's own, and making it again at the next start.`);
      await this.textGraphs.forget(modelPath, contextLength);
      return own;
    }
  }

  /** Saves the text tower's runtime graph in the background where it runs on the CPU (Note [Runtime graphs] in session.ts). */
  private saveRuntimeGraph(): void {
    const { modelPath, contextLength } = this.spec.text;
    if (this.textSessionPlan.preference !== 'cpu' || !this.textGraphs) return;
    this.runtimeGraphSaved ??= this.textGraphs.saveRuntimeGraph(modelPath, contextLength);
  }

  /** The probe texts' embeddings through `session`, at their own length where its graph allows. */
  private async embedProbes(session: ModelSession): Promise<Float32Array[]> {
    const tokenizer = await this.textTokenizer();
    const inputs = textInputsOf(session, this.spec.text.modelPath, this.dim);
    const batches = (await tokenizer.encode(QUERY_GRAPH_PROBES)).map((tokens) => ({ texts: [tokens], length: inputs.fixedLength ?? tokens.ids.length }));
    return this.runText(session, inputs, tokenizer.padId, batches);
  }

  private textTokenizer(): Promise<Tokenizing> {
    const { tokenizerPath, tokenizerConfigPath: configPath, contextLength, clean } = this.spec.text;
    this.tokenizer ??= startTokenizer({ tokenizerPath, configPath, contextLength, clean }, this.tokenizerThread).catch((error: unknown) => {
      this.tokenizer = null;
      throw error;
    });
    return this.tokenizer;
  }

  private text(): Promise<TextTower> {
    this.textTower ??= this.startTextTower().catch((error: unknown) => {
      this.textTower = null;
      throw error;
    });
    return this.textTower;
  }

  private async startImageTower(): Promise<ImageTower> {
    const { modelPath, preprocessing } = this.spec.image;
    const session = await ModelSession.create(modelPath, this.provider, this.log, this.logProbe, { thread: 'background' });
    const input = session.inputs.find((info) => info.type === 'float32');
    if (!input) throw new UserError('model-invalid', `${modelPath} has no float32 image input; it is not a CLIP image tower.`);
    const side = input.shape[3];
    if (isFixed(side) && side !== preprocessing.size) {
      throw new UserError('model-invalid', `${modelPath} expects ${side}px images but its preprocessing config says ${preprocessing.size}px.`);
    }
    const output = pickOutput(session.outputs, ['embedding', 'image_embeds'], modelPath, this.dim);
    return { session, input: input.name, output, maxBatch: maxBatchOf(input) };
  }

  private async startTextTower(): Promise<TextTower> {
    const [session, tokenizer] = await Promise.all([this.textSessionStarted(), this.textTokenizer()]);
    return { session, tokenizer, ...textInputsOf(session, this.spec.text.modelPath, this.dim) };
  }

  /** Token ids as the text tower receives them (truncated, not padded); for tests and tools. */
  async tokenize(text: string): Promise<number[]> {
    return ((await (await this.text()).tokenizer.encode([text]))[0] as TokenizedText).ids;
  }

  /**
   * The part of `text` the text tower reads, where it reads only a part (Note [Truncation] in
   * tokenizer.ts); null where it reads it all. A text of few bytes is read whole without asking the
   * tokenizer: no token holds less than a byte, bar a word's mark in SentencePiece, and two ends.
   */
  async readOf(text: string): Promise<string | null> {
    if (this.readWhole(text)) return null;
    const [tokens] = await this.tokensOf((await this.text()).tokenizer, [text]);
    return tokens?.read ?? null;
  }

  /** Whether `text` is surely read whole: too few bytes for the tower to cut it (see `readOf`). */
  private readWhole(text: string): boolean {
    return Buffer.byteLength(text) * 2 + 2 <= this.spec.text.contextLength;
  }

  /**
   * Note [Long texts tokenized once]: a search asks at once for a long description's embedding
   * and for the part of it read (Note [Long descriptions said] in search.ts); each tokenized it,
   * and a repeated search, its embedding cached, tokenized it again for the part read. So the
   * tokens of a text too long for `readOf`'s shortcut are kept from the moment they are asked
   * for, one encode that both askers await, for as many texts as `textCache` holds; a failed
   * encode is not kept. A short text's are not: `readOf` never asks for them.
   */
  private tokensOf(tokenizer: Tokenizing, texts: readonly string[]): Promise<TokenizedText[]> {
    const found = new Map<string, Promise<TokenizedText>>();
    for (const text of texts) {
      const kept = this.longTextTokens.get(text);
      if (kept) found.set(text, kept);
    }
    const missing = [...new Set(texts.filter((text) => !found.has(text)))];
    if (missing.length > 0) {
      const encoding = tokenizer.encode(missing);
      missing.forEach((text, i) => {
        const tokens = encoding.then((all) => all[i] as TokenizedText);
        found.set(text, tokens);
        if (this.readWhole(text)) return;
        this.longTextTokens.set(text, tokens);
        tokens.catch(() => {
          if (this.longTextTokens.peek(text) === tokens) this.longTextTokens.delete(text);
        });
      });
    }
    return Promise.all(texts.map((text) => found.get(text) as Promise<TokenizedText>));
  }

  /** Unit-length embeddings of `texts`, in order. Cached per text. */
  async embedTexts(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    // The answer is kept apart from the cache: other calls, or this one's own later texts, may evict what it found or made.
    const found = new Map<string, Float32Array>();
    for (const text of texts) {
      const cached = this.textCache.get(text);
      if (cached) found.set(text, cached);
    }
    const missing = [...new Set(texts.filter((text) => !found.has(text)))];
    if (missing.length > 0) {
      const tower = await this.text();
      const batchSize = Math.min(tower.maxBatch, TEXTS_PER_RUN);
      // Batches of the graph's size, as many as make TEXTS_PER_RUN texts in one exchange with the tower's thread.
      for (let start = 0; start < missing.length; start += TEXTS_PER_RUN) {
        throwIfAborted(signal);
        const chunk = missing.slice(start, start + TEXTS_PER_RUN);
        const batches: TextBatch[] = [];
        const tokens = await this.tokensOf(tower.tokenizer, chunk);
        for (let first = 0; first < chunk.length; first += batchSize) {
          const texts = tokens.slice(first, first + batchSize);
          batches.push({ texts, length: tower.fixedLength ?? Math.max(...texts.map((t) => t.ids.length)) });
        }
        const vectors = await this.runText(tower.session, tower, tower.tokenizer.padId, batches);
        chunk.forEach((text, i) => {
          found.set(text, vectors[i] as Float32Array);
          this.textCache.set(text, vectors[i] as Float32Array);
        });
      }
    }
    return texts.map((text) => found.get(text) as Float32Array);
  }

  async embedText(text: string, signal?: AbortSignal): Promise<Float32Array> {
    return (await this.embedTexts([text], signal))[0] as Float32Array;
  }

  /** Embeds batches of tokenised texts, each text padded with `padId` to its batch's length, in one exchange with the session's thread. */
  private async runText(session: ModelSession, tower: TextInputs, padId: number, batches: readonly TextBatch[]): Promise<Float32Array[]> {
    const outputs = await session.runEach(
      batches.map(({ texts, length }) => textFeeds(tower, padId, texts, length)),
      { fetches: [tower.output], handOver: true },
    );
    return outputs.flatMap((output, i) => embeddingRows(output, tower.output, (batches[i] as TextBatch).texts.length, this.dim, this.id));
  }

  /**
   * Embeds photos through a bounded decode -> inference pipeline. Yields one result per source,
   * in completion order, each with its index; a photo that fails to read or decode yields an
   * error and the rest go on.
   */
  async *embedImages(sources: Iterable<ImageSource> | AsyncIterable<ImageSource>, options: EmbedImagesOptions = {}): AsyncGenerator<ImageEmbedding> {
    const { signal } = options;
    const tower = await this.image();
    const batchSize = Math.max(1, Math.min(tower.maxBatch, options.batchSize ?? DEFAULT_BATCH_SIZE));
    const concurrency = Math.max(1, options.decodeConcurrency ?? decodeSlots());
    type Decoded = { index: number; tensor: Float32Array } | { index: number; error: UserError };
    const queue = new BoundedQueue<Decoded>(batchSize * 2);
    const producer = this.decodeInto(queue, sources, concurrency, signal);
    try {
      for (;;) {
        throwIfAborted(signal);
        const batch = await queue.take(batchSize);
        if (batch.length === 0) break;
        const ready: Array<{ index: number; tensor: Float32Array }> = [];
        for (const item of batch) {
          if ('error' in item) yield item;
          else ready.push(item);
        }
        if (ready.length > 0) {
          const vectors = await this.embedTensors(ready.map((item) => item.tensor));
          for (const [i, item] of ready.entries()) yield { index: item.index, vector: vectors[i] as Float32Array };
        }
      }
      await producer;
    } finally {
      // Stopped early (an error, or the caller stopped reading): the decoding stops too.
      queue.abort(new UserError('cancelled', 'Cancelled.'));
      await producer.catch(() => {});
    }
    throwIfAborted(signal);
  }

  private async decodeInto(
    queue: BoundedQueue<{ index: number; tensor: Float32Array } | { index: number; error: UserError }>,
    sources: Iterable<ImageSource> | AsyncIterable<ImageSource>,
    concurrency: number,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const preprocessing = this.spec.image.preprocessing;
    // Loaded on first use: sharp is not on the path of a text search (Note [Cold start] in main/cli/index.ts).
    const { toModelInput } = await import('./preprocess.js');
    const inFlight = new Set<Promise<void>>();
    let index = 0;
    try {
      for await (const source of sources) {
        if (signal?.aborted || queue.isClosed) break;
        const at = index++;
        const task = toModelInput(source, preprocessing).then(
          (tensor) => queue.push({ index: at, tensor }),
          (error: unknown) =>
            queue.push({ index: at, error: isUserError(error) ? error : new UserError('image-undecodable', messageOf(error)) }),
        );
        // A push rejects once the consumer has stopped; the race below ends the loop then.
        const tracked = task.finally(() => inFlight.delete(tracked));
        tracked.catch(() => {});
        inFlight.add(tracked);
        if (inFlight.size >= concurrency) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    } finally {
      queue.close();
    }
  }

  /** Embeds already preprocessed model inputs (see `toModelInput`), in batches the graph accepts. */
  async embedTensors(tensors: readonly Float32Array[]): Promise<Float32Array[]> {
    const tower = await this.image();
    const side = this.spec.image.preprocessing.size;
    const plane = 3 * side * side;
    const vectors: Float32Array[] = [];
    const step = Math.min(tower.maxBatch, tensors.length);
    for (let start = 0; start < tensors.length; start += step) {
      const chunk = tensors.slice(start, start + step);
      const batch = new Float32Array(chunk.length * plane);
      chunk.forEach((tensor, i) => batch.set(tensor, i * plane));
      const outputs = await tower.session.run({ [tower.input]: new ort.Tensor('float32', batch, [chunk.length, 3, side, side]) }, { fetches: [tower.output], handOver: true });
      vectors.push(...embeddingRows(outputs, tower.output, chunk.length, this.dim, this.id));
    }
    return vectors;
  }

  /** Embeds the given photos and returns results in input order. */
  async embedImageList(sources: readonly ImageSource[], options: EmbedImagesOptions = {}): Promise<ImageEmbedding[]> {
    const results = new Array<ImageEmbedding>(sources.length);
    for await (const result of this.embedImages(sources, options)) results[result.index] = result;
    return results;
  }

  async dispose(): Promise<void> {
    await this.runtimeGraphSaved;
    const sessions = await Promise.allSettled([this.imageTower?.then((tower) => tower.session), this.textSession, this.tokenizer]);
    for (const session of sessions) {
      if (session.status === 'fulfilled' && session.value) await session.value.release();
    }
  }
}

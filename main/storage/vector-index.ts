/**
 * The HNSW vector index of one model's embeddings (usearch), saved next to the database with its
 * 8-bit matrix (vector-matrix.ts).
 *
 * Note [Derived data]: the index is rebuilt from SQLite whenever it is missing, unreadable, or
 * stale: its sidecar records the embeddings generation it was saved at (see database.ts), and a
 * mismatch means some writes never reached the file (a crash). A stale index is reconciled
 * (missing keys added) rather than rebuilt from nothing, unless it holds keys SQLite no longer
 * has. While that runs, in slices that yield to the event loop, searches are exact over the
 * matrix (re-ranked as always), so results are always right, only slower.
 *
 * Note [Graph vectors]: the graph holds each vector in 8 bits, a quarter of f32 and half of f16:
 * 1M x 512-d vectors take 512 MB instead of 1 GB, what lets 1M photos fit in 1.5 GB with the text
 * model loaded. They are integers scaled per vector (Note [Integer graph] in int8-graph.ts), and
 * the graph is built with a breadth of EXPANSION_ADD. At 1M vectors, re-ranked, it finds 99.3 %
 * of the ten nearest, where the FP8 (e4m3) graph built at half that breadth it replaced found
 * 93.0 %; the build takes longer (422 s against 367 s on 2 cores). Chosen by
 * `npm run bench -- hnsw`, which measures each choice's recall and latency in one run.
 *
 * Note [Re-ranking]: 8-bit scores cannot order near-ties, so the candidates a caller will show
 * are scored again from their f32 vectors in SQLite, reading only those rows (about 15 us each
 * here): the best `rerankWindow(n)` candidates for the `n` results wanted.
 *
 * Note [Memory-mapped index]: a saved index is opened with usearch's `view`, which maps the file
 * instead of reading it, so opening costs a fraction of loading; only the pages searches touch
 * are read. A view is read-only: changes are kept beside it until they are saved (Note [Changes
 * beside the view] in layered-graph.ts).
 *
 * Note [Trusted files]: usearch aborts the process on a damaged file, so the index is opened only
 * when it is the file this app wrote: the sidecar keeps its SHA-256 and the size, modification
 * time and inode it had when saved. A file that still has them is not hashed again (hashing is
 * on the path to the first result: a third of a second at 100k photos, seconds at 1M); one that
 * was copied, restored, edited or truncated is hashed and opened only if the hash matches.
 *
 * Note [Graph files never replaced]: on Windows a memory-mapped file can be neither replaced nor
 * removed (usearch maps it without sharing deletion), and a view stays mapped until it is
 * collected. So each save writes the graph under a name of its own, which the sidecar records,
 * and then removes the one before where it can; a writer that opens the index removes the graph
 * files its sidecar does not name.
 *
 * Note [Saved now and then]: a save writes the whole graph and matrix (about 120 MB at 100k
 * photos, 0.6 GB at 500k), so an index pass that only added photos (the watcher's, a few at a
 * time) leaves them to a later save: once SAVE_AFTER_ADDED of the index is added, SAVE_AGE_MS
 * after the first change not saved (at the end of a pass, or by itself when none comes), or as
 * the library closes. A crash in between loses nothing: SQLite has the vectors, and the next open adds what the files miss (Note [Derived
 * data]), at the cost of reading the matrix from SQLite and the graph into memory, a search or
 * two done exactly meanwhile. A reader beside the writer (`lumen search` while the app runs)
 * pays that too, until the writer saves. Removals and a rebuild are saved at once: a saved graph
 * holding keys SQLite no longer has is rebuilt from nothing.
 *
 * Note [Readers keep it in memory]: only the library's writer (Note [One writer] in
 * writer-lock.ts) saves the index and its matrix. A reader (a search, `status`) whose saved
 * index is stale reconciles it in memory and never writes it back; what it must put in a file
 * (a large matrix, a graph to view) goes to a private temporary folder, removed when it closes.
 * Two processes never race on the index's files, and a reader works on a full disk or on
 * read-only media.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { IndexDiskFull, indexSaveError } from '../core/errors.js';
import { InTurn } from '../core/in-turn.js';
import { temporaryName } from '../core/temporary-files.js';
import { dot } from '../models/vectors.js';
import { Int8Graph } from './int8-graph.js';
import { LayeredGraph, mergeGraph } from './layered-graph.js';
import { fileSha256, sameStamp, stampOf, type FileStamp } from '../core/file-stamp.js';
import { graphFileOf, indexFiles, isGraphFile, isSavedFile, readSidecar, writeSidecar, type Sidecar } from './index-files.js';
import type { ImageIdSet } from './photo-facets.js';
import type { Storage } from './storage.js';
import { buildMatrix, loadMatrix, MemoryMatrix, type Matrix, type ScoredImage } from './vector-matrix.js';

export type { ScoredImage };

export type IndexHealth = 'ready' | 'rebuilding' | 'empty';

/** Nearest neighbours of many queries, `k` slots per query, best first; unused slots hold -1. */
export interface BatchNeighbours {
  k: number;
  imageIds: Float64Array;
  scores: Float32Array;
}

/** What the sidecar records of the graph's vectors (Note [Graph vectors]): another value means another file format. */
export const GRAPH_SCALAR = 'i8-scaled';
export const CONNECTIVITY = 16;
export const EXPANSION_ADD = 128;
const THREADS = Math.max(1, os.availableParallelism());
/** Share of the index added since the last save, and fewest photos, that make a pass save (Note [Saved now and then]). */
const SAVE_AFTER_ADDED = { share: 0.02, atLeast: 1000 };
const SAVE_AGE_MS = 10 * 60_000;
/** Rows read from SQLite, and added to the graph, between yields to the event loop. */
const PAGE = 4096;

/**
 * Note [Search breadth]: HNSW's `expansion_search` trades latency for recall, and larger indexes
 * need more of it (`npm run bench -- hnsw`). A search-time setting, applied when an index opens.
 */
export function expansionSearchFor(count: number): number {
  if (count <= 50_000) return 64;
  if (count <= 300_000) return 128;
  return 512;
}

/** Candidates re-scored exactly when `count` results are wanted (Note [Re-ranking]). */
export function rerankWindow(count: number): number {
  return count > 0 ? Math.max(2 * count, count + 40) : 0;
}

export class VectorIndex {
  /** In memory, or a view of the saved file with the changes since beside it (Note [Memory-mapped index]). */
  private graph: Int8Graph | LayeredGraph | null = null;
  /** Changes made, and how many of them the saved files hold. */
  private changes = 0;
  private savedChanges = 0;
  /** Photos added since the files were saved, and removals and rebuilds since, which are saved at once (Note [Saved now and then]). */
  private addedSinceSave = 0;
  private removalsSinceSave = 0;
  private savedAt = Date.now();
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  /** Saves one at a time: a merge runs on another thread while changes go on. */
  private readonly saving = new InTurn();
  private rebuilding: Promise<void> | null = null;
  private matrix: Matrix | null = null;
  private matrixLoad: Promise<Matrix> | null = null;
  /** Changes that arrive while the matrix loads, applied once it has. */
  private matrixLog: Array<(matrix: Matrix) => void> = [];
  /**
   * The sidecar of the saved files when they were current as the index opened, null otherwise
   * (the matrix is then rebuilt from SQLite when needed). Note [Matrix as opened].
   */
  private currentAtOpen: Sidecar | null = null;
  private libraryMean: Float32Array | null = null;
  /** The saved graph, named by the sidecar (Note [Graph files never replaced]). */
  private file: string;
  private readonly files: ReturnType<typeof indexFiles>;
  private readonly removed = new Set<number>();
  /** A reader's private folder for files it cannot keep next to the database (Note [Readers keep it in memory]). */
  private privateDir: Promise<string> | null = null;
  private closed = false;

  constructor(
    private readonly storage: Storage,
    readonly model: string,
    readonly dim: number,
    indexDir: string,
  ) {
    this.files = indexFiles(indexDir, model);
    this.file = this.files.firstGraph;
  }

  get health(): IndexHealth {
    if (this.rebuilding) return 'rebuilding';
    return this.graph && this.graph.size() > 0 ? 'ready' : 'empty';
  }

  get size(): number {
    return this.rebuilding ? (this.matrix?.size ?? 0) : (this.graph?.size() ?? 0);
  }

  /** Opens the saved index, or starts rebuilding it in the background. Resolves once search works. */
  async open(): Promise<void> {
    let sidecar = await readSidecar(this.files.sidecar);
    const named = sidecar && graphFileOf(this.files, sidecar);
    if (named) this.file = named;
    else sidecar = null;
    if (!this.storage.readonly) await this.removeGraphFiles(this.file);
    // The generation moves with every change of the embeddings (database.ts): no need to count them.
    const fresh = sidecar?.generation === this.storage.library.generation(this.model);
    if (sidecar && sidecar.dim === this.dim && sidecar.quantization === GRAPH_SCALAR && sidecar.connectivity === CONNECTIVITY && (await isSavedFile(this.file, sidecar))) {
      try {
        const graph = this.newGraph(sidecar.count);
        if (fresh) graph.view(this.file);
        else graph.load(this.file);
        [this.graph, this.libraryMean] = [fresh ? this.layered(graph) : graph, sidecar.mean && Float32Array.from(sidecar.mean)];
        if (fresh && graph.size() === sidecar.count) {
          this.currentAtOpen = sidecar;
          return;
        }
      } catch {
        this.graph = null;
      }
    }
    // A view cannot take the missing keys: a damaged one is rebuilt from nothing.
    if (this.graph instanceof LayeredGraph) this.graph = null;
    await this.matrixReady();
    this.rebuilding = this.reconcile().finally(() => (this.rebuilding = null));
  }

  private newGraph(expectedSize: number, expansion = expansionSearchFor(expectedSize)): Int8Graph {
    return new Int8Graph(this.graphSettings(expectedSize, expansion));
  }

  private graphSettings(expectedSize: number, expansion = expansionSearchFor(expectedSize)) {
    return { dim: this.dim, connectivity: CONNECTIVITY, expansionAdd: EXPANSION_ADD, expansionSearch: expansion };
  }

  /** A view of the saved file (`view`), ready for changes beside it (Note [Changes beside the view]). */
  private layered(view: Int8Graph): LayeredGraph {
    return new LayeredGraph(view, () => this.newGraph(view.size()), this.dim, THREADS);
  }

  /** Moves with every change the index takes, those held back while it rebuilt included (Note [Later pages] in search/later-pages.ts). */
  get version(): number {
    return this.changes;
  }

  private get dirty(): boolean {
    return this.changes !== this.savedChanges;
  }

  /** Every embedding of the model, a page at a time, yielding to the event loop between pages. */
  private async *embeddings(): AsyncGenerator<Array<[number, Float32Array]>> {
    for (let after = 0; ; ) {
      const rows = this.storage.embeddings.rawAfter(this.model, after, PAGE);
      yield rows.map(([imageId, blob]) => [imageId, new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength))]);
      if (rows.length < PAGE) return;
      after = (rows[rows.length - 1] as [number, Buffer])[0];
      await yieldToEventLoop();
    }
  }

  /**
   * The matrix: from its file when that was current as the index opened, else from SQLite.
   *
   * Note [Matrix as opened]: the matrix loads on the first change (an indexing batch), which
   * SQLite has already taken, so the generation has moved on by then; but every change since
   * the index opened is in `matrixLog`, so the file as it was at opening is as good as current.
   * Its stamp must still be the one the sidecar recorded: a writer that saved since replaced it.
   * Rebuilding it from SQLite instead took seconds of the engine's thread at 100k photos. A file
   * with that stamp whose bytes are not the ones written does not load (Note [Matrix checked] in
   * matrix-file.ts): it is rebuilt, and saved at once, as a rebuild is (Note [Saved now and then]).
   */
  private matrixReady(): Promise<Matrix> {
    this.matrixLoad ??= (async () => {
      const opened = this.currentAtOpen;
      const current = opened !== null && sameStamp(await stampOf(this.files.matrix), opened.matrix);
      const target = this.storage.readonly ? await this.privateFile('matrix') : this.files.matrix;
      let matrix = current ? await loadMatrix(this.files.matrix, this.dim) : null;
      if (current && !matrix) {
        this.changes++;
        this.removalsSinceSave++;
      }
      matrix ??= await buildMatrix(target, this.dim, this.storage.embeddings.count(this.model), this.embeddings());
      for (const change of this.matrixLog.splice(0)) change(matrix);
      this.matrix = matrix;
      this.libraryMean ??= await this.meanOf(matrix);
      return matrix;
    })();
    return this.matrixLoad;
  }

  /** Applies a change to the matrix now, or once it has loaded (a change starts the load). */
  private updateMatrix(change: (matrix: Matrix) => void): void {
    if (this.matrix) change(this.matrix);
    else {
      this.matrixLog.push(change);
      // Started, not waited on: a load that fails (the library closed meanwhile) fails again for whoever waits on it.
      this.matrixReady().catch(() => {});
    }
  }

  private async meanOf(matrix: Matrix): Promise<Float32Array | null> {
    if (matrix.size === 0) return null;
    const sum = await matrix.sum();
    return Float32Array.from(sum, (value) => value / matrix.size);
  }

  /**
   * The mean of the library's unit vectors as of the last save, or of the last pass for a matrix
   * kept in memory (null before either): the mean cosine of a query over the library is its dot
   * product with this (Note [Relative cutoff]).
   */
  mean(): Float32Array | null {
    return this.libraryMean;
  }

  /** A graph that takes changes. */
  private writableGraph(): Int8Graph | LayeredGraph {
    this.graph ??= this.newGraph(this.storage.embeddings.count(this.model));
    return this.graph;
  }

  /** Brings the graph level with SQLite (or builds it) on every core, while exact search serves. */
  private async reconcile(): Promise<void> {
    const matrix = this.matrix as Matrix;
    const saved = this.graph instanceof Int8Graph ? this.graph : null;
    const graph = saved ?? this.newGraph(matrix.size);
    this.graph = null;
    let read = 0;
    for await (const page of this.embeddings()) {
      // A closing reader keeps nothing of it (Note [Readers keep it in memory]).
      if (this.closed) return;
      read += page.length;
      const present = graph.contains(BigUint64Array.from(page, ([imageId]) => BigInt(imageId)));
      const missing = page.filter((_, row) => !present[row]);
      if (missing.length === 0) continue;
      graph.add(BigUint64Array.from(missing, ([imageId]) => BigInt(imageId)), missing.map(([, vector]) => vector), THREADS);
    }
    // Keys a saved graph has that SQLite did not (images removed while it was not saved): the
    // binding cannot list keys, so start over from nothing, once. What indexing writes while
    // SQLite is read is not a reason to: `add` and `remove` apply it once this ends.
    if (saved && graph.size() !== read) return this.reconcile();
    const removed = BigUint64Array.from(this.removed, BigInt);
    const inGraph = graph.contains(removed);
    const removedMeanwhile = removed.filter((_, row) => inGraph[row]);
    if (removedMeanwhile.length) graph.remove(removedMeanwhile);
    this.graph = graph;
    this.changes++;
    this.removalsSinceSave++;
  }

  /**
   * Adds or replaces vectors (an edited photo keeps its image id only if its content did not
   * change). Each image at most once per call: usearch refuses a key twice (see writeBatch).
   */
  add(items: ReadonlyArray<{ imageId: number; vector: Float32Array }>): void {
    for (const item of items) this.removed.delete(item.imageId);
    if (this.rebuilding) {
      // The rebuild works from a snapshot of SQLite: apply these once it has finished.
      void this.rebuilding.then(() => this.add(items));
      return;
    }
    if (items.length === 0) return;
    this.addedSinceSave += items.length;
    this.saveLater();
    const graph = this.writableGraph();
    const keys = BigUint64Array.from(items, (item) => BigInt(item.imageId));
    const inGraph = graph.contains(keys);
    const present = keys.filter((_, row) => inGraph[row]);
    if (present.length) graph.remove(present);
    graph.add(keys, items.map((item) => item.vector), THREADS);
    this.updateMatrix((matrix) => items.forEach((item) => matrix.set(item.imageId, item.vector)));
    this.changes++;
  }

  /** Removes images at once: they never appear in results again, even while rebuilding. */
  remove(imageIds: readonly number[]): void {
    if (imageIds.length === 0) return;
    for (const id of imageIds) this.removed.add(id);
    if (this.rebuilding) {
      void this.rebuilding.then(() => this.remove(imageIds));
      return;
    }
    if (this.graph) this.writableGraph().remove(BigUint64Array.from(imageIds, BigInt));
    this.updateMatrix((matrix) => matrix.delete(imageIds));
    this.changes++;
    this.removalsSinceSave++;
  }

  /**
   * The `k` nearest images to a unit `query`, best first, by cosine similarity; the scores of the
   * first `exact` are exact (Note [Re-ranking]), the others within about 2e-3 (all of them with 0).
   */
  async search(query: Float32Array, k: number, exact = k): Promise<ScoredImage[]> {
    const want = Math.max(k, rerankWindow(exact)) + this.removed.size;
    let results: ScoredImage[] = [];
    if (this.rebuilding && this.matrix) {
      results = await this.matrix.rank(query, null, want);
    } else if (this.graph && this.graph.size() > 0) {
      results = this.graph.nearest(query, Math.min(want, this.graph.size()));
    }
    return this.refine(
      query,
      results.filter((result) => !this.removed.has(result.imageId)),
      exact,
    ).slice(0, k);
  }

  /** The best `limit` images in `accept` (in all without it) ranked by cosine from the matrix, best first; see `refine`. */
  async rank(query: Float32Array, accept: ImageIdSet | null, limit = Infinity): Promise<ScoredImage[]> {
    const matrix = await this.matrixReady();
    return (await matrix.rank(query, accept, limit + this.removed.size)).filter((result) => !this.removed.has(result.imageId)).slice(0, limit);
  }

  /** How many indexed images `accept` holds (all of them without it), those of `leaveOut` not counted. */
  async countIn(accept: ImageIdSet | null, leaveOut: ReadonlySet<number>): Promise<number> {
    if (accept === null && leaveOut.size === 0) return this.size;
    const matrix = await this.matrixReady();
    return matrix.countWhere((imageId) => (accept?.has(imageId) ?? true) && !leaveOut.has(imageId) && !this.removed.has(imageId));
  }

  /** Whether the matrix keeps a subset of `count` rows gathered once ranked (Note [Subset kept]); false until it has loaded. */
  keepsSubset(count: number): boolean {
    return this.matrix?.keepsSubset(count) ?? false;
  }

  /**
   * `scored` (best first) with the `rerankWindow` of the `end - start` from `start` on scored again
   * from their f32 vectors (Note [Re-ranking]), and merged back in score order; those before
   * `start` stay as they are. A later page re-scores its own window, not every photo above it
   * (Note [Later pages] in search/later-pages.ts).
   */
  refine(query: Float32Array, scored: readonly ScoredImage[], end: number, start = 0): ScoredImage[] {
    const from = Math.min(start, scored.length);
    const window = scored.slice(from, from + rerankWindow(end - from));
    if (window.length === 0) return [...scored];
    const vectors = this.storage.embeddings.vectorsOf(this.model, window.map((hit) => hit.imageId));
    const rescored = window
      .map((hit) => {
        const vector = vectors.get(hit.imageId);
        return vector ? { imageId: hit.imageId, score: dot(query, vector) } : hit;
      })
      .sort((a, b) => b.score - a.score);
    return [...scored.slice(0, from), ...mergeByScore(rescored, scored.slice(from + window.length))];
  }

  /**
   * The `k` nearest images to each of many unit queries (row-major), searched on all cores.
   * `expansion` is the search breadth for this call: usearch fixes it when an index is opened, so
   * the search runs on a view of the saved file (saved first if changed). Scores come from the
   * 8-bit graph, within about 2e-3 of the cosine. Waits for a rebuild to finish.
   */
  async searchBatch(queries: Float32Array, k: number, expansion: number): Promise<BatchNeighbours> {
    await this.ready();
    const count = queries.length / this.dim;
    const out: BatchNeighbours = { k, imageIds: new Float64Array(count * k).fill(-1), scores: new Float32Array(count * k) };
    if (!this.graph || this.graph.size() === 0 || count === 0) return out;
    let file = this.file;
    if (this.dirty || !existsSync(this.file)) {
      if (this.storage.readonly) {
        // A reader cannot save (Note [Readers keep it in memory]): it views a private copy.
        file = await this.privateFile('graph');
        await this.writeGraph(this.graph, file);
        if (this.graph instanceof LayeredGraph) this.graph.forgetSnapshot();
      } else {
        await this.save();
        file = this.file;
      }
    }
    const view = this.newGraph(count, expansion);
    view.view(file);
    const matches = view.search(queries, k, THREADS);
    for (let row = 0; row < count; row++) {
      const found = Number(matches.counts[row]);
      let slot = 0;
      for (let j = 0; j < found; j++) {
        const imageId = Number(matches.keys[row * k + j]);
        if (this.removed.has(imageId)) continue;
        out.imageIds[row * k + slot] = imageId;
        out.scores[row * k + slot] = 1 - (matches.distances[row * k + j] as number);
        slot++;
      }
    }
    return out;
  }

  /**
   * Writes the graph, the matrix and the sidecar, each atomically (Note [Temporary names] in
   * temporary-files.ts), when changed; a reader never does (Note [Readers keep it in memory]).
   * Changes may go on while it saves: the files hold those made before it started.
   */
  save(): Promise<void> {
    return this.saving.run(() =>
      this.saveChanges().catch((error: unknown) => {
        throw indexSaveError(error, path.dirname(this.files.stem));
      }),
    );
  }

  /** Saves SAVE_AGE_MS from now, when no pass has saved by then (Note [Saved now and then]); a reader never saves. */
  private saveLater(): void {
    if (this.saveTimer || this.storage.readonly) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      // A save that fails here (a full disk) is tried again at the next pass's end or the close, which say why.
      if (!this.closed) this.save().catch(() => {});
    }, SAVE_AGE_MS);
    this.saveTimer.unref?.();
  }

  /** Saves when a pass's changes are worth writing the files for (Note [Saved now and then]). */
  saveIfDue(): Promise<void> {
    const added = this.addedSinceSave >= Math.max(SAVE_AFTER_ADDED.atLeast, SAVE_AFTER_ADDED.share * this.size);
    return this.removalsSinceSave > 0 || added || Date.now() - this.savedAt >= SAVE_AGE_MS ? this.save() : this.refreshMean();
  }

  /**
   * The library's mean brought up to date without a save where that is cheap: a matrix in memory
   * keeps its sum as rows change (Note [Running sum]). One read through from its file (a large
   * library) keeps the mean of the last save, which a few photos more hardly move.
   */
  private async refreshMean(): Promise<void> {
    if (!this.dirty || (this.libraryMean && !(this.matrix instanceof MemoryMatrix))) return;
    this.libraryMean = await this.meanOf(await this.matrixReady());
  }

  private async saveChanges(): Promise<void> {
    const graph = this.graph;
    if (!graph || this.rebuilding || !this.dirty || this.storage.readonly) return;
    await mkdir(path.dirname(this.files.stem), { recursive: true });
    // What the files will hold: the changes up to now (writeGraph takes its snapshot at once).
    const [generation, changes, removed] = [this.storage.library.generation(this.model), this.changes, [...this.removed]];
    const [added, removals] = [this.addedSinceSave, this.removalsSinceSave];
    const target = `${this.files.stem}~${randomUUID().slice(0, 8)}.usearch`;
    const temp = temporaryName(target);
    let written: { count: number; sha256: string };
    try {
      written = await this.writeGraph(graph, temp);
      await rename(temp, target);
    } catch (error) {
      if (graph instanceof LayeredGraph) graph.forgetSnapshot();
      throw error;
    } finally {
      await rm(temp, { force: true });
    }
    const previous = this.file;
    this.file = target;
    if (graph instanceof LayeredGraph) {
      const view = this.newGraph(written.count);
      view.view(this.file);
      this.graph = graph.rebased(view);
    }
    // A change started loading the matrix: it is saved with the graph it matches.
    const matrix = await this.matrixReady();
    await matrix.save(this.files.matrix);
    this.libraryMean = await this.meanOf(matrix);
    const sidecar: Sidecar = {
      generation,
      count: written.count,
      dim: this.dim,
      quantization: GRAPH_SCALAR,
      connectivity: CONNECTIVITY,
      sha256: written.sha256,
      stamp: (await stampOf(this.file)) as FileStamp,
      graphFile: path.basename(this.file),
      matrix: await stampOf(this.files.matrix),
      mean: this.libraryMean && Array.from(this.libraryMean),
    };
    await writeSidecar(this.files.sidecar, sidecar);
    // Where a view of it is still mapped, it stays until the next open (Note [Graph files never replaced]).
    await rm(previous, { force: true }).catch(() => {});
    for (const id of removed) this.removed.delete(id);
    this.savedChanges = changes;
    this.addedSinceSave -= added;
    this.removalsSinceSave -= removals;
    this.savedAt = Date.now();
  }

  /**
   * Writes `graph` to `file`: a graph in memory at once, a view and its changes merged on another
   * thread (Note [Changes beside the view]), whose snapshot is taken before this returns.
   */
  private async writeGraph(graph: Int8Graph | LayeredGraph, file: string): Promise<{ count: number; sha256: string }> {
    try {
      let written: { count: number; sha256: string };
      if (graph instanceof LayeredGraph) {
        written = await mergeGraph({ settings: this.graphSettings(graph.size()), base: this.file, out: file, threads: THREADS, ...graph.snapshot() });
      } else {
        graph.save(file);
        written = { count: graph.size(), sha256: await fileSha256(file) };
      }
      await this.checkWrittenWhole(file, written.count);
      return written;
    } catch (error) {
      // Asked now, before the file half written is removed and makes room again.
      throw indexSaveError(error, path.dirname(file));
    }
  }

  /**
   * usearch writes a graph smaller than its stream's buffer to a full disk as an empty file, and
   * says nothing: the graph's vectors alone (a byte per dimension) tell a file cut short.
   */
  private async checkWrittenWhole(file: string, count: number): Promise<void> {
    const { size } = await stat(file);
    if (size < count * this.dim) throw new IndexDiskFull(`the index file was written short: ${size} bytes, where its ${count} vectors alone take ${count * this.dim}`);
  }

  /** A file of this reader's own, in a private temporary folder (Note [Readers keep it in memory]). */
  private async privateFile(name: string): Promise<string> {
    this.privateDir ??= mkdtemp(path.join(os.tmpdir(), 'lumen-index-'));
    return path.join(await this.privateDir, `${name}-${randomUUID()}`);
  }

  /** Stops a background rebuild at its next page and removes a reader's private files. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    const dir = await this.privateDir?.catch(() => null);
    if (dir) await rm(dir, { recursive: true, force: true });
  }

  /** Resolves when a background rebuild (if any) has finished. */
  async ready(): Promise<void> {
    await this.rebuilding;
  }

  async deleteFiles(): Promise<void> {
    for (const file of [this.files.sidecar, this.files.matrix]) await rm(file, { force: true });
    await this.removeGraphFiles(null);
  }

  /** Removes this index's graph files but `keep`. */
  private async removeGraphFiles(keep: string | null): Promise<void> {
    const dir = path.dirname(this.files.stem);
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const file = path.join(dir, name);
      if (file !== keep && isGraphFile(this.files.stem, name)) await rm(file, { force: true }).catch(() => {});
    }
  }
}

/** Two lists best first, as one best first (the second's order kept where scores tie). */
function mergeByScore(first: readonly ScoredImage[], second: readonly ScoredImage[]): ScoredImage[] {
  const merged: ScoredImage[] = new Array(first.length + second.length);
  let [i, j] = [0, 0];
  for (let out = 0; out < merged.length; out++) {
    const a = first[i];
    const b = second[j];
    merged[out] = a !== undefined && (b === undefined || a.score >= b.score) ? (i++, a) : (j++, b as ScoredImage);
  }
  return merged;
}

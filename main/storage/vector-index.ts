/**
 * The HNSW vector index of one model's embeddings (usearch), saved next to the database with the
 * 8-bit matrix it is built from (vector-matrix.ts, Note [Quantisation]).
 *
 * Note [Derived data]: the index is rebuilt from SQLite whenever it is missing, unreadable, or
 * stale: its sidecar records the embeddings generation it was saved at (see database.ts), and a
 * mismatch in generation or count means some writes never reached the file (a crash). A stale
 * index is reconciled (missing keys added) rather than rebuilt from nothing, unless it holds keys
 * SQLite no longer has. While that runs, in slices that yield to the event loop, searches are
 * exact over the 8-bit matrix (re-ranked as always), so results are always right, only slower.
 *
 * Note [Re-ranking]: 8-bit scores cannot order near-ties, so the candidates a caller will show
 * are scored again from their f32 vectors in SQLite, reading only those rows (about 15 us each
 * here): the best `rerankWindow(n)` candidates for the `n` results wanted. Measured at 1M
 * clustered 512-d vectors (`npm run bench -- hnsw`), recall@10 against exact f32 search is
 * 99+ % with re-ranking where the 8-bit ranking alone reaches about 85 %.
 *
 * Note [Memory-mapped index]: a saved index is opened with usearch's `view`, which maps the file
 * instead of reading it: opening costs next to nothing at any size, and only the pages searches
 * touch take memory. A view is read-only, so the first change loads the file into memory.
 *
 * Note [Trusted files]: usearch aborts the process on a damaged file, so the index is opened only
 * when it is the file this app wrote: the sidecar keeps its SHA-256 and the size, modification
 * time and inode it had when saved. A file that still has them is not hashed again (hashing is
 * on the path to the first result: a third of a second at 100k photos, seconds at 1M); one that
 * was copied, restored, edited or truncated is hashed and opened only if the hash matches.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import usearch from 'usearch';
import { dot } from '../models/vectors.js';
import type { ImageIdSet } from './photo-facets.js';
import type { Storage } from './storage.js';
import { VectorMatrix, quantise } from './vector-matrix.js';

const { Index, MetricKind, ScalarKind, exactSearch } = usearch;
type UsearchIndex = InstanceType<typeof Index>;

export interface ScoredImage {
  imageId: number;
  score: number;
}

export type IndexHealth = 'ready' | 'rebuilding' | 'empty';

/** Nearest neighbours of many queries, `k` slots per query, best first; unused slots hold -1. */
export interface BatchNeighbours {
  k: number;
  imageIds: Float64Array;
  scores: Float32Array;
}

interface FileStamp {
  size: number;
  mtimeMs: number;
  ino: number;
}

interface Sidecar {
  generation: number;
  count: number;
  dim: number;
  quantization: string;
  /** SHA-256 of the index file and how it stood when saved (Note [Trusted files]). */
  sha256: string;
  stamp: FileStamp;
  /** How the matrix file stood when saved; null when it was not saved with the index. */
  matrix: FileStamp | null;
  /** The mean of the library's vectors (see `mean`), so a search need not load the matrix for it. */
  mean: number[] | null;
}

const QUANTIZATION = ScalarKind.I8;
const THREADS = Math.max(1, os.availableParallelism());
/** Rows added to the graph between yields to the event loop while it is (re)built. */
const SLICE = 4096;
/** Rows read from SQLite at once into the matrix. */
const PAGE = 8192;

/**
 * Note [Search breadth]: HNSW's `expansion_search` trades latency for recall, and larger indexes
 * need more of it. Chosen by `npm run bench -- hnsw` (8-bit graph, re-ranked, 512-d clustered
 * vectors, recall@10 against exact f32 search). It is a search-time setting, applied when the
 * index is opened.
 */
export function expansionSearchFor(count: number): number {
  if (count <= 50_000) return 64;
  return count <= 300_000 ? 128 : 256;
}

/** Candidates re-scored exactly when `count` results are wanted (Note [Re-ranking]). */
export function rerankWindow(count: number): number {
  return Math.max(2 * count, count + 40);
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function stampOf(file: string): Promise<FileStamp | null> {
  const info = await stat(file).catch(() => null);
  return info && { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino };
}

function sameStamp(a: FileStamp | null | undefined, b: FileStamp | null | undefined): boolean {
  return !!a && !!b && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

export class VectorIndex {
  private graph: UsearchIndex | null = null;
  /** The graph is a read-only view of the saved file (Note [Memory-mapped index]). */
  private viewed = false;
  /** Changed since the last save. */
  private dirty = false;
  private rebuilding: Promise<void> | null = null;
  private matrix: VectorMatrix | null = null;
  private matrixLoad: Promise<VectorMatrix> | null = null;
  /** Changes that arrive while the matrix loads, applied once it has. */
  private matrixLog: Array<(matrix: VectorMatrix) => void> | null = null;
  /** The saved matrix misses changes made while it was not loaded. */
  private matrixFileStale = false;
  private readonly file: string;
  private readonly matrixFile: string;
  private readonly removed = new Set<number>();
  private savedMean: Float32Array | null = null;

  constructor(
    private readonly storage: Storage,
    readonly model: string,
    readonly dim: number,
    indexDir: string,
  ) {
    this.file = path.join(indexDir, `${model.replace(/[^A-Za-z0-9._-]/g, '_')}.usearch`);
    this.matrixFile = this.file.replace(/\.usearch$/, '.i8');
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
    const sidecar = await this.readSidecar();
    // The generation moves with every change of the embeddings (database.ts): no need to count them.
    const fresh = sidecar?.generation === this.storage.library.generation(this.model);
    if (sidecar && sidecar.dim === this.dim && sidecar.quantization === QUANTIZATION && (await this.trusted(sidecar))) {
      try {
        const graph = this.newGraph(sidecar.count);
        if (fresh) graph.view(this.file);
        else graph.load(this.file);
        this.graph = graph;
        this.viewed = fresh;
        this.savedMean = sidecar.mean ? Float32Array.from(sidecar.mean) : null;
        if (fresh && graph.size() === sidecar.count) return;
      } catch {
        this.graph = null;
      }
    }
    // A view cannot take the missing keys: a damaged one is rebuilt from nothing.
    if (this.viewed) [this.graph, this.viewed] = [null, false];
    this.matrixFileStale = true;
    await this.matrixReady();
    this.rebuilding = this.reconcile().finally(() => (this.rebuilding = null));
  }

  private async trusted(sidecar: Sidecar): Promise<boolean> {
    const stamp = await stampOf(this.file);
    if (!stamp) return false;
    return sameStamp(stamp, sidecar.stamp) || (stamp.size === sidecar.stamp?.size && (await fileSha256(this.file)) === sidecar.sha256);
  }

  private newGraph(expectedSize: number, expansion = expansionSearchFor(expectedSize)): UsearchIndex {
    return new Index({ dimensions: this.dim, metric: MetricKind.Cos, quantization: QUANTIZATION, connectivity: 16, expansion_add: 64, expansion_search: expansion, multi: false });
  }

  private async readSidecar(): Promise<Sidecar | null> {
    try {
      return JSON.parse(await readFile(`${this.file}.json`, 'utf8')) as Sidecar;
    } catch {
      return null;
    }
  }

  /** The 8-bit matrix: from its file when that is current, else read from SQLite a page at a time. */
  private matrixReady(): Promise<VectorMatrix> {
    this.matrixLoad ??= (async () => {
      this.matrixLog = [];
      const sidecar = this.matrixFileStale ? null : await this.readSidecar();
      const current = sidecar !== null && sidecar.generation === this.storage.library.generation(this.model) && sameStamp(await stampOf(this.matrixFile), sidecar.matrix);
      const matrix = (current ? await VectorMatrix.load(this.matrixFile, this.dim) : null) ?? (await this.matrixFromSqlite());
      for (const change of this.matrixLog) change(matrix);
      this.matrixLog = null;
      this.matrix = matrix;
      return matrix;
    })();
    return this.matrixLoad;
  }

  private async matrixFromSqlite(): Promise<VectorMatrix> {
    const matrix = new VectorMatrix(this.dim, Math.max(1, this.storage.embeddings.count(this.model)));
    const vector = new Float32Array(this.dim);
    const bytes = new Uint8Array(vector.buffer);
    for (let after = 0; ; ) {
      const rows = this.storage.embeddings.rawAfter(this.model, after, PAGE);
      for (const [imageId, blob] of rows) {
        bytes.set(blob);
        matrix.set(imageId, vector);
      }
      if (rows.length < PAGE) return matrix;
      after = (rows[rows.length - 1] as [number, Buffer])[0];
      await yieldToEventLoop();
    }
  }

  /** Applies a change to the matrix now, or once it has loaded (a change starts the load). */
  private updateMatrix(change: (matrix: VectorMatrix) => void): void {
    if (this.matrix) change(this.matrix);
    else this.matrixLog?.push(change);
  }

  /**
   * The mean of the library's unit vectors (null when empty or unknown): the mean cosine of a
   * query over the library is its dot product with this (Note [Relative cutoff] in search.ts).
   */
  mean(): Float32Array | null {
    return this.matrix ? this.matrix.mean() : this.savedMean;
  }

  /** A graph that takes changes: a view is replaced by the file loaded into memory. */
  private writableGraph(): UsearchIndex {
    if (this.graph && this.viewed) {
      const loaded = this.newGraph(this.graph.size());
      loaded.load(this.file);
      this.graph = loaded;
      this.viewed = false;
    }
    this.graph ??= this.newGraph(this.storage.embeddings.count(this.model));
    return this.graph;
  }

  /** Brings the graph level with the matrix (or builds it), while exact search serves. */
  private async reconcile(): Promise<void> {
    const matrix = this.matrix as VectorMatrix;
    const graph = this.graph ?? this.newGraph(matrix.size);
    this.graph = null;
    this.viewed = false;
    const { ids, vectors } = matrix.rows();
    const missing: number[] = [];
    ids.forEach((id, row) => {
      if (!graph.contains(BigInt(id))) missing.push(row);
    });
    for (let start = 0; start < missing.length; start += SLICE) {
      const rows = missing.slice(start, start + SLICE);
      const slice = new Int8Array(rows.length * this.dim);
      rows.forEach((row, i) => slice.set(vectors.subarray(row * this.dim, (row + 1) * this.dim), i * this.dim));
      graph.add(BigUint64Array.from(rows, (row) => BigInt(ids[row] as number)), slice, THREADS);
      await yieldToEventLoop();
    }
    // Keys the graph has but SQLite does not (images removed while it was not saved): the
    // binding cannot list keys, so start over from the matrix.
    if (graph.size() !== matrix.size) {
      this.graph = null;
      return this.reconcile();
    }
    const removedMeanwhile = [...this.removed].filter((id) => graph.contains(BigInt(id)));
    if (removedMeanwhile.length) graph.remove(BigUint64Array.from(removedMeanwhile, BigInt));
    this.graph = graph;
    this.dirty = true;
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
    const graph = this.writableGraph();
    const keys = items.map((item) => BigInt(item.imageId));
    const present = keys.filter((key) => graph.contains(key));
    if (present.length) graph.remove(BigUint64Array.from(present));
    const matrix = new Int8Array(items.length * this.dim);
    items.forEach((item, row) => quantise(item.vector, matrix, row * this.dim));
    graph.add(BigUint64Array.from(keys), matrix, THREADS);
    void this.matrixReady();
    this.updateMatrix((m) => items.forEach((item) => m.set(item.imageId, item.vector)));
    this.dirty = true;
  }

  /** Removes images at once: they never appear in results again, even while rebuilding. */
  remove(imageIds: readonly number[]): void {
    if (imageIds.length === 0) return;
    for (const id of imageIds) this.removed.add(id);
    if (this.rebuilding) {
      // The rebuild reads the matrix row by row: change it once it has finished.
      void this.rebuilding.then(() => this.remove(imageIds));
      return;
    }
    if (this.graph) this.writableGraph().remove(BigUint64Array.from(imageIds, BigInt));
    void this.matrixReady();
    this.updateMatrix((m) => m.delete(imageIds));
    this.dirty = true;
  }

  /**
   * The `k` nearest images to a unit `query`, best first, by cosine similarity; the scores of the
   * first `exact` are exact (Note [Re-ranking]), the others within about 1e-3 (all of them with 0).
   */
  search(query: Float32Array, k: number, exact = k): ScoredImage[] {
    const want = Math.max(k, rerankWindow(exact)) + this.removed.size;
    const quantised = quantise(query);
    let results: ScoredImage[] = [];
    if (this.rebuilding && this.matrix && this.matrix.size > 0) {
      const { ids, vectors } = this.matrix.rows();
      const matches = exactSearch(vectors, quantised, this.dim, Math.min(want, ids.length), MetricKind.Cos) as { keys: BigUint64Array; distances: Float32Array };
      results = Array.from(matches.keys, (row, i) => ({ imageId: ids[Number(row)] as number, score: 1 - (matches.distances[i] as number) }));
    } else if (this.graph && this.graph.size() > 0) {
      const matches = this.graph.search(quantised, Math.min(want, this.graph.size()), 1) as { keys: BigUint64Array; distances: Float32Array };
      results = Array.from(matches.keys, (key, i) => ({ imageId: Number(key), score: 1 - (matches.distances[i] as number) }));
    }
    return this.refine(
      query,
      results.filter((result) => !this.removed.has(result.imageId)),
      exact,
    ).slice(0, k);
  }

  /** Every image in `accept` (every image without it) ranked by cosine from the matrix, best first; see `refine`. */
  async rank(query: Float32Array, accept: ImageIdSet | null): Promise<ScoredImage[]> {
    const matrix = await this.matrixReady();
    return matrix.rank(query, accept).filter((result) => !this.removed.has(result.imageId));
  }

  /**
   * `scored` (best first) with the best `rerankWindow(count)` scored again from their f32
   * vectors, and in order again (Note [Re-ranking]).
   */
  refine(query: Float32Array, scored: ScoredImage[], count: number): ScoredImage[] {
    const window = count > 0 ? scored.slice(0, rerankWindow(count)) : [];
    if (window.length === 0) return scored;
    const vectors = this.storage.embeddings.vectorsOf(this.model, window.map((hit) => hit.imageId));
    const rescored = window.map((hit) => {
      const vector = vectors.get(hit.imageId);
      return vector ? { imageId: hit.imageId, score: dot(query, vector) } : hit;
    });
    return [...rescored, ...scored.slice(window.length)].sort((a, b) => b.score - a.score);
  }

  /**
   * The `k` nearest images to each of many unit queries (row-major), searched on all cores.
   * `expansion` is the search breadth for this call: usearch fixes it when an index is opened, so
   * the search runs on a view of the saved file (saved first if changed). Scores come from the
   * 8-bit graph, within about 1e-3 of the cosine. Waits for a rebuild to finish.
   */
  async searchBatch(queries: Float32Array, k: number, expansion: number): Promise<BatchNeighbours> {
    await this.ready();
    const count = queries.length / this.dim;
    const out: BatchNeighbours = { k, imageIds: new Float64Array(count * k).fill(-1), scores: new Float32Array(count * k) };
    if (!this.graph || this.graph.size() === 0 || count === 0) return out;
    if (this.dirty || !existsSync(this.file)) await this.save();
    const view = this.newGraph(count, expansion);
    view.view(this.file);
    const quantised = new Int8Array(queries.length);
    for (let row = 0; row < count; row++) quantise(queries.subarray(row * this.dim, (row + 1) * this.dim), quantised, row * this.dim);
    const matches = view.search(quantised, k, THREADS) as { keys: BigUint64Array; distances: Float32Array; counts?: BigUint64Array };
    for (let row = 0; row < count; row++) {
      const found = matches.counts ? Number(matches.counts[row]) : matches.keys.length;
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

  /** Writes what changed (the graph, the matrix when loaded, the sidecar) atomically: temp file + rename. */
  async save(): Promise<void> {
    if (!this.graph || this.rebuilding || !this.dirty) return;
    await mkdir(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    this.graph.save(temp);
    const sha256 = await fileSha256(temp);
    await rename(temp, this.file);
    // A change started loading the matrix: it is saved with the graph it matches.
    const matrix = await this.matrixReady();
    await matrix.save(`${this.matrixFile}.tmp`);
    await rename(`${this.matrixFile}.tmp`, this.matrixFile);
    const sidecar: Sidecar = {
      generation: this.storage.library.generation(this.model),
      count: this.graph.size(),
      dim: this.dim,
      quantization: QUANTIZATION,
      sha256,
      stamp: (await stampOf(this.file)) as FileStamp,
      matrix: await stampOf(this.matrixFile),
      mean: Array.from(matrix.mean()),
    };
    await writeFile(`${this.file}.json.tmp`, JSON.stringify(sidecar));
    await rename(`${this.file}.json.tmp`, `${this.file}.json`);
    this.removed.clear();
    this.dirty = false;
  }

  /** Resolves when a background rebuild (if any) has finished. */
  async ready(): Promise<void> {
    await this.rebuilding;
  }

  async deleteFiles(): Promise<void> {
    for (const file of [this.file, `${this.file}.json`, this.matrixFile]) await rm(file, { force: true });
  }
}

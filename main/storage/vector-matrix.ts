/**
 * Every embedding of one model as 8-bit integers: what ranks a filtered subset exactly (Note
 * [Filtered search] in search.ts) and the whole library while the graph is rebuilt.
 *
 * Note [Quantisation]: each vector is scaled so that its largest component is 127 and rounded.
 * Cosine similarity ignores a vector's length, so a scale of its own per vector loses nothing
 * and keeps all 8 bits busy, where usearch's own cast to i8 scales every vector to length 127
 * and truncates (about 3 significant bits per component of a 512-d vector). Scores from these
 * rows are within 2e-3 of the true cosine; the best of them are re-scored from the f32 vectors
 * SQLite keeps (Note [Re-ranking] in vector-index.ts).
 *
 * Note [Matrix in memory]: the rows stay in memory while they take at most MATRIX_IN_MEMORY
 * bytes (about 500k photos of 512-d). A larger library keeps them in the matrix file and reads
 * it through, a few megabytes at a time, when a filtered search or a rebuild needs them, with
 * the changes since the last save in memory; that is what keeps 1M photos within 1.5 GB with
 * the text model loaded (`npm run bench -- memory`).
 *
 * Its file, and how a damaged one is refused: matrix-file.ts (Note [Matrix checked]).
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { indexInSorted } from '../core/sorted.js';
import usearch from 'usearch';
import { BLOCK, intactRowCount, readMatrixFile, writeMatrixFile, type Rows } from './matrix-file.js';
import type { ImageIdSet } from './photo-facets.js';

const { exactSearch, MetricKind } = usearch;

export interface ScoredImage {
  imageId: number;
  score: number;
}

export const MATRIX_IN_MEMORY = 256 * 2 ** 20;
/** The largest subset a matrix keeps gathered (Note [Subset kept]): 64k rows of 512-d, a third of 100k photos' or 6 % of 1M's. */
const SUBSET_KEPT = 32 * 2 ** 20;

/** `vector` as 8-bit integers with its largest component at +-127 (Note [Quantisation]). */
export function quantise(vector: Float32Array, out: Int8Array = new Int8Array(vector.length), offset = 0): Int8Array {
  let largest = 0;
  for (const value of vector) largest = Math.max(largest, Math.abs(value));
  const scale = largest > 0 ? 127 / largest : 0;
  for (let i = 0; i < vector.length; i++) out[offset + i] = Math.round((vector[i] as number) * scale);
  return out;
}


/** A subset's rows, gathered BLOCK at a time: kept between searches, whose fresh megabytes kept the collector busy. */
const gathered: Rows = { ids: new Float64Array(BLOCK), data: new Int8Array(0), count: 0 };

/**
 * Appends the cosines of `query` with the best `limit` rows of each block that pass `test` (all
 * rows without one), through usearch's exact search (SIMD, both sides quantised). A subset is
 * gathered into blocks first: scoring it row by row here took twice as long as the whole library
 * at 10 %.
 *
 * Note [Bounded ranking]: usearch sorts the `k` results it returns: all 8,192 rows of a block
 * took 3.9 ms, its best 50 0.4 ms. So a search asks for the best it needs (its page, or what may
 * pass the cutoff) and asks again for more only when they all might.
 */
function scoreRows(rows: Rows, dim: number, query: Float32Array, test: ((imageId: number) => boolean) | null, out: ScoredImage[], limit: number): void {
  const quantised = quantise(query);
  const score = (block: Rows) => {
    if (block.count === 0) return;
    const k = Math.min(block.count, limit);
    // One thread: for one query usearch's threads only add their start (1.8 against 1.0 ms for 25k rows).
    const found = exactSearch(block.data.subarray(0, block.count * dim), quantised, dim, k, MetricKind.Cos, 1) as { keys: BigUint64Array; distances: Float32Array };
    found.keys.forEach((row, i) => out.push({ imageId: block.ids[Number(row)] as number, score: 1 - (found.distances[i] as number) }));
  };
  if (!test) return score(rows);
  if (gathered.data.length < BLOCK * dim) gathered.data = new Int8Array(BLOCK * dim);
  for (let row = 0; row < rows.count; ) {
    gathered.count = 0;
    row = gatherRows(rows, dim, test, gathered, row);
    score(gathered);
  }
}

/** The best `limit` of `scored`, best first. */
function best(scored: ScoredImage[], limit: number): ScoredImage[] {
  scored.sort((a, b) => b.score - a.score);
  if (scored.length > limit) scored.length = limit;
  return scored;
}

/** Room for `count` rows of `dim` dimensions. */
function rowsFor(count: number, dim: number): Rows {
  return { ids: new Float64Array(count), data: new Int8Array(count * dim), count: 0 };
}

/** Appends the rows of `from` that pass `test`, from row `start` on, to `into` until it is full; returns the row after the last one read. */
function gatherRows(from: Rows, dim: number, test: (imageId: number) => boolean, into: Rows, start = 0): number {
  let row = start;
  for (; row < from.count && into.count < into.ids.length; row++) {
    const imageId = from.ids[row] as number;
    if (!test(imageId)) continue;
    into.ids[into.count] = imageId;
    into.data.set(from.data.subarray(row * dim, (row + 1) * dim), into.count++ * dim);
  }
  return row;
}

/**
 * Note [Subset kept]: a person who sets a filter and types ranks the same subset for every
 * keystroke's page and for its count, and gathering its rows from all over the matrix took as
 * long as scoring them (reading a million photos' file through, 100 ms). So the rows of the last
 * subset ranked stay gathered, up to SUBSET_KEPT bytes, until a row changes or another subset (a
 * set of its own: `matching` keeps one per filter until a write, Note [Filter results kept]) is
 * ranked. In memory the buffer is reused from subset to subset (a fresh one each time a filter
 * changed kept the collector busy); read from a file, a subset gets rows of its own, as other
 * rankings may run while it is read.
 */
class KeptSubset {
  private accept: ImageIdSet | null = null;
  private rows: Rows = rowsFor(0, 0);
  /** Counts the changes to the matrix, so that a gathering a change overtook is not kept. */
  private version = 0;

  constructor(private readonly dim: number) {}

  fits(count: number): boolean {
    return count * this.dim <= SUBSET_KEPT;
  }

  forget(): void {
    this.accept = null;
    this.version++;
  }

  /** The rows of `accept`: the kept ones, or gathered by `gather` into the kept buffer, made room for `count`. */
  ofNow(accept: ImageIdSet, count: number, gather: (into: Rows) => void): Rows {
    if (this.accept === accept) return this.rows;
    this.accept = null;
    if (this.rows.ids.length < count) this.rows = rowsFor(count, this.dim);
    this.rows.count = 0;
    gather(this.rows);
    this.accept = accept;
    return this.rows;
  }

  /** As `ofNow`, for a gathering that reads a file: into rows of its own. */
  async of(accept: ImageIdSet, count: number, gather: (into: Rows) => Promise<void>): Promise<Rows> {
    if (this.accept === accept) return this.rows;
    const version = this.version;
    const rows = rowsFor(count, this.dim);
    await gather(rows);
    if (this.version === version) [this.rows, this.accept] = [rows, accept];
    return rows;
  }
}

/** Adds `sign` times row `row` of `data`, as a unit vector, to `sum`. */
function addUnitRow(data: Int8Array, row: number, sum: Float64Array, sign: 1 | -1): void {
  const dim = sum.length;
  let norm = 0;
  for (let i = 0, at = row * dim; i < dim; i++, at++) norm += (data[at] as number) ** 2;
  const scale = norm > 0 ? sign / Math.sqrt(norm) : 0;
  for (let i = 0, at = row * dim; i < dim; i++, at++) sum[i] = (sum[i] as number) + (data[at] as number) * scale;
}

/** Adds the rows that pass `test` to `sum`, each as a unit vector. */
function sumRows(rows: Rows, sum: Float64Array, test: (imageId: number) => boolean): void {
  for (let row = 0; row < rows.count; row++) if (test(rows.ids[row] as number)) addUnitRow(rows.data, row, sum, 1);
}


/** What the vector index needs of the rows, wherever they are. */
export interface Matrix {
  readonly size: number;
  set(imageId: number, vector: Float32Array): void;
  delete(imageIds: Iterable<number>): void;
  /** Cosines of a unit f32 `query` with the best `limit` images in `accept` (in all without it), best first (Note [Bounded ranking]). */
  rank(query: Float32Array, accept: ImageIdSet | null, limit?: number): Promise<ScoredImage[]>;
  /** Whether a subset of `count` rows, once ranked, stays gathered for the next ranking (Note [Subset kept]). */
  keepsSubset(count: number): boolean;
  /** How many of its images pass `test`. */
  countWhere(test: (imageId: number) => boolean): number;
  /** The sum of the rows as unit vectors (the library's mean direction, times its size). */
  sum(): Promise<Float64Array>;
  /** Writes the rows to `file` (which then holds them). */
  save(file: string): Promise<void>;
}

function countPassing(ids: Float64Array, count: number, test: (imageId: number) => boolean): number {
  let passing = 0;
  for (let row = 0; row < count; row++) if (test(ids[row] as number)) passing++;
  return passing;
}

/**
 * Rows in memory, by image id.
 *
 * Note [Running sum]: the sum of the rows as unit vectors (the library's mean direction, saved
 * with the index) is kept up to date as rows change, from the library matrix's first row or from
 * the first `sum()`: summing 100k rows again at each save held the engine's thread for a third of
 * a second while searches waited. A matrix never asked for it (a block written to a file) does
 * no work for it.
 */
export class MemoryMatrix implements Matrix, Rows {
  data: Int8Array;
  ids: Float64Array;
  count = 0;
  /** Row + 1 of each image id, so that a fresh (zeroed) table means "absent". */
  private rowOf = new Int32Array(0);
  /** The sum of the rows as unit vectors, from the first `sum()` on (Note [Running sum]). */
  private total: Float64Array | null = null;
  private readonly subset: KeptSubset;

  constructor(
    readonly dim: number,
    capacity = 1024,
  ) {
    this.data = new Int8Array(capacity * dim);
    this.ids = new Float64Array(capacity);
    this.subset = new KeptSubset(dim);
  }

  /**
   * The library's matrix, about to be filled with `count` rows: room for them and the changes of
   * a typical session after them, so that indexing rarely copies the whole matrix to grow it, and
   * its sum kept from the first row on, as the rows come in (Note [Running sum]).
   */
  static withRoomFor(dim: number, count: number): MemoryMatrix {
    const matrix = new MemoryMatrix(dim, count + Math.max(1024, Math.ceil(count / 8)));
    matrix.total = new Float64Array(dim);
    return matrix;
  }

  get size(): number {
    return this.count;
  }

  set(imageId: number, vector: Float32Array | Int8Array): void {
    this.subset.forget();
    let row = (this.rowOf[imageId] ?? 0) - 1;
    if (row < 0) {
      if (this.count === this.ids.length) {
        const capacity = Math.ceil(this.ids.length * 1.5) + 1;
        const [data, ids] = [new Int8Array(capacity * this.dim), new Float64Array(capacity)];
        data.set(this.data);
        ids.set(this.ids);
        [this.data, this.ids] = [data, ids];
      }
      if (imageId >= this.rowOf.length) {
        const rowOf = new Int32Array(Math.max(imageId + 1, Math.ceil(this.rowOf.length * 1.5)));
        rowOf.set(this.rowOf);
        this.rowOf = rowOf;
      }
      row = this.count++;
      this.rowOf[imageId] = row + 1;
      this.ids[row] = imageId;
    } else if (this.total) addUnitRow(this.data, row, this.total, -1);
    if (vector instanceof Int8Array) this.data.set(vector, row * this.dim);
    else quantise(vector, this.data, row * this.dim);
    if (this.total) addUnitRow(this.data, row, this.total, 1);
  }

  clear(): void {
    this.subset.forget();
    for (let row = 0; row < this.count; row++) this.rowOf[this.ids[row] as number] = 0;
    this.count = 0;
    this.total = null;
  }

  /** Removes images (the last row moves into each freed one). */
  delete(imageIds: Iterable<number>): void {
    this.subset.forget();
    for (const imageId of imageIds) {
      const row = (this.rowOf[imageId] ?? 0) - 1;
      if (row < 0) continue;
      if (this.total) addUnitRow(this.data, row, this.total, -1);
      const last = --this.count;
      if (row !== last) {
        this.data.copyWithin(row * this.dim, last * this.dim, (last + 1) * this.dim);
        const moved = this.ids[last] as number;
        this.ids[row] = moved;
        this.rowOf[moved] = row + 1;
      }
      this.rowOf[imageId] = 0;
    }
  }

  rankNow(query: Float32Array, accept: ImageIdSet | null, limit = Infinity): ScoredImage[] {
    const out: ScoredImage[] = [];
    const count = accept ? Math.min(accept.size, this.count) : 0;
    if (accept && this.subset.fits(count)) {
      const rows = this.subset.ofNow(accept, count, (into) => gatherRows(this, this.dim, (id) => accept.has(id), into));
      scoreRows(rows, this.dim, query, null, out, limit);
    } else scoreRows(this, this.dim, query, accept && ((id) => accept.has(id)), out, limit);
    return best(out, limit);
  }

  keepsSubset(count: number): boolean {
    return this.subset.fits(count);
  }

  countWhere(test: (imageId: number) => boolean): number {
    return countPassing(this.ids, this.count, test);
  }

  async rank(query: Float32Array, accept: ImageIdSet | null, limit = Infinity): Promise<ScoredImage[]> {
    return this.rankNow(query, accept, limit);
  }

  async sum(): Promise<Float64Array> {
    if (!this.total) {
      this.total = new Float64Array(this.dim);
      sumRows(this, this.total, () => true);
    }
    return Float64Array.from(this.total);
  }

  async save(file: string): Promise<void> {
    await writeMatrixFile(file, this.dim, (write) => write(this));
  }
}

/** The rows of a matrix file too large to hold (Note [Matrix in memory]), changes kept in memory until saved. */
export class DiskMatrix implements Matrix {
  /** Rows added or replaced since the file was written. */
  private changed: MemoryMatrix;
  /** Images of the file that no longer count: removed, or replaced in `changed`. */
  private readonly dropped = new Set<number>();

  private readonly subset: KeptSubset;

  private constructor(
    private file: string,
    readonly dim: number,
    /** The file's image ids, sorted. */
    private fileIds: Float64Array,
  ) {
    this.changed = new MemoryMatrix(dim, 64);
    this.subset = new KeptSubset(dim);
  }

  static async open(file: string, dim: number): Promise<DiskMatrix | null> {
    const ids: number[] = [];
    const read = await readMatrixFile(file, dim, (rows) => {
      for (let row = 0; row < rows.count; row++) ids.push(rows.ids[row] as number);
    }, false);
    return read ? new DiskMatrix(file, dim, Float64Array.from(ids).sort()) : null;
  }

  get size(): number {
    return this.fileIds.length - this.dropped.size + this.changed.size;
  }

  private inFile(imageId: number): boolean {
    return indexInSorted(this.fileIds, imageId) >= 0;
  }

  set(imageId: number, vector: Float32Array): void {
    this.subset.forget();
    if (this.inFile(imageId)) this.dropped.add(imageId);
    this.changed.set(imageId, vector);
  }

  delete(imageIds: Iterable<number>): void {
    this.subset.forget();
    for (const imageId of imageIds) if (this.inFile(imageId)) this.dropped.add(imageId);
    this.changed.delete(imageIds);
  }

  keepsSubset(count: number): boolean {
    return this.subset.fits(count);
  }

  countWhere(test: (imageId: number) => boolean): number {
    return this.changed.countWhere(test) + countPassing(this.fileIds, this.fileIds.length, (imageId) => !this.dropped.has(imageId) && test(imageId));
  }

  private kept(accept: ImageIdSet | null): ((imageId: number) => boolean) | null {
    if (this.dropped.size === 0) return accept && ((id) => accept.has(id));
    return (id) => !this.dropped.has(id) && (accept?.has(id) ?? true);
  }

  /**
   * The changes are ranked first, as they are when the ranking starts, then the file: a row
   * replaced while the file is read then comes once, old or new, never twice.
   */
  async rank(query: Float32Array, accept: ImageIdSet | null, limit = Infinity): Promise<ScoredImage[]> {
    let out: ScoredImage[] = [];
    const count = accept ? Math.min(accept.size, this.size) : 0;
    if (accept && this.subset.fits(count)) {
      const test = (id: number) => accept.has(id);
      const kept = this.kept(accept) as (imageId: number) => boolean;
      const rows = await this.subset.of(accept, count, async (into) => {
        gatherRows(this.changed, this.dim, test, into);
        await readMatrixFile(this.file, this.dim, (block) => {
          gatherRows(block, this.dim, kept, into);
        });
      });
      scoreRows(rows, this.dim, query, null, out, limit);
      return best(out, limit);
    }
    const test = this.kept(accept);
    scoreRows(this.changed, this.dim, query, accept && ((id) => accept.has(id)), out, limit);
    await readMatrixFile(this.file, this.dim, (rows) => {
      scoreRows(rows, this.dim, query, test, out, limit);
      // A million rows read block by block keep only what can still be among the best.
      if (out.length > 4 * limit) out = best(out, limit);
    });
    return best(out, limit);
  }

  async sum(): Promise<Float64Array> {
    const sum = new Float64Array(this.dim);
    const test = this.kept(null) ?? (() => true);
    await readMatrixFile(this.file, this.dim, (rows) => sumRows(rows, sum, test));
    sumRows(this.changed, sum, () => true);
    return sum;
  }

  async save(file: string): Promise<void> {
    const test = this.kept(null) ?? undefined;
    await writeMatrixFile(file, this.dim, async (write) => {
      await readMatrixFile(this.file, this.dim, (rows) => write(rows, test));
      await write(this.changed);
    });
    const saved = (await DiskMatrix.open(file, this.dim)) as DiskMatrix;
    [this.file, this.fileIds, this.changed] = [file, saved.fileIds, new MemoryMatrix(this.dim, 64)];
    this.dropped.clear();
  }
}

/**
 * Rows a matrix loads into memory between two turns of the event loop. The first indexed batch
 * of a session loads the whole matrix (once), on the engine's thread: a block of BLOCK rows at
 * a time held it for 50-160 ms at 100k photos while indexing ran, and a search waited as long.
 */
export const ROWS_PER_TURN = 1024;

/** The matrix saved in `file`: in memory when small enough (Note [Matrix in memory]); null when unreadable or damaged (Note [Matrix checked] in matrix-file.ts). */
export async function loadMatrix(file: string, dim: number): Promise<Matrix | null> {
  const count = await intactRowCount(file, dim);
  if (count === null) return null;
  if (count * dim > MATRIX_IN_MEMORY) return DiskMatrix.open(file, dim);
  const matrix = MemoryMatrix.withRoomFor(dim, count);
  const read = await readMatrixFile(file, dim, async (rows) => {
    for (let row = 0; row < rows.count; row++) {
      matrix.set(rows.ids[row] as number, rows.data.subarray(row * dim, (row + 1) * dim));
      if ((row + 1) % ROWS_PER_TURN === 0) await yieldToEventLoop();
    }
  });
  return read ? matrix : null;
}

/**
 * A matrix of the rows `pages` yields (f32, in blocks), in memory or, beyond MATRIX_IN_MEMORY
 * for `expected` rows, written to `file` as they come.
 */
export async function buildMatrix(file: string, dim: number, expected: number, pages: AsyncIterable<Array<[number, Float32Array]>>): Promise<Matrix> {
  if (expected * dim <= MATRIX_IN_MEMORY) {
    const memory = MemoryMatrix.withRoomFor(dim, expected);
    for await (const page of pages) for (const [imageId, vector] of page) memory.set(imageId, vector);
    return memory;
  }
  const block = new MemoryMatrix(dim, BLOCK);
  await writeMatrixFile(file, dim, async (write) => {
    for await (const page of pages) {
      block.clear();
      for (const [imageId, vector] of page) block.set(imageId, vector);
      await write(block);
    }
  });
  return (await loadMatrix(file, dim)) as Matrix;
}

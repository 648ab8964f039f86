/**
 * Every embedding of one model as 8-bit integers, in memory: what the HNSW graph is built from,
 * and what ranks a filtered subset exactly (Note [Filtered search] in search.ts) or the whole
 * library while the graph is rebuilt.
 *
 * Note [Quantisation]: each vector is scaled so that its largest component is 127 and rounded
 * to 8-bit integers. Cosine similarity ignores a vector's length, so a scale of its own per
 * vector loses nothing and keeps all 8 bits busy (usearch's own cast assumes unit length and
 * truncates: about 3 bits for a 512-d unit vector). The graph and this matrix hold those bytes,
 * a quarter of f32 (1M x 512-d: 512 MB instead of 2 GB, or 1 GB for f16). Scores from them are
 * within about 1e-3 of the true cosine: enough to find a query's neighbourhood, not to order
 * near-ties, so the best candidates are re-scored from the f32 vectors SQLite keeps (Note
 * [Re-ranking] in vector-index.ts).
 */
import { open } from 'node:fs/promises';
import type { ImageIdSet } from './photo-facets.js';
import type { ScoredImage } from './vector-index.js';

/** `vector` as 8-bit integers with its largest component at +-127 (Note [Quantisation]). */
export function quantise(vector: Float32Array, out: Int8Array = new Int8Array(vector.length), offset = 0): Int8Array {
  let largest = 0;
  for (const value of vector) largest = Math.max(largest, Math.abs(value));
  const scale = largest > 0 ? 127 / largest : 0;
  for (let i = 0; i < vector.length; i++) out[offset + i] = Math.round((vector[i] as number) * scale);
  return out;
}

/** Bytes before the rows in a saved matrix: count and dimension. */
const HEADER = 8;

export class VectorMatrix {
  private data: Int8Array;
  private ids: Float64Array;
  /** 1 / length of each row, so a cosine is one dot product. */
  private inverseNorms: Float32Array;
  private rowOf = new Int32Array(0).fill(-1);
  private count = 0;
  private meanCache: Float32Array | null = null;

  constructor(
    readonly dim: number,
    capacity = 1024,
  ) {
    this.data = new Int8Array(capacity * dim);
    this.ids = new Float64Array(capacity);
    this.inverseNorms = new Float32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** The rows as the graph takes them: contiguous bytes from the start of their own buffer. */
  rows(): { ids: Float64Array; vectors: Int8Array } {
    return { ids: this.ids.subarray(0, this.count), vectors: this.data.subarray(0, this.count * this.dim) };
  }

  has(imageId: number): boolean {
    return (this.rowOf[imageId] ?? -1) >= 0;
  }

  private grow(rows: number, maxId: number): void {
    if (rows > this.ids.length) {
      const capacity = Math.max(rows, Math.ceil(this.ids.length * 1.5));
      const data = new Int8Array(capacity * this.dim);
      data.set(this.data.subarray(0, this.count * this.dim));
      const ids = new Float64Array(capacity);
      ids.set(this.ids.subarray(0, this.count));
      const norms = new Float32Array(capacity);
      norms.set(this.inverseNorms.subarray(0, this.count));
      [this.data, this.ids, this.inverseNorms] = [data, ids, norms];
    }
    if (maxId >= this.rowOf.length) {
      const rowOf = new Int32Array(Math.max(maxId + 1, Math.ceil(this.rowOf.length * 1.5))).fill(-1);
      rowOf.set(this.rowOf);
      this.rowOf = rowOf;
    }
  }

  private normOf(row: number): number {
    let sum = 0;
    for (let i = row * this.dim, end = i + this.dim; i < end; i++) sum += (this.data[i] as number) ** 2;
    return sum > 0 ? 1 / Math.sqrt(sum) : 0;
  }

  /** Adds or replaces the vector of `imageId`. */
  set(imageId: number, vector: Float32Array): void {
    let row = this.rowOf[imageId] ?? -1;
    if (row < 0) {
      this.grow(this.count + 1, imageId);
      row = this.count++;
      this.rowOf[imageId] = row;
      this.ids[row] = imageId;
    }
    quantise(vector, this.data, row * this.dim);
    this.inverseNorms[row] = this.normOf(row);
    this.meanCache = null;
  }

  /** Removes images (the last row moves into each freed one). */
  delete(imageIds: Iterable<number>): void {
    for (const imageId of imageIds) {
      const row = this.rowOf[imageId] ?? -1;
      if (row < 0) continue;
      const last = --this.count;
      if (row !== last) {
        this.data.copyWithin(row * this.dim, last * this.dim, (last + 1) * this.dim);
        const moved = this.ids[last] as number;
        this.ids[row] = moved;
        this.inverseNorms[row] = this.inverseNorms[last] as number;
        this.rowOf[moved] = row;
      }
      this.rowOf[imageId] = -1;
      this.meanCache = null;
    }
  }

  /**
   * The mean of the rows as unit vectors: a query's mean score over the library is its dot
   * product with this. Each row is off the true vector by about 1e-3, and those errors average out.
   */
  mean(): Float32Array {
    if (!this.meanCache) {
      const sum = new Float64Array(this.dim);
      for (let row = 0; row < this.count; row++) {
        const scale = this.inverseNorms[row] as number;
        for (let i = 0, at = row * this.dim; i < this.dim; i++, at++) sum[i] = (sum[i] as number) + (this.data[at] as number) * scale;
      }
      this.meanCache = Float32Array.from(sum, (value) => (this.count > 0 ? value / this.count : 0));
    }
    return this.meanCache;
  }

  /**
   * Cosine of `query` (a unit f32 vector) with every row in `accept` (all rows without it), best
   * first. Only the rows are quantised, so scores are closer than the graph's.
   */
  rank(query: Float32Array, accept: ImageIdSet | null): ScoredImage[] {
    const { dim, data } = this;
    const out: ScoredImage[] = [];
    for (let row = 0; row < this.count; row++) {
      const imageId = this.ids[row] as number;
      if (accept && !accept.has(imageId)) continue;
      const base = row * dim;
      let a = 0;
      let b = 0;
      let c = 0;
      let d = 0;
      let i = 0;
      for (; i + 3 < dim; i += 4) {
        a += (query[i] as number) * (data[base + i] as number);
        b += (query[i + 1] as number) * (data[base + i + 1] as number);
        c += (query[i + 2] as number) * (data[base + i + 2] as number);
        d += (query[i + 3] as number) * (data[base + i + 3] as number);
      }
      for (; i < dim; i++) a += (query[i] as number) * (data[base + i] as number);
      out.push({ imageId, score: (a + b + c + d) * (this.inverseNorms[row] as number) });
    }
    return out.sort((x, y) => y.score - x.score);
  }

  async save(file: string): Promise<void> {
    const handle = await open(file, 'w');
    try {
      await handle.write(new Uint8Array(new Int32Array([this.count, this.dim]).buffer));
      await handle.write(new Uint8Array(this.ids.buffer, 0, this.count * 8));
      await handle.write(new Uint8Array(this.data.buffer, 0, this.count * this.dim));
    } finally {
      await handle.close();
    }
  }

  /** A saved matrix, or null when the file is missing or not one of `dim` dimensions. */
  static async load(file: string, dim: number): Promise<VectorMatrix | null> {
    const handle = await open(file, 'r').catch(() => null);
    if (!handle) return null;
    try {
      const header = new Int32Array(2);
      const { size } = await handle.stat();
      if ((await handle.read(new Uint8Array(header.buffer), 0, HEADER, 0)).bytesRead !== HEADER) return null;
      const [count = -1, savedDim] = header;
      if (savedDim !== dim || count < 0 || size !== HEADER + count * (8 + dim)) return null;
      // Read straight into the matrix's arrays: no second copy of a file that can be 0.5 GB.
      const matrix = new VectorMatrix(dim, Math.max(1, count));
      await handle.read(new Uint8Array(matrix.ids.buffer, 0, count * 8), 0, count * 8, HEADER);
      await handle.read(new Uint8Array(matrix.data.buffer, 0, count * dim), 0, count * dim, HEADER + count * 8);
      let maxId = 0;
      for (let row = 0; row < count; row++) maxId = Math.max(maxId, matrix.ids[row] as number);
      matrix.grow(count, maxId);
      for (let row = 0; row < count; row++) {
        matrix.rowOf[matrix.ids[row] as number] = row;
        matrix.inverseNorms[row] = matrix.normOf(row);
      }
      matrix.count = count;
      return matrix;
    } finally {
      await handle.close();
    }
  }
}

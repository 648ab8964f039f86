/**
 * The HNSW graph of the vector index, holding 8-bit integer vectors (Note [Graph vectors] in
 * vector-index.ts).
 *
 * Note [Integer graph]: usearch's JavaScript class turns every vector it is given into f32, and
 * its core casts f32 to i8 by scaling each vector to length 127 and truncating: about 3
 * significant bits per component of a 512-d unit vector. Its compiled index takes i8 as it is,
 * so this class drives that one (the binding usearch's own class loads, found as it finds it)
 * with vectors quantised as the matrix's rows are (Note [Quantisation] in vector-matrix.ts).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import usearch from 'usearch';
import { quantise, type ScoredImage } from './vector-matrix.js';

/** usearch's compiled index (javascript/lib.cpp), as its own class calls it. */
interface CompiledIndex {
  add(keys: BigUint64Array, vectors: Int8Array, threads: number): void;
  search(queries: Int8Array, k: number, threads: number): [keys: BigUint64Array, distances: Float32Array, counts: BigUint64Array];
  contains(keys: BigUint64Array): boolean[];
  remove(keys: BigUint64Array): number[];
  size(): number;
  save(file: string): void;
  load(file: string): void;
  view(file: string): void;
}

type Binding = { CompiledIndex: new (dim: number, metric: string, scalar: string, connectivity: number, expansionAdd: number, expansionSearch: number, multi: boolean) => CompiledIndex };

let binding: Binding | null = null;

function compiled(): Binding {
  if (!binding) {
    const entry = createRequire(import.meta.url).resolve('usearch');
    // The package's root, above javascript/dist/<format>/, where its prebuilds or build are.
    const root = path.resolve(path.dirname(entry), '..', '..', '..');
    const load = createRequire(entry)('node-gyp-build') as (dir: string) => Binding;
    binding = load(root);
  }
  return binding;
}

export interface GraphSettings {
  dim: number;
  connectivity: number;
  expansionAdd: number;
  expansionSearch: number;
}

/** Nearest keys of each query, `k` slots a query, of which `counts[row]` are used. */
export interface GraphMatches {
  keys: BigUint64Array;
  distances: Float32Array;
  counts: BigUint64Array;
}

export class Int8Graph {
  private readonly index: CompiledIndex;

  constructor(private readonly settings: GraphSettings) {
    const { dim, connectivity, expansionAdd, expansionSearch } = settings;
    this.index = new (compiled().CompiledIndex)(dim, usearch.MetricKind.Cos, usearch.ScalarKind.I8, connectivity, expansionAdd, expansionSearch, false);
  }

  /** Unit vectors (row-major, or one array each) as the graph holds them. */
  rows(vectors: Float32Array | readonly Float32Array[]): Int8Array {
    const { dim } = this.settings;
    const count = vectors instanceof Float32Array ? vectors.length / dim : vectors.length;
    const out = new Int8Array(count * dim);
    for (let row = 0; row < count; row++) {
      quantise(vectors instanceof Float32Array ? vectors.subarray(row * dim, (row + 1) * dim) : (vectors[row] as Float32Array), out, row * dim);
    }
    return out;
  }

  add(keys: BigUint64Array, vectors: Float32Array | readonly Float32Array[], threads: number): void {
    this.addRows(keys, this.rows(vectors), threads);
  }

  /** Adds vectors already as the graph holds them (`rows`). */
  addRows(keys: BigUint64Array, rows: Int8Array, threads: number): void {
    this.index.add(keys, rows, threads);
  }

  /** The `k` nearest keys of each query (row-major unit vectors); distances are 1 - cosine. */
  search(queries: Float32Array, k: number, threads: number): GraphMatches {
    const [keys, distances, counts] = this.index.search(this.rows(queries), k, threads);
    return { keys, distances, counts };
  }

  /** The `k` nearest images to one unit query, best first, scored by cosine (within about 2e-3). */
  nearest(query: Float32Array, k: number): ScoredImage[] {
    const { keys, distances, counts } = this.search(query, k, 1);
    return Array.from(keys.subarray(0, Number(counts[0])), (key, i) => ({ imageId: Number(key), score: 1 - (distances[i] as number) }));
  }

  /** Whether each key is in the graph. */
  contains(keys: BigUint64Array): boolean[] {
    return this.index.contains(keys);
  }

  remove(keys: BigUint64Array): void {
    this.index.remove(keys);
  }

  size(): number {
    return this.index.size();
  }

  save(file: string): void {
    this.index.save(file);
  }

  load(file: string): void {
    this.index.load(file);
  }

  /** Maps the saved file instead of reading it (Note [Memory-mapped index] in vector-index.ts). */
  view(file: string): void {
    this.index.view(file);
  }
}

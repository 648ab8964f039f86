/**
 * Synthetic embeddings for tests and benchmarks: unit vectors clustered like real ones (random
 * unit vectors are the worst case for HNSW and unlike any photo library), from a seeded
 * generator so that runs compare.
 */

/** Deterministic pseudo-random numbers (mulberry32), so runs compare. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussian(next: () => number): number {
  return Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
}

export function normalise(v: Float32Array, offset = 0, dim = v.length): void {
  let sum = 0;
  for (let i = 0; i < dim; i++) sum += (v[offset + i] as number) ** 2;
  const norm = Math.sqrt(sum) || 1;
  for (let i = 0; i < dim; i++) v[offset + i] = (v[offset + i] as number) / norm;
}

/**
 * Unit vectors around `clusters` centres (a photo library has many near-duplicates and themes),
 * `rows` at a time: `next(rows)` continues the same sequence.
 */
export function clusteredSource(dim: number, clusters: number, seed: number): (rows: number) => Float32Array {
  const next = random(seed);
  const centres = new Float32Array(clusters * dim);
  for (let i = 0; i < centres.length; i++) centres[i] = gaussian(next);
  for (let c = 0; c < clusters; c++) normalise(centres, c * dim, dim);
  return (rows) => {
    const out = new Float32Array(rows * dim);
    for (let row = 0; row < rows; row++) {
      const c = Math.floor(next() * clusters);
      for (let i = 0; i < dim; i++) out[row * dim + i] = (centres[c * dim + i] as number) + (0.6 * gaussian(next)) / Math.sqrt(dim);
      normalise(out, row * dim, dim);
    }
    return out;
  };
}

export function clusteredVectors(count: number, dim: number, seed = 1, clusters = Math.max(16, Math.round(count / 200))): Float32Array {
  return clusteredSource(dim, clusters, seed)(count);
}

/** Queries near the data, as real queries are (a text query lands near the photos it describes). */
export function queriesNear(vectors: Float32Array, dim: number, count: number, seed = 99): Float32Array {
  const next = random(seed);
  const rows = vectors.length / dim;
  const queries = new Float32Array(count * dim);
  for (let q = 0; q < count; q++) {
    const row = Math.floor(next() * rows);
    for (let i = 0; i < dim; i++) queries[q * dim + i] = (vectors[row * dim + i] as number) + (0.8 * gaussian(next)) / Math.sqrt(dim);
    normalise(queries, q * dim, dim);
  }
  return queries;
}

/**
 * How long re-scoring takes after one tag edit, on random unit vectors: the edited tag's column
 * of cosines (photos x dim) plus the softmax decision for every photo over the whole vocabulary
 * (photos x tags), which is what a tagging run does in memory before writing changes. Also the
 * cold figure: every column computed (a fresh process). Measured, never asserted.
 */
import { performance } from 'node:perf_hooks';
import { cosineMatrix } from '../../main/models/matmul.js';
import { l2Normalize } from '../../main/models/vectors.js';
import { assignedTags, tagProbabilities } from '../../main/tags/scoring.js';

export interface RescoreBenchOptions {
  photos?: number;
  dim?: number;
  /** Tags in the vocabulary (the background class comes on top). */
  tags?: number;
  /** Logit scale of the softmax (CLIP's is 100). */
  scale?: number;
  seed?: number;
}

export interface RescoreBenchReport {
  photos: number;
  dim: number;
  tags: number;
  /** Re-scoring after one tag edit: one new column, then every photo's decision. */
  rescoreMs: number;
  /** Of which computing the edited column. */
  columnMs: number;
  /** Every column from scratch, then every decision. */
  coldMs: number;
  /** Tags assigned per photo on average (sanity: random vectors give diffuse probabilities). */
  tagsPerPhoto: number;
}

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

function unitVectors(count: number, dim: number, next: () => number): Float32Array {
  const out = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) {
    const row = out.subarray(i * dim, (i + 1) * dim);
    for (let k = 0; k < dim; k++) row[k] = next() - 0.5;
    l2Normalize(row);
  }
  return out;
}

function decideAll(columns: Float32Array[], photos: number, tags: number, scale: number, thresholds: Float32Array): number {
  const cosines = new Float32Array(tags);
  const probabilities = new Float32Array(tags);
  let assigned = 0;
  for (let i = 0; i < photos; i++) {
    for (let t = 0; t < tags; t++) cosines[t] = (columns[t] as Float32Array)[i] as number;
    tagProbabilities(cosines, (columns[tags] as Float32Array)[i] as number, scale, probabilities);
    assigned += assignedTags(probabilities, thresholds).length;
  }
  return assigned;
}

async function columnsOf(images: Float32Array, photos: number, tagVectors: Float32Array, count: number, dim: number): Promise<Float32Array[]> {
  const out = await cosineMatrix(images, photos, tagVectors, count, dim);
  return Array.from({ length: count }, (_, t) => {
    const column = new Float32Array(photos);
    for (let i = 0; i < photos; i++) column[i] = out[i * count + t] as number;
    return column;
  });
}

export async function benchmarkRescoring(options: RescoreBenchOptions = {}): Promise<RescoreBenchReport> {
  const photos = options.photos ?? 100_000;
  const dim = options.dim ?? 512;
  const tags = options.tags ?? 100;
  const scale = options.scale ?? 100;
  const next = random(options.seed ?? 42);
  const images = unitVectors(photos, dim, next);
  // Tags plus the background class.
  const tagVectors = unitVectors(tags + 1, dim, next);
  const thresholds = new Float32Array(tags).fill(0.1);

  const coldStart = performance.now();
  const columns = await columnsOf(images, photos, tagVectors, tags + 1, dim);
  decideAll(columns, photos, tags, scale, thresholds);
  const coldMs = performance.now() - coldStart;

  // One tag edited: a new embedding for tag 0.
  const edited = unitVectors(1, dim, next);
  const start = performance.now();
  const [column] = await columnsOf(images, photos, edited, 1, dim);
  const columnMs = performance.now() - start;
  columns[0] = column as Float32Array;
  const assigned = decideAll(columns, photos, tags, scale, thresholds);
  const rescoreMs = performance.now() - start;
  return { photos, dim, tags, rescoreMs, columnMs, coldMs, tagsPerPhoto: assigned / photos };
}

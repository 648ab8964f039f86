/**
 * Searching the library: text, photos and combined queries, ranked by cosine similarity through
 * the vector index, with filters, a relevance cutoff, sorting and paging.
 *
 * Note [Relative cutoff]: a raw cosine means different things for different models (Immich's
 * users saw relevant and irrelevant results overlap at 0.88-0.93), so results are cut relative to
 * the query's own scores: each score is placed between the query's typical score over the library
 * (its mean over every photo: one dot product with the library's mean vector) and its best match,
 * and results below `cutoff` of that range are dropped. `showAll` keeps the plain ranking.
 *
 * Note [Filtered search]: usearch's JavaScript binding has no filtered search. The filter is
 * evaluated once, in memory (Note [Filter facets]). One that leaves at most 1/SUBSET_SHARE of the
 * library is ranked exactly over just those photos, a pass over their rows of the 8-bit matrix
 * (vector-matrix.ts); a broader one oversamples the graph by the inverse of its share, growing
 * the pool until the page is full. Either way the page is re-ranked from the f32 vectors (Note
 * [Re-ranking]). SUBSET_SHARE is where the two cost the same, measured by `npm run bench -- filters`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import type { ClipModel } from '../models/clip.js';
import type { ImageSource } from '../models/preprocess.js';
import { dot } from '../models/vectors.js';
import type { PhotoFilters, PhotoRow } from '../storage/photo-store.js';
import type { ScoredImage, VectorIndex } from '../storage/vector-index.js';
import { searchOptionsSchema, type SearchOptions, type SearchOptionsInput } from './options.js';
import { combineVectors, parseQuery } from './query.js';

const SUBSET_SHARE = 8;
const MIN_POOL = 200;

export interface SearchHit extends PhotoRow {
  /** The file name, as people recognise the photo. */
  name: string;
  score: number;
}

export interface SearchPage {
  results: SearchHit[];
  /** Results that passed the cutoff and filters (the pages there are). */
  total: number;
  /** Ranked candidates the relevance cutoff left out (at least this many; `showAll` shows them). */
  belowCutoff: number;
  offset: number;
  model: string;
  /** 'exact' while the index rebuilds or when a selective filter ranks exactly. */
  method: 'index' | 'exact';
}

/** A query photo given as bytes (dropped or pasted in the app) or a file (the CLI). */
export type QueryImage = ImageSource;

export class PhotoSearch {
  constructor(
    private readonly library: Library,
    readonly model: ClipModel,
  ) {}

  private get storage() {
    return this.library.storage;
  }

  private vectors(): Promise<VectorIndex> {
    return this.library.vectorIndex(this.model.id, this.model.dim);
  }

  /** The unit query vector of a (possibly combined) query. */
  async queryVector(query: string, signal?: AbortSignal): Promise<Float32Array> {
    const parts: Array<{ vector: Float32Array; weight: number }> = [];
    for (const term of parseQuery(query)) {
      if (term.kind === 'text') parts.push({ vector: await this.model.embedText(term.text, signal), weight: term.weight });
      else if (term.kind === 'photo') parts.push({ vector: this.photoVector(term.photoId), weight: term.weight });
      else parts.push({ vector: await this.imageVector(term.path, signal), weight: term.weight });
    }
    return combineVectors(parts);
  }

  private async imageVector(image: QueryImage, signal?: AbortSignal): Promise<Float32Array> {
    if (typeof image === 'string' && !existsSync(image)) throw new UserError('not-found', `${image} does not exist. Give the path of a photo, or a library photo as #id.`);
    const [result] = await this.model.embedImageList([image], { signal });
    if (!result || 'error' in result) throw result?.error ?? new UserError('image-undecodable', 'The query photo cannot be read.');
    return result.vector;
  }

  /** The stored embedding of a library photo (by photo id). */
  photoVector(photoId: number): Float32Array {
    const vector = this.storage.embeddings.vectorOfPhoto(this.model.id, photoId);
    if (!vector) throw new UserError('not-found', `There is no photo #${photoId} in the library (or it is not indexed with ${this.model.id} yet).`);
    return vector;
  }

  async search(query: string, options: SearchOptionsInput = {}, signal?: AbortSignal): Promise<SearchPage> {
    return this.rank(await this.queryVector(query, signal), options);
  }

  /** Photos like a library photo (by id) or any image (a file or its bytes); the photo itself is left out. */
  async similar(target: number | QueryImage, options: SearchOptionsInput = {}, signal?: AbortSignal): Promise<SearchPage> {
    if (typeof target === 'number') {
      const photo = this.library.resolvePhoto(target);
      return this.rank(this.photoVector(photo.photoId), options, new Set([photo.imageId]));
    }
    return this.rank(await this.imageVector(target, signal), options);
  }

  private async rank(query: Float32Array, input: SearchOptionsInput, exclude = new Set<number>()): Promise<SearchPage> {
    const options: SearchOptions = searchOptionsSchema.parse(input);
    const { limit, offset, sort } = options;
    const cutoff = options.showAll ? null : options.cutoff;
    const filters: PhotoFilters = options.filters;
    const vectors = await this.vectors();

    let scored: ScoredImage[];
    let method: SearchPage['method'] = vectors.health === 'rebuilding' ? 'exact' : 'index';
    const matching = this.storage.photos.matching(filters);
    const share = matching ? matching.size / Math.max(1, vectors.size) : 1;
    const pool0 = Math.max(MIN_POOL, (offset + limit) * 2);
    // HNSW cannot promise to reach every photo: when (nearly) the whole ranking is wanted, rank exactly.
    if (share * SUBSET_SHARE <= 1 || pool0 * 4 >= vectors.size) {
      method = 'exact';
      scored = await vectors.rank(query, matching);
    } else {
      let pool = Math.ceil(pool0 / share);
      for (;;) {
        const found = await vectors.search(query, pool + exclude.size, 0);
        scored = matching ? found.filter((hit) => matching.has(hit.imageId)) : found;
        const lastScore = found.at(-1)?.score;
        // Grow while the page is not full, or while the weakest candidate still passes the
        // cutoff (more relevant photos lie beyond the pool: sorting by date needs them all).
        const needMore =
          found.length >= pool && (scored.length < offset + limit || (cutoff !== null && lastScore !== undefined && lastScore >= this.threshold(vectors, query, scored, cutoff)));
        if (!needMore) break;
        if (pool * 16 >= vectors.size) {
          method = 'exact';
          scored = await vectors.rank(query, matching);
          break;
        }
        pool *= 4;
      }
    }
    scored = vectors.refine(
      query,
      scored.filter((hit) => !exclude.has(hit.imageId)),
      offset + limit,
    );
    const ranked = scored.length;
    if (cutoff !== null && scored.length > 0) {
      const threshold = this.threshold(vectors, query, scored, cutoff);
      scored = scored.filter((hit) => hit.score >= threshold);
    }
    // Only the page is read from SQLite; sorting by date needs the capture dates of all of them.
    const ordered = sort === 'relevance' ? scored : this.byDate(scored, filters, sort);
    const page = ordered.slice(offset, offset + limit);
    const scores = new Map(page.map((hit) => [hit.imageId, hit.score]));
    const results = this.storage.photos
      .representatives(page.map((hit) => hit.imageId), filters)
      .map((row) => ({ ...row, name: path.basename(row.path), score: scores.get(row.imageId) as number }));
    return { results, total: ordered.length, belowCutoff: ranked - scored.length, offset, model: this.model.id, method };
  }

  private byDate(scored: ScoredImage[], filters: PhotoFilters, sort: 'newest' | 'oldest'): ScoredImage[] {
    const takenAt = this.storage.photos.datesOf(
      scored.map((hit) => hit.imageId),
      filters,
    );
    const direction = sort === 'newest' ? -1 : 1;
    return scored.filter((hit) => takenAt.has(hit.imageId)).sort((a, b) => direction * ((takenAt.get(a.imageId) as number) - (takenAt.get(b.imageId) as number)));
  }

  /** The lowest score that passes the cutoff (Note [Relative cutoff]); `scored` is best first. */
  private threshold(vectors: VectorIndex, query: Float32Array, scored: ScoredImage[], cutoff: number): number {
    const mean = vectors.mean();
    const base = mean ? dot(query, mean) : 0;
    const best = scored[0]?.score ?? base;
    return base + cutoff * (best - base);
  }
}

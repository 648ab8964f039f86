/**
 * Searching the library: text, photos and combined queries, ranked by cosine similarity through
 * the vector index, with filters, a relevance cutoff, sorting and paging.
 *
 * Note [Relative cutoff]: a raw cosine means different things for different models (Immich's
 * users saw relevant and irrelevant results overlap at 0.88-0.93), so results are cut relative to
 * the query's own scores: each score is placed between the query's typical score over the library
 * (the mean over a fixed random sample of photos) and its best match, and results below
 * `cutoff` of that range are dropped. `showAll` keeps the plain ranking.
 *
 * Note [Filtered search]: usearch's JavaScript binding has no filtered search. A filter that
 * leaves few photos (up to EXACT_LIMIT) is ranked exactly over just those photos' embeddings;
 * a broad one oversamples the index, growing the candidate pool until the page is full.
 */
import { UserError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import type { ClipModel } from '../models/clip.js';
import { dot } from '../models/vectors.js';
import { blobToVector } from '../storage/database.js';
import type { ScoredImage, VectorIndex } from '../storage/vector-index.js';
import { combineVectors, parseQuery } from './query.js';

export const DEFAULT_CUTOFF = 0.5;
const EXACT_LIMIT = 20_000;
const MIN_POOL = 200;
const BASELINE_SAMPLE = 512;

export interface SearchFilters {
  /** Capture date range, ms since the epoch (file time when a photo has no capture date). */
  takenAfter?: number;
  takenBefore?: number;
  /** Only photos under this folder. */
  folder?: string;
  /** Matches camera make or model, ignoring case. */
  camera?: string;
  formats?: string[];
  hasLocation?: boolean;
}

export type SearchSort = 'relevance' | 'newest' | 'oldest';

export interface SearchOptions {
  limit?: number;
  offset?: number;
  sort?: SearchSort;
  cutoff?: number;
  showAll?: boolean;
  filters?: SearchFilters;
}

export interface SearchHit {
  photoId: number;
  imageId: number;
  path: string;
  score: number;
  takenAt: number;
  width: number;
  height: number;
  format: string;
  cameraMake: string | null;
  cameraModel: string | null;
  latitude: number | null;
  longitude: number | null;
  thumbnail: string | null;
}

export interface SearchPage {
  results: SearchHit[];
  /** Results that passed the cutoff and filters (the pages there are). */
  total: number;
  model: string;
  /** 'exact' while the index rebuilds or when a selective filter ranks exactly. */
  method: 'index' | 'exact';
}

interface FilterSql {
  where: string;
  params: unknown[];
}

function filterSql(filters: SearchFilters | undefined): FilterSql {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filters?.takenAfter !== undefined) {
    clauses.push('COALESCE(i.taken_at, f.mtime_ms) >= ?');
    params.push(filters.takenAfter);
  }
  if (filters?.takenBefore !== undefined) {
    clauses.push('COALESCE(i.taken_at, f.mtime_ms) <= ?');
    params.push(filters.takenBefore);
  }
  if (filters?.folder) {
    const folder = filters.folder.replace(/[\\/]+$/, '');
    clauses.push("(f.path = ? OR substr(f.path, 1, length(?) + 1) IN (? || '/', ? || '\\'))");
    params.push(folder, folder, folder, folder);
  }
  if (filters?.camera) {
    clauses.push("(lower(COALESCE(i.camera_make, '') || ' ' || COALESCE(i.camera_model, '')) LIKE ?)");
    params.push(`%${filters.camera.toLowerCase()}%`);
  }
  if (filters?.formats?.length) {
    clauses.push(`i.format IN (${filters.formats.map(() => '?').join(', ')})`);
    params.push(...filters.formats.map((format) => (format.toLowerCase() === 'jpg' ? 'jpeg' : format.toLowerCase())));
  }
  if (filters?.hasLocation !== undefined) clauses.push(filters.hasLocation ? 'i.latitude IS NOT NULL' : 'i.latitude IS NULL');
  return { where: clauses.length ? clauses.join(' AND ') : '1', params };
}

export class PhotoSearch {
  private baseline: { generation: number; sample: Float32Array[] } | null = null;

  constructor(
    private readonly library: Library,
    readonly model: ClipModel,
  ) {}

  private vectors(): Promise<VectorIndex> {
    return this.library.vectorIndex(this.model.id, this.model.dim);
  }

  /** The unit query vector of a (possibly combined) query. */
  async queryVector(query: string, signal?: AbortSignal): Promise<Float32Array> {
    const parts: Array<{ vector: Float32Array; weight: number }> = [];
    for (const term of parseQuery(query)) {
      if (term.kind === 'text') parts.push({ vector: await this.model.embedText(term.text, signal), weight: term.weight });
      else if (term.kind === 'photo') parts.push({ vector: this.photoVector(term.photoId), weight: term.weight });
      else {
        const [result] = await this.model.embedImageList([term.path], { signal });
        if (!result || 'error' in result) throw result?.error ?? new UserError('image-undecodable', `Cannot read ${term.path}.`);
        parts.push({ vector: result.vector, weight: term.weight });
      }
    }
    return combineVectors(parts);
  }

  /** The stored embedding of a library photo (by photo id). */
  photoVector(photoId: number): Float32Array {
    const row = this.library.store.db
      .prepare('SELECT e.vector FROM files f JOIN embeddings e ON e.image_id = f.image_id AND e.model = ? WHERE f.id = ?')
      .get(this.model.id, photoId) as { vector: Buffer } | undefined;
    if (!row) throw new UserError('not-found', `There is no photo #${photoId} in the library (or it is not indexed with ${this.model.id} yet).`);
    return blobToVector(row.vector);
  }

  async search(query: string, options: SearchOptions = {}, signal?: AbortSignal): Promise<SearchPage> {
    return this.rank(await this.queryVector(query, signal), options);
  }

  /** Photos like a library photo (`#id` or photo id) or any image file; the photo itself is left out. */
  async similar(target: number | string, options: SearchOptions = {}, signal?: AbortSignal): Promise<SearchPage> {
    if (typeof target === 'number') {
      const imageId = this.imageIdOf(target);
      return this.rank(this.photoVector(target), options, new Set([imageId]));
    }
    return this.rank(await this.queryVector(target.includes('/') || target.includes('\\') ? target : `./${target}`, signal), options);
  }

  private imageIdOf(photoId: number): number {
    const row = this.library.store.db.prepare('SELECT image_id FROM files WHERE id = ?').pluck().get(photoId) as number | undefined;
    if (row === undefined) throw new UserError('not-found', `There is no photo #${photoId} in the library.`);
    return row;
  }

  /** Mean score of `query` over a fixed random sample of the library: the "unrelated" level. */
  private baselineScore(query: Float32Array): number {
    const generation = this.library.store.generation(this.model.id);
    if (!this.baseline || this.baseline.generation !== generation) {
      const rows = this.library.store.db
        .prepare(`SELECT vector FROM embeddings WHERE model = ? AND image_id IN (SELECT image_id FROM embeddings INDEXED BY embeddings_keys WHERE model = ? ORDER BY random() LIMIT ?)`)
        .pluck()
        .all(this.model.id, this.model.id, BASELINE_SAMPLE) as Buffer[];
      this.baseline = { generation, sample: rows.map(blobToVector) };
    }
    const { sample } = this.baseline;
    if (sample.length === 0) return 0;
    let sum = 0;
    for (const vector of sample) sum += dot(query, vector);
    return sum / sample.length;
  }

  private async rank(query: Float32Array, options: SearchOptions, exclude = new Set<number>()): Promise<SearchPage> {
    const limit = Math.max(1, Math.min(options.limit ?? 50, 1000));
    const offset = Math.max(0, options.offset ?? 0);
    const sort = options.sort ?? 'relevance';
    const cutoff = options.showAll ? null : (options.cutoff ?? DEFAULT_CUTOFF);
    const filter = filterSql(options.filters);
    const filtered = filter.where !== '1';
    const vectors = await this.vectors();
    const db = this.library.store.db;

    let scored: ScoredImage[];
    let method: SearchPage['method'] = vectors.health === 'rebuilding' ? 'exact' : 'index';
    // The filter is evaluated once, in SQL; ranking then checks membership in memory.
    const matching = filtered
      ? new Set(db.prepare(`SELECT DISTINCT i.id FROM images i JOIN files f ON f.image_id = i.id WHERE ${filter.where}`).pluck().all(...filter.params) as number[])
      : null;
    const rankExactly = (): ScoredImage[] => {
      method = 'exact';
      const rows = (
        matching
          ? db
              .prepare('SELECT image_id AS imageId, vector FROM embeddings WHERE model = ? AND image_id IN (SELECT value FROM json_each(?))')
              .all(this.model.id, JSON.stringify([...matching]))
          : db.prepare('SELECT image_id AS imageId, vector FROM embeddings WHERE model = ?').all(this.model.id)
      ) as Array<{ imageId: number; vector: Buffer }>;
      return rows.map((row) => ({ imageId: row.imageId, score: dot(query, blobToVector(row.vector)) })).sort((a, b) => b.score - a.score);
    };
    const pool0 = Math.max(MIN_POOL, (offset + limit) * 2);
    // HNSW cannot promise to reach every photo: when (nearly) the whole ranking is wanted, rank exactly.
    if ((matching && matching.size <= EXACT_LIMIT) || pool0 * 4 >= vectors.size) {
      scored = rankExactly();
    } else {
      let pool = pool0;
      for (;;) {
        const found = vectors.search(query, pool + exclude.size);
        scored = matching ? found.filter((hit) => matching.has(hit.imageId)) : found;
        const lastScore = found.at(-1)?.score;
        // Grow while the page is not full, or while the weakest candidate still passes the
        // cutoff (more relevant photos lie beyond the pool: sorting by date needs them all).
        const needMore =
          found.length >= pool && (scored.length < offset + limit || (cutoff !== null && lastScore !== undefined && lastScore >= this.threshold(query, scored, cutoff)));
        if (!needMore) break;
        if (pool * 16 >= vectors.size) {
          scored = rankExactly();
          break;
        }
        pool *= 4;
      }
    }
    scored = scored.filter((hit) => !exclude.has(hit.imageId));
    if (cutoff !== null && scored.length > 0) {
      const threshold = this.threshold(query, scored, cutoff);
      scored = scored.filter((hit) => hit.score >= threshold);
    }
    // Only the page is read from SQLite; sorting by date needs the capture dates of all of them.
    const ordered = sort === 'relevance' ? scored : this.byDate(scored, filter, sort);
    const results = this.hydrate(ordered.slice(offset, offset + limit), filter);
    return { results, total: ordered.length, model: this.model.id, method };
  }

  private byDate(scored: ScoredImage[], filter: FilterSql, sort: 'newest' | 'oldest'): ScoredImage[] {
    const takenAt = new Map<number, number>();
    for (let start = 0; start < scored.length; start += 500) {
      const ids = scored.slice(start, start + 500).map((hit) => hit.imageId);
      const rows = this.library.store.db
        .prepare(
          `SELECT i.id, MIN(COALESCE(i.taken_at, f.mtime_ms)) AS takenAt FROM images i JOIN files f ON f.image_id = i.id
           WHERE i.id IN (${ids.map(() => '?').join(', ')}) AND ${filter.where} GROUP BY i.id`,
        )
        .all(...ids, ...filter.params) as Array<{ id: number; takenAt: number }>;
      for (const row of rows) takenAt.set(row.id, row.takenAt);
    }
    const direction = sort === 'newest' ? -1 : 1;
    return scored.filter((hit) => takenAt.has(hit.imageId)).sort((a, b) => direction * ((takenAt.get(a.imageId) as number) - (takenAt.get(b.imageId) as number)));
  }

  /** The lowest score that passes the cutoff (Note [Relative cutoff]); `scored` is best first. */
  private threshold(query: Float32Array, scored: ScoredImage[], cutoff: number): number {
    const base = this.baselineScore(query);
    const best = scored[0]?.score ?? base;
    return base + cutoff * (best - base);
  }

  /** One result per image (the first of its files that passes the filters), in ranking order. */
  private hydrate(scored: ScoredImage[], filter: FilterSql): SearchHit[] {
    const statement = this.library.store.db.prepare(
      `SELECT f.id AS photoId, f.path, COALESCE(i.taken_at, f.mtime_ms) AS takenAt, i.width, i.height, i.format,
              i.camera_make AS cameraMake, i.camera_model AS cameraModel, i.latitude, i.longitude, i.thumbnail
       FROM files f JOIN images i ON i.id = f.image_id WHERE i.id = ? AND ${filter.where} ORDER BY f.id LIMIT 1`,
    );
    const hits: SearchHit[] = [];
    for (const { imageId, score } of scored) {
      const row = statement.get(imageId, ...filter.params) as Omit<SearchHit, 'imageId' | 'score'> | undefined;
      if (row) hits.push({ ...row, imageId, score, thumbnail: row.thumbnail ? this.library.thumbnails.absolute(row.thumbnail) : null });
    }
    return hits;
  }
}

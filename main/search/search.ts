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
 * Note [Cutoff from the whole library]: a filter only narrows: a filtered search keeps exactly
 * the photos of the unfiltered one that pass the filter. So the range ends at the best match in
 * the whole library (the photos the query leaves out aside), one search of the graph for its top,
 * not at the best photo the filter lets through: a scope's best is lower, and measured from it
 * the cutoff let in photos the unfiltered search drops (24 results for "beach", 26 with PNGs only).
 * (A narrow filter ranked exactly may still find a photo above the cutoff that the unfiltered
 * search's graph missed: HNSW's recall, not the cutoff.)
 *
 * Note [Filtered search]: usearch's JavaScript binding has no filtered search. The filter is
 * evaluated once, in memory (Note [Filter facets]). One that leaves at most 1/SUBSET_SHARE of the
 * library is ranked exactly over just those photos, a pass over their rows of the 8-bit matrix
 * that keeps the best of them (vector-matrix.ts, Note [Bounded ranking]); a broader one
 * oversamples the graph by the inverse of its share. Either way the pool grows until the page is
 * full (and, for a count, past the cutoff), and the page is re-ranked from the f32 vectors (Note
 * [Re-ranking]). SUBSET_SHARE is where the two cost the same, measured by `npm run bench -- filters`;
 * a page asked for without its count (Note [Page before count]) spares the graph's pool its growth,
 * so there the graph stays cheaper down to a smaller share, PAGE_SUBSET_SHARE. Rows the matrix
 * keeps gathered (Note [Subset kept]) rank faster than the graph finds them up to a broader
 * share, KEPT_SUBSET_SHARE, for a page and for its count.
 * Required quoted text (Note [Text and the cutoff]) narrows the candidates the same way.
 *
 * Note [Page before count]: how many photos pass the cutoff is known only once the pool has grown
 * past the last of them: at 100k photos, one to three searches of the graph of up to 6,400
 * candidates, or an exact pass, 20-50 ms on two cores, where the first page alone takes one search
 * of a few hundred, 2 ms. Search as you type asks for the page without the count (`count: false`)
 * and for the count once typing pauses with the page on screen; `counted` says whether `total`
 * is exact or the results found so far.
 *
 * Note [Text and the cutoff]: text read in photos joins the ranking as Note [Fused search] and
 * Note [Quoted text] say. Photos whose text matches are never dropped by the relevance cutoff,
 * which measures only how a photo looks: quoted text a photo must contain narrows the
 * candidates like a filter and turns the cutoff off; a plain query's text matches are kept
 * whatever their CLIP score. Filters, excluded text, sorting and paging apply to them as to
 * any result. A text match's `score` is still its CLIP cosine (1 for every result of a query of
 * quoted text alone, which has no CLIP part).
 *
 * Note [A library photo by its path]: a file the CLI names (`similar PATH`, a file in a query)
 * that is a photo of the library is that photo, as `#id` is: its stored vector, and itself left
 * out of the results, or it came first at 0.996 and the cutoff, measured from that, dropped every
 * real match. Bytes (a photo dropped or pasted in the window) have no path and stay an image
 * from outside.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { noPhotoText, UserError } from '../core/errors.js';
import { decodingInIndexingWords } from '../library/failures.js';
import type { Library } from '../library/library.js';
import type { ClipModel } from '../models/clip.js';
import type { ImageSource } from '../models/preprocess.js';
import { dot } from '../models/vectors.js';
import { fuseRankings, queryWords } from '../ocr/fusion.js';
import type { ImageIdSet } from '../storage/photo-facets.js';
import type { PhotoFilters, PhotoRef, PhotoRow } from '../storage/photo-store.js';
import { rerankWindow, type ScoredImage, type VectorIndex } from '../storage/vector-index.js';
import { searchOptionsSchema, type SearchOptions, type SearchOptionsInput } from './options.js';
import { LaterPages, type Candidate, type Ranking, type RankingAsk } from './later-pages.js';
import { combineVectors, parseQuery, type PhraseTerm, type QueryRules, type QueryTerm } from './query.js';

const SUBSET_SHARE = 6;
const PAGE_SUBSET_SHARE = 12;
const KEPT_SUBSET_SHARE = 3;
const MIN_POOL = 200;

export interface SearchHit extends PhotoRow {
  /** The file name, as people recognise the photo. */
  name: string;
  score: number;
  /** Words of the query are in the photo's own text: it is ranked by them too, not by its score alone (Note [Fused search]). */
  textMatch?: true;
}

export interface SearchPage {
  results: SearchHit[];
  /** Results that passed the cutoff and filters (the pages there are). */
  total: number;
  /** Photos the relevance cutoff left out (`showAll` shows them): all of them once counted, else at least this many. */
  belowCutoff: number;
  offset: number;
  model: string;
  /** 'exact' while the index rebuilds or when a selective filter ranks exactly. */
  method: 'index' | 'exact';
  /** Whether `total` and `belowCutoff` count every result; false only without `count` (Note [Page before count]). */
  counted: boolean;
  /** The query's descriptions longer than the model reads, each as the part of it read (Note [Long descriptions said]). */
  cutShort: string[];
}

/** A query photo given as bytes (dropped or pasted in the app) or a file (the CLI). */
export type QueryImage = ImageSource;

/** What besides the query vector decides the candidates (Note [Text and the cutoff]). */
interface Scope {
  /** Images left out (the photo searched by, photos with excluded text). */
  exclude?: Set<number>;
  /** Only these images may be results (photos with the required text); the cutoff is off. */
  only?: Set<number> | null;
  /** Words to look up in photos' text and fuse with the ranking. */
  words?: string[];
}

export class PhotoSearch {
  constructor(
    private readonly library: Library,
    readonly model: ClipModel,
    /** Rankings kept for later pages: one for the searches of a library (Note [Later pages]). */
    private readonly laterPages = new LaterPages(),
    /** Waited for before a description is embedded: the engine checks the text tower only then (Note [Work without text] in models/fingerprint.ts). */
    private readonly textChecked: () => Promise<unknown> = () => Promise.resolve(),
  ) {}

  private get storage() {
    return this.library.storage;
  }

  private vectors(): Promise<VectorIndex> {
    return this.library.vectorIndex(this.model.id, this.model.dim);
  }

  /** The unit query vector of a query's CLIP terms. */
  private async queryVector(terms: readonly Exclude<QueryTerm, PhraseTerm>[], signal?: AbortSignal): Promise<Float32Array> {
    const parts: Array<{ vector: Float32Array; weight: number }> = [];
    for (const term of terms) {
      if (term.kind === 'text') parts.push({ vector: await this.model.embedText(term.text, signal), weight: term.weight });
      else if (term.kind === 'photo') parts.push({ vector: this.photoVector(term.photoId), weight: term.weight });
      else parts.push({ vector: await this.imageVector(term.path, signal), weight: term.weight });
    }
    return combineVectors(parts);
  }

  private async imageVector(image: QueryImage, signal?: AbortSignal): Promise<Float32Array> {
    if (typeof image === 'string' && !existsSync(image)) throw new UserError('not-found', `${image} does not exist. Give the path of a photo, or a library photo as #id.`);
    const [result] = await this.model.embedImageList([image], { signal });
    if (!result || 'error' in result) throw result ? (typeof image === 'string' ? decodingInIndexingWords(image, result.error) : result.error) : new UserError('image-undecodable', 'The query photo cannot be read.');
    return result.vector;
  }

  /** The library photo at `file`, if it is one (Note [A library photo by its path]). */
  private photoAt(file: string): PhotoRef | undefined {
    return this.storage.photos.photoByPath(path.resolve(file));
  }

  /** The stored embedding of a library photo (by photo id). */
  photoVector(photoId: number): Float32Array {
    const vector = this.storage.embeddings.vectorOfPhoto(this.model.id, photoId);
    if (!vector) throw new UserError('not-found', `${noPhotoText(photoId)} (or it is not indexed with ${this.model.id} yet).`);
    return vector;
  }

  async search(query: string, options: SearchOptionsInput = {}, signal?: AbortSignal, rules?: QueryRules): Promise<SearchPage> {
    const terms = parseQuery(query, rules).map((term) => this.asLibraryPhoto(term));
    const looks = terms.filter((term): term is Exclude<QueryTerm, PhraseTerm> => term.kind !== 'phrase');
    const { only, order, exclude } = this.phraseMatches(terms.filter((term): term is PhraseTerm => term.kind === 'phrase'));
    if (looks.length === 0) return this.textOnly(order, exclude, options);
    if (looks.some((term) => term.kind === 'text')) await this.textChecked();
    // The index opens while the text model embeds the query: a cold start's first search waits for one, not both in turn.
    this.vectors().catch(() => {});
    const described = looks.flatMap((term) => (term.kind === 'text' && term.weight > 0 ? [term.text] : []));
    // A photo searched by is the question, not an answer, as in `similar`: left out, so that the
    // cutoff is measured from the photos most like it, not from its own perfect score.
    for (const term of looks) if (term.kind === 'photo' && term.weight > 0) exclude.add(this.library.resolvePhoto(term.photoId).imageId);
    const [vector, cutShort] = await Promise.all([this.queryVector(looks, signal), this.cutShort(looks.flatMap((term) => (term.kind === 'text' ? [term.text] : [])))]);
    return { ...(await this.rank(vector, options, { exclude, only, words: only ? [] : queryWords(described.join(' ')) })), cutShort };
  }

  /**
   * Note [Long descriptions said]: the text tower reads 77 tokens (about 60 words) of a
   * description and drops the rest (Note [Truncation] in tokenizer.ts), so words typed past that
   * changed nothing, without a word. Each description cut is named by the part read, and the app
   * and the CLI say where the model stopped reading.
   */
  private async cutShort(descriptions: readonly string[]): Promise<string[]> {
    const read = await Promise.all([...new Set(descriptions)].map((text) => this.model.readOf(text)));
    // Two descriptions the model reads alike are said once.
    return [...new Set(read.filter((part): part is string => part !== null))];
  }

  /** A file term that names a library photo, as that photo (Note [A library photo by its path]). */
  private asLibraryPhoto(term: QueryTerm): QueryTerm {
    const known = term.kind === 'file' ? this.photoAt(term.path) : undefined;
    return known ? { kind: 'photo', photoId: known.photoId, weight: term.weight } : term;
  }

  /**
   * Photos with every required phrase (null when none is required), best text match of the
   * first first, and photos with an excluded phrase (Note [Quoted text]).
   */
  private phraseMatches(phrases: readonly PhraseTerm[]): { only: Set<number> | null; order: number[]; exclude: Set<number> } {
    const exclude = new Set(phrases.filter((phrase) => phrase.weight < 0).flatMap((phrase) => this.storage.ocr.searchPhrase(phrase.text)));
    const required = phrases.filter((phrase) => phrase.weight > 0).map((phrase) => this.storage.ocr.searchPhrase(phrase.text));
    if (required.length === 0) return { only: null, order: [], exclude };
    const sets = required.slice(1).map((ids) => new Set(ids));
    const order = (required[0] as number[]).filter((imageId) => sets.every((set) => set.has(imageId)));
    return { only: new Set(order), order, exclude };
  }

  /** The photos of a query of quoted text alone, in text order (Note [Text and the cutoff]). */
  private textOnly(order: readonly number[], exclude: Set<number>, input: SearchOptionsInput): SearchPage {
    const options = searchOptionsSchema.parse(input);
    const matching = this.storage.photos.matching(options.filters);
    const found = order.filter((imageId) => !exclude.has(imageId) && (!matching || matching.has(imageId))).map((imageId) => ({ imageId, score: 1 }));
    return this.page({ ordered: this.inOrder(found, options), belowCutoff: 0, method: 'exact', counted: true }, options);
  }

  /** Photos like a library photo (by id) or any image (a file or its bytes); the photo itself is left out. */
  async similar(target: number | QueryImage, options: SearchOptionsInput = {}, signal?: AbortSignal): Promise<SearchPage> {
    const like = (photo: PhotoRef) => this.rank(this.photoVector(photo.photoId), options, { exclude: new Set([photo.imageId]) });
    if (typeof target === 'number') return like(this.library.resolvePhoto(target));
    // Note [A library photo by its path].
    const known = typeof target === 'string' ? this.photoAt(target) : undefined;
    return known ? like(known) : this.rank(await this.imageVector(target, signal), options);
  }

  private async rank(query: Float32Array, input: SearchOptionsInput, scope: Scope = {}): Promise<SearchPage> {
    const options: SearchOptions = searchOptionsSchema.parse(input);
    const { limit, offset } = options;
    const exclude = scope.exclude ?? new Set<number>();
    const only = scope.only ?? null;
    const cutoff = options.showAll || only ? null : options.cutoff;
    const filters: PhotoFilters = options.filters;
    const vectors = await this.vectors();
    const filtered = this.storage.photos.matching(filters);
    const words = scope.words ?? [];
    // More pages of the same search are cut from the ranking kept (Note [Later pages] in later-pages.ts).
    const ask: RankingAsk = { model: this.model.id, query, options, exclude, only, words, stamp: `${this.storage.photos.changeStamp()}:${vectors.version}` };
    const kept = this.laterPages.find(ask, offset + limit);
    if (kept) {
      if (kept.byScore) kept.ordered = vectors.refine(query, kept.ordered, offset + limit, offset);
      return this.page(kept, options);
    }
    const matching = only && filtered ? new Set([...only].filter((imageId) => filtered.has(imageId))) : (only ?? filtered);
    const found = await this.candidates(vectors, query, options, matching, exclude, cutoff);
    // Ranked afresh, every photo down to the page is re-scored: pages cut from rankings of windows
    // of their own would disagree on where a near-tie lies, and a photo could fall between them.
    const best = found.best;
    const scored = vectors.refine(query, found.scored, offset + limit);
    const threshold = cutoff !== null && scored.length > 0 ? this.threshold(vectors, query, best ?? scored[0]?.score, cutoff) : null;
    const candidates: Candidate[] = words.length ? this.fuse(query, scored, words, (imageId) => !exclude.has(imageId) && (!matching || matching.has(imageId))) : scored;
    const passing = threshold === null ? candidates : candidates.filter((hit) => (hit.matched ?? 0) > 0 || hit.score >= threshold);
    // Counted, every indexed photo in scope that is not kept lies below the cutoff (a photo not
    // embedded yet is in no ranking); uncounted, those of the pool (at least).
    const belowCutoff = threshold !== null && found.counted ? Math.max(0, (await vectors.countIn(matching, exclude)) - passing.length) : candidates.length - passing.length;
    const ranking: Ranking = {
      ordered: this.inOrder(passing, options),
      belowCutoff,
      method: found.method,
      counted: found.counted,
      complete: found.counted,
      byScore: options.sort === 'relevance' && words.length === 0,
    };
    this.laterPages.keep(ask, ranking);
    return this.page(ranking, options);
  }

  /**
   * The ranked candidates for a page, and for its count when asked (Note [Filtered search]):
   * photos in `matching` (all without it) but not in `exclude`, best first, from the graph or
   * the matrix; with a filter and a cutoff, the whole library's best score, which anchors the
   * cutoff (Note [Cutoff from the whole library]; without a filter, the best of `scored`).
   */
  private async candidates(vectors: VectorIndex, query: Float32Array, options: SearchOptions, matching: ImageIdSet | null, exclude: Set<number>, cutoff: number | null): Promise<{ scored: ScoredImage[]; method: SearchPage['method']; counted: boolean; best?: number }> {
    const { limit, offset } = options;
    // Sorting by date needs every result, whatever the caller asked.
    const countAll = options.count || options.sort !== 'relevance';
    const share = matching ? matching.size / Math.max(1, vectors.size) : 1;
    const pool0 = Math.max(MIN_POOL, (offset + limit) * 2);
    // A subset the matrix keeps gathered ranks faster than the graph finds it (Note [Subset kept]).
    const gathered = matching !== null && share * KEPT_SUBSET_SHARE <= 1 && vectors.keepsSubset(matching.size);
    // HNSW cannot promise to reach every photo: when (nearly) the whole ranking is wanted, rank
    // exactly. Without a cutoff every photo in scope is a result, and sorted by date all are needed.
    const everyPhoto = cutoff === null && options.sort !== 'relevance';
    // Asked past a first page, every photo in scope is ranked, exactly, at once: the pages after
    // are cut from that ranking (Note [Later pages]). Rankings of pools of other sizes disagree on
    // where photos deep in them lie, and a photo could fall between two pages.
    const later = offset + limit > MIN_POOL;
    const exact = later || everyPhoto || gathered || share * (countAll ? SUBSET_SHARE : PAGE_SUBSET_SHARE) <= 1 || pool0 * 4 >= vectors.size;
    const method = exact || vectors.health === 'rebuilding' ? 'exact' : 'index';
    // Ranked exactly without a cutoff, every photo in scope is a result. Otherwise the matrix
    // ranks only the photos the filter keeps; a count takes them all at once unless they stay
    // gathered (each pass would gather them again, or read the matrix's file through), and starts
    // one step of growth further if they do. The graph's pool holds photos the filter drops, as
    // many more as the filter is narrow.
    const exactPool = later || cutoff === null || (countAll && !gathered) ? Infinity : countAll ? pool0 * 4 : pool0;
    let pool = exact ? exactPool : Math.ceil(pool0 / share);
    // The graph's first pool is the whole library's best first: its top is the best, no search more.
    const wantsBest = cutoff !== null && matching !== null;
    let best = wantsBest && exact ? await this.bestOfLibrary(vectors, query, exclude) : undefined;
    for (;;) {
      const found = exact ? await vectors.rank(query, matching, pool + exclude.size) : await vectors.search(query, pool + exclude.size, 0);
      if (wantsBest && best === undefined) best = this.bestAmong(vectors, query, found, exclude);
      const scored = found.filter((hit) => !exclude.has(hit.imageId) && (exact || !matching || matching.has(hit.imageId)));
      const lastScore = found.at(-1)?.score;
      const poolFull = found.length >= pool;
      // More photos that pass the cutoff may lie beyond the pool; without one, every photo beyond it is a result.
      const moreBeyond = poolFull && (cutoff === null || (lastScore !== undefined && lastScore >= this.threshold(vectors, query, best ?? scored[0]?.score, cutoff)));
      // Grow while the page is not full, or while results are uncounted and counting was asked for.
      if (!(poolFull && scored.length < offset + limit) && !(countAll && moreBeyond)) return { scored, method, counted: !moreBeyond, best };
      pool *= 4;
      // Without a cutoff, counting the results is ranking every photo in scope.
      if (!exact && ((countAll && cutoff === null) || pool * 4 >= vectors.size)) {
        const all = (await vectors.rank(query, matching)).filter((hit) => !exclude.has(hit.imageId));
        return { scored: all, method: 'exact', counted: true, best };
      }
    }
  }

  /**
   * CLIP's candidates merged with the photos whose text has `words` (Note [Fused search]), in
   * the fused order. A text match outside CLIP's pool is placed in CLIP's list by its own cosine.
   */
  private fuse(query: Float32Array, scored: readonly ScoredImage[], words: readonly string[], allowed: (imageId: number) => boolean): Candidate[] {
    const matches = this.storage.ocr.matchWords(words).filter((match) => allowed(match.imageId));
    if (matches.length === 0) return [...scored];
    const scores = new Map(scored.map((hit) => [hit.imageId, hit.score]));
    const outside = matches.filter((match) => !scores.has(match.imageId)).map((match) => match.imageId);
    for (const [imageId, vector] of this.storage.embeddings.vectorsOf(this.model.id, outside)) scores.set(imageId, dot(query, vector));
    const clip = [...scores].map(([imageId, score]) => ({ imageId, score })).sort((a, b) => b.score - a.score);
    return fuseRankings(clip, matches, words.length).map((hit) => ({ imageId: hit.imageId, score: scores.get(hit.imageId) ?? 0, matched: hit.matched }));
  }

  /** Reads one page of `ranking` from SQLite. */
  private page({ ordered, belowCutoff, method, counted }: Pick<Ranking, 'ordered' | 'belowCutoff' | 'method' | 'counted'>, options: SearchOptions): SearchPage {
    const { limit, offset, filters } = options;
    const page = ordered.slice(offset, offset + limit);
    const byImage = new Map(page.map((hit) => [hit.imageId, hit]));
    const results = this.storage.photos.representatives(page.map((hit) => hit.imageId), filters).map((row): SearchHit => {
      const { score, matched } = byImage.get(row.imageId) as Candidate;
      return { ...row, name: path.basename(row.path), score, ...(matched ? { textMatch: true } : {}) };
    });
    return { results, total: ordered.length, belowCutoff, offset, model: this.model.id, method, counted, cutShort: [] };
  }

  /** `hits` in the order asked for: by relevance as given, or by date (which needs the capture dates of all of them). */
  private inOrder<T extends ScoredImage>(hits: T[], { sort, filters }: SearchOptions): T[] {
    if (sort === 'relevance') return hits;
    const takenAt = this.storage.photos.datesOf(
      hits.map((hit) => hit.imageId),
      filters,
    );
    const direction = sort === 'newest' ? -1 : 1;
    return hits.filter((hit) => takenAt.has(hit.imageId)).sort((a, b) => direction * ((takenAt.get(a.imageId) as number) - (takenAt.get(b.imageId) as number)));
  }

  /** The lowest score that passes the cutoff (Note [Relative cutoff]) for a query whose best match scores `best`. */
  private threshold(vectors: VectorIndex, query: Float32Array, best: number | undefined, cutoff: number): number {
    const mean = vectors.mean();
    const base = mean ? dot(query, mean) : 0;
    return base + cutoff * ((best ?? base) - base);
  }

  /** The best score in the whole library, the photos in `exclude` left out, re-scored exactly (Note [Cutoff from the whole library]). */
  private async bestOfLibrary(vectors: VectorIndex, query: Float32Array, exclude: ReadonlySet<number>): Promise<number | undefined> {
    return this.bestAmong(vectors, query, await vectors.search(query, exclude.size + rerankWindow(1), 0), exclude);
  }

  /**
   * The best score of `hits` (the graph's, best first), the photos in `exclude` left out, re-scored
   * exactly over the window an unfiltered search re-scores for its first result (Note
   * [Re-ranking]: about 0.6 ms), so that both find the same best. The 8-bit scores' near-ties of
   * the first alone were not enough: their errors (about 2e-3 each, Note [Graph vectors] in
   * vector-index.ts) are typical, not bounded, and a best missed lowers the cutoff, so a filter
   * let in photos the unfiltered search left out (a test's library, now and then).
   */
  private bestAmong(vectors: VectorIndex, query: Float32Array, hits: readonly ScoredImage[], exclude: ReadonlySet<number>): number | undefined {
    return vectors.refine(query, hits.filter((hit) => !exclude.has(hit.imageId)), 1)[0]?.score;
  }

}

/**
 * The template editor's live preview: which photos an edited tag would get, and what it gains and
 * loses against the saved vocabulary, re-scored from the stored embeddings as the person types.
 *
 * Note [Live preview]: a keystroke changes one tag's prompts, so it needs one new column of
 * cosines (its text ensemble against every photo) and the softmax of Note [Tag assignment] for
 * that tag alone. Three things keep that within a keystroke at 100k photos:
 * - the photos' embeddings are held in memory while the editor is in use (released after a quiet
 *   minute), so a new column is one pass over a matrix, not a read of the database;
 * - each vocabulary's softmax denominator per photo, sum over its tags and background of
 *   exp(scale * (cosine - 1)), is kept for the saved vocabulary; a draft's is the saved one minus
 *   the terms of tags it dropped or changed plus those it added, a few columns of work;
 * - new prompts' text embeddings come from the model's query cache when typed before;
 * - the softmax terms exp(scale * (cosine - 1)) of the columns a keystroke touches are kept, and
 *   so is what the saved vocabulary gives the tag, so each keystroke takes one pass of exp;
 * - the draft never refits refinements (a fit over many verdicts takes up to a second, and the
 *   stored ones belong to the saved vocabulary): a tag the draft leaves as it is scores as it does
 *   now, refinement included; an edited tag scores with its new text ensemble until it is saved.
 * Verdicts apply as in tagging: a confirmed tag is always shown, a rejected one never.
 * A tag renamed in the draft is itself under its saved name (Note [Renamed tags] in
 * library-vocabulary.ts): its verdicts, its refinement and what it gains and loses are of that
 * tag as saved, so a rename alone changes nothing.
 */
import type { ClipModel } from '../models/clip.js';
import { cosineMatrix } from '../models/matmul.js';
import type { Storage } from '../storage/storage.js';
import type { TagRename } from '../storage/tag-store.js';
import type { PreparedVocabulary, Tagger } from './tagger.js';
import type { Vocabulary } from './vocabulary.js';
import { tagNameKey } from './vocabulary-rules.js';

const RELEASE_AFTER_MS = 60_000;
/** Embeddings read from SQLite at once while the matrix is filled. */
const PAGE = 4096;

export interface TagPreview {
  tag: string;
  /** Images the tag would get, best first (at most `limit`). */
  images: Array<{ imageId: number; probability: number }>;
  /** How many it would get in all. */
  count: number;
  /** Against the saved vocabulary: images it would newly get, and no longer get (best first, at most `limit` each). */
  gained: number[];
  lost: number[];
  gainedCount: number;
  lostCount: number;
  milliseconds: number;
}

interface Matrix {
  model: string;
  generation: number;
  imageIds: number[];
  data: Float32Array;
}

interface Denominator {
  keys: Map<string, number>;
  sums: Float64Array;
}

export class TagPreviewer {
  private matrix: Matrix | null = null;
  private readonly columns = new Map<string, Float32Array>();
  /** Softmax terms of the columns a draft changed or previewed (Note [Live preview]). */
  private readonly terms = new Map<string, Float64Array>();
  /** What the saved vocabulary gives the previewed tag, for the saved vocabulary and verdicts it was computed with. */
  private savedAssignment: { key: string; assigned: Map<number, number> } | null = null;
  private base: { fingerprint: string; denominator: Denominator } | null = null;
  private releaseTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly storage: Storage,
    private readonly tagger: Tagger,
  ) {}

  private load(model: ClipModel): Matrix {
    const generation = this.storage.library.generation(model.id);
    if (this.matrix?.model === model.id && this.matrix.generation === generation) return this.matrix;
    const imageIds: number[] = [];
    const data = new Float32Array(this.storage.embeddings.count(model.id) * model.dim);
    const bytes = new Uint8Array(data.buffer);
    for (let after = 0, more = true; more; ) {
      const rows = this.storage.embeddings.rawAfter(model.id, after, PAGE);
      for (const [imageId, blob] of rows) {
        if (blob.byteLength !== model.dim * 4 || imageIds.length * model.dim >= data.length) continue;
        bytes.set(blob, imageIds.length * model.dim * 4);
        imageIds.push(imageId);
      }
      more = rows.length === PAGE;
      after = rows.at(-1)?.[0] ?? after;
    }
    this.matrix = { model: model.id, generation, imageIds, data };
    this.forgetAll();
    return this.matrix;
  }

  /**
   * Columns of a prepared vocabulary's tags then background, by key; the ones not held yet are
   * computed in one product (Note [Cosines through ONNX Runtime]).
   */
  private async columnsOf(matrix: Matrix, prepared: PreparedVocabulary): Promise<Map<string, Float32Array>> {
    const dim = prepared.model.dim;
    const count = matrix.imageIds.length;
    const all = [...prepared.tags, prepared.background].map((tag, i) => ({ key: tag.key, vector: prepared.vectors[i] as Float32Array }));
    const missing = [...new Map(all.filter(({ key }) => !this.columns.has(key)).map((tag) => [tag.key, tag])).values()];
    if (missing.length > 0) {
      const vectors = new Float32Array(missing.length * dim);
      missing.forEach(({ vector }, j) => vectors.set(vector, j * dim));
      const out = await cosineMatrix(matrix.data, count, vectors, missing.length, dim);
      missing.forEach(({ key }, j) => {
        const column = new Float32Array(count);
        for (let i = 0; i < count; i++) column[i] = out[i * missing.length + j] as number;
        this.columns.set(key, column);
      });
    }
    return new Map(all.map(({ key }) => [key, this.columns.get(key) as Float32Array]));
  }

  /** A column's softmax terms, exp(scale * (cosine - 1)), computed once while the column is held. */
  private termsOf(key: string, scale: number): Float64Array {
    let terms = this.terms.get(key);
    if (!terms) {
      const column = this.columns.get(key) as Float32Array;
      terms = new Float64Array(column.length);
      for (let i = 0; i < column.length; i++) terms[i] = Math.exp(scale * ((column[i] as number) - 1));
      this.terms.set(key, terms);
    }
    return terms;
  }

  private denominator(columns: Map<string, Float32Array>, count: number, scale: number, from?: Denominator): Denominator {
    const sums = from ? Float64Array.from(from.sums) : new Float64Array(count);
    const keys = new Map(from?.keys ?? []);
    const change = (key: string, sign: 1 | -1, column: Float32Array) => {
      if (from) {
        // A draft's few changed columns: their terms are kept for the next keystroke.
        const terms = this.termsOf(key, scale);
        for (let i = 0; i < count; i++) sums[i] = (sums[i] as number) + sign * (terms[i] as number);
      } else {
        for (let i = 0; i < count; i++) sums[i] = (sums[i] as number) + sign * Math.exp(scale * ((column[i] as number) - 1));
      }
    };
    const wanted = new Map<string, number>();
    for (const key of columns.keys()) wanted.set(key, (wanted.get(key) ?? 0) + 1);
    for (const [key, times] of keys) {
      for (let t = times; t > (wanted.get(key) ?? 0); t--) change(key, -1, this.columns.get(key) as Float32Array);
    }
    for (const [key, times] of wanted) {
      for (let t = keys.get(key) ?? 0; t < times; t++) change(key, 1, columns.get(key) as Float32Array);
    }
    return { keys: wanted, sums };
  }

  /** Which images a tag gets under a vocabulary (none by its score for a null name): probability at least its threshold, verdicts applied. */
  private assigned(matrix: Matrix, prepared: PreparedVocabulary, name: string | null, denominator: Denominator, verdicts: Map<number, boolean>): Map<number, number> {
    const index = prepared.tags.findIndex((tag) => tag.name === name);
    const out = new Map<number, number>();
    if (index >= 0) {
      const tag = prepared.tags[index] as PreparedVocabulary['tags'][number];
      const terms = this.termsOf(tag.key, prepared.model.spec.logitScale);
      for (let i = 0; i < matrix.imageIds.length; i++) {
        const probability = (terms[i] as number) / (denominator.sums[i] as number);
        if (probability >= tag.threshold) out.set(matrix.imageIds[i] as number, probability);
      }
    }
    for (const [imageId, rejected] of verdicts) {
      if (rejected) out.delete(imageId);
      else if (!out.has(imageId)) out.set(imageId, 1);
    }
    return out;
  }

  /** `renames`: the tags renamed in the draft, as saving it would say them. */
  async preview(draft: Vocabulary, saved: Vocabulary, tagName: string, renames: readonly TagRename[] = [], limit = 200): Promise<TagPreview> {
    const started = performance.now();
    const savedNameOf = savedNames(renames);
    const savedName = savedNameOf(tagName);
    const savedPrepared = await this.tagger.prepare(saved);
    const draftPrepared = withSavedRefinements(await this.tagger.prepare(draft, undefined, undefined, { persist: false, refine: false }), savedPrepared, savedNameOf);
    const model = draftPrepared.model;
    const matrix = this.load(model);
    const count = matrix.imageIds.length;
    const scale = model.spec.logitScale;
    const savedColumns = await this.columnsOf(matrix, savedPrepared);
    if (this.base?.fingerprint !== savedPrepared.fingerprint) this.base = { fingerprint: savedPrepared.fingerprint, denominator: this.denominator(savedColumns, count, scale) };
    const draftDenominator = this.denominator(await this.columnsOf(matrix, draftPrepared), count, scale, this.base.denominator);
    const verdictRows = this.storage.tags.labelled().filter((row) => typeof savedName === 'string' && tagNameKey(row.tag) === tagNameKey(savedName));
    const verdicts = new Map(verdictRows.map((row) => [row.imageId, row.rejected]));
    const now = this.assigned(matrix, draftPrepared, tagName, draftDenominator, verdicts);
    const savedKey = JSON.stringify([savedPrepared.fingerprint, savedName, verdictRows.map((row) => [row.imageId, row.rejected])]);
    if (this.savedAssignment?.key !== savedKey) {
      this.savedAssignment = { key: savedKey, assigned: this.assigned(matrix, savedPrepared, savedName, this.base.denominator, verdicts) };
    }
    const before = this.savedAssignment.assigned;
    this.forgetUnused(savedColumns, draftPrepared);
    this.releaseLater();
    const best = (ids: Iterable<number>, scores: Map<number, number>) => [...ids].sort((a, b) => (scores.get(b) as number) - (scores.get(a) as number)).slice(0, limit);
    const gained = [...now.keys()].filter((id) => !before.has(id));
    const lost = [...before.keys()].filter((id) => !now.has(id));
    return {
      tag: tagName,
      images: best(now.keys(), now).map((imageId) => ({ imageId, probability: now.get(imageId) as number })),
      count: now.size,
      gained: best(gained, now),
      lost: best(lost, before),
      gainedCount: gained.length,
      lostCount: lost.length,
      milliseconds: performance.now() - started,
    };
  }

  /** Keeps the columns of the saved vocabulary and of the latest draft only. */
  private forgetUnused(saved: Map<string, Float32Array>, draft: PreparedVocabulary): void {
    const keep = new Set([...saved.keys(), ...[...draft.tags, draft.background].map((tag) => tag.key)]);
    for (const key of this.columns.keys()) if (!keep.has(key)) this.columns.delete(key);
    for (const key of this.terms.keys()) if (!keep.has(key)) this.terms.delete(key);
  }

  private forgetAll(): void {
    this.columns.clear();
    this.terms.clear();
    this.savedAssignment = null;
    this.base = null;
  }

  /** The matrix of embeddings is big: it goes when the editor has been quiet for a while. */
  private releaseLater(): void {
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    this.releaseTimer = setTimeout(() => this.release(), RELEASE_AFTER_MS);
    this.releaseTimer.unref?.();
  }

  release(): void {
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    this.releaseTimer = null;
    this.matrix = null;
    this.forgetAll();
  }
}

/**
 * A draft tag's name in the saved vocabulary: its own, or the one it was renamed from; null for a
 * new tag that takes the name of one renamed away, whose verdicts go with that one.
 */
function savedNames(renames: readonly TagRename[]): (name: string) => string | null {
  const renamedFrom = new Map(renames.map(({ from, to }) => [tagNameKey(to), from]));
  const renamedAway = new Set(renames.map(({ from }) => tagNameKey(from)));
  return (name) => renamedFrom.get(tagNameKey(name)) ?? (renamedAway.has(tagNameKey(name)) ? null : name);
}

/** The draft with each tag it leaves unchanged, renamed or not, scoring as in the saved vocabulary (its refinement, if any). */
function withSavedRefinements(draft: PreparedVocabulary, saved: PreparedVocabulary, savedNameOf: (name: string) => string | null): PreparedVocabulary {
  const savedIndex = new Map(saved.tags.map((tag, i) => [`${tag.name}\0${saved.textKeys[i] as string}`, i]));
  const tags = [...draft.tags];
  const vectors = [...draft.vectors];
  draft.tags.forEach((tag, i) => {
    const name = savedNameOf(tag.name);
    const j = name === null ? undefined : savedIndex.get(`${name}\0${tag.key}`);
    if (j === undefined) return;
    tags[i] = { ...tag, key: (saved.tags[j] as PreparedVocabulary['tags'][number]).key };
    vectors[i] = saved.vectors[j] as Float32Array;
  });
  return { ...draft, tags, vectors };
}

/**
 * Deciding the tags of photos from their stored embeddings, and tagging runs over the library.
 *
 * Note [Tagging runs]: images are tagged in id order, in chunks, each chunk's changes and the
 * run's position written in one transaction (see `tag_state`). Image ids only grow, so the next
 * run with an unchanged vocabulary tags just the photos indexed since (or resumes a cancelled
 * run); a changed vocabulary re-decides every photo, from cosines it mostly already has (see
 * ScoreCache and Note [Tag assignment]). A person's confirmed and rejected tags are never touched
 * by a run; the tagger's own tags are added, updated and removed to match the current decision.
 *
 * Note [Tags follow the model]: the tagger's tags are one set, whichever model gave them, but how
 * far tagging got is kept per model. Switching A → B → A (A's vectors kept) left B's tags, as A's
 * state still said its run was done. So each write of the tagger's tags under a model forgets the
 * other models' states, in the same transaction: a model's state holds only while the tags are as
 * its runs left them, and back on A (even after a run of B cancelled halfway) tagging decides every
 * photo again. A state beside another's (a library tagged before this) holds for neither. In the
 * app, an index run that finds no state of the serving model's is followed by tagging (Note
 * [Tagging catches up] in main/engine/index-job.ts), so back on A re-tags as going to B did.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { UserError, noEmbeddingsError, throwIfAborted } from '../core/errors.js';
import { LruCache } from '../core/lru.js';
import { RateMeter, type JobControl } from '../jobs/job.js';
import type { ClipModel } from '../models/clip.js';
import { cosineMatrix } from '../models/matmul.js';
import type { Storage } from '../storage/storage.js';
import type { ImageTagRow } from '../storage/tag-store.js';
import { ScoreCache } from './cache.js';
import type { LibraryVocabulary } from './library-vocabulary.js';
import type { TagRefinements } from './refinements.js';
import { assignedTags, ensembleEmbedding, tagProbabilities } from './scoring.js';
import { backgroundTag, enabledTags, promptTexts, type ResolvedTag, type Vocabulary } from './vocabulary.js';

/** Images decided per transaction. */
const CHUNK = 2048;
/** Tags whose prompts are embedded per text-model call batch (and progress event). */
const TAGS_PER_BATCH = 8;

export interface TagProgress {
  phase: 'embedding-tags' | 'scoring' | 'exporting';
  done: number;
  total: number;
  perSecond: number;
  etaSeconds: number | null;
}

export interface TagSummary {
  model: string;
  /** Photos (distinct images) whose tags were decided in this run. */
  images: number;
  /** True when only photos new since the last run (with the same vocabulary) were decided. */
  incremental: boolean;
  /** Tags whose text embedding had to be computed (the rest came from the cache). */
  tagsEmbedded: number;
  /** Tags whose cosines were computed for at least one photo; `(background)` for the neutral prompts. */
  tagsScored: string[];
  /** The tagger's tags added, updated (new score) and removed in this run. */
  added: number;
  updated: number;
  removed: number;
  seconds: number;
}

/** A vocabulary ready to score photos with one model. */
export interface PreparedVocabulary {
  model: ClipModel;
  tags: ResolvedTag[];
  background: ResolvedTag;
  /** Tag vectors then the background's, each `model.dim` long. */
  vectors: Float32Array[];
  thresholds: Float32Array;
  embedded: number;
  fingerprint: string;
  /** Each tag's text-ensemble key (its `key` is a refinement's where one is in use). */
  textKeys: string[];
}

export interface PrepareOptions {
  /** false: new tag embeddings stay in memory (a draft in the template editor). */
  persist?: boolean;
  /** false: score every tag with its text ensemble, even where a refinement is in use. */
  refine?: boolean;
}

export interface Decision {
  imageId: number;
  /** Cosine per tag, then the background's. */
  cosines: Float32Array;
  probabilities: Float32Array;
  /** Indexes into the prepared tags. */
  assigned: number[];
}

/** What a run's decisions depend on besides the photos: kept with how far it got, so the next run knows whether they still hold (Note [Tagging runs]). */
function runFingerprint(model: ClipModel, tags: readonly ResolvedTag[], background: ResolvedTag): string {
  return createHash('sha256')
    .update(JSON.stringify({ tags: tags.map((tag) => [tag.name, tag.key, tag.threshold]), background: background.key, scale: model.spec.logitScale }))
    .digest('hex')
    .slice(0, 32);
}

export class Tagger {
  private cache: ScoreCache | null = null;
  /** Embeddings of draft tags (not saved), by model and key, most recent last. */
  private readonly drafts = new LruCache<string, Float32Array>(256);

  constructor(
    private readonly storage: Storage,
    private readonly vocabulary: LibraryVocabulary,
    private readonly refinements: TagRefinements,
    /** The model whose stored image embeddings are tagged (the library's serving model). */
    private readonly model: () => Promise<ClipModel>,
  ) {}

  /**
   * Ensembled embeddings of `tags`, from the database cache or computed (and cached) now, a few
   * tags at a time so a first run over a big vocabulary reports progress and can be cancelled.
   * A reader's library is read-only (Note [One writer] in writer-lock.ts): it computes them
   * without caching.
   */
  async embedTags(model: ClipModel, tags: readonly ResolvedTag[], signal?: AbortSignal, onProgress?: (done: number, total: number) => void, persist = true): Promise<{ vectors: Float32Array[]; embedded: number }> {
    const store = this.storage.tags;
    const cached = (vector: Float32Array | undefined): vector is Float32Array => vector !== undefined && vector.length === model.dim;
    const vectors = tags.map((tag) => store.tagEmbedding(model.id, tag.key) ?? this.drafts.get(`${model.id}\0${tag.key}`));
    const missing = [...new Map(tags.filter((_, i) => !cached(vectors[i])).map((tag) => [tag.key, tag])).values()];
    const made = new Map<string, Float32Array>();
    for (let start = 0; start < missing.length; start += TAGS_PER_BATCH) {
      throwIfAborted(signal);
      const batch = missing.slice(start, start + TAGS_PER_BATCH);
      const texts = [...new Set(batch.flatMap((tag) => promptTexts(tag.prompts, tag.templates)))];
      const embedded = new Map((await model.embedTexts(texts, signal)).map((vector, i) => [texts[i] as string, vector]));
      for (const tag of batch) made.set(tag.key, ensembleEmbedding(promptTexts(tag.prompts, tag.templates).map((text) => embedded.get(text) as Float32Array)));
      if (!persist) {
        // A draft's tags (the template editor, as the person types): kept in memory only.
        for (const tag of batch) this.drafts.set(`${model.id}\0${tag.key}`, made.get(tag.key) as Float32Array);
      } else if (!this.storage.readonly) {
        this.storage.transaction(() => {
          for (const tag of batch) store.saveTagEmbedding(model.id, tag.key, made.get(tag.key) as Float32Array);
        });
      }
      onProgress?.(Math.min(start + TAGS_PER_BATCH, missing.length), missing.length);
    }
    const all = tags.map((tag, i) => (cached(vectors[i]) ? vectors[i] : (made.get(tag.key) as Float32Array)));
    return { vectors: all, embedded: missing.length };
  }

  /** A vocabulary ready to score with: its tags' embeddings, refined where verdicts allow (PrepareOptions). */
  async prepare(vocabulary: Vocabulary, signal?: AbortSignal, onProgress?: (done: number, total: number) => void, options: PrepareOptions = {}): Promise<PreparedVocabulary> {
    const model = await this.model();
    const background = backgroundTag(vocabulary);
    const enabled = enabledTags(vocabulary);
    const embedding = await this.embedTags(model, [...enabled, background], signal, onProgress, options.persist ?? true);
    const { embedded } = embedding;
    const { tags, vectors } = options.refine === false ? { tags: enabled, vectors: embedding.vectors } : await this.refined(model, enabled, background, embedding.vectors, signal);
    const thresholds = Float32Array.from(tags.map((tag) => tag.threshold));
    return { model, tags, background, vectors, thresholds, embedded, fingerprint: runFingerprint(model, tags, background), textKeys: enabled.map((tag) => tag.key) };
  }

  /**
   * Whether a run would tag anything (Note [Tagging catches up] in main/engine/index-job.ts): the
   * model has photos embedded and no state that holds (never tagged, or another model tagged
   * since), photos embedded past where its runs got, or a vocabulary other than the one it tagged
   * with. Nothing is embedded or refitted: refined tags count as their last fit left them.
   */
  async behind(): Promise<boolean> {
    const model = await this.model();
    const { tags: store, embeddings } = this.storage;
    if (embeddings.count(model.id) === 0) return false;
    const state = store.state(model.id);
    if (!state || embeddings.countAfter(model.id, state.doneThrough) > 0) return true;
    const vocabulary = await this.vocabulary.get();
    const tags = enabledTags(vocabulary).map((tag) => ({ ...tag, key: this.refinements.refinedVectorFor(model.id, tag.name)?.key ?? tag.key }));
    return runFingerprint(model, tags, backgroundTag(vocabulary)) !== state.fingerprint;
  }

  /**
   * The tags with their refined vectors where the person's verdicts gave a refinement that
   * cross-validation kept (Note [Refined tags]): a refined tag scores with its own vector and key.
   */
  private async refined(model: ClipModel, tags: ResolvedTag[], background: ResolvedTag, vectors: Float32Array[], signal?: AbortSignal): Promise<{ tags: ResolvedTag[]; vectors: Float32Array[] }> {
    const context = {
      model: model.id,
      scale: model.spec.logitScale,
      tags: tags.map((tag, i) => ({ name: tag.name, key: tag.key, threshold: tag.threshold, vector: vectors[i] as Float32Array })),
      background: { key: background.key, vector: vectors[tags.length] as Float32Array },
    };
    const { inUse } = await this.refinements.refineTags(context, signal);
    if (inUse.size === 0) return { tags, vectors };
    return {
      tags: tags.map((tag) => ({ ...tag, key: inUse.get(tag.name)?.key ?? tag.key })),
      vectors: vectors.map((vector, i) => (i < tags.length ? (inUse.get((tags[i] as ResolvedTag).name)?.vector ?? vector) : vector)),
    };
  }

  private cacheFor(model: string): ScoreCache {
    if (this.cache?.model !== model) this.cache = new ScoreCache(model);
    return this.cache;
  }

  /**
   * Decides the tags of `imageIds` (skipping any without an embedding): cosines from the cache,
   * computing only the missing columns, from embeddings `load` reads.
   */
  async decide(prepared: PreparedVocabulary, imageIds: readonly number[], load: () => Map<number, Buffer | Float32Array>, scored = new Set<string>()): Promise<Decision[]> {
    const { model, tags, background, vectors, thresholds } = prepared;
    const dim = model.dim;
    const all = [...tags, background];
    const cache = this.cacheFor(model.id);
    const rows = imageIds.map((id) => cache.row(id));
    const needed = all.map((_, k) => k).filter((k) => {
      const column = cache.column((all[k] as ResolvedTag).key);
      return rows.some((row) => Number.isNaN(column[row] as number));
    });
    const present = new Set(imageIds);
    if (needed.length > 0) {
      const stored = load();
      const ids = imageIds.filter((id) => stored.has(id));
      for (const id of imageIds) if (!stored.has(id)) present.delete(id);
      const images = new Float32Array(ids.length * dim);
      const bytes = new Uint8Array(images.buffer);
      ids.forEach((id, i) => {
        const vector = stored.get(id) as Buffer | Float32Array;
        if (vector.byteLength !== dim * 4) {
          throw new UserError('model-invalid', `The stored embeddings of ${model.id} have ${vector.byteLength / 4} dimensions but the model has ${dim}. Re-index the library with this model.`);
        }
        bytes.set(new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength), i * dim * 4);
      });
      const matrix = new Float32Array(needed.length * dim);
      needed.forEach((k, j) => matrix.set(vectors[k] as Float32Array, j * dim));
      const out = await cosineMatrix(images, ids.length, matrix, needed.length, dim);
      needed.forEach((k, j) => {
        const column = cache.column((all[k] as ResolvedTag).key);
        ids.forEach((id, i) => (column[cache.row(id)] = out[i * needed.length + j] as number));
        scored.add((all[k] as ResolvedTag).name);
      });
    }
    const columns = all.map((tag) => cache.column(tag.key));
    const scale = model.spec.logitScale;
    const decisions: Decision[] = [];
    imageIds.forEach((imageId, i) => {
      if (!present.has(imageId)) return;
      const row = rows[i] as number;
      const cosines = Float32Array.from(columns, (column) => column[row] as number);
      if (cosines.some(Number.isNaN)) return;
      const probabilities = new Float32Array(tags.length);
      tagProbabilities(cosines.subarray(0, tags.length), cosines[tags.length] as number, scale, probabilities);
      decisions.push({ imageId, cosines, probabilities, assigned: assignedTags(probabilities, thresholds) });
    });
    return decisions;
  }

  /** Decides images from their stored embeddings, read one by one (a few images). */
  decideImages(prepared: PreparedVocabulary, imageIds: readonly number[]): Promise<Decision[]> {
    return this.decide(prepared, imageIds, () => this.storage.embeddings.vectorsOf(prepared.model.id, imageIds));
  }

  /** Brings the tagger's rows of decided images in line (Note [Tags follow the model]); returns the changes. */
  private write(prepared: PreparedVocabulary, decisions: readonly Decision[], existing: readonly ImageTagRow[]): { added: number; updated: number; removed: number } {
    const store = this.storage.tags;
    const byImage = new Map<number, Map<string, ImageTagRow>>();
    for (const row of existing) {
      let rows = byImage.get(row.imageId);
      if (!rows) byImage.set(row.imageId, (rows = new Map()));
      rows.set(row.tag, row);
    }
    const now = Date.now();
    const counts = { added: 0, updated: 0, removed: 0 };
    const model = prepared.model.id;
    store.forgetOtherStates(model);
    for (const decision of decisions) {
      const rows = byImage.get(decision.imageId) ?? new Map<string, ImageTagRow>();
      const assigned = new Set<string>();
      for (const t of decision.assigned) {
        const name = (prepared.tags[t] as ResolvedTag).name;
        assigned.add(name);
        const tag = { tag: name, score: decision.probabilities[t] as number, cosine: decision.cosines[t] as number };
        const row = rows.get(name);
        if (!row) {
          if (store.insertAuto(decision.imageId, tag, model, now)) counts.added++;
        } else if (row.source === 'auto' && (row.model !== model || Math.abs((row.score ?? -1) - tag.score) > 1e-6 || Math.abs((row.cosine ?? -1) - tag.cosine) > 1e-6)) {
          store.updateAuto(decision.imageId, tag, model, now);
          counts.updated++;
        }
      }
      for (const row of rows.values()) {
        if (row.source === 'auto' && !assigned.has(row.tag)) {
          store.deleteAuto(decision.imageId, row.tag);
          counts.removed++;
        }
      }
    }
    return counts;
  }

  /**
   * Tags the library (Note [Tagging runs]): every photo when the vocabulary changed since the
   * last run, another model tagged since (Note [Tags follow the model]) or `full` is set, else
   * only the photos indexed since.
   */
  async run(control?: JobControl, onProgress?: (progress: TagProgress) => void, options: { full?: boolean } = {}): Promise<TagSummary> {
    const started = performance.now();
    const signal = control?.signal;
    const { tags: store, embeddings } = this.storage;
    const vocabulary = await this.vocabulary.get();
    const model = await this.model();
    if (embeddings.count(model.id) === 0) throw noEmbeddingsError(model.id);
    const embedMeter = control?.rateMeter() ?? new RateMeter();
    embedMeter.record(0);
    const prepared = await this.prepare(vocabulary, signal, (done, total) => {
      embedMeter.record(done);
      onProgress?.({ phase: 'embedding-tags', done, total, perSecond: embedMeter.perSecond, etaSeconds: embedMeter.eta(total - done) });
    });
    await control?.checkpoint();
    const state = store.state(model.id);
    const incremental = !options.full && state?.fingerprint === prepared.fingerprint;
    let after = incremental ? state.doneThrough : 0;
    const total = embeddings.countAfter(model.id, after);
    const counts = { added: 0, updated: 0, removed: 0 };
    if (!incremental) counts.removed += store.deleteAutoNotIn(prepared.tags.map((tag) => tag.name));
    const scored = new Set<string>();
    const meter = control?.rateMeter() ?? new RateMeter();
    let done = 0;
    meter.record(0);
    for (;;) {
      await control?.checkpoint();
      throwIfAborted(signal);
      const ids = embeddings.imageIdsAfter(model.id, after, CHUNK);
      if (ids.length === 0) break;
      const first = ids[0] as number;
      const last = ids[ids.length - 1] as number;
      const load = () => new Map(embeddings.rawBetween(model.id, first, last).map((row) => [row.imageId, row.vector]));
      const decisions = await this.decide(prepared, ids, load, scored);
      this.storage.transaction(() => {
        const changes = this.write(prepared, decisions, store.tagsBetween(first, last));
        counts.added += changes.added;
        counts.updated += changes.updated;
        counts.removed += changes.removed;
        store.saveState(model.id, prepared.fingerprint, last);
      });
      after = last;
      done += ids.length;
      meter.record(done);
      onProgress?.({ phase: 'scoring', done, total, perSecond: meter.perSecond, etaSeconds: meter.eta(total - done) });
      // Let pause, cancel and other work in: a chunk whose cosines are all cached awaits nothing.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (!state || state.fingerprint !== prepared.fingerprint) store.saveState(model.id, prepared.fingerprint, after);
    const keys = new Set([...prepared.tags, prepared.background].map((tag) => tag.key));
    this.cacheFor(model.id).retain(keys);
    // A refined tag scores by its refined vector, but its prompts' embedding is what the next
    // refinement starts from: both are kept.
    if (!incremental) store.pruneTagEmbeddings(model.id, new Set([...keys, ...prepared.textKeys]));
    return { model: model.id, images: done, incremental, tagsEmbedded: prepared.embedded, tagsScored: [...scored], ...counts, seconds: (performance.now() - started) / 1000 };
  }

  /** Decides the tags of a few images now (after a person's verdict is withdrawn). */
  async retag(imageIds: readonly number[]): Promise<void> {
    const prepared = await this.prepare(await this.vocabulary.get());
    const decisions = await this.decideImages(prepared, imageIds);
    this.storage.transaction(() => {
      this.write(prepared, decisions, imageIds.flatMap((id) => this.storage.tags.tagsOfImage(id)));
    });
  }

  /** The model tagging uses, loaded on first need. */
  currentModel(): Promise<ClipModel> {
    return this.model();
  }
}

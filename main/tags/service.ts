/**
 * Tagging a library: the engine's API for the app and the CLI. One `TagService` per open library
 * and model; every long call is async, cancellable through a `JobControl` and reports progress.
 *
 * Note [Tagging runs]: images are tagged in id order, in chunks, each chunk's changes and the
 * run's position written in one transaction (see `tag_state`). Image ids only grow, so the next
 * run with an unchanged vocabulary tags just the photos indexed since (or resumes a cancelled
 * run); a changed vocabulary re-decides every photo, from cosines it mostly already has (see
 * ScoreCache and Note [Tag assignment]). A person's confirmed and rejected tags are never touched
 * by a run; the tagger's own tags are added, updated and removed to match the current decision.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { UserError, messageOf, throwIfAborted } from '../core/errors.js';
import { RateMeter, type JobControl } from '../jobs/job.js';
import type { Library } from '../library/library.js';
import type { ClipModel } from '../models/clip.js';
import { ScoreCache } from './cache.js';
import { assignedTags, ensembleEmbedding, scoreMatrix, tagProbabilities } from './scoring.js';
import { scoreWithModel } from './score-images.js';
import { TagStore, type ImageTagRow, type PhotoRef, type TagSource } from './store.js';
import {
  backgroundTag,
  enabledTags,
  findTag,
  formatVocabulary,
  loadDefaultVocabulary,
  parseVocabulary,
  promptTexts,
  readVocabularyFile,
  type ResolvedTag,
  type Vocabulary,
} from './vocabulary.js';
import { SIDECAR_STYLES, sidecarPath, writeSidecar, type SidecarStyle } from './xmp.js';

/** Images decided per transaction. */
const CHUNK = 2048;
/** Tags whose prompts are embedded per text-model call batch (and progress event). */
const TAGS_PER_BATCH = 8;

export interface TagServiceOptions {
  /** The model whose stored image embeddings are tagged (the library's serving model); loaded on first need. */
  model: ClipModel | (() => Promise<ClipModel>);
  /** Folder holding `vocabulary/default.json` (the packaged app passes `process.resourcesPath`). */
  resourcesDir?: string;
}

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

export interface PhotoTag {
  tag: string;
  source: TagSource;
  /** Probability the tagger gave it; null for a person's tag it never scored. */
  score: number | null;
  cosine: number | null;
  model: string | null;
}

export interface PhotoTags {
  photoId: number;
  path: string;
  tags: PhotoTag[];
  /** Tags the person rejected for this photo. */
  rejected: string[];
}

export interface TagCount {
  tag: string;
  /** Photos showing it (the tagger's or confirmed, not rejected). */
  photos: number;
  auto: number;
  confirmed: number;
  rejected: number;
}

export interface AlbumTag {
  tag: string;
  photos: number;
  /** Fraction of the album's photos with the tag. */
  share: number;
  /** Mean score of the photos that have it (a confirmed tag the tagger never scored counts 1). */
  meanScore: number;
}

export interface AlbumSummary {
  /** The folder the photos are in. */
  album: string;
  name: string;
  photos: number;
  tags: AlbumTag[];
  /** "Lisbon 2023: city, beach, food". */
  label: string;
}

export interface AlbumOptions {
  /** Least share of an album's photos a tag needs to describe the album (default 0.25). */
  minShare?: number;
  /** Most tags per album (default 5). */
  maxTags?: number;
}

export interface XmpExportOptions {
  style?: SidecarStyle;
  /** Only these photos (default: all). */
  photoIds?: readonly number[];
  control?: JobControl;
  onProgress?: (progress: TagProgress) => void;
}

export interface XmpExportSummary {
  style: SidecarStyle;
  written: number;
  unchanged: number;
  skipped: Array<{ path: string; reason: string }>;
}

export interface LabelledTagReport {
  confirmed: number;
  rejected: number;
  /** Confirmed pairs the rule assigns. */
  recall: number | null;
  /** Of the labelled pairs the rule assigns, the fraction confirmed. */
  precision: number | null;
}

export interface LabelledReport {
  model: string;
  /** Photos with at least one confirmed or rejected tag in the vocabulary. */
  photos: number;
  confirmed: number;
  rejected: number;
  /** Labelled pairs the rule decides as the person did. */
  accuracy: number | null;
  precision: number | null;
  recall: number | null;
  /** Of confirmed tags: the fraction that is the photo's highest-scoring tag, and among its five highest. */
  top1: number | null;
  top5: number | null;
  perTag: Record<string, LabelledTagReport>;
}

interface Prepared {
  model: ClipModel;
  tags: ResolvedTag[];
  background: ResolvedTag;
  /** Tag vectors then the background's, each `model.dim` long. */
  vectors: Float32Array[];
  thresholds: Float32Array;
  embedded: number;
  fingerprint: string;
}

interface Decision {
  imageId: number;
  /** Cosine per tag, then the background's. */
  cosines: Float32Array;
  probabilities: Float32Array;
  assigned: number[];
}

const ratio = (count: number, total: number) => (total > 0 ? count / total : null);

export class TagService {
  readonly store: TagStore;
  private modelPromise: Promise<ClipModel> | null = null;
  private cache: ScoreCache | null = null;

  constructor(
    readonly library: Library,
    private readonly options: TagServiceOptions,
  ) {
    this.store = new TagStore(library.store.db);
  }

  private model(): Promise<ClipModel> {
    const source = this.options.model;
    this.modelPromise ??= typeof source === 'function' ? source() : Promise.resolve(source);
    return this.modelPromise;
  }

  // ---- vocabulary -------------------------------------------------------------------------

  /** The person's vocabulary, or the default one until they change it. */
  async vocabulary(): Promise<Vocabulary> {
    const json = this.store.vocabularyJson();
    if (!json) return loadDefaultVocabulary(this.options.resourcesDir);
    try {
      return parseVocabulary(JSON.parse(json), 'The saved vocabulary');
    } catch (error) {
      throw new UserError('bad-input', `The library's saved tag vocabulary cannot be read (${messageOf(error)}). Import a vocabulary file or reset it to the default.`, { cause: error });
    }
  }

  /** Validates and saves a vocabulary (in the file format); the next run re-tags what changed. */
  async updateVocabulary(vocabulary: unknown): Promise<Vocabulary> {
    const checked = parseVocabulary(vocabulary);
    this.store.saveVocabularyJson(JSON.stringify(checked));
    return checked;
  }

  /** Puts a copy of the default vocabulary back. */
  async resetVocabulary(): Promise<Vocabulary> {
    return this.updateVocabulary(await loadDefaultVocabulary(this.options.resourcesDir));
  }

  async importVocabulary(file: string): Promise<Vocabulary> {
    return this.updateVocabulary(await readVocabularyFile(file));
  }

  async exportVocabulary(file: string): Promise<void> {
    await writeFile(file, formatVocabulary(await this.vocabulary()));
  }

  // ---- scoring ----------------------------------------------------------------------------

  /**
   * Ensembled embeddings of `tags`, from the database cache or computed (and cached) now, a few
   * tags at a time so a first run over a big vocabulary reports progress and can be cancelled.
   */
  private async embedTags(
    model: ClipModel,
    tags: readonly ResolvedTag[],
    signal?: AbortSignal,
    onProgress?: (done: number, total: number) => void,
  ): Promise<{ vectors: Float32Array[]; embedded: number }> {
    const cached = (vector: Float32Array | undefined): vector is Float32Array => vector !== undefined && vector.length === model.dim;
    const vectors = tags.map((tag) => this.store.tagEmbedding(model.id, tag.key));
    const missing = [...new Map(tags.filter((_, i) => !cached(vectors[i])).map((tag) => [tag.key, tag])).values()];
    for (let start = 0; start < missing.length; start += TAGS_PER_BATCH) {
      throwIfAborted(signal);
      const batch = missing.slice(start, start + TAGS_PER_BATCH);
      const texts = [...new Set(batch.flatMap((tag) => promptTexts(tag.prompts, tag.templates)))];
      const embedded = new Map((await model.embedTexts(texts, signal)).map((vector, i) => [texts[i] as string, vector]));
      this.store.transaction(() => {
        for (const tag of batch) {
          this.store.saveTagEmbedding(model.id, tag.key, ensembleEmbedding(promptTexts(tag.prompts, tag.templates).map((text) => embedded.get(text) as Float32Array)));
        }
      });
      onProgress?.(Math.min(start + TAGS_PER_BATCH, missing.length), missing.length);
    }
    const all = tags.map((tag, i) => (cached(vectors[i]) ? vectors[i] : this.store.tagEmbedding(model.id, tag.key)));
    return { vectors: all as Float32Array[], embedded: missing.length };
  }

  private async prepare(vocabulary: Vocabulary, signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<Prepared> {
    const model = await this.model();
    const tags = enabledTags(vocabulary);
    const background = backgroundTag(vocabulary);
    const { vectors, embedded } = await this.embedTags(model, [...tags, background], signal, onProgress);
    const thresholds = Float32Array.from(tags.map((tag) => tag.threshold));
    const fingerprint = createHash('sha256')
      .update(JSON.stringify({ tags: tags.map((tag) => [tag.name, tag.key, tag.threshold]), background: background.key, scale: model.spec.logitScale }))
      .digest('hex')
      .slice(0, 32);
    return { model, tags, background, vectors, thresholds, embedded, fingerprint };
  }

  private cacheFor(model: string): ScoreCache {
    if (this.cache?.model !== model) this.cache = new ScoreCache(model);
    return this.cache;
  }

  /**
   * Decides the tags of `imageIds` (skipping any without an embedding): cosines from the cache,
   * computing only the missing columns, from embeddings `load` reads.
   */
  private decide(prepared: Prepared, imageIds: readonly number[], load: () => Map<number, Buffer>, scored: Set<string>): Decision[] {
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
      const blobs = load();
      const ids = imageIds.filter((id) => blobs.has(id));
      for (const id of imageIds) if (!blobs.has(id)) present.delete(id);
      const images = new Float32Array(ids.length * dim);
      const bytes = new Uint8Array(images.buffer);
      ids.forEach((id, i) => {
        const blob = blobs.get(id) as Buffer;
        if (blob.byteLength !== dim * 4) {
          throw new UserError('model-invalid', `The stored embeddings of ${model.id} have ${blob.byteLength / 4} dimensions but the model has ${dim}. Re-index the library with this model.`);
        }
        bytes.set(blob, i * dim * 4);
      });
      const matrix = new Float32Array(needed.length * dim);
      needed.forEach((k, j) => matrix.set(vectors[k] as Float32Array, j * dim));
      const out = scoreMatrix(images, ids.length, matrix, needed.length, dim);
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

  /** Brings the tagger's rows of decided images in line; returns the changes. */
  private write(prepared: Prepared, decisions: readonly Decision[], existing: readonly ImageTagRow[]): { added: number; updated: number; removed: number } {
    const byImage = new Map<number, Map<string, ImageTagRow>>();
    for (const row of existing) {
      let rows = byImage.get(row.imageId);
      if (!rows) byImage.set(row.imageId, (rows = new Map()));
      rows.set(row.tag, row);
    }
    const now = Date.now();
    const counts = { added: 0, updated: 0, removed: 0 };
    const model = prepared.model.id;
    for (const decision of decisions) {
      const rows = byImage.get(decision.imageId) ?? new Map<string, ImageTagRow>();
      const assigned = new Set<string>();
      for (const t of decision.assigned) {
        const name = (prepared.tags[t] as ResolvedTag).name;
        assigned.add(name);
        const tag = { tag: name, score: decision.probabilities[t] as number, cosine: decision.cosines[t] as number };
        const row = rows.get(name);
        if (!row) {
          this.store.insertAuto(decision.imageId, tag, model, now);
          counts.added++;
        } else if (row.source === 'auto' && (row.model !== model || Math.abs((row.score ?? -1) - tag.score) > 1e-6 || Math.abs((row.cosine ?? -1) - tag.cosine) > 1e-6)) {
          this.store.updateAuto(decision.imageId, tag, model, now);
          counts.updated++;
        }
      }
      for (const row of rows.values()) {
        if (row.source === 'auto' && !assigned.has(row.tag)) {
          this.store.deleteAuto(decision.imageId, row.tag);
          counts.removed++;
        }
      }
    }
    return counts;
  }

  private loader(model: string, first: number, last: number): () => Map<number, Buffer> {
    return () => new Map(this.store.vectorsBetween(model, first, last).map((row) => [row.imageId, row.vector]));
  }

  /**
   * Tags the library (Note [Tagging runs]): every photo when the vocabulary changed since the
   * last run or `full` is set, else only the photos indexed since.
   */
  async tagLibrary(control?: JobControl, onProgress?: (progress: TagProgress) => void, options: { full?: boolean } = {}): Promise<TagSummary> {
    const started = performance.now();
    const signal = control?.signal;
    const vocabulary = await this.vocabulary();
    const model = await this.model();
    if (this.store.embeddingCount(model.id) === 0) {
      throw new UserError('bad-input', `No photo in the library has an embedding from ${model.id}. Index the library with that model first (\`index\`).`);
    }
    const embedMeter = new RateMeter();
    embedMeter.record(0);
    const prepared = await this.prepare(vocabulary, signal, (done, total) => {
      embedMeter.record(done);
      onProgress?.({ phase: 'embedding-tags', done, total, perSecond: embedMeter.perSecond, etaSeconds: embedMeter.eta(total - done) });
    });
    await control?.checkpoint();
    const state = this.store.state(model.id);
    const incremental = !options.full && state?.fingerprint === prepared.fingerprint;
    let after = incremental ? state.doneThrough : 0;
    const total = this.store.countAfter(model.id, after);
    const counts = { added: 0, updated: 0, removed: 0 };
    if (!incremental) counts.removed += this.store.deleteAutoNotIn(prepared.tags.map((tag) => tag.name));
    const scored = new Set<string>();
    const meter = new RateMeter();
    let done = 0;
    meter.record(0);
    for (;;) {
      await control?.checkpoint();
      throwIfAborted(signal);
      const ids = this.store.imageIdsAfter(model.id, after, CHUNK);
      if (ids.length === 0) break;
      const first = ids[0] as number;
      const last = ids[ids.length - 1] as number;
      const decisions = this.decide(prepared, ids, this.loader(model.id, first, last), scored);
      this.store.transaction(() => {
        const changes = this.write(prepared, decisions, this.store.tagsBetween(first, last));
        counts.added += changes.added;
        counts.updated += changes.updated;
        counts.removed += changes.removed;
        this.store.saveState(model.id, prepared.fingerprint, last);
      });
      after = last;
      done += ids.length;
      meter.record(done);
      onProgress?.({ phase: 'scoring', done, total, perSecond: meter.perSecond, etaSeconds: meter.eta(total - done) });
      // Let pause, cancel and other work in; the scoring itself is synchronous.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (!state || state.fingerprint !== prepared.fingerprint) this.store.saveState(model.id, prepared.fingerprint, after);
    const keys = new Set([...prepared.tags, prepared.background].map((tag) => tag.key));
    this.cacheFor(model.id).retain(keys);
    if (!incremental) this.store.pruneTagEmbeddings(model.id, keys);
    return {
      model: model.id,
      images: done,
      incremental,
      tagsEmbedded: prepared.embedded,
      tagsScored: [...scored],
      ...counts,
      seconds: (performance.now() - started) / 1000,
    };
  }

  /** The stored embeddings of `imageIds` for `model` (images without one are left out). */
  private storedVectors(model: string, imageIds: readonly number[]): Map<number, Buffer> {
    const blobs = new Map<number, Buffer>();
    for (const id of imageIds) {
      const blob = this.store.vector(model, id);
      if (blob) blobs.set(id, blob);
    }
    return blobs;
  }

  /** Decides the tags of a few images now (after a person's verdict is withdrawn). */
  private async retagImages(imageIds: readonly number[]): Promise<void> {
    const prepared = await this.prepare(await this.vocabulary());
    const model = prepared.model.id;
    const load = () => this.storedVectors(model, imageIds);
    const decisions = this.decide(prepared, imageIds, load, new Set());
    this.store.transaction(() => {
      this.write(prepared, decisions, imageIds.flatMap((id) => this.store.tagsOfImage(id)));
    });
  }

  /** Cosines of image embeddings against the enabled tags (for `tag-scores` and evaluation). */
  async scoreEmbeddings(vocabulary: Vocabulary, images: readonly Float32Array[], signal?: AbortSignal): Promise<{ tags: string[]; cosines: Float32Array[]; probabilities: Float32Array[]; assigned: string[][] }> {
    return scoreWithModel(await this.model(), vocabulary, images, signal, (model, tags) => this.embedTags(model, tags, signal));
  }

  // ---- a person's tags ----------------------------------------------------------------------

  /** A photo by id (`12`, `#12`) or by its path. */
  resolvePhoto(reference: string | number): PhotoRef {
    const text = String(reference).trim();
    const id = /^#?(\d+)$/.exec(text);
    const photo = id ? this.store.photoById(Number(id[1])) : this.store.photoByPath(path.resolve(text));
    if (!photo) {
      throw new UserError('bad-input', id ? `There is no photo #${id[1]} in the library. Give a photo id from search results or a photo's path.` : `${text} is not a photo in the library. Give the path of an indexed photo, or its id (#12).`);
    }
    return photo;
  }

  tagsOf(photo: string | number): PhotoTags {
    const ref = this.resolvePhoto(photo);
    const rows = this.store.tagsOfImage(ref.imageId);
    return {
      photoId: ref.photoId,
      path: ref.path,
      tags: rows.filter((row) => !row.rejected).map(({ tag, source, score, cosine, model }) => ({ tag, source, score, cosine, model })),
      rejected: rows.filter((row) => row.rejected).map((row) => row.tag),
    };
  }

  counts(): TagCount[] {
    return this.store.counts();
  }

  private async canonicalTag(imageId: number, name: string): Promise<string> {
    const vocabulary = await this.vocabulary();
    const tag = findTag(vocabulary, name);
    if (tag) return tag.name;
    const existing = this.store.tagsOfImage(imageId).find((row) => row.tag.toLowerCase() === name.trim().toLowerCase());
    if (existing) return existing.tag;
    const names = vocabulary.tags.map((t) => t.name);
    throw new UserError('bad-input', `There is no tag "${name}" in the vocabulary (${names.slice(0, 8).join(', ')}${names.length > 8 ? ', ...' : ''}). Add it to the vocabulary first, or check the spelling.`);
  }

  /** The person says the photo shows `tag`; no tagging run will remove it. */
  async confirm(photo: string | number, tag: string): Promise<PhotoTags> {
    const ref = this.resolvePhoto(photo);
    this.store.setVerdict(ref.imageId, await this.canonicalTag(ref.imageId, tag), false);
    return this.tagsOf(ref.photoId);
  }

  /** The person says the photo does not show `tag`; no tagging run will add it. */
  async reject(photo: string | number, tag: string): Promise<PhotoTags> {
    const ref = this.resolvePhoto(photo);
    this.store.setVerdict(ref.imageId, await this.canonicalTag(ref.imageId, tag), true);
    return this.tagsOf(ref.photoId);
  }

  /** Withdraws the person's verdict: the tagger decides the tag again, now. */
  async clearVerdict(photo: string | number, tag: string): Promise<PhotoTags> {
    const ref = this.resolvePhoto(photo);
    if (this.store.clearVerdict(ref.imageId, await this.canonicalTag(ref.imageId, tag))) {
      const model = await this.model();
      if (this.store.vector(model.id, ref.imageId)) await this.retagImages([ref.imageId]);
    }
    return this.tagsOf(ref.photoId);
  }

  /**
   * How the current vocabulary and rule do on the tags people confirmed (positives) and rejected
   * (negatives): decisions, and where confirmed tags rank.
   */
  async evaluateLabelled(signal?: AbortSignal): Promise<LabelledReport> {
    const vocabulary = await this.vocabulary();
    const prepared = await this.prepare(vocabulary, signal);
    const model = prepared.model.id;
    const index = new Map(prepared.tags.map((tag, i) => [tag.name, i]));
    const labelled = this.store.labelled().filter((row) => index.has(row.tag));
    const imageIds = [...new Set(labelled.map((row) => row.imageId))];
    const load = () => this.storedVectors(model, imageIds);
    const decisions = new Map(this.decide(prepared, imageIds, load, new Set()).map((decision) => [decision.imageId, decision]));
    const perTag: Record<string, { confirmed: number; rejected: number; tp: number; fp: number }> = {};
    let tp = 0;
    let fp = 0;
    let correct = 0;
    let confirmed = 0;
    let rejected = 0;
    let top1 = 0;
    let top5 = 0;
    for (const row of labelled) {
      const decision = decisions.get(row.imageId);
      if (!decision) continue;
      const t = index.get(row.tag) as number;
      const entry = (perTag[row.tag] ??= { confirmed: 0, rejected: 0, tp: 0, fp: 0 });
      const assigned = decision.assigned.includes(t);
      if (row.rejected) {
        rejected++;
        entry.rejected++;
        if (assigned) {
          fp++;
          entry.fp++;
        } else correct++;
      } else {
        confirmed++;
        entry.confirmed++;
        let higher = 0;
        for (let other = 0; other < prepared.tags.length; other++) if ((decision.cosines[other] as number) > (decision.cosines[t] as number)) higher++;
        if (higher === 0) top1++;
        if (higher < 5) top5++;
        if (assigned) {
          tp++;
          entry.tp++;
          correct++;
        }
      }
    }
    return {
      model,
      photos: new Set(labelled.filter((row) => decisions.has(row.imageId)).map((row) => row.imageId)).size,
      confirmed,
      rejected,
      accuracy: ratio(correct, confirmed + rejected),
      precision: ratio(tp, tp + fp),
      recall: ratio(tp, confirmed),
      top1: ratio(top1, confirmed),
      top5: ratio(top5, confirmed),
      perTag: Object.fromEntries(
        Object.entries(perTag).map(([tag, e]) => [tag, { confirmed: e.confirmed, rejected: e.rejected, recall: ratio(e.tp, e.confirmed), precision: ratio(e.tp, e.tp + e.fp) }]),
      ),
    };
  }

  // ---- albums and export -----------------------------------------------------------------

  /** Album-level tags of any selection of photos: share of photos and mean score per tag. */
  summarise(photoIds: readonly number[], options: AlbumOptions = {}): AlbumTag[] {
    const wanted = new Set(photoIds);
    const rows = [...this.store.photosWithTags()].filter((row) => wanted.has(row.photoId));
    return albumTags(wanted.size, rows, options);
  }

  /** One summary per folder that holds photos (an album), by path. */
  albums(options: AlbumOptions = {}): AlbumSummary[] {
    const photos = new Map<string, number>();
    for (const photo of this.store.allPhotos()) {
      const dir = path.dirname(photo.path);
      photos.set(dir, (photos.get(dir) ?? 0) + 1);
    }
    const tagRows = new Map<string, Array<{ tag: string; score: number | null; photoId: number }>>();
    for (const row of this.store.photosWithTags()) {
      const dir = path.dirname(row.path);
      let list = tagRows.get(dir);
      if (!list) tagRows.set(dir, (list = []));
      list.push(row);
    }
    return [...photos.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([album, count]) => {
        const tags = albumTags(count, tagRows.get(album) ?? [], options);
        const name = path.basename(album);
        return { album, name, photos: count, tags, label: `${name}: ${tags.length ? tags.map((t) => t.tag).join(', ') : '(no common tags)'}` };
      });
  }

  /**
   * Writes each photo's tags into its XMP sidecar (see Note [Sidecar merge] in xmp.ts). Photos
   * whose sidecars would collide (`a.jpg` and `a.png` both want `a.xmp`) are skipped.
   */
  async exportXmp(options: XmpExportOptions = {}): Promise<XmpExportSummary> {
    const style = options.style ?? 'jpg.xmp';
    if (!SIDECAR_STYLES.includes(style)) throw new UserError('bad-input', `Unknown sidecar style "${style}". Choose ${SIDECAR_STYLES.join(' or ')}.`);
    const only = options.photoIds ? new Set(options.photoIds) : null;
    const tagsByPhoto = new Map<number, string[]>();
    for (const row of this.store.photosWithTags()) {
      let list = tagsByPhoto.get(row.photoId);
      if (!list) tagsByPhoto.set(row.photoId, (list = []));
      list.push(row.tag);
    }
    const photos = this.store.allPhotos().filter((photo) => !only || only.has(photo.photoId));
    const bySidecar = new Map<string, PhotoRef[]>();
    for (const photo of this.store.allPhotos()) {
      const sidecar = sidecarPath(photo.path, style);
      bySidecar.set(sidecar, [...(bySidecar.get(sidecar) ?? []), photo]);
    }
    const summary: XmpExportSummary = { style, written: 0, unchanged: 0, skipped: [] };
    const meter = new RateMeter();
    meter.record(0);
    for (const [i, photo] of photos.entries()) {
      if (i % 64 === 0) await options.control?.checkpoint();
      const sidecar = sidecarPath(photo.path, style);
      const sharing = bySidecar.get(sidecar) ?? [];
      if (sharing.length > 1) {
        summary.skipped.push({ path: photo.path, reason: `${sharing.map((p) => path.basename(p.path)).join(' and ')} would share ${path.basename(sidecar)}; use the jpg.xmp sidecar style` });
        continue;
      }
      if (!existsSync(photo.path)) {
        summary.skipped.push({ path: photo.path, reason: 'the photo is no longer there; index the library again' });
        continue;
      }
      const outcome = await writeSidecar(sidecar, tagsByPhoto.get(photo.photoId) ?? []);
      if (outcome === 'written') summary.written++;
      else if (outcome === 'unchanged') summary.unchanged++;
      else summary.skipped.push({ path: photo.path, reason: outcome.skipped });
      if (options.onProgress && (i % 64 === 63 || i === photos.length - 1)) {
        meter.record(i + 1);
        options.onProgress({ phase: 'exporting', done: i + 1, total: photos.length, perSecond: meter.perSecond, etaSeconds: meter.eta(photos.length - i - 1) });
      }
    }
    return summary;
  }
}

function albumTags(photoCount: number, rows: ReadonlyArray<{ tag: string; score: number | null; photoId: number }>, options: AlbumOptions): AlbumTag[] {
  const minShare = options.minShare ?? 0.25;
  const maxTags = options.maxTags ?? 5;
  const byTag = new Map<string, { photos: Set<number>; scoreSum: number }>();
  for (const row of rows) {
    let entry = byTag.get(row.tag);
    if (!entry) byTag.set(row.tag, (entry = { photos: new Set(), scoreSum: 0 }));
    if (entry.photos.has(row.photoId)) continue;
    entry.photos.add(row.photoId);
    entry.scoreSum += row.score ?? 1;
  }
  return [...byTag.entries()]
    .map(([tag, entry]) => ({ tag, photos: entry.photos.size, share: photoCount ? entry.photos.size / photoCount : 0, meanScore: entry.scoreSum / entry.photos.size }))
    .filter((tag) => tag.share >= minShare)
    .sort((a, b) => b.share - a.share || b.meanScore - a.meanScore || a.tag.localeCompare(b.tag))
    .slice(0, maxTags);
}

/**
 * Measuring a model, vocabulary and template set on labelled photos: zero-shot classification of
 * a folder with one subfolder per tag, and text-to-image retrieval on a captions file.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { isBinaryText } from '../core/control-character.js';
import { UserError } from '../core/errors.js';
import { whyUnreadable } from '../core/photo-file.js';
import { PHOTO_EXTENSIONS } from '../library/formats.js';
import type { ClipModel } from '../models/clip.js';
import { cosineMatrix } from '../models/matmul.js';
import { retrievalMetrics, transpose, zeroShotReport, type RetrievalMetrics, type ZeroShotReport } from './metrics.js';
import { scoreWithModel } from './score-images.js';
import { findTag, type Vocabulary } from './vocabulary.js';

export interface EvaluationProgress {
  done: number;
  total: number;
}

export interface EvaluateOptions {
  signal?: AbortSignal;
  onProgress?: (progress: EvaluationProgress) => void;
}

export interface ZeroShotEvaluation extends ZeroShotReport {
  model: string;
  /** Candidate tags (the enabled vocabulary), in order. */
  tags: string[];
  /** Files that could not be read as images, with why. */
  skipped: Array<{ path: string; reason: string }>;
}

async function photosUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await photosUnder(full)));
    else if (entry.isFile() && PHOTO_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) found.push(full);
  }
  return found.sort();
}

async function embedAll(model: ClipModel, files: readonly string[], options: EvaluateOptions): Promise<{ vectors: Array<Float32Array | null>; skipped: Array<{ path: string; reason: string }> }> {
  const vectors = new Array<Float32Array | null>(files.length).fill(null);
  const skipped: Array<{ path: string; reason: string }> = [];
  let done = 0;
  for await (const result of model.embedImages(files, { signal: options.signal })) {
    if ('vector' in result) vectors[result.index] = result.vector;
    else skipped.push({ path: files[result.index] as string, reason: result.error.message });
    options.onProgress?.({ done: ++done, total: files.length });
  }
  return { vectors, skipped };
}

/**
 * Zero-shot classification of `folder`: each subfolder is named after a tag and holds photos of
 * it. Every enabled tag of the vocabulary is a candidate; a photo is right at top-k when its
 * folder's tag is among its k highest raw cosines.
 */
export async function evaluateZeroShot(model: ClipModel, vocabulary: Vocabulary, folder: string, options: EvaluateOptions = {}): Promise<ZeroShotEvaluation> {
  const info = await stat(folder).catch(() => null);
  if (!info?.isDirectory()) throw new UserError('bad-input', `${folder} is not a folder. Give a folder with one subfolder of photos per tag.`);
  const subfolders = (await readdir(folder, { withFileTypes: true })).filter((entry) => entry.isDirectory() && !entry.name.startsWith('.')).map((entry) => entry.name).sort();
  if (subfolders.length === 0) throw new UserError('bad-input', `${folder} has no subfolders. Put the photos of each tag in a subfolder named after the tag.`);
  const enabled = vocabulary.tags.filter((tag) => tag.enabled ?? true);
  const unknown = subfolders.filter((name) => !findTag({ ...vocabulary, tags: enabled }, name));
  if (unknown.length > 0) {
    throw new UserError('bad-input', `These subfolders of ${folder} match no enabled tag of the vocabulary: ${unknown.join(', ')}. Add tags with those names or rename the folders.`);
  }
  const files: string[] = [];
  const labelNames: string[] = [];
  for (const name of subfolders) {
    const tag = findTag({ ...vocabulary, tags: enabled }, name)?.name as string;
    for (const file of await photosUnder(path.join(folder, name))) {
      files.push(file);
      labelNames.push(tag);
    }
  }
  if (files.length === 0) throw new UserError('bad-input', `The subfolders of ${folder} hold no photos.`);
  const { vectors, skipped } = await embedAll(model, files, options);
  const kept = vectors.map((vector, i) => ({ vector, label: labelNames[i] as string })).filter((item): item is { vector: Float32Array; label: string } => item.vector !== null);
  if (kept.length === 0) throw new UserError('bad-input', `None of the photos under ${folder} could be read (first: ${skipped[0]?.reason ?? 'none listed'}).`);
  const scored = await scoreWithModel(model, vocabulary, kept.map((item) => item.vector), options.signal);
  const column = new Map(scored.tags.map((name, i) => [name, i]));
  const values = new Float32Array(kept.length * scored.tags.length);
  scored.cosines.forEach((row, i) => values.set(row, i * scored.tags.length));
  const report = zeroShotReport({ rows: kept.length, cols: scored.tags.length, values }, kept.map((item) => column.get(item.label) as number), scored.tags);
  return { model: model.id, tags: scored.tags, ...report, skipped };
}

const captionsSchema = z.object({
  images: z
    .array(z.object({ path: z.string().min(1), captions: z.array(z.string().trim().min(1)).min(1, 'needs at least one caption') }).loose())
    .min(1, 'needs at least one image'),
}).loose();

const CAPTIONS_EXAMPLE = '{"images": [{"path": "a.jpg", "captions": ["..."]}]}';

/** The kinds of JSON value (as zod and typeof name them) as a person does. */
const KINDS: Record<string, string> = { object: 'an object', array: 'a list', string: 'text', boolean: 'true or false', null: 'null' };

/** A captions file's first problem in a sentence, its field by its path ("images.0.captions is missing"): zod's own words are a phrase ("Invalid input: expected array, received undefined"). */
function captionsProblem(raw: unknown, issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'it could not be read';
  const where = issue.path.length ? issue.path.join('.') : 'the file';
  const [list, index, field] = issue.path;
  // An empty path or caption (zod: "Too small: expected string to have >=1 characters").
  if (issue.code === 'too_small' && issue.origin === 'string' && list === 'images' && typeof index === 'number') {
    const image = imageNamed(raw, index);
    return field === 'path' ? `image ${index + 1} has an empty path` : `${image} has an empty caption`;
  }
  if (issue.code !== 'invalid_type') return `${where} ${issue.message}`;
  let value = raw;
  for (const part of issue.path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[part] : undefined;
  if (value === undefined) return `${where} is missing`;
  const given = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  return `${where} must be ${KINDS[issue.expected] ?? `a ${issue.expected}`}, not ${KINDS[given] ?? `a ${given}`}`;
}

/** "image 3 (dune.jpg)": an image of a captions file as a person counts them, from 1. */
function imageNamed(raw: unknown, index: number): string {
  const image = (raw as { images?: Array<{ path?: unknown }> }).images?.[index];
  return typeof image?.path === 'string' ? `image ${index + 1} (${image.path})` : `image ${index + 1}`;
}

/**
 * Note [Each photo once]: a photo listed twice was two photos to find, each the other's twin, and
 * a caption ranking either first counted as found: the recall rose with no better model. A file
 * that names a photo twice (as the same file, however written) is refused, naming both places.
 */
function requireEachPhotoOnce(captionsFile: string, files: readonly string[], paths: readonly string[]): void {
  const first = new Map<string, number>();
  files.forEach((file, i) => {
    const earlier = first.get(file);
    if (earlier !== undefined) throw new UserError('bad-input', `The captions file ${captionsFile} lists the photo ${paths[i]} twice, as image ${earlier + 1} and image ${i + 1}: give each photo once, with all its captions.`);
    first.set(file, i);
  });
}

export interface RetrievalEvaluation {
  model: string;
  images: number;
  captions: number;
  /** Each caption finding its photo among all photos. */
  textToImage: RetrievalMetrics;
  /** Each photo finding any of its captions among all captions. */
  imageToText: RetrievalMetrics;
  skipped: Array<{ path: string; reason: string }>;
}

/**
 * Text-to-image and image-to-text retrieval on a captions file
 * (`{"images": [{"path": "a.jpg", "captions": ["..."]}]}`, paths relative to the file).
 */
export async function evaluateRetrieval(model: ClipModel, captionsFile: string, options: EvaluateOptions = {}): Promise<RetrievalEvaluation> {
  let text = '';
  let raw: unknown;
  try {
    text = await readFile(captionsFile, 'utf8');
    raw = JSON.parse(text);
  } catch (error) {
    // The parser quotes what it stopped at: of a photo given by mistake, its bytes.
    const why = isBinaryText(text) ? 'it is binary data, not JSON (a photo?)' : whyUnreadable(captionsFile, error);
    throw new UserError('bad-input', `Cannot read the captions file ${captionsFile}: ${why}. Give a JSON file like ${CAPTIONS_EXAMPLE}.`, { cause: error });
  }
  const parsed = captionsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UserError('bad-input', `The captions file ${captionsFile} is not valid: ${captionsProblem(raw, parsed.error.issues[0])}. It should look like ${CAPTIONS_EXAMPLE}.`);
  }
  const base = path.dirname(path.resolve(captionsFile));
  const entries = parsed.data.images.map((image) => ({ file: path.resolve(base, image.path), captions: image.captions }));
  requireEachPhotoOnce(captionsFile, entries.map((entry) => entry.file), parsed.data.images.map((image) => image.path));
  const { vectors, skipped } = await embedAll(model, entries.map((entry) => entry.file), options);
  const kept = entries.map((entry, i) => ({ ...entry, vector: vectors[i] ?? null })).filter((entry): entry is typeof entry & { vector: Float32Array } => entry.vector !== null);
  if (kept.length === 0) throw new UserError('bad-input', `None of the photos in ${captionsFile} could be read (first: ${skipped[0]?.reason ?? 'none listed'}).`);
  const captions = kept.flatMap((entry, image) => entry.captions.map((text) => ({ text, image })));
  const textVectors = await model.embedTexts(captions.map((caption) => caption.text), options.signal);
  const dim = model.dim;
  const texts = new Float32Array(captions.length * dim);
  textVectors.forEach((vector, i) => texts.set(vector, i * dim));
  const images = new Float32Array(kept.length * dim);
  kept.forEach((entry, i) => images.set(entry.vector, i * dim));
  const textToImage = { rows: captions.length, cols: kept.length, values: await cosineMatrix(texts, captions.length, images, kept.length, dim) };
  const captionsOf = kept.map(() => [] as number[]);
  captions.forEach((caption, i) => captionsOf[caption.image]?.push(i));
  return {
    model: model.id,
    images: kept.length,
    captions: captions.length,
    textToImage: retrievalMetrics(textToImage, captions.map((caption) => [caption.image])),
    imageToText: retrievalMetrics(transpose(textToImage), captionsOf),
    skipped,
  };
}

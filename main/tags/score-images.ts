/**
 * Scoring photos against a vocabulary without a library: raw cosines, probabilities and the tags
 * each photo would get (for `tag-scores`, evaluation and the service's one-off scoring).
 */
import type { ClipModel } from '../models/clip.js';
import { cosineMatrix } from '../models/matmul.js';
import { assignedTags, ensembleEmbedding, tagProbabilities } from './scoring.js';
import { backgroundTag, enabledTags, promptTexts, type ResolvedTag, type Vocabulary } from './vocabulary.js';

/**
 * Raw cosines, probabilities and assigned tags of image embeddings against a vocabulary's enabled
 * tags, with tag embeddings from `embed` (the database cache) or computed directly.
 */
export async function scoreWithModel(
  model: ClipModel,
  vocabulary: Vocabulary,
  images: readonly Float32Array[],
  signal?: AbortSignal,
  embed?: (model: ClipModel, tags: ResolvedTag[]) => Promise<{ vectors: Float32Array[] }>,
): Promise<{ tags: string[]; cosines: Float32Array[]; probabilities: Float32Array[]; assigned: string[][] }> {
  const tags = enabledTags(vocabulary);
  const all = [...tags, backgroundTag(vocabulary)];
  const vectors = embed ? (await embed(model, all)).vectors : await embedEnsembles(model, all, signal);
  const dim = model.dim;
  const matrix = new Float32Array(all.length * dim);
  vectors.forEach((vector, i) => matrix.set(vector, i * dim));
  const packed = new Float32Array(images.length * dim);
  images.forEach((image, i) => packed.set(image, i * dim));
  const out = await cosineMatrix(packed, images.length, matrix, all.length, dim);
  const thresholds = tags.map((tag) => tag.threshold);
  const cosines: Float32Array[] = [];
  const probabilities: Float32Array[] = [];
  const assigned: string[][] = [];
  images.forEach((_, i) => {
    const row = out.slice(i * all.length, (i + 1) * all.length);
    const p = new Float32Array(tags.length);
    tagProbabilities(row.subarray(0, tags.length), row[tags.length] as number, model.spec.logitScale, p);
    cosines.push(row.slice(0, tags.length));
    probabilities.push(p);
    assigned.push(assignedTags(p, thresholds).map((t) => (tags[t] as ResolvedTag).name));
  });
  return { tags: tags.map((tag) => tag.name), cosines, probabilities, assigned };
}

/** Ensembled embeddings of `tags`, computed with the model (no database). */
export async function embedEnsembles(model: ClipModel, tags: readonly Pick<ResolvedTag, 'prompts' | 'templates'>[], signal?: AbortSignal): Promise<Float32Array[]> {
  const texts = [...new Set(tags.flatMap((tag) => promptTexts(tag.prompts, tag.templates)))];
  const embedded = new Map((await model.embedTexts(texts, signal)).map((vector, i) => [texts[i] as string, vector]));
  return tags.map((tag) => ensembleEmbedding(promptTexts(tag.prompts, tag.templates).map((text) => embedded.get(text) as Float32Array)));
}

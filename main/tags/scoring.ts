/**
 * The maths of tagging: prompt ensembles, the photos x tags cosine matrix, and the decision which
 * tags a photo gets.
 *
 * Note [Prompt ensemble]: a tag's text embedding is CLIP's prompt ensemble: every prompt in every
 * template is embedded, each embedding is scaled to unit length, the mean is taken and scaled to
 * unit length again. Averaging many phrasings cancels what is particular to one wording ("a
 * blurry photo of", "puppy" vs "dog") and keeps the concept.
 *
 * Note [Tag assignment]: a raw cosine means different things for different tags and models (one
 * model puts matching photos at 0.3, the fixture model at 0.8, and some tags sit higher than
 * others for every photo), so a fixed cosine threshold cannot be right. The decision instead uses
 * the quantity CLIP was trained to produce: a softmax, at the model's own logit scale, over the
 * enabled tags plus one background class (neutral prompts such as "a photo.", ensembled like a
 * tag). A photo gets every tag whose probability reaches that tag's threshold (default 0.1), so
 * it is multi-label: two things in one photo share the probability and both pass, while a
 * runner-up that only resembles the subject (a star's points make "cross" score high too) falls
 * far below. The background class is the way out when no tag fits: its probability takes the
 * mass instead of the closest tag. The logit scale keeps the rule meaningful across models: with
 * real CLIP (scale 100) a cosine lead of 0.023 is a factor of 10 in probability, with the fixture
 * model (scale 38.5) it takes 0.06, which is the spread each model's training gave it. The
 * threshold is per tag, so a person can make a tag stricter (0.5: only when it is the main
 * subject) or looser.
 *
 * Because the softmax couples the tags, editing one tag can change any tag's probability; but only
 * the edited tag's column of cosines needs computing again (see ScoreCache), and the softmax over
 * stored cosines is cheap, so a re-score never runs the image model and stays fast.
 */
import { l2Normalize } from '../models/vectors.js';

/** The ensembled embedding of `vectors` (Note [Prompt ensemble]); they need not be unit length. */
export function ensembleEmbedding(vectors: readonly Float32Array[]): Float32Array {
  const first = vectors[0];
  if (!first) throw new Error('An ensemble needs at least one embedding.');
  const mean = new Float64Array(first.length);
  for (const vector of vectors) {
    if (vector.length !== first.length) throw new Error(`Embeddings of different sizes in one ensemble (${first.length} and ${vector.length}).`);
    let sum = 0;
    for (const value of vector) sum += value * value;
    const norm = Math.sqrt(sum);
    if (norm === 0) continue;
    for (let i = 0; i < vector.length; i++) mean[i] = (mean[i] as number) + (vector[i] as number) / norm;
  }
  return l2Normalize(Float32Array.from(mean));
}

/**
 * Tag probabilities of one photo (Note [Tag assignment]): softmax of `scale` x cosine over the
 * tags and the background. Writes one probability per tag into `out` and returns the
 * background's.
 */
export function tagProbabilities(cosines: ArrayLike<number>, background: number, scale: number, out: Float32Array | number[]): number {
  const count = cosines.length;
  let max = scale * background;
  for (let t = 0; t < count; t++) max = Math.max(max, scale * (cosines[t] as number));
  const backgroundWeight = Math.exp(scale * background - max);
  let total = backgroundWeight;
  for (let t = 0; t < count; t++) {
    const weight = Math.exp(scale * (cosines[t] as number) - max);
    out[t] = weight;
    total += weight;
  }
  for (let t = 0; t < count; t++) out[t] = (out[t] as number) / total;
  return backgroundWeight / total;
}

/** Indices of the tags a photo gets: probability at least the tag's threshold. */
export function assignedTags(probabilities: ArrayLike<number>, thresholds: ArrayLike<number>): number[] {
  const assigned: number[] = [];
  for (let t = 0; t < probabilities.length; t++) if ((probabilities[t] as number) >= (thresholds[t] as number)) assigned.push(t);
  return assigned;
}

/**
 * A labelled set for refining tags on the fixture model: coloured-shape scenes, each labelled by
 * what it shows, embedded with the model, and a vocabulary whose prompts range from clear ("a
 * star") to weak or ambiguous ("something round"), so refinement has something to gain on some
 * tags, and one tag the pictures cannot predict, where it has nothing to gain.
 */
import { createHash } from 'node:crypto';
import type { ClipModel } from '../../main/models/clip.js';
import { dot } from '../../main/models/vectors.js';
import { tagProbabilities } from '../../main/tags/scoring.js';
import { embedEnsembles } from '../../main/tags/score-images.js';
import { backgroundTag, enabledTags, type Vocabulary } from '../../main/tags/vocabulary.js';
import type { RefinementContext } from '../../main/tags/refinements.js';
import { randomScene, renderScene, seeded, type Scene } from './scenes.js';

/** Each tag's prompts and which scenes truly show it. */
export const REFINE_TAGS: ReadonlyArray<{ name: string; prompts: string[]; shows: (scene: Scene) => boolean }> = [
  { name: 'blue', prompts: ['blue shape'], shows: (s) => s.objects.some((o) => o.colour === 'blue') },
  { name: 'red', prompts: ['red shape'], shows: (s) => s.objects.some((o) => o.colour === 'red') },
  { name: 'star', prompts: ['star'], shows: (s) => s.objects.some((o) => o.shape === 'star') },
  { name: 'square', prompts: ['square'], shows: (s) => s.objects.some((o) => o.shape === 'square') },
  { name: 'round', prompts: ['something round'], shows: (s) => s.objects.some((o) => o.shape === 'circle') },
  { name: 'pointy', prompts: ['pointy shape'], shows: (s) => s.objects.some((o) => o.shape === 'star' || o.shape === 'triangle') },
  { name: 'warm', prompts: ['warm colours'], shows: (s) => s.objects.some((o) => o.colour === 'red' || o.colour === 'orange' || o.colour === 'yellow') },
  // A person's whim that nothing in the picture predicts: refinement must find no gain.
  { name: 'favourite', prompts: ['favourite picture'], shows: (s) => (createHash('sha256').update(JSON.stringify(s)).digest()[0] as number) % 2 === 0 },
];

export const REFINE_VOCABULARY: Vocabulary = {
  templates: ['a photo of a {}.', 'a picture of a {}.'],
  tags: REFINE_TAGS.map(({ name, prompts }) => ({ name, prompts })),
};

export interface LabelledEmbedding {
  vector: Float32Array;
  /** Tag names the scene truly shows. */
  shows: Set<string>;
}

/** `count` random scenes, embedded, with their true tags. */
export async function labelledScenes(model: ClipModel, count: number, seed: number): Promise<LabelledEmbedding[]> {
  const next = seeded(seed);
  const scenes = Array.from({ length: count }, () => randomScene(next));
  const images = await Promise.all(scenes.map(renderScene));
  const results = await model.embedImageList(images);
  return results.map((result, i) => {
    if (!('vector' in result)) throw result.error;
    return { vector: result.vector, shows: new Set(REFINE_TAGS.filter((tag) => tag.shows(scenes[i] as Scene)).map((tag) => tag.name)) };
  });
}

/** The vocabulary's zero-shot embeddings for `model`, as refinement takes them. */
export async function refinementContext(model: ClipModel): Promise<RefinementContext> {
  const tags = enabledTags(REFINE_VOCABULARY);
  const background = backgroundTag(REFINE_VOCABULARY);
  const vectors = await embedEnsembles(model, [...tags, background]);
  return {
    model: model.id,
    scale: model.spec.logitScale,
    tags: tags.map((tag, i) => ({ name: tag.name, key: tag.key, threshold: tag.threshold, vector: vectors[i] as Float32Array })),
    background: { key: background.key, vector: vectors[tags.length] as Float32Array },
  };
}

export interface HeldOutFigures {
  precision: number;
  recall: number;
}

/** Precision and recall of the tagger's rule for `tag` on `photos`, scoring the tag with `vector`. */
export function heldOutFigures(context: RefinementContext, tag: string, vector: Float32Array, photos: readonly LabelledEmbedding[]): HeldOutFigures {
  const vectors = [...context.tags.map((t) => (t.name === tag ? vector : t.vector)), context.background.vector];
  const at = context.tags.findIndex((t) => t.name === tag);
  const threshold = context.tags[at]?.threshold ?? 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const probabilities = new Float32Array(context.tags.length);
  for (const photo of photos) {
    const cosines = vectors.map((v) => dot(photo.vector, v));
    tagProbabilities(cosines.slice(0, -1), cosines[cosines.length - 1] as number, context.scale, probabilities);
    const tagged = (probabilities[at] as number) >= threshold;
    const shows = photo.shows.has(tag);
    if (tagged && shows) tp++;
    else if (tagged) fp++;
    else if (shows) fn++;
  }
  return { precision: tp + fp ? tp / (tp + fp) : 1, recall: tp + fn ? tp / (tp + fn) : 1 };
}

/**
 * A person's verdicts on `tag` from `pool`, as reviewing the tagger's suggestions gives them:
 * `count` photos that show it, confirmed, and `count` that do not, rejected, each drawn at random
 * among the three times as many of its kind that score highest for the tag.
 */
export function verdictsFor(context: RefinementContext, tag: string, pool: readonly LabelledEmbedding[], count: number, seed: number): { confirmed: Float32Array[]; rejected: Float32Array[] } {
  const next = seeded(seed);
  const text = context.tags.find((t) => t.name === tag)?.vector as Float32Array;
  const draw = (shows: boolean) =>
    pool
      .filter((photo) => photo.shows.has(tag) === shows)
      .sort((a, b) => dot(b.vector, text) - dot(a.vector, text))
      .slice(0, count * 3)
      .map((photo) => ({ photo, key: next() }))
      .sort((a, b) => a.key - b.key)
      .slice(0, count)
      .map(({ photo }) => photo.vector);
  return { confirmed: draw(true), rejected: draw(false) };
}

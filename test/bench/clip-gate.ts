/**
 * A gate for reading text in photos that the job does not use: the bench measures it beside
 * the detector's (Note [Detector gate] in main/ocr/gate.ts).
 *
 * Note [CLIP gate]: the stored CLIP embedding could decide for free: the zero-shot probability
 * that a photo matches text-ish prompts ("a photo of a document", "a screenshot", ...) rather
 * than other scenes, with CLIP's logit scale. Its cut depends on the model, and the library's
 * own spread of scores cannot place it without knowing how many photos hold text, so it is
 * calibrated on labelled renders (`calibrateThreshold`), per model. No model available to this
 * project can tell a document from a landscape (the fixture model knows coloured shapes, the
 * benchmark model has random weights), so its figures here are those of chance and the
 * detector gate is the one the job uses; the bench measures both.
 */
import type { ClipModel } from '../../main/models/clip.js';
import { dot } from '../../main/models/vectors.js';
import type { GateDecision, TextGate } from '../../main/ocr/gate.js';
import type { OcrTarget } from '../../main/storage/ocr-store.js';

const TEXT_PROMPTS = ['a photo of a document', 'a screenshot', 'a sign with text', 'a photo of a receipt', 'a page of printed text', 'a poster with writing', 'a label with words on it'];
const OTHER_PROMPTS = ['a photo of a landscape', 'a photo of people', 'a photo of an animal', 'a photo of food', 'an abstract pattern', 'a photo of a building', 'a photo of a plant'];
const LOGIT_SCALE = 100;

/** Zero-shot probability that `embedding` shows text rather than another scene (see Note [CLIP gate]). */
function clipTextScore(embedding: Float32Array, textPrompts: readonly Float32Array[], otherPrompts: readonly Float32Array[]): number {
  const logits = [...textPrompts, ...otherPrompts].map((prompt) => LOGIT_SCALE * dot(embedding, prompt));
  const top = Math.max(...logits);
  const weights = logits.map((logit) => Math.exp(logit - top));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return weights.slice(0, textPrompts.length).reduce((sum, weight) => sum + weight, 0) / total;
}

export class ClipGate implements TextGate {
  readonly id: string;

  private constructor(
    private readonly embeddingOf: (imageId: number) => Float32Array | undefined,
    private readonly textPrompts: Float32Array[],
    private readonly otherPrompts: Float32Array[],
    private readonly threshold: number,
    model: string,
  ) {
    this.id = `clip-${model}@${threshold.toFixed(4)}`;
  }

  /** `embeddingOf` gives a photo's stored embedding of `model`; a photo without one passes. */
  static async create(model: ClipModel, embeddingOf: (imageId: number) => Float32Array | undefined, threshold: number): Promise<ClipGate> {
    const [textPrompts, otherPrompts] = await Promise.all([model.embedTexts(TEXT_PROMPTS), model.embedTexts(OTHER_PROMPTS)]);
    return new ClipGate(embeddingOf, textPrompts, otherPrompts, threshold, model.id);
  }

  decide(target: OcrTarget): Promise<GateDecision> {
    const embedding = this.embeddingOf(target.imageId);
    if (!embedding) return Promise.resolve({ pass: true, score: null });
    const score = clipTextScore(embedding, this.textPrompts, this.otherPrompts);
    return Promise.resolve({ pass: score >= this.threshold, score });
  }
}

/** The highest cut that still passes all but `maxLoss` (a fraction) of `scoresWithText`. */
export function calibrateThreshold(scoresWithText: readonly number[], maxLoss: number): number {
  const sorted = [...scoresWithText].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * maxLoss))] as number;
}

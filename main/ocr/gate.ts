/**
 * Which photos are worth reading: a cheap look first, full OCR only where text is likely.
 *
 * Note [Detector gate]: the gate runs the OCR detector itself on a small decode (long side 480,
 * shrink-on-load makes it cheap) and passes a photo when any component's mean text probability
 * reaches 0.6, the same bar a box needs in full detection, and the component is elongated like
 * a line of text (the detector also fires on round blobs: a sun, a ball). Measured on the
 * generated set (120 photos with text, 80 without; `npm run bench -- ocr`, 2 shared cores): it
 * skipped 91 % of the photos without text and lost 2 of 120 with text (1.7 %), at 90-135 ms a
 * photo against about 650 ms for full OCR; at 320 px it lost 12 %, mostly 16-22 px print.
 * Bold flat graphics (a bar beside a disc) can look like large letters to it and pass; full OCR
 * then reads nothing there, which costs time but loses nothing.
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
import type { ClipModel } from '../models/clip.js';
import { dot } from '../models/vectors.js';
import type { OcrTarget } from '../storage/ocr-store.js';
import { decodeForOcr, type OcrModel } from './ocr.js';

export interface GateDecision {
  pass: boolean;
  /** What the gate measured; null when it had nothing to judge by (and passed the photo). */
  score: number | null;
}

export interface TextGate {
  /** Names the gate and its settings; a photo it skipped is looked at again when this changes. */
  readonly id: string;
  decide(target: OcrTarget): Promise<GateDecision>;
}

/** A line of text is long in one direction; a round blob (a sun, a ball) alone is not text. */
const MIN_ELONGATION = 1.5;

export class DetectorGate implements TextGate {
  readonly id: string;

  constructor(
    private readonly ocr: OcrModel,
    private readonly side = 480,
    private readonly threshold = 0.6,
  ) {
    this.id = DetectorGate.idFor(side, threshold);
  }

  /** The id of the gate with these settings, known before any model is loaded. */
  static idFor(side = 480, threshold = 0.6): string {
    return `detector-${side}@${threshold}/${MIN_ELONGATION}`;
  }

  async decide(target: OcrTarget): Promise<GateDecision> {
    const image = await decodeForOcr(target.path, this.side);
    const boxes = await this.ocr.detect(image, this.side, { boxThreshold: 0 });
    const lines = boxes.filter(({ rect }) => Math.max(rect.width, rect.height) >= MIN_ELONGATION * Math.min(rect.width, rect.height));
    const score = lines.reduce((best, box) => Math.max(best, box.score), 0);
    return { pass: score >= this.threshold, score };
  }
}

export const TEXT_PROMPTS = ['a photo of a document', 'a screenshot', 'a sign with text', 'a photo of a receipt', 'a page of printed text', 'a poster with writing', 'a label with words on it'];
export const OTHER_PROMPTS = ['a photo of a landscape', 'a photo of people', 'a photo of an animal', 'a photo of food', 'an abstract pattern', 'a photo of a building', 'a photo of a plant'];
const LOGIT_SCALE = 100;

/** Zero-shot probability that `embedding` shows text rather than another scene (see Note [CLIP gate]). */
export function clipTextScore(embedding: Float32Array, textPrompts: readonly Float32Array[], otherPrompts: readonly Float32Array[]): number {
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

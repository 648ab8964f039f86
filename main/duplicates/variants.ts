/**
 * Edited copies of a photo, made with sharp: the near-duplicates people end up with (re-saves,
 * resized copies, crops, straightened shots, colour edits) and, as their opposite, other views of
 * the same scene (parts of the photo far apart). Calibration (calibration.ts) embeds them to learn
 * where a model puts each kind; the tests and benchmarks build labelled sets from them.
 */
import sharp from 'sharp';
import { DECODE_OPTIONS } from '../models/preprocess.js';

export type Edit =
  | { kind: 'reencode'; quality: number }
  | { kind: 'resize'; scale: number }
  /** Keeps `keep` of each side, at the centre or towards a corner. */
  | { kind: 'crop'; keep: number; anchor: 'centre' | 'top-left' | 'bottom-right' }
  /** Rotates and crops to the largest upright rectangle, as a straighten tool does. */
  | { kind: 'rotate'; degrees: number }
  | { kind: 'colour'; brightness: number; saturation: number };

/**
 * One of each edit the duplicate finder must catch, at the strength people apply them: JPEG
 * quality 50 (a messenger's re-save), half size, crops keeping 80-90 %, 2-5 degree straightening,
 * brightness and saturation changes, and two edits at once.
 */
export const NEAR_DUPLICATE_EDITS: ReadonlyArray<{ name: string; edits: Edit[] }> = [
  { name: 're-encoded at quality 50', edits: [{ kind: 'reencode', quality: 50 }] },
  { name: 'resized to half', edits: [{ kind: 'resize', scale: 0.5 }] },
  { name: 'cropped to 90 %', edits: [{ kind: 'crop', keep: 0.9, anchor: 'centre' }] },
  { name: 'cropped to 80 % at a corner', edits: [{ kind: 'crop', keep: 0.8, anchor: 'top-left' }] },
  { name: 'straightened by 3 degrees', edits: [{ kind: 'rotate', degrees: 3 }] },
  { name: 'brighter and less saturated', edits: [{ kind: 'colour', brightness: 1.2, saturation: 0.7 }] },
  { name: 'cropped, warmer, re-encoded', edits: [{ kind: 'crop', keep: 0.85, anchor: 'bottom-right' }, { kind: 'colour', brightness: 0.9, saturation: 1.3 }, { kind: 'reencode', quality: 70 }] },
];

/** Longest side edits work at: large enough for every model's input, small enough to be quick. */
export const WORKING_SIDE = 1024;

/** A photo decoded upright at no more than `WORKING_SIDE`, as a high-quality JPEG. */
export async function workingCopy(source: string | Buffer): Promise<Buffer> {
  return sharp(source, DECODE_OPTIONS)
    .rotate()
    .flatten({ background: '#ffffff' })
    .resize(WORKING_SIDE, WORKING_SIDE, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 95 })
    .toBuffer();
}

async function applyOne(input: Buffer, edit: Edit): Promise<{ image: Buffer; quality: number }> {
  const { width, height } = await sharp(input).metadata();
  const image = sharp(input);
  switch (edit.kind) {
    case 'reencode':
      return { image: input, quality: edit.quality };
    case 'resize':
      return { image: await image.resize(Math.max(1, Math.round(width * edit.scale))).toBuffer(), quality: 95 };
    case 'crop': {
      const w = Math.max(1, Math.round(width * edit.keep));
      const h = Math.max(1, Math.round(height * edit.keep));
      const left = edit.anchor === 'centre' ? Math.floor((width - w) / 2) : edit.anchor === 'top-left' ? 0 : width - w;
      const top = edit.anchor === 'centre' ? Math.floor((height - h) / 2) : edit.anchor === 'top-left' ? 0 : height - h;
      return { image: await image.extract({ left, top, width: w, height: h }).toBuffer(), quality: 95 };
    }
    case 'rotate': {
      const rotated = await image.rotate(edit.degrees, { background: '#000000' }).toBuffer({ resolveWithObject: true });
      // The largest axis-aligned rectangle of the original's aspect inside the rotated frame.
      const angle = (Math.abs(edit.degrees) * Math.PI) / 180;
      const factor = 1 / (Math.cos(angle) + Math.sin(angle) * Math.max(width / height, height / width));
      const w = Math.floor(width * factor);
      const h = Math.floor(height * factor);
      const left = Math.floor((rotated.info.width - w) / 2);
      const top = Math.floor((rotated.info.height - h) / 2);
      return { image: await sharp(rotated.data).extract({ left, top, width: w, height: h }).toBuffer(), quality: 95 };
    }
    case 'colour':
      return { image: await image.modulate({ brightness: edit.brightness, saturation: edit.saturation }).toBuffer(), quality: 95 };
  }
}

/** `input` with `edits` applied in order, as a JPEG (quality 95 unless an edit re-encodes). */
export async function applyEdits(input: Buffer, edits: readonly Edit[]): Promise<Buffer> {
  let image = input;
  let quality = 95;
  for (const edit of edits) ({ image, quality } = await applyOne(image, edit));
  return sharp(image).jpeg({ quality }).toBuffer();
}

/**
 * Views of the scene in `input` that share nothing, as a person panning or tilting the camera
 * would take: its left and right two-fifths, and its top and bottom two-fifths. The duplicate
 * finder must keep each pair apart.
 */
export async function sceneViews(input: Buffer): Promise<Array<[Buffer, Buffer]>> {
  const { width, height } = await sharp(input).metadata();
  const wide = Math.max(1, Math.floor(width * 0.4));
  const tall = Math.max(1, Math.floor(height * 0.4));
  const view = (left: number, top: number, w: number, h: number) => sharp(input).extract({ left, top, width: w, height: h }).jpeg({ quality: 95 }).toBuffer();
  return [
    [await view(0, 0, wide, height), await view(width - wide, 0, wide, height)],
    [await view(0, 0, width, tall), await view(0, height - tall, width, tall)],
  ];
}

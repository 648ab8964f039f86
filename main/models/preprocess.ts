/**
 * Photo -> model input tensor, the way CLIP's own preprocessing does it, with sharp (libvips).
 *
 * Note [What a person sees]: EXIF orientation is applied first, so a portrait shot from a phone
 * is embedded upright. Grey, CMYK and 16-bit images become 8-bit sRGB; alpha is dropped (PIL's
 * `convert("RGB")`, which the models were trained with). Images smaller than the model's size are
 * scaled up. JPEG and WebP are shrunk while decoding (libvips shrink-on-load), so a 50-MP photo
 * never exists at full size in memory.
 */
import { readFile } from 'node:fs/promises';
import sharp, { type KernelEnum, type Sharp } from 'sharp';
import { UserError, messageOf } from '../core/errors.js';
import type { ImagePreprocessing, Interpolation } from './folder.js';

/** libvips keeps decoded images in a cache meant for repeated edits of one file; we never revisit. */
sharp.cache(false);

/** sharp's own default bound: a decompression bomb fails instead of eating the memory. */
export const MAX_INPUT_PIXELS = 268_402_689;

export const SHARP_KERNEL: Record<Interpolation, keyof KernelEnum> = {
  nearest: 'nearest',
  bilinear: 'linear',
  // Catmull-Rom, the same cubic (a = -0.5) as PIL's BICUBIC.
  bicubic: 'cubic',
  lanczos: 'lanczos3',
};

export type ImageSource = string | Buffer;

function cannotDecode(source: ImageSource): string {
  return typeof source === 'string' ? `Cannot decode ${source} as an image` : 'Cannot decode the image';
}

/** Reads a file, turning file-system errors into messages a person can act on. */
export async function readImageFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : messageOf(error);
    throw new UserError('image-unreadable', `Cannot read ${file}: ${reason}.`, { cause: error });
  }
}

/**
 * An upright, opaque 8-bit sRGB image ready for resizing.
 *
 * Note [Alpha before resampling]: libvips resamples images with alpha premultiplied, which
 * blackens the colour under transparent pixels; PIL's `convert("RGB")`, which the models were
 * trained with, drops alpha first and keeps that colour. So images with alpha are decoded to
 * opaque raw pixels before any resize (a second, cheap pass); opaque ones go straight through
 * and keep shrink-on-load.
 */
export async function opaqueImage(input: string | Buffer): Promise<Sharp> {
  const options = { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' } as const;
  const header = await sharp(input, options).metadata();
  if (!header.hasAlpha) return sharp(input, options).rotate().toColourspace('srgb');
  const { data, info } = await sharp(input, options).rotate().removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
}

/**
 * Decodes `source` and returns the model input as a CHW float32 tensor of `3 * size * size`.
 * Throws `UserError('image-undecodable')` for files that are not (complete) images.
 */
export async function toModelInput(source: ImageSource, pre: ImagePreprocessing): Promise<Float32Array> {
  const bytes = typeof source === 'string' ? await readImageFile(source) : source;
  const { size } = pre;
  let raw: Buffer;
  try {
    raw = await (await opaqueImage(bytes))
      .resize(size, size, { fit: pre.resizeMode === 'squash' ? 'fill' : 'cover', position: 'centre', kernel: SHARP_KERNEL[pre.interpolation] })
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer();
  } catch (error) {
    throw new UserError('image-undecodable', `${cannotDecode(source)}: ${messageOf(error)}.`, { cause: error });
  }
  if (raw.length !== size * size * 3) {
    throw new UserError('image-undecodable', `${cannotDecode(source)}: unexpected pixel layout.`);
  }
  return rawToTensor(raw, pre);
}

/** Interleaved 8-bit RGB of `size x size` -> normalised CHW float32, as the model expects. */
export function rawToTensor(raw: Uint8Array, pre: ImagePreprocessing): Float32Array {
  const { size, mean, std } = pre;
  const plane = size * size;
  const tensor = new Float32Array(plane * 3);
  for (let c = 0; c < 3; c++) {
    const scale = 1 / (255 * (std[c] as number));
    const offset = (mean[c] as number) / (std[c] as number);
    const out = c * plane;
    for (let i = 0; i < plane; i++) tensor[out + i] = (raw[i * 3 + c] as number) * scale - offset;
  }
  return tensor;
}

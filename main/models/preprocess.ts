/**
 * Photo -> model input tensor, the way CLIP's own preprocessing does it, with sharp (libvips).
 *
 * Note [What a person sees]: EXIF orientation is applied first, so a portrait shot from a phone
 * is embedded upright. Grey, CMYK and 16-bit images become 8-bit sRGB; alpha is dropped (PIL's
 * `convert("RGB")`, which the models were trained with). Images smaller than the model's size are
 * scaled up. JPEG and WebP are shrunk while decoding (libvips shrink-on-load), so a 50-MP photo
 * never exists at full size in memory.
 */
import { stat } from 'node:fs/promises';
import os from 'node:os';
import sharp, { type KernelEnum, type Metadata, type OutputInfo, type ResizeOptions, type Sharp } from 'sharp';
import { MemoryBudget } from '../core/budget.js';
import { UserError, isUserError, messageOf } from '../core/errors.js';
import { checkPhotoFile } from '../core/photo-file.js';
import { classifyDecodeError, EMPTY_FILE_TEXT, REASON_TEXT, sniffFormat, type FailureReason } from '../library/formats.js';
import { sniffFile } from '../library/identity.js';
import type { ImagePreprocessing, Interpolation } from './folder.js';

/** libvips keeps decoded images in a cache meant for repeated edits of one file; we never revisit. */
sharp.cache(false);

/**
 * How every photo is opened, for indexing, previews, duplicates and text alike: within sharp's own
 * default bound of pixels, so a decompression bomb fails instead of eating the memory; and failed
 * by errors only, not by libjpeg's warnings ("extraneous bytes before marker", "premature end of
 * data segment"), which many cameras' and editors' files give and which decode whole.
 */
export const DECODE_OPTIONS = { limitInputPixels: 268_402_689, failOn: 'error' } as const;

export const SHARP_KERNEL: Record<Interpolation, keyof KernelEnum> = {
  nearest: 'nearest',
  bilinear: 'linear',
  // Catmull-Rom, the same cubic (a = -0.5) as PIL's BICUBIC.
  bicubic: 'cubic',
  lanczos: 'lanczos3',
};

export type ImageSource = string | Buffer;

/**
 * What a named file that would not decode is, as indexing says it of such a file: empty, or no
 * image at all; null for an image that failed to decode, whose decoder's words then say why.
 */
async function notAPhoto(file: string): Promise<string | null> {
  const size = await stat(file).then(
    (found) => found.size,
    () => null,
  );
  if (size === 0) return EMPTY_FILE_TEXT;
  const format = await sniffFile(file).catch(() => undefined);
  return format === null ? `${REASON_TEXT['not-an-image']}.` : null;
}

function cannotDecode(source: ImageSource): string {
  return typeof source === 'string' ? `Cannot decode ${source} as an image` : 'Cannot decode the image';
}

/**
 * Note [Decode memory]: what one decode holds, measured as peak RSS: a streaming libvips resize
 * holds about 1,800 rows of the decoded image whatever the shrink (a 16000 px wide RGBA PNG: 112
 * MiB; 4000 px: 30 MiB), and JPEG decodes at up to 1/8 size with shrink-on-load. The exact alpha
 * path (Note [Alpha before resampling]) holds the whole opaque image besides, 3 bytes a pixel:
 * four 16000 x 16000 RGBA PNGs at once grew the process by 2,991 MiB. So alpha images are
 * decoded exactly only up to EXACT_ALPHA_MAX_PIXELS, and every decode holds its estimate in
 * `decodeMemory`, one budget for all decodes of the process, while it runs: however many callers
 * decode at once (indexing, `embedImages`), together they stay within it. The same four PNGs now
 * take 438 MiB (`npm run bench -- decode`).
 */
const STREAM_ROWS = 2048;
const DECODE_OVERHEAD = 16 * 2 ** 20;
export const EXACT_ALPHA_MAX_PIXELS = 24_000_000;

/** An eighth of the memory, between 256 MiB and 1 GiB. */
export const decodeMemory = new MemoryBudget(Math.min(2 ** 30, Math.max(2 ** 28, Math.floor(os.totalmem() / 8))));

const SAMPLE_BYTES: Record<string, number> = { uchar: 1, char: 1, ushort: 2, short: 2, uint: 4, int: 4, float: 4, double: 8, complex: 8, dpcomplex: 16 };

/** sharp's JPEG shrink-on-load for a resize by `shrink` (it keeps a factor of two for the resize). */
function jpegShrinkOnLoad(shrink: number): number {
  const factor = shrink >= 16 ? 8 : shrink >= 8 ? 4 : shrink >= 4 ? 2 : 1;
  return factor > 1 && Math.trunc(shrink) === factor ? factor / 2 : factor;
}

function isExactAlpha(header: Metadata): boolean {
  return header.hasAlpha === true && (header.width ?? 0) * (header.height ?? 0) <= EXACT_ALPHA_MAX_PIXELS;
}

/** Bytes a decode of an image with this header, resized so its short side is `side`, may hold. */
export function decodeEstimate(header: Metadata, side: number): number {
  const width = header.width ?? 0;
  const height = header.height ?? 0;
  const onLoad = header.format === 'jpeg' ? jpegShrinkOnLoad(Math.min(width, height) / side) : 1;
  const streaming = Math.ceil(width / onLoad) * (header.channels ?? 4) * (SAMPLE_BYTES[header.depth ?? 'uchar'] ?? 8) * STREAM_ROWS;
  return DECODE_OVERHEAD + streaming + (isExactAlpha(header) ? width * height * 3 : 0);
}

/** An upright sRGB image, its alpha (if any) kept, decoded as it streams through the resize. */
function uprightImage(input: ImageSource): Sharp {
  return sharp(input, DECODE_OPTIONS).rotate().toColourspace('srgb');
}

/**
 * An upright, opaque 8-bit sRGB image ready for resizing.
 *
 * Note [Alpha before resampling]: libvips resamples images with alpha premultiplied, which
 * blackens the colour under transparent pixels; PIL's `convert("RGB")`, which the models were
 * trained with, drops alpha first and keeps that colour. So images with alpha are decoded to
 * opaque raw pixels before any resize (a second, cheap pass); opaque ones go straight through
 * and keep shrink-on-load. Above EXACT_ALPHA_MAX_PIXELS the full-size opaque copy would cost
 * more memory than any photo should (Note [Decode memory]): those are resized in one streaming
 * pass, premultiplied, which differs from PIL only where pixels are transparent.
 */
async function opaqueImage(input: ImageSource, header: Metadata): Promise<Sharp> {
  if (!isExactAlpha(header)) return uprightImage(input);
  const { data, info } = await sharp(input, DECODE_OPTIONS).rotate().removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
}

interface RawPixels {
  data: Buffer;
  info: OutputInfo;
}

/**
 * Decodes a photo (a path is checked, then read by libvips itself: Note [Only regular files]) to
 * opaque 8-bit RGB resized to `width` x `height` as `resize` says, within the decode memory
 * budget. Returns the pixels and the original's header; asked to `keepAlpha`, also the same
 * resize with its alpha, `withAlpha`, for an image that has one (Note [Alpha for showing]).
 */
export async function decodePixels(
  input: ImageSource,
  width: number,
  height: number,
  resize: ResizeOptions,
  options: { keepAlpha?: boolean } = {},
): Promise<RawPixels & { header: Metadata; withAlpha?: RawPixels }> {
  if (typeof input === 'string') await checkPhotoFile(input);
  const header = await sharp(input, DECODE_OPTIONS).metadata();
  const release = await decodeMemory.acquire(decodeEstimate(header, Math.min(width, height)));
  try {
    const resized = (image: Sharp): Promise<RawPixels> => image.resize(width, height, resize).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (options.keepAlpha !== true || header.hasAlpha !== true) return { ...(await resized((await opaqueImage(input, header)).removeAlpha())), header };
    return { ...(await resizedWithAlpha(input, header, resized)), header };
  } finally {
    release();
  }
}

/**
 * Note [Alpha for showing]: the opaque pixels are the model's (Note [Alpha before resampling]),
 * and show whatever colour lies under transparent pixels, black as most editors store it. What a
 * person is shown of an image with alpha must keep its alpha, resampled premultiplied as every
 * viewer does. An image streamed through one resize (above EXACT_ALPHA_MAX_PIXELS) is decoded
 * once: its opaque pixels are its RGBA ones less their alpha, the same bytes as before. One
 * decoded exactly is decoded a second time, streaming, after the first and within its budget
 * (the full-size copy is no longer needed by then). Resizing an RGBA full-size copy instead was
 * no cheaper: for a 12 MP PNG, its premultiplied resize took 70-90 ms and dropping its alpha in
 * place for the model another 40 ms of JavaScript, blocking the event loop, against 135-160 ms for
 * the second decode on libvips' threads; and it held a byte more a pixel.
 */
async function resizedWithAlpha(input: ImageSource, header: Metadata, resized: (image: Sharp) => Promise<RawPixels>): Promise<RawPixels & { withAlpha: RawPixels }> {
  if (!isExactAlpha(header)) {
    const withAlpha = await resized(uprightImage(input));
    return { ...(await withoutAlpha(withAlpha)), withAlpha };
  }
  const opaque = await resized((await opaqueImage(input, header)).removeAlpha());
  return { ...opaque, withAlpha: await resized(uprightImage(input)) };
}

/** Raw pixels less their alpha channel (no resampling, so no premultiplying: the colours stay). */
function withoutAlpha({ data, info }: RawPixels): Promise<RawPixels> {
  return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
}

/** Said of dropped or pasted bytes that are no photo: their file's name is not known here. */
const NOT_A_PHOTO_TEXT = 'That file is not a photo Lumen can read: it is not an image, or not in a format Lumen knows.';
/**
 * A dropped photo's own defects the decoder's words name for sure, said in indexing's words
 * (REASON_TEXT); others keep the decoder's, for "damaged" is what the sorting falls back to.
 */
const DROPPED_DEFECTS: ReadonlySet<FailureReason> = new Set(['truncated', 'too-large']);

/**
 * Decodes `source` and returns the model input as a CHW float32 tensor of `3 * size * size`.
 * Throws `UserError('image-unreadable')` for paths that are not photo files and
 * `UserError('image-undecodable')` for files that are not (complete) images.
 */
export async function toModelInput(source: ImageSource, pre: ImagePreprocessing): Promise<Float32Array> {
  const { size } = pre;
  // Bytes from the window are decoded only in a photo's format, as the library's files are: libvips
  // would read SVG, PDF and more, each a parser of untrusted input beside the library.
  if (typeof source !== 'string' && !sniffFormat(source)) throw new UserError('image-undecodable', NOT_A_PHOTO_TEXT);
  let raw: Buffer;
  try {
    ({ data: raw } = await decodePixels(source, size, size, { fit: pre.resizeMode === 'squash' ? 'fill' : 'cover', position: 'centre', kernel: SHARP_KERNEL[pre.interpolation] }));
  } catch (error) {
    if (isUserError(error)) throw error;
    // Bytes are a file dropped or pasted on the window, its name not known here: one that is no
    // image at all, or a photo cut short or too large, is said so as indexing says it, not in the decoder's words.
    if (typeof source !== 'string') {
      const reason = classifyDecodeError(error);
      if (reason === 'not-an-image') throw new UserError('image-undecodable', NOT_A_PHOTO_TEXT, { cause: error });
      if (DROPPED_DEFECTS.has(reason)) throw new UserError('image-undecodable', `The image ${REASON_TEXT[reason]}.`, { cause: error });
    }
    const what = typeof source === 'string' ? await notAPhoto(source) : null;
    if (typeof source === 'string' && what !== null) throw new UserError('image-undecodable', `${source} ${what}`, { cause: error });
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

/**
 * One decode of a photo feeds everything indexing needs: the model input, the grid thumbnail and
 * the metadata.
 *
 * Note [One decode]: the photo is decoded once, with shrink-on-load, to an intermediate whose
 * short side covers both the model's input and the thumbnail; both are then resized from that
 * small raw image, which costs a fraction of the decode. The viewer's larger preview is made on
 * demand from the original (see thumbnails.ts), so indexing never pays for it.
 */
import exifr from 'exifr';
import type { PhotoMetadata } from '../storage/library-store.js';
import sharp from 'sharp';
import type { ImagePreprocessing } from '../models/folder.js';
import { SHARP_KERNEL, decodePixels, rawToTensor } from '../models/preprocess.js';

export const THUMBNAIL_SIDE = 256;

export interface DecodedPhoto {
  tensor: Float32Array;
  /** WebP, THUMBNAIL_SIDE on the long side; null when the image already has one stored. */
  thumbnail: Buffer | null;
  /** Size as a person sees it (EXIF orientation applied). */
  width: number;
  height: number;
  metadata: PhotoMetadata;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * Note [One exifr options object]: exifr caches what it derives from an options object in a Map
 * keyed by that object, for good. A new object literal per photo grew the engine's heap by about
 * 6.5 KB per photo read (130 MB over a 20k-photo run, found by the soak test); one shared object
 * is one cache entry.
 */
const EXIF_OPTIONS = { tiff: true, exif: true, gps: true, ifd1: false, xmp: false, icc: false, iptc: false, jfif: false, ihdr: false, translateValues: false, reviveValues: true };

/** Capture date, camera, lens and GPS position; a photo without EXIF simply has none. */
export async function readMetadata(source: string | Buffer): Promise<PhotoMetadata> {
  const tags = (await exifr.parse(source, EXIF_OPTIONS).catch(() => null)) as Record<string, unknown> | null | undefined;
  const date = tags?.['DateTimeOriginal'] ?? tags?.['CreateDate'] ?? tags?.['DateTime'];
  const latitude = finite(tags?.['latitude']);
  const longitude = finite(tags?.['longitude']);
  const hasPosition = latitude !== null && longitude !== null && !(latitude === 0 && longitude === 0);
  return {
    takenAt: date instanceof Date && !Number.isNaN(date.getTime()) ? date.getTime() : null,
    cameraMake: text(tags?.['Make']),
    cameraModel: text(tags?.['Model']),
    lens: text(tags?.['LensModel']),
    latitude: hasPosition ? latitude : null,
    longitude: hasPosition ? longitude : null,
    orientation: finite(tags?.['Orientation']),
  };
}

/**
 * Decodes a photo (a path is checked, then read by libvips itself, without a copy in
 * JavaScript's heap; see Note [Only regular files] and Note [Decode memory]).
 *
 * Note [Retry failures alone]: libvips keeps one error buffer for all threads, so when several
 * decodes fail at once a failure can come back as "Unknown error" or with another file's words,
 * losing or changing the reason (truncated, damaged...) a person needs. So a failed decode is
 * tried once more on its own, which reports its real reason (or succeeds). Only failures pay for
 * it, and they are rare.
 */
export async function decodePhoto(input: string | Buffer, pre: ImagePreprocessing, options: { withThumbnail: boolean }): Promise<DecodedPhoto> {
  try {
    return await decodeOnce(input, pre, options);
  } catch {
    // Retries run one at a time, so two of them cannot blur each other's reasons again.
    const retry = retries.then(() => decodeOnce(input, pre, options));
    retries = retry.then(
      () => undefined,
      () => undefined,
    );
    return retry;
  }
}

let retries: Promise<void> = Promise.resolve();

async function decodeOnce(input: string | Buffer, pre: ImagePreprocessing, options: { withThumbnail: boolean }): Promise<DecodedPhoto> {
  const side = Math.max(pre.size, THUMBNAIL_SIDE);
  const { data, info, header } = await decodePixels(input, side, side, { fit: 'outside', kernel: SHARP_KERNEL[pre.interpolation] });
  const rotated = (header.orientation ?? 1) >= 5;
  const width = (rotated ? header.height : header.width) ?? 0;
  const height = (rotated ? header.width : header.height) ?? 0;
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } } as const;
  const [modelPixels, thumbnail, metadata] = await Promise.all([
    sharp(data, raw)
      .resize(pre.size, pre.size, { fit: pre.resizeMode === 'squash' ? 'fill' : 'cover', position: 'centre', kernel: SHARP_KERNEL[pre.interpolation] })
      .raw()
      .toBuffer(),
    options.withThumbnail ? sharp(data, raw).resize(THUMBNAIL_SIDE, THUMBNAIL_SIDE, { fit: 'inside' }).webp({ quality: 78 }).toBuffer() : null,
    readMetadata(input),
  ]);
  return { tensor: rawToTensor(modelPixels, pre), thumbnail, width, height, metadata };
}

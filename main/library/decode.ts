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
import { open } from 'node:fs/promises';
import { messageOf } from '../core/errors.js';
import type { PhotoMetadata } from '../storage/library-store.js';
import sharp, { type OutputInfo } from 'sharp';
import type { ImagePreprocessing } from '../models/folder.js';
import { SHARP_KERNEL, decodePixels, rawToTensor } from '../models/preprocess.js';

export const THUMBNAIL_SIDE = 256;

/**
 * Note [Thumbnails over a background]: a thumbnail of an image with alpha (a logo, a sticker, a
 * cut-out, a window's screenshot with its shadow) is made from its pixels with alpha (Note [Alpha
 * for showing]), not from the model's, which show the colour stored under transparent pixels,
 * usually black: a black logo would be a black tile. It is laid over a fixed light grey rather than
 * kept transparent, because one stored thumbnail serves both themes and the theme can change
 * after indexing: over the dark theme's tiles, dark artwork, the commonest kind (logos, text,
 * line art, signatures, made to sit on a light page), would vanish. Light, as the page such an
 * image was made for; grey rather than white, so white artwork and the image's bounds still show
 * against it, and in the light theme the tile reads as an image, not as an empty space.
 */
const THUMBNAIL_BACKGROUND = { r: 224, g: 224, b: 224 };

/**
 * libwebp's effort for grid thumbnails (its default is 4): on 40 of Debian's wallpapers, effort
 * 2 encoded in 4.9 CPU ms instead of 7.7 for files 3 % larger (6.0 KiB instead of 5.8). At 12 MP
 * a photo's whole decode is 35-70 CPU ms, and decoding is what limits indexing on a GPU.
 */
const THUMBNAIL_EFFORT = 2;

export interface DecodedPhoto {
  tensor: Float32Array;
  /** WebP, THUMBNAIL_SIDE on the long side; null when the image already has one stored. */
  thumbnail: Buffer | null;
  /** Size as a person sees it (EXIF orientation applied). */
  width: number;
  height: number;
  metadata: PhotoMetadata;
}

/** The grid thumbnail of a decoded intermediate; flattening an opaque one is no step at all. */
function thumbnailOf({ data, info }: { data: Buffer; info: OutputInfo }): Promise<Buffer> {
  return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .flatten({ background: THUMBNAIL_BACKGROUND })
    .resize(THUMBNAIL_SIDE, THUMBNAIL_SIDE, { fit: 'inside' })
    .webp({ quality: 78, effort: THUMBNAIL_EFFORT })
    .toBuffer();
}

/** An EXIF text: it ends at its first NUL (some cameras pad the field with NULs and leftovers, "Nokia\u00002"). */
function text(value: unknown): string | null {
  const ended = typeof value === 'string' ? (value.split('\u0000', 1)[0] as string).trim() : '';
  return ended || null;
}

/**
 * Note [Dates as the clock showed]: a photo's date is the time its camera's clock showed where it
 * was taken, as Apple Photos, Google Photos and Immich show it: 23:30 on 15 June stays 23:30 on
 * 15 June on a laptop in any time zone, and a filter for that day finds it there. EXIF's dates
 * have no zone (OffsetTimeOriginal is rare, and a person thinks of the clock, not the instant),
 * so taken_at stores that clock reading as if it were UTC: ms since the epoch of that wall clock
 * in UTC, read back and filtered in UTC by everything that shows a photo date (the CLI's dates.ts
 * and library.ts, the renderer's lib/photo-dates.ts). Times that are real instants (backups,
 * jobs, a file's mtime as such) stay instants, shown in the local zone.
 */

/** "2021:06:15 23:30:00", also with dashes, a "T", no seconds or time, or leftovers after it ("… UTC", ".123"). */
const EXIF_DATE = /^(\d{4})[:-](\d{2})[:-](\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?/;

/**
 * An EXIF date as the clock showed it (Note [Dates as the clock showed]), or null for none (exifr
 * names IFD0's DateTime, the last to fall back on, ModifyDate). Read from the text, each part
 * checked: an impossible date ("2021:13:45 25:61:61") is no date rather than one rolled over into
 * another year. A camera whose clock was never set writes "0000:00:00 00:00:00"; nothing before
 * 1900 is taken for a capture date (it would sort first and pass every "before" filter).
 */
function captureDate(value: unknown): number | null {
  const parts = EXIF_DATE.exec(text(value) ?? '');
  if (!parts) return null;
  const [year, month, day, hour, minute, second] = parts.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const time = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls a part past its end over; a date whose month or day moved was no real one.
  const date = new Date(time);
  const real = date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour <= 23 && minute <= 59 && second <= 59;
  return real && year >= 1900 ? time : null;
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * Note [One exifr options object]: exifr caches what it derives from an options object in a Map
 * keyed by that object, for good. A new object literal per photo grew the engine's heap by about
 * 6.5 KB per photo read (130 MB over a 20k-photo run, found by the soak test); one shared object
 * is one cache entry. Values are not revived: exifr would revive dates in the local zone, rolling
 * impossible ones over (Note [Dates as the clock showed]); of the tags read here, only the dates
 * have revivers (GPS's latitude and longitude are computed either way).
 */
const EXIF_OPTIONS = { tiff: true, exif: true, gps: true, ifd1: false, xmp: false, icc: false, iptc: false, jfif: false, ihdr: false, translateValues: false, reviveValues: false };

/**
 * Capture date, camera, lens and GPS position; a photo without EXIF simply has none. `exifBlock`
 * is the EXIF libvips read with the photo's header, if any (Note [EXIF libvips has read]).
 *
 * Note [EXIF libvips has read]: exifr reads EXIF from JPEG, PNG and TIFF files itself, but it has
 * no WebP parser ("Unknown file format"), and in AVIFs written by libheif (as sharp writes them)
 * it finds only errors, though their Exif item is there. libvips reads the same block with the
 * header the decode needs anyway, so when exifr finds nothing in the file, that block is parsed,
 * by exifr with the same options: whichever the source, the same tags become the same metadata,
 * and nothing reads the file again for it. The file stays the first source, so what is read of
 * JPEG, PNG and TIFF (whose EXIF is the file itself, with no block in the header) is as before.
 */
export async function readMetadata(source: string | Buffer, exifBlock?: Buffer): Promise<PhotoMetadata> {
  const tags = (await exifTags(source)) ?? (exifBlock ? await exifTags(tiffOf(exifBlock)) : null);
  const takenAt = captureDate(tags?.['DateTimeOriginal']) ?? captureDate(tags?.['CreateDate']) ?? captureDate(tags?.['ModifyDate']);
  const latitude = finite(tags?.['latitude']);
  const longitude = finite(tags?.['longitude']);
  const hasPosition = latitude !== null && longitude !== null && !(latitude === 0 && longitude === 0);
  return {
    takenAt,
    cameraMake: text(tags?.['Make']),
    cameraModel: text(tags?.['Model']),
    lens: text(tags?.['LensModel']),
    latitude: hasPosition ? latitude : null,
    longitude: hasPosition ? longitude : null,
    orientation: finite(tags?.['Orientation']),
  };
}

/** The tags exifr reads, or null for none: it throws for a format it does not know, and returns only `errors` for one it cannot parse. */
async function exifTags(source: string | Buffer): Promise<Record<string, unknown> | null> {
  const tags = (await exifr.parse(source, EXIF_OPTIONS).catch(() => null)) as Record<string, unknown> | null | undefined;
  return tags && Object.keys(tags).some((name) => name !== 'errors') ? tags : null;
}

const EXIF_HEADER = Buffer.from('Exif\0\0', 'latin1');

/**
 * The TIFF structure of an EXIF block. libvips gives JPEG's, WebP's and HEIF's blocks with the
 * "Exif\0\0" that names JPEG's APP1 segment (PNG's without); exifr, given a block, takes that
 * prefix for an unknown file format.
 */
function tiffOf(exifBlock: Buffer): Buffer {
  return exifBlock.subarray(0, EXIF_HEADER.length).equals(EXIF_HEADER) ? exifBlock.subarray(EXIF_HEADER.length) : exifBlock;
}

/**
 * Decodes a photo (a path is checked, then read by libvips itself, without a copy in
 * JavaScript's heap; see Note [Only regular files] and Note [Decode memory]).
 *
 * Note [Retry vague failures]: libvips keeps one error buffer for all threads, and a pipeline
 * that starts or ends elsewhere can clear it, so a failure sometimes comes back as just "Unknown
 * error", losing the reason (truncated, damaged...) a person needs. Such a failure is decoded once
 * more, one retry at a time; when even that says nothing, a JPEG or PNG that stops before its end
 * marker is named truncated, which is by far the commonest defect (an interrupted copy).
 */
export async function decodePhoto(input: string | Buffer, pre: ImagePreprocessing, options: { withThumbnail: boolean }): Promise<DecodedPhoto> {
  try {
    return await decodeOnce(input, pre, options);
  } catch (error) {
    if (!isVague(error)) throw error;
    // Retries run one at a time, so two of them cannot blur each other's reasons again.
    const retry = retries.then(() => decodeOnce(input, pre, options));
    retries = retry.then(
      () => undefined,
      () => undefined,
    );
    return retry.catch(async (again: unknown) => {
      throw isVague(again) && (await endsEarly(input)) ? new Error('the file ends before its end marker (truncated)', { cause: again }) : again;
    });
  }
}

function isVague(error: unknown): boolean {
  return /unknown error/i.test(messageOf(error));
}

const JPEG_START = Buffer.from([0xff, 0xd8]);
const JPEG_END = Buffer.from([0xff, 0xd9]);
const PNG_START = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
const PNG_END = Buffer.from('IEND', 'latin1');

/** Whether a JPEG or PNG lacks the marker its last bytes must hold (Note [Retry vague failures]). */
async function endsEarly(input: string | Buffer): Promise<boolean> {
  const ends = async (): Promise<{ head: Buffer; tail: Buffer }> => {
    if (Buffer.isBuffer(input)) return { head: input.subarray(0, 4), tail: input.subarray(Math.max(0, input.length - 12)) };
    const file = await open(input, 'r');
    try {
      const { size } = await file.stat();
      const head = Buffer.alloc(4);
      const tail = Buffer.alloc(Math.min(12, size));
      await file.read(head, 0, 4, 0);
      await file.read(tail, 0, tail.length, size - tail.length);
      return { head, tail };
    } finally {
      await file.close();
    }
  };
  const { head, tail } = await ends().catch(() => ({ head: Buffer.alloc(0), tail: Buffer.alloc(0) }));
  if (head.subarray(0, 2).equals(JPEG_START)) return !tail.subarray(-2).equals(JPEG_END);
  if (head.equals(PNG_START)) return !tail.includes(PNG_END);
  return false;
}

let retries: Promise<void> = Promise.resolve();

async function decodeOnce(input: string | Buffer, pre: ImagePreprocessing, options: { withThumbnail: boolean }): Promise<DecodedPhoto> {
  const side = Math.max(pre.size, THUMBNAIL_SIDE);
  const { data, info, header, withAlpha } = await decodePixels(input, side, side, { fit: 'outside', kernel: SHARP_KERNEL[pre.interpolation] }, { keepAlpha: options.withThumbnail });
  const rotated = (header.orientation ?? 1) >= 5;
  const width = (rotated ? header.height : header.width) ?? 0;
  const height = (rotated ? header.width : header.height) ?? 0;
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } } as const;
  const [modelPixels, thumbnail, metadata] = await Promise.all([
    sharp(data, raw)
      .resize(pre.size, pre.size, { fit: pre.resizeMode === 'squash' ? 'fill' : 'cover', position: 'centre', kernel: SHARP_KERNEL[pre.interpolation] })
      .raw()
      .toBuffer(),
    options.withThumbnail ? thumbnailOf(withAlpha ?? { data, info }) : null,
    readMetadata(input, header.exif),
  ]);
  return { tensor: rawToTensor(modelPixels, pre), thumbnail, width, height, metadata };
}

/**
 * What a file is, by its first bytes (not its name), and why a photo could not be indexed.
 */
import { messageOf } from '../core/errors.js';
import type { ImageFormat, PassedOverKind } from './photo-kinds.js';

export type { ImageFormat };

/** Bytes of a file's head that `sniffFormat` needs. */
export const SNIFF_BYTES = 32;

const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);
const AVIF_BRANDS = new Set(['avif', 'avis']);

function ascii(head: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...head.subarray(start, end));
}

export function sniffFormat(head: Uint8Array): ImageFormat | null {
  if (head.length < 12) return null;
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (ascii(head, 1, 4) === 'PNG' && head[0] === 0x89) return 'png';
  if (ascii(head, 0, 4) === 'GIF8') return 'gif';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return 'webp';
  if ((ascii(head, 0, 4) === 'II*\0') || (ascii(head, 0, 4) === 'MM\0*')) return 'tiff';
  if (ascii(head, 4, 8) === 'ftyp') {
    // The major brand, then the compatible brands up to the end of the box we have.
    const boxSize = Math.min(head.length, (head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!);
    const brands = [ascii(head, 8, 12)];
    for (let at = 16; at + 4 <= boxSize; at += 4) brands.push(ascii(head, at, at + 4));
    if (brands.some((brand) => AVIF_BRANDS.has(brand))) return 'avif';
    if (brands.some((brand) => HEIC_BRANDS.has(brand))) return 'heic';
  }
  return null;
}

/**
 * Camera RAW files, left to a later version: many are TIFF inside, which would index as the
 * small preview they embed.
 */
const RAW_EXTENSIONS = ['.cr2', '.cr3', '.crw', '.nef', '.nrw', '.arw', '.sr2', '.srf', '.dng', '.gpr', '.orf', '.rw2', '.rwl', '.raf', '.srw', '.pef', '.3fr', '.iiq', '.erf', '.kdc', '.dcr', '.mos', '.mef', '.mrw', '.x3f'];
const VIDEO_EXTENSIONS = ['.mp4', '.mov', '.m4v', '.avi', '.mkv', '.webm', '.3gp', '.mts', '.m2ts', '.wmv', '.mpg', '.mpeg'];

/** The files of kinds Lumen does not index that a job counts (Note [Nothing skipped silently] in scan.ts), by extension. */
const PASSED_OVER = new Map<string, PassedOverKind>([...RAW_EXTENSIONS.map((ext) => [ext, 'raw'] as const), ...VIDEO_EXTENSIONS.map((ext) => [ext, 'video'] as const)]);

/**
 * Never photos, and costly to open: not even sniffed. `.thm` and `.lrv` are a camera's thumbnail
 * and low-resolution copy of each video (the thumbnail a JPEG): not counted as videos again.
 */
export const NOT_PHOTOS = new Set([
  ...PASSED_OVER.keys(),
  '.thm', '.lrv', '.mp3', '.m4a', '.wav', '.aac', '.flac', '.ogg', '.xmp', '.aae', '.json', '.txt', '.md', '.pdf', '.doc', '.docx',
  '.xls', '.xlsx', '.zip', '.gz', '.7z', '.rar', '.psd', '.db', '.ini', '.lnk', '.exe', '.dll', '.iso', '.dmg',
]);

/** The kind of a file Lumen does not index but counts, by its extension (`.NEF` too); null for any other file. */
export function passedOverKind(extension: string): PassedOverKind | null {
  return PASSED_OVER.get(extension.toLowerCase()) ?? null;
}

/** Extensions photos usually have: a file with one that is not an image is a failure worth showing. */
export const PHOTO_EXTENSIONS = new Set(['.jpg', '.jpeg', '.jpe', '.png', '.gif', '.webp', '.avif', '.heic', '.heif', '.tif', '.tiff']);

export type FailureReason = 'unreadable' | 'out-of-memory' | 'bad-name' | 'not-a-file' | 'not-an-image' | 'truncated' | 'too-large' | 'unsupported' | 'corrupt' | 'stops-decoder';

/**
 * Note [Failures that last]: a file's own defect (not an image, truncated, damaged, too large, in
 * a format this build cannot decode, a bad name, not a regular file, a file that stopped the
 * process decoding it: Note [A photo that stops the process] in decode-journal.ts) lasts until the file
 * changes, so it is not tried again on every run. Anything else (a file that could not be read:
 * permissions, a disk error, a file gone; memory running out) says nothing about the file and is
 * tried again on the next run, whatever its size and mtime (fixing permissions changes neither).
 */
export const LASTING_REASONS: ReadonlySet<string> = new Set<FailureReason>(['bad-name', 'not-a-file', 'not-an-image', 'truncated', 'too-large', 'unsupported', 'corrupt', 'stops-decoder']);

/** Sorts a decoder's error into a reason a person understands. */
export function classifyDecodeError(error: unknown): FailureReason {
  const message = messageOf(error).toLowerCase();
  if (/out of memory|cannot allocate|bad_alloc|allocation failed/.test(message)) return 'out-of-memory';
  if (message.includes('pixel limit')) return 'too-large';
  if (message.includes('unsupported image format')) return 'not-an-image';
  if (/premature end|truncated|unexpected end|end of (file|stream|input)|not enough data|read error|incomplete/.test(message)) return 'truncated';
  // A damaged file often names markers or fields its decoder calls unsupported: damage first.
  if (/corrupt|invalid|bad |damaged/.test(message)) return 'corrupt';
  if (/not been built|unsupported|no decoder|not supported|compression format/.test(message)) return 'unsupported';
  return 'corrupt';
}

/** Said of an empty file, most often a copy or download that never finished. */
export const EMPTY_FILE_TEXT = 'is empty (0 bytes): an incomplete copy or download?';

export const REASON_TEXT: Record<FailureReason, string> = {
  unreadable: 'could not be read',
  'out-of-memory': 'could not be decoded: the computer ran out of memory (it is tried again on the next run)',
  'bad-name': 'has a name that is not valid text (UTF-8)',
  'not-a-file': 'is not a regular file',
  'not-an-image': 'is not an image',
  truncated: 'is truncated (an incomplete copy or download?)',
  'too-large': 'is too large to decode safely',
  unsupported: 'is in a format this computer cannot decode',
  corrupt: 'is damaged',
  'stops-decoder': 'stopped Lumen each time it was decoded (its decoder crashed, or memory ran out), so it is skipped',
};

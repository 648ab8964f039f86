/**
 * Paths read as photos: only regular files, and none larger than any photo can be.
 *
 * Note [Only regular files]: reading a FIFO "as a photo" waits forever for a writer, and reading
 * /dev/zero never ends while memory grows (`similar ./pipe.jpg`, `embed-image /dev/zero`). So
 * every path is checked before anything reads it: `stat` follows symlinks without opening the
 * target (opening a FIFO blocks, opening some devices has effects of its own), and anything but
 * a regular file of at most MAX_PHOTO_BYTES is refused with a reason. Readers that open the file
 * themselves (the content hash) open it non-blocking and check the open handle again, so a path
 * swapped for a FIFO in between is still refused. The decoders that take a path (libvips, exifr)
 * open it right after the check; a swap in that moment is the one window left.
 *
 * Note [Photo size limit]: MAX_PHOTO_BYTES is 512 MiB. The decoder refuses images above 268
 * megapixels (DECODE_OPTIONS in models/preprocess.ts); such an image as JPEG, PNG, WebP or HEIC
 * is far smaller, so only uncompressed TIFF scans near that limit are refused by size first.
 */
import { constants, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { UserError, messageOf } from './errors.js';

export const MAX_PHOTO_BYTES = 512 * 2 ** 20;

/** Why a path cannot be read as a photo. */
export type FileProblem = 'missing' | 'denied' | 'folder' | 'special' | 'too-large' | 'unreadable';

export class PhotoFileError extends UserError {
  constructor(
    readonly file: string,
    readonly problem: FileProblem,
    /** The reason in words, finishing "Cannot read FILE: ...". */
    readonly detail: string,
    cause?: unknown,
  ) {
    super('image-unreadable', `Cannot read ${file}: ${detail}.`, { cause });
  }
}

/** What a non-regular file is, in words (from a `Stats` or a `Dirent`). */
export function kindOf(info: Pick<Stats, 'isFIFO' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice'>): string {
  if (info.isFIFO()) return 'a pipe (FIFO)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

function refuse(file: string, info: Stats): void {
  if (info.isDirectory()) throw new PhotoFileError(file, 'folder', 'it is a folder');
  if (!info.isFile()) throw new PhotoFileError(file, 'special', `it is ${kindOf(info)}, not a photo file`);
  if (info.size > MAX_PHOTO_BYTES) {
    throw new PhotoFileError(file, 'too-large', `it is ${Math.round(info.size / 2 ** 20)} MiB, larger than any photo this app can decode (${MAX_PHOTO_BYTES / 2 ** 20} MiB)`);
  }
}

/** The system's error `error` reading `file`, in words (a code alone is kept only where nothing better can be said). */
export function fromErrno(file: string, error: unknown): PhotoFileError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new PhotoFileError(file, 'missing', 'it does not exist', error);
  if (code === 'EACCES' || code === 'EPERM') return new PhotoFileError(file, 'denied', 'permission denied', error);
  if (code === 'EISDIR') return new PhotoFileError(file, 'folder', 'it is a folder', error);
  if (code === 'EIO') return new PhotoFileError(file, 'unreadable', 'the disk reported a read error (EIO)', error);
  if (code === 'ELOOP') return new PhotoFileError(file, 'unreadable', 'it is a symbolic link that leads back to itself', error);
  return new PhotoFileError(file, 'unreadable', `the system reported ${code ?? String(error)}`, error);
}

/** Why any file a person named could not be read, in the words used for photos ("it does not exist"); an error of no system call (a JSON syntax error) in its own words. */
export function whyUnreadable(file: string, error: unknown): string {
  return (error as NodeJS.ErrnoException | null)?.code === undefined ? messageOf(error) : fromErrno(file, error).detail;
}

/** Checks that `file` is a regular file a photo could be (Note [Only regular files]). */
export async function checkPhotoFile(file: string): Promise<Stats> {
  let info: Stats;
  try {
    info = await stat(file);
  } catch (error) {
    throw fromErrno(file, error);
  }
  refuse(file, info);
  return info;
}

// Windows has neither flag nor FIFOs of this kind; 0 leaves the open as it was.
const NON_BLOCKING = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/** Opens a checked photo file for reading; the caller closes the handle. */
export async function openPhotoFile(file: string): Promise<{ handle: FileHandle; size: number }> {
  await checkPhotoFile(file);
  let handle: FileHandle;
  try {
    handle = await open(file, NON_BLOCKING);
  } catch (error) {
    throw fromErrno(file, error);
  }
  try {
    const info = await handle.stat();
    refuse(file, info);
    return { handle, size: info.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

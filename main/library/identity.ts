/**
 * A photo's identity is its content, so a moved or renamed file keeps its embedding.
 *
 * Note [Fast content hash]: SHA-256 of the size, the first 64 KiB and the last 64 KiB: the key
 * a content is looked up by, and its thumbnail's name. Reading 128 KiB instead of a whole 10 MB
 * photo keeps the lookup fast, but files can share all three and differ in between (uncompressed
 * TIFF scans with one border, a retouch in place), so for a file larger than 128 KiB the key
 * alone makes two files one image only where nothing else is left to compare (Note [Same start,
 * other content]). The size is the open
 * file's own, so a file rewritten since the scan is hashed as it is now (see Note [Only regular
 * files] for what may be opened).
 *
 * Note [Same start, other content]: a new or changed file is also hashed whole, and an image
 * records the whole hash it was indexed from (images.whole_hash). A file whose fast key is an
 * image's shows that image only if its whole hash is the image's too; otherwise it takes a key of
 * its own, `wholeContentKey` of its whole hash (indexer.ts). An image indexed before whole hashes
 * were recorded is checked against one of its other files still on disk, unchanged, whose hash it
 * then records; with none left (a move) the fast key is trusted, as before, and the file's whole
 * hash recorded. A file of at most 128 KiB is hashed whole by its fast key already. Unchanged
 * files are never read on a re-scan, and a new one is read whole once more, which the decode then
 * finds in the system's cache.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { openPhotoFile } from '../core/photo-file.js';
import { SNIFF_BYTES, sniffFormat, type ImageFormat } from './formats.js';

const SPAN = 64 * 1024;
/** Files up to this size are hashed whole by their fast key (Note [Same start, other content]). */
export const WHOLE_IN_FAST_KEY = 2 * SPAN;

export interface FileIdentity {
  /** The fast key (Note [Fast content hash]). */
  contentHash: string;
  /** SHA-256 of the whole file, when asked for (Note [Same start, other content]). */
  wholeHash: string | null;
  size: number;
  /** The first bytes, for sniffing the format. */
  head: Buffer;
}

/** Up to `length` bytes at `position`; fewer when the file shrank meanwhile. */
async function readAt(handle: FileHandle, length: number, position: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/** The fast key of `file` and its first bytes, with its whole hash too when `whole` (Note [Same start, other content]). */
export async function identifyFile(file: string, { whole = false } = {}): Promise<FileIdentity> {
  const { handle, size } = await openPhotoFile(file);
  try {
    const head = await readAt(handle, Math.min(SPAN, size), 0);
    const tail = size > SPAN ? await readAt(handle, Math.min(SPAN, size - SPAN), Math.max(SPAN, size - SPAN)) : Buffer.alloc(0);
    const sizeBytes = Buffer.alloc(8);
    sizeBytes.writeBigUInt64LE(BigInt(size));
    const contentHash = createHash('sha256').update(sizeBytes).update(head).update(tail).digest('hex');
    // Up to 128 KiB, the head and the tail are the whole file.
    const wholeHash = !whole ? null : size <= WHOLE_IN_FAST_KEY ? createHash('sha256').update(head).update(tail).digest('hex') : await hashHandle(handle);
    return { contentHash, wholeHash, size, head: head.subarray(0, SNIFF_BYTES) };
  } finally {
    await handle.close();
  }
}

const CHUNK = 1024 * 1024;

/** SHA-256 of everything `handle` reads from its start. */
async function hashHandle(handle: FileHandle): Promise<string> {
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(CHUNK);
  for (let position = 0; ; ) {
    const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
    if (bytesRead === 0) return hash.digest('hex');
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
}

/** SHA-256 of the whole of `file` (Note [Same start, other content]). */
export async function hashWholeFile(file: string): Promise<string> {
  const { handle } = await openPhotoFile(file);
  try {
    return await hashHandle(handle);
  } finally {
    await handle.close();
  }
}

/**
 * The key of a content whose fast key another content has (Note [Same start, other content]): a
 * SHA-256 in hex like a fast key, so that thumbnails are named alike. Its input starts with bytes
 * no 8-byte file size starts with, so it is never a fast key.
 */
export function wholeContentKey(wholeHash: string): string {
  return createHash('sha256').update('lumen-whole-content:').update(wholeHash).digest('hex');
}

/** The image format `file`'s first bytes show, or null for a file that is no image (Note [What a run counts] in indexer.ts). */
export async function sniffFile(file: string): Promise<ImageFormat | null> {
  const { handle, size } = await openPhotoFile(file);
  try {
    return sniffFormat(await readAt(handle, Math.min(SNIFF_BYTES, size), 0));
  } finally {
    await handle.close();
  }
}

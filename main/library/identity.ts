/**
 * A photo's identity is its content, so a moved or renamed file keeps its embedding.
 *
 * Note [Fast content hash]: SHA-256 of the size, the first 64 KiB and the last 64 KiB. Reading
 * 128 KiB instead of a whole 10 MB photo keeps a rescan fast; an edit changes the size, the
 * header (JPEG/PNG metadata, dimensions) or the tail (the compressed data ends there), so edited
 * files get a new hash in practice. The size is the open file's own, so a file rewritten since
 * the scan is hashed as it is now (see Note [Only regular files] for what may be opened).
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { openPhotoFile } from '../core/photo-file.js';
import { SNIFF_BYTES, sniffFormat, type ImageFormat } from './formats.js';

const SPAN = 64 * 1024;

export interface FileIdentity {
  contentHash: string;
  /** The first bytes, for sniffing the format. */
  head: Buffer;
}

/** Up to `length` bytes at `position`; fewer when the file shrank meanwhile. */
async function readAt(handle: FileHandle, length: number, position: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

export async function identifyFile(file: string): Promise<FileIdentity> {
  const { handle, size } = await openPhotoFile(file);
  try {
    const head = await readAt(handle, Math.min(SPAN, size), 0);
    const hash = createHash('sha256');
    const sizeBytes = Buffer.alloc(8);
    sizeBytes.writeBigUInt64LE(BigInt(size));
    hash.update(sizeBytes).update(head);
    if (size > SPAN) {
      const tailLength = Math.min(SPAN, size - SPAN);
      hash.update(await readAt(handle, tailLength, size - tailLength));
    }
    return { contentHash: hash.digest('hex'), head: head.subarray(0, SNIFF_BYTES) };
  } finally {
    await handle.close();
  }
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

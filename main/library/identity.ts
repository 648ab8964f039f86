/**
 * A photo's identity is its content, so a moved or renamed file keeps its embedding.
 *
 * Note [Fast content hash]: SHA-256 of the size, the first 64 KiB and the last 64 KiB. Reading
 * 128 KiB instead of a whole 10 MB photo keeps a rescan fast; an edit changes the size, the
 * header (JPEG/PNG metadata, dimensions) or the tail (the compressed data ends there), so edited
 * files get a new hash in practice.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { SNIFF_BYTES } from './formats.js';

const SPAN = 64 * 1024;

export interface FileIdentity {
  contentHash: string;
  /** The first bytes, for sniffing the format. */
  head: Buffer;
}

export async function identifyFile(file: string, size: number): Promise<FileIdentity> {
  const handle = await open(file, 'r');
  try {
    const headLength = Math.min(SPAN, size);
    const head = Buffer.alloc(headLength);
    await handle.read(head, 0, headLength, 0);
    const hash = createHash('sha256');
    const sizeBytes = Buffer.alloc(8);
    sizeBytes.writeBigUInt64LE(BigInt(size));
    hash.update(sizeBytes).update(head);
    if (size > SPAN) {
      const tailLength = Math.min(SPAN, size - SPAN);
      const tail = Buffer.alloc(tailLength);
      await handle.read(tail, 0, tailLength, size - tailLength);
      hash.update(tail);
    }
    return { contentHash: hash.digest('hex'), head: head.subarray(0, SNIFF_BYTES) };
  } finally {
    await handle.close();
  }
}

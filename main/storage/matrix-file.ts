/**
 * The matrix file of one model (vector-matrix.ts): its rows as written, read back in blocks.
 *
 * File: count and dimension (2 x int32), the rows (count x dim bytes), their image ids (count x
 * float64), and the SHA-256 of the rows and ids (32 bytes): the ids go last so that rows can be
 * written as they come.
 *
 * Note [Matrix checked]: a matrix file is trusted only when its bytes are the ones written (bit
 * rot or a disk error leaves its size and time as they were): damaged rows ranked other photos
 * first, damaged ids failed every search that loaded it. So its writer hashes the rows and ids
 * as it writes them, and `loadMatrix` (vector-matrix.ts) hashes the file through before it uses
 * a byte of it; one that differs is unreadable, and the index rebuilds it from SQLite (Note
 * [Derived data] in vector-index.ts), once (a file from before the hash is refused by its size).
 * The check is paid once a session, when the matrix first loads (Note [Matrix as opened] in
 * vector-index.ts): reading and hashing 51 MB (100k photos) took 60-80 ms here (SHA-256 itself
 * 30 ms), against 300 ms to load the rows; 512 MB (1M photos, which a filtered search reads
 * through) 0.5 s.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { temporaryName, writeAll } from '../core/temporary-files.js';

/** Rows read or written at once. */
export const BLOCK = 8192;
const HEADER = 8;
const DIGEST = 32;

/** A block of rows and their ids, contiguous from the start of their own buffers. */
export interface Rows {
  ids: Float64Array;
  data: Int8Array;
  count: number;
}

/** Writes a matrix file from rows given in blocks (of at most BLOCK rows when filtered by `test`), through a temporary file. */
export async function writeMatrixFile(file: string, dim: number, fill: (write: (rows: Rows, test?: (imageId: number) => boolean) => Promise<void>) => Promise<void>): Promise<void> {
  const temp = temporaryName(file);
  // The index folder may not exist yet: a library's first index, or one whose folder was removed.
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(temp, 'w');
  const ids: number[] = [];
  const out = new Int8Array(BLOCK * dim);
  const hash = createHash('sha256');
  // Hashed as written (Note [Matrix checked]), BLOCK rows at a time: 256 MiB at once would hold the thread for 150 ms.
  const writeHashed = async (bytes: Int8Array | Uint8Array, at: number) => {
    for (let from = 0; from < bytes.length; from += BLOCK * dim) {
      const block = bytes.subarray(from, from + BLOCK * dim);
      hash.update(block);
      await writeAll(handle, block, at + from);
    }
  };
  let written = false;
  try {
    await fill(async (rows, test) => {
      const at = HEADER + ids.length * dim;
      if (!test) {
        for (let row = 0; row < rows.count; row++) ids.push(rows.ids[row] as number);
        await writeHashed(rows.data.subarray(0, rows.count * dim), at);
        return;
      }
      let kept = 0;
      for (let row = 0; row < rows.count; row++) {
        if (!test(rows.ids[row] as number)) continue;
        out.set(rows.data.subarray(row * dim, (row + 1) * dim), kept++ * dim);
        ids.push(rows.ids[row] as number);
      }
      await writeHashed(out.subarray(0, kept * dim), at);
    });
    await writeHashed(new Uint8Array(Float64Array.from(ids).buffer), HEADER + ids.length * dim);
    await writeAll(handle, hash.digest(), HEADER + ids.length * (8 + dim));
    await writeAll(handle, new Uint8Array(new Int32Array([ids.length, dim]).buffer, 0, HEADER), 0);
    written = true;
  } finally {
    await handle.close();
    if (!written) await rm(temp, { force: true });
  }
  await rename(temp, file);
}

/** The number of rows its header gives, when the file is as large as that many rows of `dim` dimensions make it; null otherwise. */
async function rowCount(handle: FileHandle, dim: number): Promise<number | null> {
  const header = new Int32Array(2);
  const { size } = await handle.stat();
  await handle.read(new Uint8Array(header.buffer), 0, HEADER, 0);
  const [count = -1, savedDim] = header;
  return savedDim === dim && count >= 0 && size === HEADER + count * (8 + dim) + DIGEST ? count : null;
}

/** The number of rows of a matrix file whose rows and ids are the ones written (Note [Matrix checked]); null when missing, of other dimensions, or damaged. */
export async function intactRowCount(file: string, dim: number): Promise<number | null> {
  const handle = await open(file, 'r').catch(() => null);
  if (!handle) return null;
  try {
    const count = await rowCount(handle, dim);
    if (count === null) return null;
    const hash = createHash('sha256');
    const block = new Uint8Array(BLOCK * dim);
    const end = HEADER + count * (8 + dim);
    for (let at = HEADER; at < end; ) {
      const { bytesRead } = await handle.read(block, 0, Math.min(block.length, end - at), at);
      if (bytesRead === 0) return null;
      hash.update(block.subarray(0, bytesRead));
      at += bytesRead;
    }
    const saved = Buffer.alloc(DIGEST);
    await handle.read(saved, 0, DIGEST, end);
    return saved.equals(hash.digest()) ? count : null;
  } finally {
    await handle.close();
  }
}

/** Reads a matrix file in blocks (only the ids without `withRows`); false when it is missing or not a matrix of `dim` dimensions. */
export async function readMatrixFile(file: string, dim: number, visit: (rows: Rows) => void | Promise<void>, withRows = true): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => null);
  if (!handle) return false;
  try {
    const count = await rowCount(handle, dim);
    if (count === null) return false;
    const block: Rows = { ids: new Float64Array(BLOCK), data: new Int8Array(BLOCK * dim), count: 0 };
    for (let first = 0; first < count; first += BLOCK) {
      block.count = Math.min(BLOCK, count - first);
      if (withRows) await handle.read(new Uint8Array(block.data.buffer, 0, block.count * dim), 0, block.count * dim, HEADER + first * dim);
      await handle.read(new Uint8Array(block.ids.buffer, 0, block.count * 8), 0, block.count * 8, HEADER + count * dim + first * 8);
      await visit(block);
    }
    return true;
  } finally {
    await handle.close();
  }
}

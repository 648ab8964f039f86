/**
 * The files of a vector index on disk: the sidecar that says what the index file holds, and
 * whether a file is still the one that was saved (Note [Trusted files] in vector-index.ts).
 */
import { readFile } from 'node:fs/promises';
import { fileSha256, sameStamp, stampOf, type FileStamp } from '../core/file-stamp.js';
import { writeFileAtomic } from '../core/temporary-files.js';

export interface Sidecar {
  /** The embeddings generation the index was saved at (see database.ts). */
  generation: number;
  count: number;
  dim: number;
  quantization: string;
  connectivity: number;
  /** The graph file's name in the index folder (Note [Graph files never replaced]); before it, `<model>.usearch`. */
  graphFile?: string;
  /** SHA-256 of the index file, and how it stood when saved. */
  sha256: string;
  stamp: FileStamp;
  /** How the matrix file (vector-matrix.ts) stood when saved with the index. */
  matrix: FileStamp | null;
  /** The mean of the library's unit vectors, for the cutoff's baseline (Note [Relative cutoff]); null when empty. */
  mean: number[] | null;
}

/** The index file as saved: unchanged since (not hashed again), or hashed and found the same. */
export async function isSavedFile(file: string, sidecar: Sidecar): Promise<boolean> {
  const stamp = await stampOf(file);
  if (!stamp) return false;
  return sameStamp(stamp, sidecar.stamp) || (stamp.size === sidecar.stamp?.size && (await fileSha256(file)) === sidecar.sha256);
}

export async function readSidecar(file: string): Promise<Sidecar | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Sidecar;
  } catch {
    return null;
  }
}

export async function writeSidecar(file: string, sidecar: Sidecar): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(sidecar));
}

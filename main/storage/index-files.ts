/**
 * The files of a vector index on disk: their names, the sidecar that says what the index file
 * holds, and whether a file is still the one that was saved (Note [Trusted files] in
 * vector-index.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
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
  /** How the matrix file (matrix-file.ts) stood when saved with the index. */
  matrix: FileStamp | null;
  /** The mean of the library's unit vectors, for the cutoff's baseline (Note [Relative cutoff]); null when empty. */
  mean: number[] | null;
}

/** The saved files of one model's index in `indexDir`: their shared stem, the sidecar and the matrix. */
export function indexFiles(indexDir: string, model: string) {
  const stem = path.join(indexDir, model.replace(/[^A-Za-z0-9._-]/g, '_'));
  return { stem, sidecar: `${stem}.usearch.json`, matrix: `${stem}.i8`, firstGraph: `${stem}.usearch` };
}

/** Whether `name` is one of the graph files of the index whose stem is `stem` (Note [Graph files never replaced] in vector-index.ts). */
export function isGraphFile(stem: string, name: string): boolean {
  const base = path.basename(stem);
  // `~` is never in a stem, so no other model's files match.
  return name === `${base}.usearch` || (name.startsWith(base) && /^~[0-9a-f]{8}\.usearch$/.test(name.slice(base.length)));
}

/** The graph file `sidecar` names (before it named one, the first); null when that is not one of this index's. */
export function graphFileOf(files: ReturnType<typeof indexFiles>, sidecar: Sidecar): string | null {
  const name = sidecar.graphFile ?? path.basename(files.firstGraph);
  return isGraphFile(files.stem, name) ? path.join(path.dirname(files.stem), name) : null;
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

/**
 * Query graphs (Notes [Short texts] and [Eight-bit text tower] in query-graph.ts), written once
 * per model and kept in the data folder's `graphs/`, since a rewrite reads and writes the whole
 * graph (a quarter of a gigabyte for ViT-B/32).
 *
 * Note [Short graphs kept]: for each model file (by its real path, size, time and context) the
 * folder holds at most `<key>.onnx`, the rewritten graph, with `<key>.ok` once its embeddings were
 * shown close to the original's, or `<key>.keep` when the model keeps its own graph. Rewrites are
 * tried best first: texts at their own length with 8-bit weights (within cosine 0.995 of the
 * original on every probe text), at their own length in full precision (which must match, 0.9999),
 * then 8 bits at the fixed length (a tower that is not causal). A rewrite is written under a temporary name and
 * renamed, so a crash leaves no half graph in use (the next rewrite removes it), and one not yet
 * checked (a crash before the check) is checked at the next start. Once checked, it is also saved
 * as `<key>.<ONNX Runtime's version>.ort`, ready to run (Note [Runtime graphs] in session.ts).
 * Writing one for a newer version of a model removes the older one's files. Only the library's
 * writer writes here; a graph that cannot be written (a full disk) costs the speed only, and is
 * tried again next time.
 */
import { createHash } from 'node:crypto';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { messageOf } from '../core/errors.js';
import { removeStaleTemporaries, temporaryName, writeAll } from '../core/temporary-files.js';
import ort from 'onnxruntime-node';
import { rewriteTextGraph, type QueryGraphOptions } from './query-graph.js';
import { RUNTIME_GRAPH_EXTENSION, savingRuntimeGraph, type Logger } from './session.js';
import { startThreadedSession } from './threaded-session.js';

/** A rewrite to try, and how close to the original its embeddings must be (cosine, on every probe). */
export interface QueryGraphVariant extends QueryGraphOptions {
  tolerance: number;
}

/** Best first: a tower that is not causal can still take 8 bits at its fixed length. */
export const QUERY_GRAPH_VARIANTS: readonly QueryGraphVariant[] = [
  { freeLength: true, eightBit: true, tolerance: 0.995 },
  { freeLength: true, eightBit: false, tolerance: 0.9999 },
  { freeLength: false, eightBit: true, tolerance: 0.995 },
];

/** Pieces smaller than this are gathered into one write. */
const WRITE_CHUNK = 1 << 20;

async function writePieces(file: string, pieces: readonly Uint8Array[]): Promise<void> {
  const handle = await open(file, 'w');
  try {
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (pendingBytes > 0) await writeAll(handle, Buffer.concat(pending));
      pending = [];
      pendingBytes = 0;
    };
    for (const piece of pieces) {
      if (piece.length >= WRITE_CHUNK) {
        await flush();
        await writeAll(handle, piece);
      } else {
        pending.push(piece);
        pendingBytes += piece.length;
        if (pendingBytes >= WRITE_CHUNK) await flush();
      }
    }
    await flush();
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * How this code rewrites a graph: a new way (Note [Seven bits of weight] in query-graph.ts) makes
 * each model a new version, written and checked anew, so a rewrite the old way failed (on a CPU
 * without VNNI) is tried again.
 */
const REWRITE_VERSION = 2;

/** A checked rewrite's runtime graph, saved by this version of ONNX Runtime: another version saves its own. */
function runtimeGraphOf(base: string): string {
  return `${base}.${ort.env.versions.common}${RUNTIME_GRAPH_EXTENSION}`;
}

/** Makes a file that ONNX Runtime wrote durable before it is renamed into use. */
async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class TextGraphs {
  constructor(
    readonly dir: string,
    private readonly log: Logger,
    /** Whether this process may write to the data folder now: only its library's writer does (Note [One writer] in storage/writer-lock.ts). */
    private readonly mayWrite: () => boolean = () => true,
  ) {}

  /** The files of one model version, as this code rewrites it: `<model>-<version>`, so older versions are found by prefix. */
  private key(modelPath: string, context: number): { base: string; model: string } {
    const real = realpathSync(modelPath);
    const { size, mtimeMs } = statSync(real);
    const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);
    const model = hash(`${real}\0${context}`);
    return { base: path.join(this.dir, `${model}-${hash(`${size}\0${mtimeMs}\0${REWRITE_VERSION}`)}`), model };
  }

  /**
   * The rewritten graph of `modelPath` once shown close to the original, else null; with
   * `runtime`, its saved runtime graph where there is one (Note [Runtime graphs] in session.ts).
   */
  verified(modelPath: string, context: number, { runtime = false } = {}): string | null {
    try {
      const { base } = this.key(modelPath, context);
      if (!existsSync(`${base}.ok`) || !existsSync(`${base}.onnx`)) return null;
      const saved = runtimeGraphOf(base);
      return runtime && existsSync(saved) ? saved : `${base}.onnx`;
    } catch {
      return null;
    }
  }

  /**
   * Saves the runtime graph of the checked rewrite, once, on a background thread (Note [Runtime
   * graphs] in session.ts). A graph that cannot be saved costs the first search's speed only, and
   * is tried again at the next start.
   */
  async saveRuntimeGraph(modelPath: string, context: number): Promise<void> {
    let base: string;
    try {
      ({ base } = this.key(modelPath, context));
    } catch {
      return;
    }
    const target = runtimeGraphOf(base);
    if (!this.mayWrite() || !existsSync(`${base}.ok`) || existsSync(target)) return;
    const partial = temporaryName(target);
    try {
      await this.forgetRuntimeGraphs(base);
      const session = await startThreadedSession(`${base}.onnx`, savingRuntimeGraph(partial), true);
      await session.release();
      await syncFile(partial);
      await rename(partial, target);
    } catch (error) {
      await rm(partial, { force: true }).catch(() => {});
      this.log(`Could not save the text graph ready to run in ${this.dir} (${messageOf(error)}); the first search after a start is a little slower.`);
    }
  }

  /** Removes a saved runtime graph that did not load, so that the next start saves it again. */
  async forgetRuntimeGraph(file: string): Promise<void> {
    await rm(file, { force: true }).catch(() => {});
  }

  /** Removes the saved runtime graphs of one version of a model, for any version of ONNX Runtime. */
  private async forgetRuntimeGraphs(base: string): Promise<void> {
    const prefix = `${path.basename(base)}.`;
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      if (name.startsWith(prefix) && name.endsWith(RUNTIME_GRAPH_EXTENSION)) await rm(path.join(this.dir, name), { force: true });
    }
  }

  /**
   * Writes and checks the rewrites of a model not settled yet, best first, until `attempt` accepts
   * one (returning what it made of it, such as the session it checked it with); null when there is
   * nothing to check (settled before, or this process does not write here) or no rewrite passed.
   */
  async settle<T>(modelPath: string, context: number, attempt: (graph: string, variant: QueryGraphVariant) => Promise<T | null>): Promise<T | null> {
    let base: string;
    let model: string;
    try {
      ({ base, model } = this.key(modelPath, context));
    } catch {
      return null;
    }
    if (!this.mayWrite() || existsSync(`${base}.ok`) || existsSync(`${base}.keep`)) return null;
    // A model that cannot be read is for the session's own start to report.
    const graph = await readFile(modelPath).catch(() => null);
    if (!graph) return null;
    const file = `${base}.onnx`;
    for (const variant of QUERY_GRAPH_VARIANTS) {
      // One written before a crash, not yet checked, is checked as the best rewrite.
      if (!existsSync(file)) {
        const written = await this.write(model, base, rewriteTextGraph(graph, context, variant));
        if (written === 'failed') return null;
        if (written === 'none') continue;
      }
      const accepted = await attempt(file, variant);
      if (accepted !== null) {
        await this.record(`${base}.ok`);
        return accepted;
      }
      await rm(file, { force: true });
    }
    await this.record(`${base}.keep`);
    return null;
  }

  /** Writes a rewrite as `<base>.onnx`, if there is one. */
  private async write(model: string, base: string, pieces: Uint8Array[] | null): Promise<'written' | 'none' | 'failed'> {
    if (!pieces) return 'none';
    const file = `${base}.onnx`;
    const partial = temporaryName(file);
    try {
      await mkdir(this.dir, { recursive: true });
      await this.forgetOlderVersions(model, base);
      await writePieces(partial, pieces);
      await rename(partial, file);
      return 'written';
    } catch (error) {
      await rm(partial, { force: true }).catch(() => {});
      this.log(`Could not save a faster text graph in ${this.dir} (${messageOf(error)}); searches use the model's own, a little slower.`);
      return 'failed';
    }
  }

  private async record(file: string): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFile(file, '');
    } catch (error) {
      this.log(`Could not record in ${this.dir} how a text graph runs (${messageOf(error)}); it is checked again next time.`);
    }
  }

  /** Removes what is kept for this version of the model, so that the next start writes and checks it anew. */
  async forget(modelPath: string, context: number): Promise<void> {
    const { base } = this.key(modelPath, context);
    for (const ending of ['.ok', '.keep', '.onnx']) await rm(`${base}${ending}`, { force: true }).catch(() => {});
    await this.forgetRuntimeGraphs(base).catch(() => {});
  }

  /** Removes the files of the model's other versions, and half-written rewrites that a crash left (Note [Temporary names]). */
  private async forgetOlderVersions(model: string, base: string): Promise<void> {
    const current = path.basename(base);
    for (const name of await readdir(this.dir)) {
      if (name.startsWith(`${model}-`) && !name.startsWith(`${current}.`)) await rm(path.join(this.dir, name), { force: true });
    }
    await removeStaleTemporaries(this.dir);
  }
}

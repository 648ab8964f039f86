/**
 * A saved graph, memory-mapped, with the changes since it was saved beside it.
 *
 * Note [Changes beside the view]: a saved index is searched through a read-only view of its file
 * (Note [Memory-mapped index] in vector-index.ts). Loading the file into memory at the first
 * change held the engine's thread for 178 ms at 100k photos and 1.9 s at 1M, in front of
 * whatever search came next, and then kept the whole graph in memory. So the changes go to a
 * small graph of their own, and searches ask both: the view, less the photos removed or replaced
 * since (`dropped`), and the changes. Saving merges them on a worker thread
 * (graph-merge-thread.ts), which loads the file, applies the changes and writes the merged
 * graph; the index then views that file, with the changes made meanwhile laid over it.
 */
import { startWorker } from '../core/worker-thread.js';
import type { Int8Graph, GraphSettings } from './int8-graph.js';
import type { ScoredImage } from './vector-matrix.js';

/** What a merge is given: the saved file, where to write, and the changes to apply to it. */
export interface MergeJob {
  settings: GraphSettings;
  base: string;
  out: string;
  /** Keys of the saved graph to remove: removed or replaced since. */
  dropped: BigUint64Array;
  /** Keys added since, and their vectors as the graph holds them (row-major). */
  keys: BigUint64Array;
  rows: Int8Array;
  threads: number;
}

export type MergeReply = { kind: 'merged'; count: number; sha256: string } | { kind: 'failed'; message: string; code?: string };

type Change = { kind: 'add'; keys: BigUint64Array; rows: Int8Array } | { kind: 'remove'; keys: BigUint64Array };

export class LayeredGraph {
  private readonly changes: Int8Graph;
  /** The changed keys' vectors as the graph holds them, for the merge. */
  private readonly rows = new Map<number, Int8Array>();
  /** Keys of the view that are removed or replaced. */
  private readonly dropped = new Set<number>();
  /** Changes since `snapshot()`, while a merge runs: laid over the merged file by `rebased`. */
  private since: Change[] | null = null;

  constructor(
    private readonly base: Int8Graph,
    private readonly newGraph: () => Int8Graph,
    private readonly dim: number,
    private readonly threads: number,
  ) {
    this.changes = newGraph();
  }

  size(): number {
    return this.base.size() - this.dropped.size + this.changes.size();
  }

  contains(keys: BigUint64Array): boolean[] {
    const [changed, saved] = [this.changes.contains(keys), this.base.contains(keys)];
    return Array.from(keys, (key, row) => (changed[row] as boolean) || ((saved[row] as boolean) && !this.dropped.has(Number(key))));
  }

  /** Adds or replaces vectors. */
  add(keys: BigUint64Array, vectors: Float32Array | readonly Float32Array[]): void {
    this.apply({ kind: 'add', keys, rows: this.changes.rows(vectors) });
  }

  remove(keys: BigUint64Array): void {
    this.apply({ kind: 'remove', keys });
  }

  private apply(change: Change): void {
    this.since?.push(change);
    const { keys } = change;
    const changed = this.changes.contains(keys);
    const again = keys.filter((_, row) => changed[row]);
    if (again.length) this.changes.remove(again);
    for (const key of again) this.rows.delete(Number(key));
    const saved = this.base.contains(keys);
    keys.forEach((key, row) => saved[row] && this.dropped.add(Number(key)));
    if (change.kind === 'remove') return;
    this.changes.addRows(keys, change.rows, this.threads);
    keys.forEach((key, row) => this.rows.set(Number(key), change.rows.slice(row * this.dim, (row + 1) * this.dim)));
  }

  /** The `k` nearest images to one unit query, best first, from the view and the changes. */
  nearest(query: Float32Array, k: number): ScoredImage[] {
    const changed = this.changes.size() > 0 ? this.changes.nearest(query, Math.min(k, this.changes.size())) : [];
    const saved = this.base.size();
    let kept: ScoredImage[] = [];
    // Dropped keys are seldom near a query: ask for more only when some were among those found.
    for (let ask = Math.min(k, saved); ask > 0; ask = Math.min(saved, 2 * ask)) {
      const found = this.base.nearest(query, ask);
      kept = found.filter((hit) => !this.dropped.has(hit.imageId));
      if (kept.length >= k || found.length < ask || ask === saved) break;
    }
    return [...kept, ...changed].sort((a, b) => b.score - a.score).slice(0, k);
  }

  /** The changes to merge into the saved file; those made after this are noted for `rebased`. */
  snapshot(): Pick<MergeJob, 'dropped' | 'keys' | 'rows'> {
    this.since = [];
    const rows = new Int8Array(this.rows.size * this.dim);
    let row = 0;
    for (const vector of this.rows.values()) rows.set(vector, row++ * this.dim);
    return { dropped: BigUint64Array.from(this.dropped, BigInt), keys: BigUint64Array.from(this.rows.keys(), BigInt), rows };
  }

  /** The changes made since `snapshot()`, laid over `base`: a view of the file they were merged into. */
  rebased(base: Int8Graph): LayeredGraph {
    const next = new LayeredGraph(base, this.newGraph, this.dim, this.threads);
    for (const change of this.since ?? []) next.apply(change);
    this.since = null;
    return next;
  }

  /** The merge of the last snapshot was not kept: nothing to carry over. */
  forgetSnapshot(): void {
    this.since = null;
  }
}

/** Writes the merge of `job` to `job.out` on a worker thread; resolves with the merged graph's size and SHA-256. */
export function mergeGraph(job: MergeJob): Promise<{ count: number; sha256: string }> {
  const worker = startWorker(import.meta.url, 'graph-merge-thread', job, [job.dropped.buffer, job.keys.buffer, job.rows.buffer] as ArrayBuffer[]);
  return new Promise((resolve, reject) => {
    worker.once('message', (reply: MergeReply) => {
      if (reply.kind === 'merged') resolve(reply);
      else reject(Object.assign(new Error(`Merging the vector index failed: ${reply.message}`), { code: reply.code }));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`The thread merging the vector index stopped (exit code ${code}).`)));
  });
}

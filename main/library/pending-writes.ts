import type { FailedFile, IndexedFile } from '../storage/library-store.js';
import type { IndexOptions, IndexProgress, IndexTarget } from './indexer.js';

/**
 * What the run has done and not written yet. It is written in batched transactions as it comes
 * (Note [Resume] in indexer.ts): every `writeBatch` rows, or a second after the last write.
 */
export class PendingWrites {
  readonly indexed: IndexedFile[] = [];
  /** Contents embedded and waiting in the next batch to be written: a file of one met now shares it too. */
  readonly unwritten = new Map<string, IndexedFile>();
  private written = 0;
  private storageFailed = false;
  private lastFlush = Date.now();

  constructor(
    private readonly target: IndexTarget,
    private readonly options: IndexOptions,
    private readonly progress: IndexProgress,
    readonly failed: FailedFile[],
    /** A write that fails stops the run. */
    private readonly stopRun: (error: unknown) => void,
  ) {}

  /** Files written so far: what a run that stops says it kept. */
  get stored(): number {
    return this.written;
  }

  flush(): void {
    if (this.storageFailed || (this.indexed.length === 0 && this.failed.length === 0)) return;
    const indexed = this.indexed.splice(0);
    try {
      this.target.vectors.add(this.target.store.writeBatch(this.target.model.id, indexed, this.failed.splice(0)));
      // Written: a file of these contents met from now on finds its image stored.
      this.unwritten.clear();
    } catch (error) {
      this.storageFailed = true;
      this.stopRun(error);
      throw error;
    }
    this.written += indexed.length;
    this.progress.indexed = this.written;
    this.lastFlush = Date.now();
    if (indexed.length > 0) this.options.onStored?.();
  }

  flushIfDue(): void {
    if (this.indexed.length + this.failed.length >= (this.options.writeBatch ?? 64) || Date.now() - this.lastFlush > 1000) this.flush();
  }
}

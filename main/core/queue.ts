/**
 * A bounded first-in-first-out queue between a producer and a consumer that run at different
 * speeds (decoding photos on libuv's pool, inference on ONNX Runtime's threads).
 *
 * Note [Bounded pipeline]: the producer waits when the queue is full (memory stays bounded
 * however fast decoding is). The consumer takes whatever is ready, up to a batch, as soon as it
 * holds `atLeast` items: one by default (embedding a list of files), a whole batch for the
 * indexer (Note [Whole batches] in library/index-pipeline.ts).
 *
 * Note [A consumer that fails]: producers waiting on a full queue would wait forever once the
 * consumer stops taking; with nothing else pending, Node then exits quietly with status 0, as
 * if the work were done. So a consumer that fails aborts the queue: every waiting and later
 * `push` rejects with the consumer's error, and producers stop where they are.
 */
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private closed = false;
  private failure: { reason: unknown } | null = null;
  private wakeConsumer: (() => void) | null = null;
  private readonly waitingProducers: Array<() => void> = [];

  constructor(private readonly capacity: number) {
    if (capacity < 1) throw new RangeError('capacity must be at least 1');
  }

  /** True once closed or aborted: producers can stop early. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Adds an item, waiting while the queue is full. Items pushed after `close` are dropped; after
   * `abort`, this rejects with the abort's reason.
   */
  async push(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.closed) {
      await new Promise<void>((resolve) => this.waitingProducers.push(resolve));
    }
    if (this.failure) throw this.failure.reason;
    if (this.closed) return;
    this.items.push(item);
    this.wakeConsumer?.();
  }

  /** No more items will come; a waiting consumer gets what is left, then an empty batch. */
  close(): void {
    this.closed = true;
    this.wakeConsumer?.();
    for (const resolve of this.waitingProducers.splice(0)) resolve();
  }

  /** The consumer gave up (Note [A consumer that fails]): pending items are dropped. */
  abort(reason: unknown): void {
    this.failure ??= { reason };
    this.items.length = 0;
    this.close();
  }

  /**
   * Waits for at least `atLeast` items (or the end) and takes up to `max`. Empty means closed
   * and drained.
   */
  async take(max: number, atLeast = 1): Promise<T[]> {
    while (this.items.length < Math.min(atLeast, this.capacity) && !this.closed) {
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
      this.wakeConsumer = null;
    }
    const batch = this.items.splice(0, max);
    for (const resolve of this.waitingProducers.splice(0)) resolve();
    return batch;
  }
}

/**
 * A bounded first-in-first-out queue between a producer and a consumer that run at different
 * speeds (decoding photos on libuv's pool, inference on ONNX Runtime's threads).
 *
 * Note [Bounded pipeline]: the producer waits when the queue is full (memory stays bounded
 * however fast decoding is), the consumer takes whatever is ready, up to a batch, as soon as
 * anything is (inference never idles waiting to fill a batch while decoded photos wait).
 */
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private closed = false;
  private wakeConsumer: (() => void) | null = null;
  private readonly waitingProducers: Array<() => void> = [];

  constructor(private readonly capacity: number) {
    if (capacity < 1) throw new RangeError('capacity must be at least 1');
  }

  /** Adds an item, waiting while the queue is full. Items pushed after `close` are dropped. */
  async push(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.closed) {
      await new Promise<void>((resolve) => this.waitingProducers.push(resolve));
    }
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

  /** Waits for at least one item (or the end) and takes up to `max`. Empty means closed and drained. */
  async take(max: number): Promise<T[]> {
    while (this.items.length === 0 && !this.closed) {
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
      this.wakeConsumer = null;
    }
    const batch = this.items.splice(0, max);
    for (const resolve of this.waitingProducers.splice(0)) resolve();
    return batch;
  }
}

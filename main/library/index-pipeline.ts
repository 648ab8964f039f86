/**
 * The middle of an index run (indexer.ts): producers identify and decode photos, several at
 * once, and one consumer embeds them in batches, through a bounded queue (Note [Bounded
 * pipeline] in core/queue.ts). What a producer does with a photo and what the consumer keeps of
 * a batch are the run's; here is how they share the work, the CPU and the model, and how a
 * failure of any of them stops them all.
 *
 * Note [Sharing the CPU]: with the image tower on a GPU, decoding (on the CPU) overlaps
 * inference. With the tower on the CPU they take turns instead: no new decode starts while
 * inference runs. Each then has every core to itself, and the pipeline reaches the shared-core
 * bound 1 / (1/model + decode_cpu/cores): overlapped, ONNX Runtime's threads compete with
 * decoding for the same cores, and each of its parallel operations waits for its slowest thread
 * (measured by `npm run bench -- index`, with a naive sequential pipeline).
 *
 * Note [Whole batches]: inference waits for a whole batch on every provider; only a run's last
 * batch may be smaller. A GPU provider prepares its kernels for each input shape the first time
 * it meets one (on the GPU machine, WebGPU and ViT-B/32: about 25 ms beyond the run itself), and
 * a run's time shrinks little with its batch (on an H100 earlier: 20 ms for one photo, 39 ms for
 * 32). Taking whatever was decoded, as the GPU path once did, gave batches of every size from 1
 * up: end to end reached 0.73 and 0.79 of decoding alone at batches of 32 and 64; with whole
 * batches, 0.80 and 0.82 (`npm run bench -- gpu`, 12-04). The GPU outruns decoding, so waiting
 * for a whole batch costs no throughput.
 */
import { BoundedQueue } from '../core/queue.js';
import type { ClipModel } from '../models/clip.js';
import type { IndexedFile } from '../storage/library-store.js';
import { ModelFailure } from './failures.js';
import type { WorkItem } from './walk.js';

/** A photo decoded, on its way to the model. */
export interface Decoded {
  file: Omit<IndexedFile, 'vector'>;
  tensor: Float32Array;
  contentHash: string;
  thumbnail: Buffer | null;
}

/**
 * Photos per model run unless asked otherwise. On a GPU, whole batches of 16, 32 and 64 reached
 * 0.73, 0.80 and 0.82 of decoding alone end to end (`npm run bench -- gpu`, 12-04); 64 also beat
 * 32 in the run before, by little. On the CPU, 16 a batch reaches the shared-core bound
 * (`npm run bench -- index`, Note [Sharing the CPU]).
 */
const CPU_BATCH = 16;
const GPU_BATCH = 64;

/** What the run does at each end of the pipeline. */
export interface PipelineSteps {
  /** Photos at the head of the work that go first, one at a time, before the producers start. */
  suspects: number;
  /** Producers at once. */
  producers: number;
  /** A producer's work on one photo: it may push it decoded, or put photos back on the work. */
  workOn: (item: WorkItem) => Promise<void>;
  /** The consumer: takes batches and embeds them until `takeBatch` comes back empty. */
  consume: () => Promise<void>;
}

/** One run's pipeline: its work, the queue between the producers and the consumer, and what stopped them. */
export class IndexPipeline {
  private readonly batchSize: number;
  private readonly queue: BoundedQueue<Decoded>;
  private firstFailure: { error: unknown } | null = null;
  private modelRun: Promise<unknown> | null = null;
  /** The next photo of the work: a producer claims it before it awaits anything. */
  private next = 0;

  constructor(
    private readonly model: ClipModel,
    /** The photos to work on; the run puts some back meanwhile. */
    private readonly work: WorkItem[],
    private readonly sharesCpu: boolean,
    batchSize: number | undefined,
  ) {
    this.batchSize = batchSize ?? (sharesCpu ? CPU_BATCH : GPU_BATCH);
    this.queue = new BoundedQueue<Decoded>(this.batchSize * 2);
  }

  /** What stopped the run (a cancel, a failure of the disk or the model), first come; null while it goes on. */
  get stoppedBy(): { error: unknown } | null {
    return this.firstFailure;
  }

  /** Set while the model runs on the CPU: no new decode starts meanwhile (Note [Sharing the CPU]). */
  get inferring(): Promise<unknown> | null {
    return this.modelRun;
  }

  /** Stops every producer and the consumer at once (Note [A consumer that fails] in core/queue.ts). */
  stop(error: unknown): void {
    this.firstFailure ??= { error };
    this.queue.abort(this.firstFailure.error);
  }

  /** Puts photos back on the work, to be worked on after what is there. */
  requeue(items: readonly WorkItem[]): void {
    this.work.push(...items);
  }

  /** Hands a decoded photo to the consumer, waiting while the queue is full; rejects once the run has stopped. */
  push(decoded: Decoded): Promise<void> {
    return this.queue.push(decoded);
  }

  /** The next whole batch (Note [Whole batches]); empty once the work is done. */
  takeBatch(): Promise<Decoded[]> {
    return this.queue.take(this.batchSize, this.batchSize);
  }

  /** Embeds `batch`, one vector a photo; on the CPU, decoding waits meanwhile (Note [Sharing the CPU]). */
  embed(batch: readonly Decoded[]): Promise<Float32Array[]> {
    const running = this.runModel(batch.map((item) => item.tensor));
    if (this.sharesCpu) this.modelRun = running.catch(() => {}).finally(() => (this.modelRun = null));
    return running;
  }

  /** Runs the suspects one at a time, then the producers beside the consumer; ends once every one of them has stopped. */
  async run(steps: PipelineSteps): Promise<void> {
    const consuming = steps.consume().catch((error: unknown) => this.stop(error));
    try {
      while (this.next < steps.suspects && !this.firstFailure) await steps.workOn(this.work[this.next++] as WorkItem);
    } catch (error) {
      this.stop(error);
    }
    // Every producer has stopped before the run ends, so none writes after it.
    const produced = await Promise.allSettled(Array.from({ length: Math.max(1, steps.producers) }, () => this.produce(steps.workOn)));
    for (const result of produced) if (result.status === 'rejected') this.stop(result.reason);
    this.queue.close();
    await consuming;
  }

  private async produce(workOn: PipelineSteps['workOn']): Promise<void> {
    while (this.next < this.work.length && !this.firstFailure) {
      // Claim the item before awaiting: the other producers run between awaits.
      await workOn(this.work[this.next++] as WorkItem);
    }
  }

  private async runModel(tensors: Float32Array[]): Promise<Float32Array[]> {
    try {
      const vectors = await this.model.embedTensors(tensors);
      if (vectors.length !== tensors.length) throw new Error(`it returned ${vectors.length} embeddings for ${tensors.length} photos`);
      const wrong = vectors.find((vector) => vector.length !== this.model.dim);
      if (wrong) throw new Error(`it returned ${wrong.length}-dimensional embeddings where ${this.model.dim} dimensions were expected`);
      return vectors;
    } catch (error) {
      throw new ModelFailure(this.model.id, error);
    }
  }
}

/**
 * An ONNX Runtime session that runs on a worker thread of its own.
 *
 * Note [Inference off the event loop]: onnxruntime-node's `run` is synchronous: it returns a
 * promise, but the graph runs on the calling thread, and so does creating a session. An image
 * batch takes half a second on two cores, and in the engine process every search, thumbnail and
 * progress event waited behind it (search round trips of seconds while indexing). So every graph
 * runs in a worker thread of its own, and the event loop stays free for searches: the image
 * tower and OCR at a lower priority (Note [Background priority] in core/worker-thread.ts), the
 * text tower at the normal one. The text tower was on the event loop at first, but loading it
 * held the engine for 1.4 s at launch and a tag's prompts for half a second while a search
 * waited; a query's hop to its thread costs well under a millisecond.
 *
 * Note [Batches handed over]: a message's tensors are copied, on the thread that posts it, unless
 * they are transferred. A batch of 16 photos is 9.6 MB of pixels: its copy held the engine's
 * thread for 4.5-4.9 ms on an idle 2-core machine and 34-48 ms on a busy one, and the Hugging
 * Face image graph sent back its 2.4 MB `last_hidden_state` besides, which nothing reads. So a
 * run asks only for the outputs it reads (`fetches`); the tower's thread always transfers what
 * it sends back (made for this answer alone); and a caller that never reads its inputs again
 * hands them over (`handOver`), unless the run may be retried on the CPU with the same inputs
 * (Note [Providers] in session.ts), when they are copied as before. Searches while indexing were
 * no faster for it on the 2-core machine (`npm run bench -- app`, 12-04): the copies were never
 * among the engine's longest pauses.
 *
 * Note [Runs in one message]: a graph with a fixed batch of 1 (Immich's text towers) runs once per
 * text, and the template editor embeds 8 texts a keystroke. Sent one by one, each run waited for
 * the event loop to send the next, and the loop's garbage collections (10-16 ms, every few
 * keystrokes of the live preview) landed between them. So a request carries a list of inputs, run
 * back to back on the thread, and the texts of a keystroke cross to it once.
 */
import ort from 'onnxruntime-node';
import { ThreadRequests, startWorker, type ThreadAnswer } from '../core/worker-thread.js';
import type { TensorInfo } from './session.js';

export type Feeds = Record<string, ort.Tensor>;

export interface RunOptions {
  /** The outputs wanted (default: all); the others never cross back (Note [Batches handed over]). */
  fetches?: readonly string[] | undefined;
  /** Moves the inputs' memory to the graph's thread instead of copying it: they are unusable afterwards. */
  transfer?: boolean;
}

export interface SessionRunner {
  readonly inputs: TensorInfo[];
  readonly outputs: TensorInfo[];
  /** How long ONNX Runtime took to create the session, on the thread that runs it (ms). */
  readonly startMs: number;
  /** Runs the graph on each of `feeds` in turn (Note [Runs in one message]). */
  run(feeds: readonly Feeds[], options?: RunOptions): Promise<Feeds[]>;
  release(): Promise<void>;
}

/** A tensor as it crosses between threads (ort.Tensor itself does not survive a structured clone). */
export interface WireTensor {
  type: ort.Tensor.Type;
  data: ort.Tensor.DataType;
  dims: readonly number[];
}

export interface ThreadStart {
  modelPath: string;
  options: ort.InferenceSession.SessionOptions;
  /** Background work: the thread lowers its priority. */
  background: boolean;
}

export type ThreadRequest = { kind: 'run'; id: number; feeds: Array<Record<string, WireTensor>>; fetches: readonly string[] | undefined } | { kind: 'release' };

export type ThreadReply =
  | { kind: 'ready'; inputs: TensorInfo[]; outputs: TensorInfo[]; startMs: number }
  | { kind: 'failed'; message: string }
  | ThreadAnswer<Array<Record<string, WireTensor>>>
  | { kind: 'released' };

export const toWire = (tensors: Record<string, ort.Tensor>): Record<string, WireTensor> =>
  Object.fromEntries(Object.entries(tensors).map(([name, tensor]) => [name, { type: tensor.type, data: tensor.data, dims: tensor.dims }]));

export const fromWire = (tensors: Record<string, WireTensor>): Record<string, ort.Tensor> =>
  Object.fromEntries(Object.entries(tensors).map(([name, wire]) => [name, new ort.Tensor(wire.type, wire.data as Float32Array, wire.dims)]));

/** The memory behind `tensors`, each buffer once, to transfer with a message (Note [Batches handed over]). */
export const buffersOf = (tensors: ReadonlyArray<Record<string, ort.Tensor>>): ArrayBuffer[] => [
  ...new Set(tensors.flatMap((each) => Object.values(each).flatMap(({ data }) => (ArrayBuffer.isView(data) && data.buffer instanceof ArrayBuffer ? [data.buffer] : [])))),
];

/** Starts `modelPath` on a new thread; rejects with ONNX Runtime's message if it cannot load. */
export function startThreadedSession(modelPath: string, options: ort.InferenceSession.SessionOptions, background: boolean): Promise<SessionRunner> {
  const worker = startWorker(import.meta.url, 'inference-thread', { modelPath, options, background } satisfies ThreadStart);
  let released: (() => void) | null = null;
  return new Promise<SessionRunner>((resolveStart, rejectStart) => {
    const requests = new ThreadRequests<Array<Record<string, WireTensor>>>(worker, `the inference thread for ${modelPath}`, (error) => {
      rejectStart(error);
      released?.();
    });
    worker.on('message', (reply: ThreadReply) => {
      switch (reply.kind) {
        case 'ready':
          requests.idleIfDone();
          resolveStart({
            inputs: reply.inputs,
            outputs: reply.outputs,
            startMs: reply.startMs,
            run: (feeds, { fetches, transfer } = {}) =>
              requests.send((id) => ({ kind: 'run', id, feeds: feeds.map(toWire), fetches }) satisfies ThreadRequest, transfer ? buffersOf(feeds) : []).then((outputs) => outputs.map(fromWire)),
            release: () =>
              new Promise<void>((resolve) => {
                released = resolve;
                worker.ref();
                worker.postMessage({ kind: 'release' } satisfies ThreadRequest);
              }).then(() => worker.terminate().then(() => {})),
          });
          return;
        case 'failed':
          rejectStart(new Error(reply.message));
          void worker.terminate();
          return;
        case 'result':
        case 'error':
          requests.settle(reply);
          return;
        case 'released':
          released?.();
      }
    });
  });
}

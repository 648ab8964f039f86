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
 * waited; a query's hop to its thread costs well under a millisecond. Tensors are copied across,
 * not transferred: a provider that fails at run time is retried on the CPU with the same inputs
 * (Note [Providers] in session.ts).
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

export interface SessionRunner {
  readonly inputs: TensorInfo[];
  readonly outputs: TensorInfo[];
  /** How long ONNX Runtime took to create the session, on the thread that runs it (ms). */
  readonly startMs: number;
  /** Runs the graph on each of `feeds` in turn (Note [Runs in one message]). */
  run(feeds: readonly Feeds[]): Promise<Feeds[]>;
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

export type ThreadRequest = { kind: 'run'; id: number; feeds: Array<Record<string, WireTensor>> } | { kind: 'release' };

export type ThreadReply =
  | { kind: 'ready'; inputs: TensorInfo[]; outputs: TensorInfo[]; startMs: number }
  | { kind: 'failed'; message: string }
  | ThreadAnswer<Array<Record<string, WireTensor>>>
  | { kind: 'released' };

export const toWire = (tensors: Record<string, ort.Tensor>): Record<string, WireTensor> =>
  Object.fromEntries(Object.entries(tensors).map(([name, tensor]) => [name, { type: tensor.type, data: tensor.data, dims: tensor.dims }]));

export const fromWire = (tensors: Record<string, WireTensor>): Record<string, ort.Tensor> =>
  Object.fromEntries(Object.entries(tensors).map(([name, wire]) => [name, new ort.Tensor(wire.type, wire.data as Float32Array, wire.dims)]));

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
            run: (feeds) => requests.send((id) => ({ kind: 'run', id, feeds: feeds.map(toWire) }) satisfies ThreadRequest).then((outputs) => outputs.map(fromWire)),
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

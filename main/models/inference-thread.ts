/**
 * The worker thread behind a threaded session (Note [Inference off the event loop] in
 * threaded-session.ts): one ONNX Runtime session, run on request, one request at a time.
 *
 * The graphs run here are background work (indexing, reading text) unless asked otherwise: Note
 * [Background priority] in core/worker-thread.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { messageOf } from '../core/errors.js';
import { lowerThisThreadsPriority } from '../core/worker-thread.js';
import { startOnThisThread } from './session.js';
import { buffersOf, fromWire, toWire, type ThreadReply, type ThreadRequest, type ThreadStart } from './threaded-session.js';

const port = parentPort;
if (!port) throw new Error('inference-thread runs only as a worker thread');
/** `transfer`: buffers moved to the caller instead of copied. */
const reply = (message: ThreadReply, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const { modelPath, options, background } = workerData as ThreadStart;
// Before ONNX Runtime starts its thread pool, whose threads inherit the priority.
if (background) lowerThisThreadsPriority();

// No top-level await: the command-line build is CommonJS.
startOnThisThread(modelPath, options).then(
  (session) => {
    port.on('message', (request: ThreadRequest) => {
      if (request.kind === 'release') {
        void session.release().finally(() => reply({ kind: 'released' }));
        return;
      }
      session.run(request.feeds.map(fromWire), { fetches: request.fetches }).then(
        // Made for this answer alone: moved, not copied (Note [Batches handed over]).
        (outputs) => reply({ kind: 'result', id: request.id, value: outputs.map(toWire) }, buffersOf(outputs)),
        (error: unknown) => reply({ kind: 'error', id: request.id, message: messageOf(error) }),
      );
    });
    reply({ kind: 'ready', inputs: session.inputs, outputs: session.outputs, startMs: session.startMs });
  },
  (error: unknown) => reply({ kind: 'failed', message: messageOf(error) }),
);

/**
 * The worker thread behind a threaded session (Note [Inference off the event loop] in
 * threaded-session.ts): one ONNX Runtime session, run on request, one request at a time.
 *
 * Note [Background priority]: the graphs run here are background work (indexing, reading text),
 * so on Linux the thread lowers its own priority before ONNX Runtime starts its thread pool, whose
 * threads inherit it: a search's text tower, on its thread at normal priority, then gets the
 * cores first when both want them. Linux keeps a priority per thread; macOS and Windows would
 * apply it to the whole process, searches included, so there it is left alone and searches rely
 * on Note [Searches first] only.
 */
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { messageOf } from '../core/errors.js';
import { startOnThisThread } from './session.js';
import { fromWire, toWire, type ThreadReply, type ThreadRequest, type ThreadStart } from './threaded-session.js';

const port = parentPort;
if (!port) throw new Error('inference-thread runs only as a worker thread');
const reply = (message: ThreadReply) => port.postMessage(message);
const { modelPath, options, background } = workerData as ThreadStart;
const BACKGROUND_NICENESS = 10;
// Only ever lowered: raising it back (a process started with `nice`) needs privileges.
if (background && process.platform === 'linux' && os.getPriority(0) < BACKGROUND_NICENESS) os.setPriority(0, BACKGROUND_NICENESS);

// No top-level await: the command-line build is CommonJS.
startOnThisThread(modelPath, options).then(
  (session) => {
    port.on('message', (request: ThreadRequest) => {
      if (request.kind === 'release') {
        void session.release().finally(() => reply({ kind: 'released' }));
        return;
      }
      session.run(request.feeds.map(fromWire)).then(
        (outputs) => reply({ kind: 'result', id: request.id, outputs: outputs.map(toWire) }),
        (error: unknown) => reply({ kind: 'error', id: request.id, message: messageOf(error) }),
      );
    });
    reply({ kind: 'ready', inputs: session.inputs, outputs: session.outputs });
  },
  (error: unknown) => reply({ kind: 'failed', message: messageOf(error) }),
);

/**
 * The worker thread that merges a saved graph with the changes kept beside its view (Note
 * [Changes beside the view] in layered-graph.ts), in the background (Note [Background priority]
 * in core/worker-thread.ts), and hashes what it wrote (Note [Trusted files] in vector-index.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { codeOf, messageOf } from '../core/errors.js';
import { lowerThisThreadsPriority } from '../core/worker-thread.js';
import { fileSha256 } from '../core/file-stamp.js';
import { Int8Graph } from './int8-graph.js';
import type { MergeJob, MergeReply } from './layered-graph.js';

const port = parentPort;
if (!port) throw new Error('graph-merge-thread runs only as a worker thread');
const reply = (message: MergeReply) => port.postMessage(message);
const failed = (error: unknown) => {
  const code = codeOf(error);
  reply({ kind: 'failed', message: messageOf(error), ...(code ? { code } : {}) });
};

// No top-level await: the command-line build is CommonJS.
async function merge({ settings, base, out, dropped, keys, rows, threads }: MergeJob): Promise<void> {
  lowerThisThreadsPriority();
  const graph = new Int8Graph(settings);
  graph.load(base);
  const saved = graph.contains(dropped);
  const gone = dropped.filter((_, row) => saved[row]);
  if (gone.length) graph.remove(gone);
  if (keys.length) graph.addRows(keys, rows, threads);
  graph.save(out);
  reply({ kind: 'merged', count: graph.size(), sha256: await fileSha256(out) });
}

merge(workerData as MergeJob).catch(failed);

/**
 * The engine's process, loaded by its entry (engine-process.ts): owns the `Engine` (library,
 * models, onnxruntime, jobs) so that indexing and inference never block the main process or the
 * UI. Speaks the protocol of rpc.ts over Electron's `process.parentPort` in the app, or over
 * Node's IPC channel when preview mode forks it. Its settings come as arguments (see engineArgs).
 */
import type { AppEvent } from '../../preload/contract.js';
import { engineCallSchemas, engineHandlers } from '../engine/calls.js';
import { Engine } from '../engine/engine.js';
import { ModelSession } from '../models/session.js';
import { engineLog as log, parseEngineArgs } from './engine-args.js';
import { serveRpc, type ParentPort } from './rpc.js';
import { rememberTextTower } from './text-tower-hint.js';

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

/** Messages Node's IPC channel has not written yet: it writes a large one in pieces, as the parent reads. */
let unsent = 0;
let whenSent: Array<() => void> = [];

function sent(): void {
  if (--unsent > 0) return;
  for (const resolve of whenSent) resolve();
  whenSent = [];
}

/** Resolves once every message posted so far has gone out (at once with Electron's port, which takes a message whole). */
function allSent(): Promise<void> {
  return new Promise((resolve) => (unsent === 0 ? resolve() : whenSent.push(resolve)));
}

/** Electron's parent port in the app; Node's IPC channel when forked by preview mode. */
function parentPort(): ParentPort | null {
  const electron = (process as { parentPort?: ElectronParentPort }).parentPort;
  if (electron) return { postMessage: (message) => electron.postMessage(message), onMessage: (listener) => electron.on('message', (event) => listener(event.data)) };
  const send = process.send?.bind(process);
  if (send) {
    const post = (message: unknown) => {
      unsent++;
      send(message, undefined, undefined, sent);
    };
    return { postMessage: post, onMessage: (listener) => process.on('message', listener) };
  }
  return null;
}

const port = parentPort();
const args = parseEngineArgs(process.argv);
if (!port || !args) {
  log("This file runs only as Lumen's engine process, started by the app with --data-dir=<folder>.");
  process.exit(2);
}

/**
 * Note [Photos first]: the warm start (Note [Warm start] in engine.ts) starts the text tower's
 * graph at once, on its own thread; the rest of it (the tokenizer, built on a thread of its own,
 * and the vector index, opened on this thread) takes the cores or this process's only thread
 * while the first screen is drawn, and a call that arrives meanwhile waits. So that part begins
 * once the renderer has gone quiet after its first
 * timeline (its first screen, Note [First screen first] in the renderer's library.svelte.ts, and
 * their thumbnails served): QUIET_MS without a call or an answer. It begins WARM_START_LATEST_MS
 * after launch at the latest (the app opened on another screen, or a busy renderer).
 */
const WARM_START_LATEST_MS = 3000;
const QUIET_MS = 150;
/** The whole re-scan of Note [Catch up at launch] starts this long after the warm start: a launch's first searches come before its walk. */
const CATCH_UP_AFTER_MS = 2000;
let lastCall = 0;
let warming = false;
function warmUp(): void {
  if (warming) return;
  warming = true;
  // A failure here is the first real call's to report.
  void engine
    .warmUp()
    .catch(() => {})
    .then(() => setTimeout(() => void engine.catchUp().catch(() => {}), CATCH_UP_AFTER_MS));
}
function warmUpWhenQuiet(): void {
  const wait = lastCall + QUIET_MS - performance.now();
  if (wait <= 0) warmUp();
  else setTimeout(warmUpWhenQuiet, wait);
}
/** The port, noting when calls come and answers go (not events). */
const watched: ParentPort = {
  postMessage: (message) => {
    if (!(message as { event?: unknown }).event) lastCall = performance.now();
    port.postMessage(message);
  },
  onMessage: (listener) =>
    port.onMessage((message) => {
      lastCall = performance.now();
      listener(message);
    }),
};

let emit: (event: AppEvent) => void = () => {};
const engine = new Engine({ ...args, watch: true, app: true, onEvent: (event) => emit(event), log });
/** Starts the text tower and records it for the next launch (Note [Text tower first] in engine-process.ts). */
const startTextTower = async (): Promise<void> => {
  try {
    const plan = await engine.startTextModel();
    if (plan) await rememberTextTower(args.dataDir, plan);
  } finally {
    // What the entry started early and the engine did not take (a model no longer in use, or
    // none that could start) is released whether or not the engine's own start succeeded.
    await ModelSession.releaseUnclaimed();
  }
};
// A failure here is the first real call's to report; a record not written costs the next launch its head start only.
void startTextTower().catch(() => {});
const handlers = engineHandlers(engine);
let timelineAnswered = false;
const timelineThenWarm: typeof handlers['photos.timeline'] = async (params) => {
  try {
    return await handlers['photos.timeline'](params);
  } finally {
    if (!timelineAnswered) {
      timelineAnswered = true;
      // Once the answer has gone out (it is posted in the microtask after this one).
      setImmediate(() => void allSent().then(warmUpWhenQuiet));
    }
  }
};
emit = serveRpc(watched, { ...handlers, 'photos.timeline': timelineThenWarm }, engineCallSchemas, log);
// Preview mode's parent going away ends this process too.
process.on('disconnect', () => void engine.dispose().finally(() => process.exit(0)));
// Ctrl+C in a terminal signals the whole process group, this process too. Its parent stops it
// in order (a `dispose` call, or going away), with the vector index saved: not the signal.
process.on('SIGINT', () => {});
log(`ready (data folder ${args.dataDir})`);
setTimeout(warmUp, WARM_START_LATEST_MS);

/**
 * Entry of the engine's process (out/main/engine-process.js): owns the `Engine` (library, models,
 * onnxruntime, jobs) so that indexing and inference never block the main process or the UI.
 * Speaks the protocol of rpc.ts over Electron's `process.parentPort` in the app, or over Node's
 * IPC channel when preview mode forks it. Its settings come as arguments (see engineArgs).
 */
import '../core/threadpool.js';
import type { AppEvent } from '../../preload/contract.js';
import { engineCallSchemas, engineHandlers } from '../engine/calls.js';
import { Engine } from '../engine/engine.js';
import { parseEngineArgs } from './engine-args.js';
import { serveRpc, type ParentPort } from './rpc.js';

function log(message: string): void {
  console.error(`[engine] ${message}`);
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

/** Electron's parent port in the app; Node's IPC channel when forked by preview mode. */
function parentPort(): ParentPort | null {
  const electron = (process as { parentPort?: ElectronParentPort }).parentPort;
  if (electron) return { postMessage: (message) => electron.postMessage(message), onMessage: (listener) => electron.on('message', (event) => listener(event.data)) };
  const send = process.send?.bind(process);
  if (send) return { postMessage: (message) => send(message), onMessage: (listener) => process.on('message', listener) };
  return null;
}

const port = parentPort();
const args = parseEngineArgs(process.argv);
if (!port || !args) {
  log("This file runs only as Lumen's engine process, started by the app with --data-dir=<folder>.");
  process.exit(2);
}

let emit: (event: AppEvent) => void = () => {};
const engine = new Engine({ ...args, watch: true, app: true, onEvent: (event) => emit(event), log });
emit = serveRpc(port, engineHandlers(engine), engineCallSchemas, log);
// Preview mode's parent going away ends this process too.
process.on('disconnect', () => void engine.dispose().finally(() => process.exit(0)));
log(`ready (data folder ${args.dataDir})`);
// Note [Warm start] in engine.ts: a failure here is the first real call's to report.
void engine.warmUp().catch(() => {});

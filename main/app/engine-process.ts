/**
 * Entry of the engine's utility process (out/main/engine-process.js): owns the `Engine` (models,
 * onnxruntime, downloads) so that inference never blocks the main process or the UI. Speaks the
 * protocol of rpc.ts over `process.parentPort`. The data folder comes as `--data-dir=<path>`.
 */
import '../core/threadpool.js';
import type { ParentPort as ElectronParentPort } from 'electron';
import type { AppEvent } from '../../preload/contract.js';
import { Engine } from '../engine/engine.js';
import { dataDirFromArgs, engineMethods } from './engine-calls.js';
import { serveRpc, type ParentPort } from './rpc.js';

function log(message: string): void {
  console.error(`[engine] ${message}`);
}

function adapt(port: ElectronParentPort): ParentPort {
  return {
    postMessage: (message) => port.postMessage(message),
    onMessage: (listener) => port.on('message', (event) => listener(event.data)),
  };
}

const dataDir = dataDirFromArgs(process.argv);
if (!process.parentPort || !dataDir) {
  log('This file runs only as the app\'s utility process, started with --data-dir=<folder>.');
  process.exit(2);
}

let emit: (event: AppEvent) => void = () => {};
const engine = new Engine(dataDir, (event) => emit(event), log);
emit = serveRpc(adapt(process.parentPort), engineMethods(engine), log);
log(`ready (data folder ${dataDir})`);

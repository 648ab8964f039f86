/**
 * The main process's handle on the engine utility process: starts it on the first call (and
 * again after it dies), relays its events, and stops it on quit.
 */
// The engine process inherits the pool size (Note [Thread pool]).
import '../core/threadpool.js';
import path from 'node:path';
import { utilityProcess } from 'electron';
import type { AppEvent } from '../../preload/contract.js';
import { engineArgs, type EngineArgs } from './engine-args.js';
import { engineEnv, useHugePages } from './huge-pages.js';
import { withShutdown, type EngineHandle } from './engine-client.js';
import type { EngineCallTable } from './handlers.js';
import { RpcClient, type ChildPort } from './rpc.js';

export function createEngineHost(options: { mainDir: string; args: EngineArgs; onEvent: (event: AppEvent) => void; log: (message: string) => void }): EngineHandle {
  const entry = path.join(options.mainDir, 'engine-process.js');
  const spawn = (): ChildPort => {
    const child = utilityProcess.fork(entry, engineArgs(options.args), { serviceName: 'Lumen engine', stdio: 'inherit', env: engineEnv(useHugePages(options.args.dataDir)) });
    child.on('error', (type, location) => options.log(`Engine process error ${type} at ${location}.`));
    return {
      postMessage: (message) => child.postMessage(message),
      onMessage: (listener) => child.on('message', listener),
      // Electron gives a code alone, a signal's included (11 or 139 for SIGSEGV), so it is said as a code.
      onExit: (listener) => child.on('exit', listener),
      kill: () => child.kill(),
    };
  };
  return withShutdown(new RpcClient<EngineCallTable>(spawn, { onEvent: options.onEvent, log: options.log }));
}

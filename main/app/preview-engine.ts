/**
 * The engine process of preview mode: engine-process.ts forked with Node (and tsx) at once, spoken
 * to over Node's IPC. The app's benchmark forks the built one (out/main/engine-process.js), as the
 * app runs it.
 */
// The engine process inherits the pool size (Note [Thread pool]).
import '../core/threadpool.js';
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppEvent } from '../../preload/contract.js';
import { engineArgs, type EngineArgs } from './engine-args.js';
import { engineEnv, useHugePages } from './huge-pages.js';
import { withShutdown, type EngineHandle } from './engine-client.js';
import type { EngineCallTable } from './handlers.js';
import { RpcClient, type ChildPort, type RpcRequest } from './rpc.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export function forkEngine(args: EngineArgs, onEvent: (event: AppEvent) => void, log: (message: string) => void, entry = path.join(here, 'engine-process.ts')): EngineHandle {
  const spawn = (): ChildPort => {
    const child = fork(entry, engineArgs(args), {
      execArgv: entry.endsWith('.ts') ? ['--import', 'tsx'] : [],
      env: engineEnv(useHugePages(args.dataDir)),
      // Structured clones, as Electron's ports send: byte arrays stay byte arrays.
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    // A message sent as it exits (a shutdown racing its end) fails here: its exit says the rest.
    child.on('error', (error) => log(`The engine process could not be reached: ${error.message}`));
    return {
      postMessage: (message: RpcRequest) => child.send(message),
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => child.on('exit', listener),
      kill: () => child.kill(),
    };
  };
  const client = new RpcClient<EngineCallTable>(spawn, { onEvent, log });
  // As the app does (Note [Engine at launch] in index.ts).
  client.start();
  return withShutdown(client);
}

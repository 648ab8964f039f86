/**
 * The main process's handle on the engine utility process: starts it on the first call (and
 * again after it dies), relays its events, and stops it on quit.
 */
import path from 'node:path';
import { utilityProcess } from 'electron';
import type { AppEvent } from '../../preload/contract.js';
import { engineArgs, type EngineArgs } from './engine-args.js';
import type { EngineCallTable } from './handlers.js';
import { RpcClient, type ChildPort } from './rpc.js';

export type EngineHost = RpcClient<EngineCallTable> & { shutdown(timeoutMs?: number): Promise<void> };

export function createEngineHost(options: { mainDir: string; args: EngineArgs; onEvent: (event: AppEvent) => void; log: (message: string) => void }): EngineHost {
  const entry = path.join(options.mainDir, 'engine-process.js');
  const spawn = (): ChildPort => {
    const child = utilityProcess.fork(entry, engineArgs(options.args), { serviceName: 'Lumen engine', stdio: 'inherit' });
    child.on('error', (type, location) => options.log(`Engine process error ${type} at ${location}.`));
    return {
      postMessage: (message) => child.postMessage(message),
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => child.on('exit', listener),
      kill: () => child.kill(),
    };
  };
  return withShutdown(new RpcClient<EngineCallTable>(spawn, { onEvent: options.onEvent, log: options.log }));
}

/** Lets the engine cancel its jobs and close the library, then stops the process. */
export function withShutdown<T extends RpcClient<EngineCallTable>>(client: T): T & { shutdown(timeoutMs?: number): Promise<void> } {
  return Object.assign(client, {
    async shutdown(timeoutMs = 5000): Promise<void> {
      if (!client.running) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([client.call('dispose', {}).catch(() => undefined), timeout]);
      clearTimeout(timer);
      client.stop();
    },
  });
}

/**
 * The main process's handle on the engine utility process: starts it on the first call (and
 * again after it dies), relays its events, and stops it on quit.
 */
import path from 'node:path';
import { utilityProcess } from 'electron';
import type { AppEvent } from '../../preload/contract.js';
import type { EngineCalls } from './engine-calls.js';
import { RpcClient, type ChildPort } from './rpc.js';

export type EngineHost = RpcClient<EngineCalls> & { shutdown(timeoutMs?: number): Promise<void> };

export function createEngineHost(options: {
  mainDir: string;
  dataDir: string;
  onEvent: (event: AppEvent) => void;
  log: (message: string) => void;
}): EngineHost {
  const entry = path.join(options.mainDir, 'engine-process.js');
  const spawn = (): ChildPort => {
    const child = utilityProcess.fork(entry, [`--data-dir=${options.dataDir}`], { serviceName: 'Lumen engine', stdio: 'inherit' });
    child.on('error', (type, location) => options.log(`Engine process error ${type} at ${location}.`));
    return {
      postMessage: (message) => child.postMessage(message),
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => child.on('exit', listener),
      kill: () => child.kill(),
    };
  };
  const client = new RpcClient<EngineCalls>(spawn, { onEvent: options.onEvent, log: options.log });
  return Object.assign(client, {
    /** Lets the engine abort downloads and free the model, then stops the process. */
    async shutdown(timeoutMs = 3000): Promise<void> {
      if (!client.running) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([client.call('dispose', {}).catch(() => undefined), timeout]);
      clearTimeout(timer);
      client.stop();
    },
  });
}

/** The main process's (or preview mode's) client of the engine process, with a clean shutdown. No Electron here. */
import type { EngineCallTable } from './handlers.js';
import type { RpcClient } from './rpc.js';

export type EngineHandle = RpcClient<EngineCallTable> & { shutdown(timeoutMs?: number): Promise<void> };

/** Lets the engine cancel its jobs and close the library, then stops the process. */
export function withShutdown(client: RpcClient<EngineCallTable>): EngineHandle {
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

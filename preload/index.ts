/**
 * The preload: exposes `window.lumen` (the contract's `LumenApi`) and nothing else: no
 * ipcRenderer, no Node. Built as CommonJS (out/preload/index.cjs) because the page is sandboxed.
 *
 * Only types come from contract.ts: importing it at run time would bundle zod into the preload.
 * The channel names are typed as the contract's constants, so a rename there fails to compile here.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type * as contract from './contract.js';
import type { AppEvent, CallName, CallOutcome, CallParams, LumenApi } from './contract.js';

const IPC_CALL: typeof contract.IPC_CALL = 'lumen:call';
const IPC_EVENT: typeof contract.IPC_EVENT = 'lumen:event';

const api: LumenApi = {
  call<N extends CallName>(name: N, params: CallParams<N>): Promise<CallOutcome<N>> {
    return ipcRenderer.invoke(IPC_CALL, { name, params }) as Promise<CallOutcome<N>>;
  },
  onEvent(listener: (event: AppEvent) => void): () => void {
    const relay = (_event: Electron.IpcRendererEvent, appEvent: AppEvent): void => listener(appEvent);
    ipcRenderer.on(IPC_EVENT, relay);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, relay);
    };
  },
};

contextBridge.exposeInMainWorld('lumen', api);

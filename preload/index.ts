/**
 * The preload: exposes `window.lumen` (the contract's `LumenApi`) and nothing else: no
 * ipcRenderer, no Node. Built as CommonJS (out/preload/index.cjs) because the page is sandboxed.
 *
 * Only types come from contract.ts: importing it at run time would bundle zod into the preload.
 * The channel names are typed as the contract's constants, so a rename there fails to compile here.
 *
 * Note [Dropped folders]: a folder dropped on the window is the one place a path starts in the
 * renderer process. The page never sees or sends it: it hands the dropped `File` objects to
 * `addDroppedFolders`, and this preload asks Electron where each one is (`webUtils`, which only
 * knows files the person really dropped or picked) and sends those paths on a channel of their
 * own, which the main process checks (sender, folders that exist) like any call.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type * as contract from './contract.js';
import type { AppEvent, CallName, CallOutcome, CallParams, LumenApi, PhotoImageKind } from './contract.js';
import { photoPath } from './photo-path.js';

const IPC_CALL: typeof contract.IPC_CALL = 'lumen:call';
const IPC_EVENT: typeof contract.IPC_EVENT = 'lumen:event';
const IPC_DROPPED_FOLDERS: typeof contract.IPC_DROPPED_FOLDERS = 'lumen:dropped-folders';

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
  photoUrl(photoId: number, kind: PhotoImageKind, version?: number): string {
    return `app://lumen${photoPath(photoId, kind, version)}`;
  },
  addDroppedFolders(files: readonly File[]): Promise<CallOutcome<'library.addFromDialog'>> {
    const paths = files.map((file) => webUtils.getPathForFile(file)).filter(Boolean);
    return ipcRenderer.invoke(IPC_DROPPED_FOLDERS, paths) as Promise<CallOutcome<'library.addFromDialog'>>;
  },
};

contextBridge.exposeInMainWorld('lumen', api);

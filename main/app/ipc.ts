/**
 * The one IPC entry point (`IPC_CALL`) and the event relay (`IPC_EVENT`). Checks happen in the
 * pure CallRouter; this file only adapts Electron's objects and supplies the handlers: the
 * folder dialog runs here, everything else is forwarded to the engine process.
 */
import { BrowserWindow, dialog, ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { IPC_CALL, IPC_EVENT, type AppEvent } from '../../preload/contract.js';
import type { EngineHost } from './engine-host.js';
import { CallRouter, type CallHandlers, type SenderInfo } from './router.js';

export function senderInfo(event: IpcMainInvokeEvent, isAppWindow: (contents: WebContents) => boolean): SenderInfo {
  const frame = event.senderFrame;
  return {
    url: frame?.url ?? null,
    isTopFrame: frame !== null && frame.parent === null && frame.frameTreeNodeId === event.sender.mainFrame.frameTreeNodeId,
    fromAppWindow: isAppWindow(event.sender),
  };
}

export function callHandlers(engine: EngineHost, dialogParent: () => BrowserWindow | null): CallHandlers {
  return {
    'app.status': () => engine.call('app.status', {}),
    'models.list': () => engine.call('models.list', {}),
    'models.download': ({ id }) => engine.call('models.download', { id }),
    'models.cancelDownload': ({ id }) => engine.call('models.cancelDownload', { id }),
    'settings.update': (change) => engine.call('settings.update', change),
    'models.importFromDialog': async () => {
      const options: Electron.OpenDialogOptions = {
        title: 'Import a model folder',
        buttonLabel: 'Import',
        properties: ['openDirectory'],
      };
      const parent = dialogParent();
      const choice = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
      const dir = choice.filePaths[0];
      if (choice.canceled || dir === undefined) return null;
      return engine.call('models.import', { dir });
    },
  };
}

export function registerIpc(options: {
  engine: EngineHost;
  allowedOrigins: readonly string[];
  isAppWindow: (contents: WebContents) => boolean;
  log: (message: string) => void;
}): void {
  const handlers = callHandlers(options.engine, () => BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0] ?? null);
  const router = new CallRouter(handlers, options.allowedOrigins, options.log);
  ipcMain.handle(IPC_CALL, (event, request: unknown) => router.handle(senderInfo(event, options.isAppWindow), request));
}

/** Sends an engine event to every open window. */
export function broadcast(event: AppEvent): void {
  for (const window of BrowserWindow.getAllWindows()) {
    if (!window.isDestroyed() && !window.webContents.isDestroyed()) window.webContents.send(IPC_EVENT, event);
  }
}

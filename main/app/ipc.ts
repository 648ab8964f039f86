/**
 * The one IPC entry point (`IPC_CALL`) and the event relay (`IPC_EVENT`). Checks happen in the
 * pure CallRouter and the handlers are the shared table of handlers.ts; this file only adapts
 * Electron's objects and supplies Electron's shell (dialogs, file manager, trash).
 */
import path from 'node:path';
import { BrowserWindow, dialog, ipcMain, shell, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { UserError } from '../core/errors.js';
import { IPC_CALL, IPC_DROPPED_FOLDERS, IPC_EVENT, type AppEvent } from '../../preload/contract.js';
import { callHandlers, type AppShell, type EngineClient } from './handlers.js';
import { CallRouter, type SenderInfo } from './router.js';

export function senderInfo(event: IpcMainInvokeEvent, isAppWindow: (contents: WebContents) => boolean): SenderInfo {
  const frame = event.senderFrame;
  return {
    url: frame?.url ?? null,
    isTopFrame: frame !== null && frame.parent === null && frame.frameTreeNodeId === event.sender.mainFrame.frameTreeNodeId,
    fromAppWindow: isAppWindow(event.sender),
  };
}

function electronShell(dialogParent: () => BrowserWindow | null): AppShell {
  return {
    async pickFolders({ title, buttonLabel, multiple }) {
      const options: Electron.OpenDialogOptions = { title, buttonLabel, properties: multiple ? ['openDirectory', 'multiSelections'] : ['openDirectory'] };
      const parent = dialogParent();
      const choice = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
      return choice.canceled || choice.filePaths.length === 0 ? null : choice.filePaths;
    },
    showInFolder(file) {
      shell.showItemInFolder(file);
      return true;
    },
    async openPath(file) {
      // The system's reason (no app for the type, say) is all it gives: said, not taken for preview mode's "not here".
      const failure = await shell.openPath(file);
      if (failure) throw new UserError('not-found', `The system could not open ${path.basename(file)} (${failure}). Show it in its folder and open it from there.`);
      return true;
    },
    // The file keeps its name in the system trash and can be put back from there.
    moveToTrash: (file) => shell.trashItem(file),
  };
}

export function registerIpc(options: {
  engine: EngineClient;
  allowedOrigins: readonly string[];
  isAppWindow: (contents: WebContents) => boolean;
  log: (message: string) => void;
}): void {
  const shellForWindows = electronShell(() => BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0] ?? null);
  const addFolders = (paths: string[]) => options.engine.call('library.addFolders', { paths });
  const router = new CallRouter(callHandlers(options.engine, shellForWindows, options.log), options.allowedOrigins, options.log, addFolders);
  ipcMain.handle(IPC_CALL, (event, request: unknown) => router.handle(senderInfo(event, options.isAppWindow), request));
  ipcMain.handle(IPC_DROPPED_FOLDERS, (event, paths: unknown) => router.handleDropped(senderInfo(event, options.isAppWindow), paths));
}

/** Sends an engine event to every open window. */
export function broadcast(event: AppEvent): void {
  for (const window of BrowserWindow.getAllWindows()) {
    if (!window.isDestroyed() && !window.webContents.isDestroyed()) window.webContents.send(IPC_EVENT, event);
  }
}

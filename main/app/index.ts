/**
 * Lumen's main process: the only place that imports Electron. Wires the app scheme, the hardened
 * window, the IPC router and the engine's utility process, and owns the app's lifecycle
 * (single instance, quit when the last window closes except on macOS, engine stopped on quit).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { app, BrowserWindow, dialog } from 'electron';
import { registerAppScheme, serveApp } from './app-protocol.js';
import { createEngineHost } from './engine-host.js';
import { broadcast, registerIpc } from './ipc.js';
import { APP_ENTRY_URL, APP_ORIGIN } from './renderer-files.js';
import { originOf } from './router.js';
import { applyDevCsp, denyPermissions, hardenWebContents } from './security.js';
import { electronSqliteBinding, MISSING_BINDING_MESSAGE } from './sqlite-binding.js';
import { createMainWindow } from './window.js';

/** out/main, where this file and engine-process.js are built. */
const mainDir = import.meta.dirname;
const devServerUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];

function log(message: string): void {
  console.log(`[lumen] ${message}`);
}

app.enableSandbox();
registerAppScheme();
hardenWebContents(log);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  start();
}

function start(): void {
  const appContents = new Set<number>();
  let mainWindow: BrowserWindow | null = null;
  // Packaged builds carry Electron's build of better-sqlite3; development uses its own copy (Note [Two ABIs] in sqlite-binding.ts).
  const sqliteBinding = app.isPackaged ? undefined : electronSqliteBinding(app.getAppPath(), process.versions.electron);
  const engine = createEngineHost({
    mainDir,
    args: { dataDir: app.getPath('userData'), resourcesDir: app.isPackaged ? process.resourcesPath : path.join(app.getAppPath(), 'resources'), sqliteBinding },
    onEvent: broadcast,
    log,
  });

  const openWindow = (): void => {
    const window = createMainWindow({
      preloadFile: path.join(mainDir, '../preload/index.cjs'),
      url: devServerUrl ?? APP_ENTRY_URL,
      iconFile: path.join(app.getAppPath(), 'resources/icon.png'),
    });
    const id = window.webContents.id;
    appContents.add(id);
    window.on('closed', () => {
      appContents.delete(id);
      if (mainWindow === window) mainWindow = null;
    });
    mainWindow = window;
  };

  app.on('second-instance', () => {
    if (!mainWindow) return openWindow();
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('activate', () => {
    if (app.isReady() && BrowserWindow.getAllWindows().length === 0) openWindow();
  });

  let engineStopped = false;
  app.on('will-quit', (event) => {
    if (engineStopped) return;
    event.preventDefault();
    void engine.shutdown().finally(() => {
      engineStopped = true;
      app.quit();
    });
  });

  void app.whenReady().then(() => {
    if (sqliteBinding && !existsSync(sqliteBinding)) {
      dialog.showErrorBox('Lumen cannot open your library', MISSING_BINDING_MESSAGE);
      app.exit(1);
      return;
    }
    serveApp(path.join(mainDir, '../renderer'), engine, log);
    denyPermissions();
    const devOrigin = devServerUrl ? originOf(devServerUrl) : null;
    if (devServerUrl) applyDevCsp(devServerUrl);
    registerIpc({
      engine,
      allowedOrigins: devOrigin ? [APP_ORIGIN, devOrigin] : [APP_ORIGIN],
      isAppWindow: (contents) => appContents.has(contents.id),
      log,
    });
    // Note [Engine at launch]: the engine process starts with the window, not at the renderer's
    // first call, so that opening the library and loading the text model (Note [Warm start] in
    // engine.ts) overlap with the window opening and the renderer starting.
    engine.start();
    openWindow();
  });
}

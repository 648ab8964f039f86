/** The main window: sandboxed, isolated, no Node, showing the app scheme or the dev server. */
import path from 'node:path';
import { BrowserWindow, nativeTheme } from 'electron';

export function createMainWindow(options: { preloadFile: string; url: string; iconFile?: string }): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 780,
    minWidth: 640,
    minHeight: 480,
    show: false,
    title: 'Lumen',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#17181c' : '#f6f7f9',
    autoHideMenuBar: true,
    ...(options.iconFile && process.platform === 'linux' ? { icon: options.iconFile } : {}),
    webPreferences: {
      preload: path.resolve(options.preloadFile),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(options.url);
  return window;
}

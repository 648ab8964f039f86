/**
 * Hardening that applies to every web page the app creates: no navigation away from the app, no
 * new windows, no <webview>, no permissions but one. The window links nowhere outside the app,
 * so nothing it asks for is opened elsewhere either (not even in the system browser: a page
 * that was made to ask would otherwise reach any site, as often as it liked).
 *
 * Note [Copying text]: the viewer's "Copy text" writes the text read in a photo to the clipboard
 * with `navigator.clipboard.writeText`, which Chromium lets a page do only with the
 * `clipboard-sanitized-write` permission (and a click). Writing plain text is all it allows;
 * reading the clipboard stays denied like everything else.
 */
import { app, session, type Session } from 'electron';
import { devCsp } from './csp.js';
import { originOf } from './router.js';

export function hardenWebContents(log: (message: string) => void): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      event.preventDefault();
      log(`Blocked navigation to ${url}.`);
    });
    contents.on('will-redirect', (event, url) => {
      event.preventDefault();
      log(`Blocked redirect to ${url}.`);
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      log(`Blocked a new window for ${url}.`);
      return { action: 'deny' };
    });
  });
}

const ALLOWED_PERMISSION = 'clipboard-sanitized-write';

export function denyPermissions(target: Session = session.defaultSession): void {
  target.setPermissionRequestHandler((_contents, permission, callback) => callback(permission === ALLOWED_PERMISSION));
  target.setPermissionCheckHandler((_contents, permission) => permission === ALLOWED_PERMISSION);
  target.setDevicePermissionHandler(() => false);
}

/** In `electron-vite dev`, gives the dev server's pages the (slightly relaxed) dev CSP. */
export function applyDevCsp(devServerUrl: string, target: Session = session.defaultSession): void {
  const origin = originOf(devServerUrl);
  if (!origin) return;
  const policy = devCsp(origin);
  target.webRequest.onHeadersReceived({ urls: [`${origin}/*`] }, (details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [policy] } });
  });
}

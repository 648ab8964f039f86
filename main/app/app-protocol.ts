/**
 * The `app://lumen/` scheme that serves the built renderer (never `file://`) and photos by id.
 * Registered as a standard, secure scheme so that the page has a real origin, and every response
 * carries the CSP. Which renderer file a URL may name is decided by renderer-files.ts (Note
 * [Serve only the renderer]); which photo, by photo-route.ts (Note [Photos by id]).
 */
import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { messageOf } from '../core/errors.js';
import { APP_CSP } from './csp.js';
import type { EngineClient } from './handlers.js';
import { isPhotoPath, loadPhoto } from './photo-route.js';
import { APP_SCHEME, APP_ORIGIN, contentTypeOf, resolveRendererFile } from './renderer-files.js';

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

const SECURITY_HEADERS = {
  'content-security-policy': APP_CSP,
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
};

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' } });
}

/** Serves the renderer's files and photos on the app scheme. Call after the app is ready. */
export function serveApp(rendererDir: string, engine: EngineClient, log: (message: string) => void): void {
  protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed');
    const url = new URL(request.url);
    if (`${url.protocol}//${url.host}` === APP_ORIGIN && isPhotoPath(url.pathname)) {
      const photo = await loadPhoto(engine, url).catch((error: unknown) => {
        log(`Could not serve ${url.pathname}: ${messageOf(error)}`);
        return 'failed' as const;
      });
      if (photo === 'failed') return plain(500, 'Something went wrong.');
      if (!photo) return plain(404, 'Not found');
      return new Response(request.method === 'HEAD' ? null : new Uint8Array(photo.body), { status: 200, headers: { ...SECURITY_HEADERS, 'content-type': photo.contentType, 'cache-control': photo.cacheControl } });
    }
    const file = await resolveRendererFile(rendererDir, request.url);
    if (file === null) return plain(404, 'Not found');
    const body = request.method === 'HEAD' ? null : await readFile(file);
    return new Response(body, { status: 200, headers: { ...SECURITY_HEADERS, 'content-type': contentTypeOf(file) } });
  });
}

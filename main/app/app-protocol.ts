/**
 * The `app://lumen/` scheme that serves the built renderer (never `file://`). Registered as a
 * standard, secure scheme so that the page has a real origin, and every response carries the CSP.
 * Which file a URL may name is decided by renderer-files.ts (see Note [Serve only the renderer]).
 */
import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { APP_CSP } from './csp.js';
import { APP_SCHEME, contentTypeOf, resolveRendererFile } from './renderer-files.js';

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

/** Serves files of `rendererDir` on the app scheme. Call after the app is ready. */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed');
    const file = await resolveRendererFile(rendererDir, request.url);
    if (file === null) return plain(404, 'Not found');
    const body = request.method === 'HEAD' ? null : await readFile(file);
    return new Response(body, { status: 200, headers: { ...SECURITY_HEADERS, 'content-type': contentTypeOf(file) } });
  });
}

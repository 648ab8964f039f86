/**
 * Which file of the built renderer an `app://` URL names, if any.
 *
 * Note [Serve only the renderer]: the app scheme serves files inside out/renderer and nothing
 * else. A URL is mapped by decoding each path segment on its own and rejecting any segment that
 * is `.`/`..`, holds a separator or NUL (so `%2e%2e`, `%2f` and `%5c` cannot climb out); the
 * result is then resolved with `realpath` and must still lie inside the renderer folder's real
 * path, so a symlink cannot lead out either. No Electron here: tests run it under Node.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'lumen';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** The safe relative path segments of a URL path, or null when any segment is unsafe. */
export function safeSegments(urlPath: string): string[] | null {
  const segments: string[] = [];
  for (const raw of urlPath.split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (segment === '.' || segment === '..' || /[/\\\0]/.test(segment) || /^[a-zA-Z]:/.test(segment)) return null;
    segments.push(segment);
  }
  return segments;
}

/**
 * The real path of the file `requestUrl` names inside `rootDir`, or null (not ours, unsafe,
 * missing, or not a plain file). `/` names index.html.
 */
export async function resolveRendererFile(rootDir: string, requestUrl: string, expectedOrigin = APP_ORIGIN): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (`${url.protocol}//${url.host}` !== expectedOrigin) return null;
  const segments = safeSegments(url.pathname);
  if (segments === null) return null;
  if (segments.length === 0) segments.push('index.html');
  let root: string;
  let file: string;
  try {
    root = await realpath(rootDir);
    file = await realpath(path.join(root, ...segments));
  } catch {
    return null;
  }
  if (!file.startsWith(root + path.sep)) return null;
  const info = await stat(file).catch(() => null);
  return info?.isFile() ? file : null;
}

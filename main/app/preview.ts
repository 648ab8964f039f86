/**
 * Preview mode: the real renderer in a browser, backed by the real engine through the very same
 * handler table the Electron main process registers (handlers.ts) and the same engine process
 * (forked with Node instead of Electron). Only the glue differs: HTTP and a WebSocket instead of
 * IPC, a stand-in shell instead of Electron's dialogs. For end-to-end tests and demos.
 *
 * Note [Preview is loopback only]: the server listens on 127.0.0.1 only, checks every request's
 * Host (no DNS rebinding) and, for the calls' socket, its Origin (no other site's page can call),
 * and needs a random per-run token: given once in the printed URL, then kept as an HttpOnly,
 * SameSite=Strict cookie. Every response carries the app's CSP.
 *
 * Note [Calls beside the photos]: calls and events travel on one WebSocket, not as HTTP requests.
 * A browser opens at most 6 connections to one host, and a first screen asks for 30-60
 * thumbnails: the app's first search waited 50-320 ms in the browser's queue behind them, a
 * wait the app itself never has (its calls go over IPC, its photos through its own protocol).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { lstat, mkdir, readFile, rename } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AppEvent } from '../../preload/contract.js';
import { UserError } from '../core/errors.js';
import { APP_CSP } from './csp.js';
import { callHandlers, type AppShell, type EngineClient } from './handlers.js';
import { isPhotoPath, loadPhoto } from './photo-route.js';
import { decodeWire, encodeWire } from './preview-wire.js';
import { contentTypeOf, resolveRendererFile } from './renderer-files.js';
import { CallRouter } from './router.js';

const COOKIE = 'lumen_preview';
/** The path of the calls' socket (Note [Calls beside the photos]). */
const SOCKET_PATH = '/socket';
/** The largest call: a photo dropped to search by, in base64. */
const MAX_CALL_BYTES = 64 * 1024 * 1024;

/** A call on the socket, and its answer; events go out as `{ event }` (renderer/src/lib/preview-api.ts is the other side). */
interface SocketCall {
  id?: unknown;
  name?: unknown;
  params?: unknown;
}

export interface PreviewServer {
  url: string;
  origin: string;
  /** Sends an engine event to every open page. */
  broadcast(event: AppEvent): void;
  close(): Promise<void>;
}

/**
 * The shell of preview mode: folders come from `--folder`, there is no file manager, and the
 * trash is the folder `--trash` names (for tests and demos; none given, nothing is moved).
 */
export function previewShell(folders: readonly string[], trashDir?: string): AppShell {
  return {
    pickFolders: async () => (folders.length ? [...folders] : null),
    showInFolder: () => false,
    openPath: async () => false,
    moveToTrash: async (file) => {
      if (!trashDir) throw new UserError('bad-input', 'preview mode has no system trash; start it with --trash DIR to move files into DIR');
      // Named before it was made, as a test or demo may: made on first use, as a trash is there already.
      await mkdir(trashDir, { recursive: true });
      await rename(file, await freeName(trashDir, path.basename(file)));
    },
  };
}

/** `name` in `dir`, or "name (2)" and so on when a file of that name is there already, as a trash does. */
async function freeName(dir: string, name: string): Promise<string> {
  const { name: stem, ext } = path.parse(name);
  for (let n = 1; ; n++) {
    const candidate = path.join(dir, n === 1 ? name : `${stem} (${n})${ext}`);
    if (!(await lstat(candidate).catch(() => null))) return candidate;
  }
}

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  // Compared as bytes: a token of as many characters may hold more bytes ("é" is two).
  const [a, b] = [Buffer.from(given), Buffer.from(token)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request carries: in its URL (the printed one), else in the cookie set by the first page. */
function givenToken(request: http.IncomingMessage, url: URL): string | undefined {
  return (
    url.searchParams.get('token') ??
    request.headers.cookie
      ?.split(';')
      .map((part) => part.trim().split('='))
      .find(([name]) => name === COOKIE)?.[1]
  );
}

/** Refuses a socket before it opens, with an HTTP status. */
function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export async function startPreview(options: {
  rendererDir: string;
  engine: EngineClient;
  shell: AppShell;
  port?: number;
  log: (message: string) => void;
}): Promise<PreviewServer> {
  const token = randomBytes(24).toString('base64url');
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_CALL_BYTES });
  let origin = '';
  let router: CallRouter | null = null;

  const send = (response: http.ServerResponse, status: number, type: string, content: string | Buffer | null, extra: Record<string, string> = {}) => {
    response.writeHead(status, { 'content-type': type, 'content-security-policy': APP_CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-store', ...extra });
    response.end(content);
  };

  const server = http.createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', origin);
      if (request.headers.host !== new URL(origin).host) return send(response, 421, 'text/plain', 'Wrong host');
      if (!sameToken(givenToken(request, url), token)) return send(response, 403, 'text/plain', 'Open the URL Lumen printed (it carries the token).');
      const setCookie = { 'set-cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/` };
      if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'text/plain', 'Method not allowed');
      if (isPhotoPath(url.pathname)) {
        const photo = await loadPhoto(options.engine, url);
        return photo ? send(response, 200, photo.contentType, photo.body, { 'cache-control': photo.cacheControl }) : send(response, 404, 'text/plain', 'Not found');
      }
      const file = await resolveRendererFile(options.rendererDir, `${origin}${url.pathname}`, origin);
      if (!file) return send(response, 404, 'text/plain', 'Not found');
      let content: string | Buffer = await readFile(file);
      // The renderer talks to the engine over HTTP here; this tells it so (see lib/preview-api.ts).
      if (file.endsWith('index.html')) content = content.toString('utf8').replace('<head>', '<head>\n    <meta name="lumen-preview" content="1" />');
      return send(response, 200, contentTypeOf(file), content, setCookie);
    })().catch((error: unknown) => {
      options.log(`Preview request failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent) send(response, 500, 'text/plain', 'Something went wrong.');
      else response.end();
    });
  });
  server.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (request.headers.host !== new URL(origin).host) return refuseUpgrade(socket, 421, 'Misdirected Request');
    // A target no URL can be made of ("//x:99999") would throw here, outside any handler, and end the server.
    let url: URL;
    try {
      url = new URL(request.url ?? '/', origin);
    } catch {
      return refuseUpgrade(socket, 400, 'Bad Request');
    }
    if (url.pathname !== SOCKET_PATH) return refuseUpgrade(socket, 404, 'Not Found');
    if (!sameToken(givenToken(request, url), token) || request.headers.origin !== origin) return refuseUpgrade(socket, 403, 'Forbidden');
    sockets.handleUpgrade(request, socket, head, answerCalls);
  });
  const answerCalls = (page: WebSocket) => {
    // A page that breaks the protocol (a call over the size limit) loses its socket, not the server.
    page.on('error', (error) => options.log(`Preview socket closed: ${error.message}`));
    page.on('message', (data: Buffer) => {
      void (async () => {
        const { id, name, params } = decodeWire(data.toString('utf8')) as SocketCall;
        const outcome = await (router as CallRouter).handle({ url: `${origin}/`, isTopFrame: true, fromAppWindow: true }, { name, params });
        page.send(encodeWire({ id, outcome }));
      })().catch((error: unknown) => options.log(`Preview call failed: ${error instanceof Error ? error.message : String(error)}`));
    });
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  router = new CallRouter(callHandlers(options.engine, options.shell, options.log), [origin], options.log);
  return {
    url: `${origin}/?token=${token}`,
    origin,
    broadcast: (event) => {
      const message = encodeWire({ event });
      for (const page of sockets.clients) page.send(message);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const page of sockets.clients) page.terminate();
        sockets.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

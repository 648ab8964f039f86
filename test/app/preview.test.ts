import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { previewShell, startPreview, type PreviewServer } from '../../main/app/preview.js';
import { buildRenderer } from '../renderer/harness.js';

/** A page's request to the preview server, with the headers a test chooses. */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; cookie: string | undefined; cacheControl: string | undefined }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (response) => {
        response.resume();
        resolve({ status: response.statusCode as number, cookie: response.headers['set-cookie']?.[0]?.split(';')[0], cacheControl: response.headers['cache-control'] });
      })
      .on('error', reject);
  });
}

/** Opens the calls' socket; resolves with it open, or with the HTTP status that refused it. */
function openSocket(url: string, headers: Record<string, string>): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode as number));
    socket.once('error', reject);
  });
}

const nextMessage = (socket: WebSocket) => new Promise<unknown>((resolve) => socket.once('message', (data: Buffer) => resolve(JSON.parse(data.toString('utf8')))));

describe('preview mode server (Notes [Preview is loopback only], [Calls beside the photos])', () => {
  let renderer: Awaited<ReturnType<typeof buildRenderer>>;
  let server: PreviewServer;
  const engineCalls: string[] = [];
  let token: string;

  beforeAll(async () => {
    renderer = await buildRenderer();
    const engine = {
      call: async (name: string) => {
        engineCalls.push(name);
        // Every photo is the page itself: bytes to serve.
        return name === 'photos.file' ? { path: path.join(renderer.dir, 'index.html') } : [];
      },
    };
    server = await startPreview({ rendererDir: renderer.dir, engine: engine as never, shell: previewShell([]), log: () => {} });
    token = new URL(server.url).searchParams.get('token') as string;
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await renderer?.dispose();
  });

  it('serves the page only with the printed token, then by its cookie, and only under its own host', async () => {
    expect((await get(`${server.origin}/`)).status).toBe(403);
    expect((await get(`${server.origin}/?token=${'0'.repeat(token.length)}`)).status).toBe(403);
    // As many characters as the token, more bytes.
    expect((await get(`${server.origin}/?token=${encodeURIComponent('é'.repeat(token.length))}`)).status).toBe(403);
    const first = await get(server.url);
    expect(first).toMatchObject({ status: 200, cookie: `lumen_preview=${token}` });
    expect((await get(`${server.origin}/`, { cookie: first.cookie as string })).status).toBe(200);
    expect((await get(server.url, { host: `evil.example:${new URL(server.origin).port}` })).status).toBe(421);
  });

  it('refuses a socket asked for at a target no URL can be made of, and serves on', async () => {
    const { port, host } = new URL(server.origin);
    const answer = await new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = net.connect(Number(port), '127.0.0.1', () =>
        socket.write(`GET //x:99999 HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`),
      );
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer.split('\r\n', 1)[0]).toBe('HTTP/1.1 400 Bad Request');
    expect((await get(server.url)).status).toBe(200);
  });

  it('answers calls and sends events on the socket of a page from its origin with the token, and refuses any other', async () => {
    const socketUrl = `${server.origin.replace('http', 'ws')}/socket`;
    const cookie = `lumen_preview=${token}`;
    expect(await openSocket(socketUrl, { origin: server.origin })).toBe(403);
    expect(await openSocket(`${socketUrl}?token=${encodeURIComponent('é'.repeat(token.length))}`, { origin: server.origin })).toBe(403);
    expect(await openSocket(socketUrl, { origin: 'http://evil.example', cookie })).toBe(403);
    expect(await openSocket(socketUrl, { cookie })).toBe(403);
    expect(await openSocket(socketUrl, { origin: server.origin, cookie, host: `evil.example:${new URL(server.origin).port}` })).toBe(421);
    expect(await openSocket(`${server.origin.replace('http', 'ws')}/elsewhere`, { origin: server.origin, cookie })).toBe(404);
    expect(engineCalls).toEqual([]);

    const socket = (await openSocket(socketUrl, { origin: server.origin, cookie })) as WebSocket;
    try {
      // Calls in flight together are told apart by their ids.
      const answers = new Map<number, unknown>();
      const twoAnswers = new Promise<void>((resolve) =>
        socket.on('message', (data: Buffer) => {
          const { id, outcome } = JSON.parse(data.toString('utf8')) as { id: number; outcome: unknown };
          answers.set(id, outcome);
          if (answers.size === 2) resolve();
        }),
      );
      socket.send(JSON.stringify({ id: 7, name: 'library.failures', params: {} }));
      socket.send(JSON.stringify({ id: 8, name: 'no.such.call', params: {} }));
      await twoAnswers;
      socket.removeAllListeners('message');
      expect(answers.get(7)).toEqual({ ok: true, value: [] });
      expect(answers.get(8)).toMatchObject({ ok: false, error: { code: 'bad-input' } });
      expect(engineCalls).toEqual(['library.failures']);

      const event = nextMessage(socket);
      server.broadcast({ type: 'library-changed' });
      expect(await event).toEqual({ event: { type: 'library-changed' } });
    } finally {
      socket.close();
    }
  });

  it('serves photos by id, cached only at a version, and refuses a query that is not one (Note [Photo versions])', async () => {
    const cookie = `lumen_preview=${token}`;
    expect(await get(`${server.origin}/photo/thumbnail/7?v=42`, { cookie })).toMatchObject({ status: 200, cacheControl: 'private, max-age=3600' });
    expect(await get(`${server.origin}/photo/thumbnail/7`, { cookie })).toMatchObject({ status: 200, cacheControl: 'no-cache' });
    const asked = engineCalls.length;
    for (const query of ['?v=abc', '?v=', '?v=..%2Fx', '?v=3&x=1', '?x=1']) expect((await get(`${server.origin}/photo/thumbnail/7${query}`, { cookie })).status).toBe(404);
    expect(engineCalls.length).toBe(asked);
  });
});

describe('preview mode’s stand-in trash', () => {
  it('moves a file into the --trash folder, made if it is not there yet, under a free name', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lumen-preview-trash-'));
    try {
      const trash = path.join(dir, 'Trash');
      const shell = previewShell([], trash);
      for (const copy of ['a', 'b']) {
        await writeFile(path.join(dir, `${copy}.jpg`), copy);
        await shell.moveToTrash(path.join(dir, `${copy}.jpg`));
      }
      await writeFile(path.join(dir, 'a.jpg'), 'again');
      await shell.moveToTrash(path.join(dir, 'a.jpg'));
      expect((await readdir(trash)).sort()).toEqual(['a (2).jpg', 'a.jpg', 'b.jpg']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

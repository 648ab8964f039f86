/**
 * The Electron glue with `electron` replaced by a test double: the app protocol serves photos
 * only by id and refuses anything else; IPC refuses foreign senders and bad payloads, and checks
 * dropped folders like any call.
 */
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => ({
  handlers: new Map<string, (...args: unknown[]) => unknown>(),
  protocolHandler: null as ((request: Request) => Promise<Response>) | null,
  appListeners: new Map<string, (...args: unknown[]) => void>(),
  openExternal: vi.fn(),
}));

vi.mock('electron', () => ({
  protocol: {
    registerSchemesAsPrivileged: vi.fn(),
    handle: (_scheme: string, handler: (request: Request) => Promise<Response>) => (electron.protocolHandler = handler),
  },
  ipcMain: { handle: (channel: string, handler: (...args: unknown[]) => unknown) => electron.handlers.set(channel, handler) },
  BrowserWindow: { getFocusedWindow: () => null, getAllWindows: () => [] },
  dialog: { showOpenDialog: vi.fn() },
  shell: { showItemInFolder: vi.fn(), openPath: vi.fn(), openExternal: electron.openExternal },
  app: { on: (event: string, listener: (...args: unknown[]) => void) => electron.appListeners.set(event, listener) },
  session: {},
}));

const { serveApp } = await import('../../main/app/app-protocol.js');
const { registerIpc } = await import('../../main/app/ipc.js');
const { IPC_CALL, IPC_DROPPED_FOLDERS } = await import('../../preload/contract.js');
const { UserError } = await import('../../main/core/errors.js');
const { hardenWebContents } = await import('../../main/app/security.js');
const { CallFailure } = await import('../../main/app/rpc.js');

describe('every page the app makes', () => {
  it('navigates nowhere and opens no window, in the app or outside it: the system browser is not asked either', () => {
    const logged: string[] = [];
    hardenWebContents((message) => logged.push(message));
    const listeners = new Map<string, (event: { preventDefault: () => void }, url: string) => void>();
    const windows: { open?: (details: { url: string }) => { action: string } } = {};
    const contents = { on: (name: string, listener: (event: { preventDefault: () => void }, url: string) => void) => listeners.set(name, listener), setWindowOpenHandler: (handler: typeof windows.open) => (windows.open = handler) };
    electron.appListeners.get('web-contents-created')?.({}, contents);
    const navigation = { preventDefault: vi.fn() };
    listeners.get('will-navigate')?.(navigation, 'https://example.com/');
    expect(navigation.preventDefault).toHaveBeenCalled();
    expect(windows.open?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(electron.openExternal).not.toHaveBeenCalled();
    expect(logged).toEqual(['Blocked navigation to https://example.com/.', 'Blocked a new window for https://example.com/.']);
  });
});

describe('the main process, with Electron as a test double', () => {
  let dir: string;
  const asked: unknown[] = [];
  const logged: string[] = [];
  const engine = {
    call: vi.fn(async (name: string, params: { id?: number; kind?: string; paths?: string[] }) => {
      asked.push({ name, params });
      if (name === 'photos.file') {
        if (params.id === 9) throw new CallFailure('engine-crashed', 'The engine stopped while reading photos.');
        if (params.id !== 7) throw new UserError('not-found', `There is no photo #${params.id} in the library.`);
        return { path: path.join(dir, 'thumb.webp') };
      }
      if (name === 'library.addFolders') return { folders: [{ id: 1, path: params.paths?.[0], excludes: [] }], refused: [] };
      if (name === 'app.status') return { ok: true };
      throw new Error(`unexpected ${name}`);
    }),
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lumen-main-'));
    // A whole WebP's header: RIFF, the size after these 8 bytes, WEBP (Note [Thumbnails made again]).
    await writeFile(path.join(dir, 'thumb.webp'), Buffer.from('RIFF\x04\0\0\0WEBP', 'latin1'));
    await writeFile(path.join(dir, 'index.html'), '<!doctype html>');
    serveApp(dir, engine as never, (message) => logged.push(message));
    registerIpc({ engine: engine as never, allowedOrigins: ['app://lumen'], isAppWindow: (contents) => (contents as { id: number }).id === 1, log: () => {} });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const fetchApp = (url: string, method = 'GET') => (electron.protocolHandler as (request: Request) => Promise<Response>)(new Request(url, { method }));

  it('serves a photo by id, with the CSP', async () => {
    const response = await fetchApp('app://lumen/photo/thumbnail/7');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/webp');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(asked).toContainEqual({ name: 'photos.file', params: { kind: 'thumbnail', id: 7 } });
    // Unversioned, it may show another picture after an edit in place (Note [Photo versions]).
    expect(response.headers.get('cache-control')).toBe('no-cache');
  });

  it('serves a photo at a version by its id alone, and lets it be cached (Note [Photo versions])', async () => {
    asked.length = 0;
    const response = await fetchApp('app://lumen/photo/preview/7?v=42');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('private, max-age=3600');
    expect(asked).toEqual([{ name: 'photos.file', params: { kind: 'preview', id: 7 } }]);
  });

  it('says a failure that is no missing photo, and logs it: an engine stopped is no 404', async () => {
    const response = await fetchApp('app://lumen/photo/thumbnail/9');
    expect(response.status).toBe(500);
    expect(logged).toContain('Could not serve /photo/thumbnail/9: The engine stopped while reading photos.');
  });

  it.each([
    ['an unknown id', 'app://lumen/photo/thumbnail/8'],
    ['id zero', 'app://lumen/photo/preview/0'],
    ['a kind that does not exist', 'app://lumen/photo/raw/7'],
    ['a path for an id', 'app://lumen/photo/original/%2Fetc%2Fpasswd'],
    ['an encoded traversal', 'app://lumen/photo/thumbnail/..%2F..%2Fetc%2Fpasswd'],
    ['a traversal', 'app://lumen/photo/thumbnail/../../etc/passwd'],
    ['an id with more after it', 'app://lumen/photo/thumbnail/7/../../x'],
    ['a number with letters', 'app://lumen/photo/thumbnail/7abc'],
    ['another host', 'app://evil/photo/thumbnail/7'],
    ['a version that is no number', 'app://lumen/photo/thumbnail/7?v=abc'],
    ['version zero', 'app://lumen/photo/thumbnail/7?v=0'],
    ['an empty version', 'app://lumen/photo/thumbnail/7?v='],
    ['a path for a version', 'app://lumen/photo/thumbnail/7?v=..%2F..%2Fetc%2Fpasswd'],
    ['a version with more after it', 'app://lumen/photo/thumbnail/7?v=3&x=1'],
    ['a query that is no version', 'app://lumen/photo/thumbnail/7?x=1'],
  ])('refuses %s', async (_what, url) => {
    asked.length = 0;
    expect((await fetchApp(url)).status).toBe(404);
    expect(asked.filter((call) => (call as { params: { id?: number } }).params.id !== 8)).toEqual([]);
  });

  it('refuses other methods', async () => {
    expect((await fetchApp('app://lumen/photo/thumbnail/7', 'POST')).status).toBe(405);
  });

  const frame = (url: string, top = true) => {
    const mainFrame = { frameTreeNodeId: 1 };
    return { senderFrame: { url, parent: top ? null : {}, frameTreeNodeId: top ? 1 : 2 }, sender: { id: 1, mainFrame } };
  };
  const call = (event: unknown, request: unknown) => (electron.handlers.get(IPC_CALL) as (event: unknown, request: unknown) => Promise<unknown>)(event, request);

  it('answers a call from the app’s own window', async () => {
    await expect(call(frame('app://lumen/index.html'), { name: 'app.status', params: {} })).resolves.toEqual({ ok: true, value: { ok: true } });
  });

  it('refuses calls from other pages, frames and windows', async () => {
    const forbidden = { ok: false, error: { code: 'forbidden', message: expect.any(String) } };
    await expect(call(frame('https://evil.example/'), { name: 'app.status', params: {} })).resolves.toEqual(forbidden);
    await expect(call(frame('app://lumen/index.html', false), { name: 'app.status', params: {} })).resolves.toEqual(forbidden);
    await expect(call({ ...frame('app://lumen/index.html'), sender: { id: 2, mainFrame: { frameTreeNodeId: 1 } } }, { name: 'app.status', params: {} })).resolves.toEqual(forbidden);
  });

  it('refuses bad payloads before any handler runs', async () => {
    engine.call.mockClear();
    for (const request of [null, 'app.status', { name: 'fs.read', params: {} }, { name: 'search.query', params: { query: 5 } }, { name: 'photos.details', params: { id: '../x' } }, { name: 'settings.update', params: { model: '/etc', extra: 1 } }]) {
      await expect(call(frame('app://lumen/index.html'), request)).resolves.toMatchObject({ ok: false, error: { code: 'bad-input' } });
    }
    expect(engine.call).not.toHaveBeenCalled();
  });

  it('says why the system could not open a photo, and that a photo’s file is gone, rather than nothing', async () => {
    const { shell } = await import('electron');
    const app = frame('app://lumen/index.html');
    vi.mocked(shell.openPath).mockResolvedValueOnce('No application is registered as handling this file');
    await expect(call(app, { name: 'photos.open', params: { id: 7 } })).resolves.toEqual({
      ok: false,
      error: { code: 'not-found', message: 'The system could not open thumb.webp (No application is registered as handling this file). Show it in its folder and open it from there.' },
    });
    vi.mocked(shell.openPath).mockResolvedValueOnce('');
    await expect(call(app, { name: 'photos.open', params: { id: 7 } })).resolves.toEqual({ ok: true, value: { opened: true } });

    const file = path.join(dir, 'thumb.webp');
    await rename(file, `${file}.away`);
    try {
      const gone = { ok: false, error: { code: 'not-found', message: `thumb.webp is no longer in ${dir}: it was moved, renamed or deleted since it was indexed, or its drive is not connected. Re-scanning its folder in Settings brings the library up to date.` } };
      vi.mocked(shell.showItemInFolder).mockClear();
      await expect(call(app, { name: 'photos.reveal', params: { id: 7 } })).resolves.toEqual(gone);
      await expect(call(app, { name: 'photos.open', params: { id: 7 } })).resolves.toEqual(gone);
      expect(shell.showItemInFolder).not.toHaveBeenCalled();
    } finally {
      await rename(`${file}.away`, file);
    }
  });

  it('checks folders dropped on the window like a call', async () => {
    const dropped = (event: unknown, paths: unknown) => (electron.handlers.get(IPC_DROPPED_FOLDERS) as (event: unknown, paths: unknown) => Promise<unknown>)(event, paths);
    await expect(dropped(frame('https://evil.example/'), ['/photos'])).resolves.toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await expect(dropped(frame('app://lumen/index.html'), ['relative/photos'])).resolves.toMatchObject({ ok: false, error: { code: 'bad-input' } });
    await expect(dropped(frame('app://lumen/index.html'), 'not a list')).resolves.toMatchObject({ ok: false, error: { code: 'bad-input' } });
    await expect(dropped(frame('app://lumen/index.html'), ['/photos'])).resolves.toEqual({ ok: true, value: { folders: [{ id: 1, path: '/photos', excludes: [] }], refused: [] } });
  });
});

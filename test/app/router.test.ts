import { describe, expect, it, vi } from 'vitest';
import { UserError } from '../../main/core/errors.js';
import { CallRouter, isTrustedSender, originOf, type CallHandlers, type SenderInfo } from '../../main/app/router.js';
import { CallFailure } from '../../main/app/rpc.js';
import { APP_ORIGIN } from '../../main/app/renderer-files.js';
import { callSchemas, MAX_SELECTED, type EngineStatus } from '../../preload/contract.js';

const DEV_ORIGIN = 'http://localhost:5173';
const ALLOWED = [APP_ORIGIN, DEV_ORIGIN];
const appFrame: SenderInfo = { url: 'app://lumen/index.html#/settings', isTopFrame: true, fromAppWindow: true };

const status: EngineStatus = {
  dataDir: '/data',
  settings: { model: null, provider: 'auto' },
  model: null,
  modelProblem: { kind: 'none-installed', message: 'No model is installed.' },
  availableProviders: ['cpu'],
  providerChoices: ['auto', 'cpu'],
  library: null,
  jobs: [],
    restored: null,
    writer: null,
};

function handlers(overrides: Partial<CallHandlers> = {}): CallHandlers {
  const unexpected = () => Promise.reject(new Error('not expected in this test'));
  const all = Object.fromEntries(Object.keys(callSchemas).map((name) => [name, unexpected])) as unknown as CallHandlers;
  return { ...all, 'app.status': async () => status, ...overrides };
}

describe('sender validation', () => {
  it('accepts the top frame of an app window on app:// or the dev server', () => {
    expect(isTrustedSender(appFrame, ALLOWED)).toBe(true);
    expect(isTrustedSender({ ...appFrame, url: 'http://localhost:5173/#/settings' }, ALLOWED)).toBe(true);
  });

  it.each([
    ['another site', 'https://evil.example/index.html'],
    ['a file URL', 'file:///work/main/out/renderer/index.html'],
    ['another app host', 'app://other/index.html'],
    ['another port of the dev host', 'http://localhost:5174/'],
    ['a look-alike host', 'app://lumen.evil.example/index.html'],
    ['credentials in the URL', 'http://user@localhost:5173/'],
    ['not a URL', 'lumen'],
    ['about:blank', 'about:blank'],
  ])('rejects %s', (_label, url) => {
    expect(isTrustedSender({ ...appFrame, url }, ALLOWED)).toBe(false);
  });

  it('rejects subframes, frames that are gone and pages outside the app windows', () => {
    expect(isTrustedSender({ ...appFrame, isTopFrame: false }, ALLOWED)).toBe(false);
    expect(isTrustedSender({ ...appFrame, url: null }, ALLOWED)).toBe(false);
    expect(isTrustedSender({ ...appFrame, fromAppWindow: false }, ALLOWED)).toBe(false);
  });

  it('the dev origin is trusted only when allowed', () => {
    expect(isTrustedSender({ ...appFrame, url: 'http://localhost:5173/' }, [APP_ORIGIN])).toBe(false);
  });

  it('computes origins of custom schemes', () => {
    expect(originOf('app://lumen/assets/x.js')).toBe('app://lumen');
    expect(originOf('http://127.0.0.1:4000/a?b#c')).toBe('http://127.0.0.1:4000');
    expect(originOf('file:///etc/passwd')).toBeNull();
    expect(originOf('nonsense')).toBeNull();
  });
});

describe('CallRouter', () => {
  it('dispatches a valid call and wraps its result', async () => {
    const router = new CallRouter(handlers(), ALLOWED, () => {});
    await expect(router.handle(appFrame, { name: 'app.status', params: {} })).resolves.toEqual({ ok: true, value: status });
  });

  it('passes parsed params to the handler, and refuses unknown keys', async () => {
    const update = vi.fn(async (change: { model?: string | null; provider?: string }) => ({ model: change.model ?? null, provider: change.provider ?? 'auto' }));
    const router = new CallRouter(handlers({ 'settings.update': update }), ALLOWED, () => {});
    const outcome = await router.handle(appFrame, { name: 'settings.update', params: { provider: 'cpu' } });
    expect(update).toHaveBeenCalledWith({ provider: 'cpu' });
    expect(outcome).toEqual({ ok: true, value: { model: null, provider: 'cpu' } });
    const extra = await router.handle(appFrame, { name: 'settings.update', params: { provider: 'cpu', path: '/etc' } });
    expect(extra).toEqual({ ok: false, error: { code: 'bad-input', message: expect.stringMatching(/Unrecognized key/) } });
    expect(update).toHaveBeenCalledTimes(1);
  });

  it('refuses untrusted senders without calling anything', async () => {
    const statusHandler = vi.fn(async () => status);
    const log = vi.fn();
    const router = new CallRouter(handlers({ 'app.status': statusHandler }), ALLOWED, log);
    const outcome = await router.handle({ ...appFrame, url: 'https://evil.example/' }, { name: 'app.status', params: {} });
    expect(outcome).toEqual({ ok: false, error: { code: 'forbidden', message: expect.any(String) } });
    expect(statusHandler).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledWith(expect.stringContaining('https://evil.example/'));
  });

  it.each([['nope'], ['toString'], ['__proto__'], ['constructor'], [42], [undefined]])('answers bad-input for the unknown call %s', async (name) => {
    const router = new CallRouter(handlers(), ALLOWED, () => {});
    const outcome = await router.handle(appFrame, { name, params: {} });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'bad-input', message: expect.stringMatching(/^Unknown call/) } });
  });

  it('answers bad-input for requests that are not objects', async () => {
    const router = new CallRouter(handlers(), ALLOWED, () => {});
    await expect(router.handle(appFrame, 'app.status')).resolves.toMatchObject({ ok: false, error: { code: 'bad-input' } });
    await expect(router.handle(appFrame, null)).resolves.toMatchObject({ ok: false, error: { code: 'bad-input' } });
  });

  it.each([
    ['models.download', { id: '' }],
    ['models.download', { id: 7 }],
    ['models.download', {}],
    ['models.cancelDownload', { id: 'x'.repeat(201) }],
    ['settings.update', { provider: '' }],
    ['settings.update', { model: 12 }],
    ['app.status', 'not an object'],
  ])('answers bad-input for %s with params %j', async (name, params) => {
    const download = vi.fn();
    const router = new CallRouter(handlers({ 'models.download': download }), ALLOWED, () => {});
    const outcome = await router.handle(appFrame, { name, params });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'bad-input', message: expect.stringContaining(`Invalid request for ${name}`) } });
    expect(download).not.toHaveBeenCalled();
  });

  it('treats missing params as {}', async () => {
    const router = new CallRouter(handlers(), ALLOWED, () => {});
    await expect(router.handle(appFrame, { name: 'app.status' })).resolves.toMatchObject({ ok: true });
  });

  it('keeps the code and message of UserError and CallFailure', async () => {
    const router = new CallRouter(
      handlers({
        'models.download': () => Promise.reject(new UserError('network', 'Could not reach the Hub. Check the connection.')),
        'models.cancelDownload': () => Promise.reject(new CallFailure('engine-crashed', 'The photo engine stopped.')),
      }),
      ALLOWED,
      () => {},
    );
    await expect(router.handle(appFrame, { name: 'models.download', params: { id: 'm' } })).resolves.toEqual({
      ok: false,
      error: { code: 'network', message: 'Could not reach the Hub. Check the connection.' },
    });
    await expect(router.handle(appFrame, { name: 'models.cancelDownload', params: { id: 'm' } })).resolves.toEqual({
      ok: false,
      error: { code: 'engine-crashed', message: 'The photo engine stopped.' },
    });
  });

  it('reports other errors as internal and logs them', async () => {
    const log = vi.fn();
    const router = new CallRouter(handlers({ 'models.importFromDialog': () => Promise.reject(new TypeError('boom')) }), ALLOWED, log);
    await expect(router.handle(appFrame, { name: 'models.importFromDialog', params: {} })).resolves.toEqual({
      ok: false,
      error: { code: 'internal', message: 'Something went wrong: boom' },
    });
    expect(log).toHaveBeenCalledWith(expect.stringContaining('models.importFromDialog failed'));
  });
});

describe('calls on the photos selected in the window', () => {
  it('take every photo of the largest library the app is made for (Select all), and no more', () => {
    const calls = {
      'tags.verdict': { tag: 'dog', verdict: 'add' },
      'albums.save': { name: 'Everything' },
      'albums.add': { id: 'saved:1' },
      'albums.remove': { id: 'saved:1' },
      'xmp.export': {},
      'duplicates.trash': {},
    } as const;
    const every = Array.from({ length: MAX_SELECTED }, (_, i) => i + 1);
    for (const [name, params] of Object.entries(calls)) {
      const schema = callSchemas[name as keyof typeof calls];
      expect(schema.safeParse({ ...params, photoIds: every }).success, name).toBe(true);
      expect(schema.safeParse({ ...params, photoIds: [...every, MAX_SELECTED + 1] }).success, name).toBe(false);
    }
  });
});

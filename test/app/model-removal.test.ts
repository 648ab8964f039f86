/**
 * Note [Removing a model] in main/models/store.ts, through the main process's router, its handler
 * table and the engine's: Settings' Remove deletes a model imported into the data folder, refuses
 * the one in use, and answers a name no model has with why.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callHandlers, type AppShell, type EngineClient } from '../../main/app/handlers.js';
import { APP_ORIGIN } from '../../main/app/renderer-files.js';
import { CallRouter, type SenderInfo } from '../../main/app/router.js';
import { engineHandlers } from '../../main/engine/calls.js';
import { Engine } from '../../main/engine/engine.js';
import { HF_MODEL, IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';

const appFrame: SenderInfo = { url: `${APP_ORIGIN}/index.html#/settings`, isTopFrame: true, fromAppWindow: true };

describe('a model removed from Settings', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let engine: Engine;
  let router: CallRouter;
  /** The folder the next import dialog picks. */
  let picked: string;
  const call = (name: string, params: unknown) => router.handle(appFrame, { name, params });

  beforeEach(async () => {
    scratch = await tempDir();
    engine = new Engine({ dataDir: path.join(scratch.dir, 'data'), provider: 'cpu', app: true });
    const calls = engineHandlers(engine);
    const client: EngineClient = { call: (name, params) => (calls[name] as (params: unknown) => Promise<never>)(params) };
    const shell: AppShell = { pickFolders: async () => [picked], showInFolder: () => false, openPath: async () => false, moveToTrash: async () => {} };
    router = new CallRouter(callHandlers(client, shell, () => {}), [APP_ORIGIN], () => {});
    for (picked of [HF_MODEL, IMMICH_MODEL]) expect(await call('models.importFromDialog', {})).toMatchObject({ ok: true });
    expect(await call('settings.update', { model: 'tiny-clip-immich' })).toMatchObject({ ok: true });
  });
  afterEach(async () => {
    await engine.dispose();
    await scratch.cleanup();
  });

  it('deletes a model that is not in use, answering the bytes it freed; the list has it no more', async () => {
    const before = await call('models.list', {});
    const bytes = before.ok ? (before.value as { installed: Array<{ id: string; bytes: number }> }).installed.find((model) => model.id === 'tiny-clip-hf')?.bytes : undefined;
    expect(bytes).toBeGreaterThan(0);
    expect(await call('models.remove', { id: 'tiny-clip-hf' })).toEqual({ ok: true, value: { id: 'tiny-clip-hf', bytes } });
    expect(await call('models.list', {})).toMatchObject({ ok: true, value: { installed: [expect.objectContaining({ id: 'tiny-clip-immich' })] } });
    expect(existsSync(path.join(engine.modelsDir, 'tiny-clip-hf'))).toBe(false);
  });

  it('refuses the model in use and a name no model has, saying why, and a payload its schema refuses', async () => {
    expect(await call('models.remove', { id: 'tiny-clip-immich' })).toEqual({
      ok: false,
      error: { code: 'bad-input', message: 'tiny-clip-immich is the model Lumen uses now, so it cannot be removed: choose another model first, then remove it.' },
    });
    expect(await call('models.remove', { id: 'gone-model' })).toEqual({ ok: false, error: { code: 'not-found', message: 'No installed model is called "gone-model": nothing was removed.' } });
    expect(await call('models.remove', { id: '' })).toMatchObject({ ok: false, error: { code: 'bad-input' } });
    expect(await call('models.remove', { id: 'tiny-clip-hf', dir: '/' })).toMatchObject({ ok: false, error: { code: 'bad-input' } });
    expect(existsSync(path.join(engine.modelsDir, 'tiny-clip-hf'))).toBe(true);
    expect(existsSync(path.join(engine.modelsDir, 'tiny-clip-immich'))).toBe(true);
  });
});

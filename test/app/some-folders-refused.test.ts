/**
 * Note [Some folders refused] in main/library/library.ts, through the main process's real handler
 * table and the engine's: folders picked in the dialog, or dropped on the window, among them one
 * refused, add and index the others, and the window is answered which was refused and why.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { callHandlers, type AppShell, type EngineClient } from '../../main/app/handlers.js';
import { CallRouter } from '../../main/app/router.js';
import { engineHandlers } from '../../main/engine/calls.js';
import { Engine } from '../../main/engine/engine.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

const picking = (paths: string[]): AppShell => ({
  pickFolders: async () => paths,
  showInFolder: () => false,
  openPath: async () => false,
  moveToTrash: async () => {},
});

describe('folders added from the window, one of them refused', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let engine: Engine;
  let client: EngineClient;
  let good: string;
  let inside: string;
  let missing: string;
  beforeEach(async () => {
    scratch = await tempDir();
    good = path.join(scratch.dir, 'Photos');
    inside = path.join(good, 'Trip');
    missing = path.join(scratch.dir, 'Mistyped');
    await copyPhotos((await fixturePhotos()).slice(0, 2), good);
    await mkdir(inside);
    engine = new Engine({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL, provider: 'cpu' });
    const calls = engineHandlers(engine);
    // The engine process as the main process calls it, without the process between.
    client = { call: (name, params) => (calls[name] as (params: unknown) => Promise<never>)(params) };
  });
  afterEach(async () => {
    await engine.dispose();
    await scratch.cleanup();
  });

  const indexed = async () => {
    await vi.waitFor(() => expect(engine.jobs.running('index')).toBeNull(), { timeout: 30_000 });
    return (await engine.status()).library?.photos;
  };

  it('picked in the dialog: adds and indexes the good one, and answers the others with why', async () => {
    const added = await callHandlers(client, picking([good, missing, inside]), () => {})['library.addFromDialog']({});
    expect(added).toEqual({
      folders: [{ id: expect.any(Number), path: good, excludes: [] }],
      refused: [
        { path: missing, reason: `The folder ${missing} does not exist.` },
        { path: inside, reason: `${inside} is inside ${good}, which is being added too: its photos are part of that folder.` },
      ],
    });
    expect(await indexed()).toBe(2);
  });

  it('dropped on the window: the same, through the dropped-folders check', async () => {
    const router = new CallRouter(callHandlers(client, picking([]), () => {}), ['app://lumen'], () => {}, (paths) => client.call('library.addFolders', { paths }));
    const outcome = await router.handleDropped({ url: 'app://lumen/index.html', isTopFrame: true, fromAppWindow: true }, [missing, good]);
    expect(outcome).toEqual({ ok: true, value: { folders: [expect.objectContaining({ path: good })], refused: [{ path: missing, reason: `The folder ${missing} does not exist.` }] } });
    expect(await indexed()).toBe(2);
    // Every folder refused: nothing added, each said.
    const none = await router.handleDropped({ url: 'app://lumen/index.html', isTopFrame: true, fromAppWindow: true }, [missing, inside]);
    expect(none).toEqual({
      ok: false,
      error: { code: 'bad-input', message: `None of the 2 folders was added. The folder ${missing} does not exist. ${inside} is inside ${good}, which is in the library already: its photos are part of that folder.` },
    });
  });
});

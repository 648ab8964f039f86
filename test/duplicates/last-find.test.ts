/**
 * The near-duplicate groups found last, as a window opened after the find asks the engine for
 * them (Note [Last duplicates kept] in main/duplicates/last-find.ts): through the app's handlers
 * over a real engine, they come back with when they were found, lose the copies moved to the
 * trash through the app, and are no longer given once the library changed otherwise.
 */
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callHandlers, type AppShell, type EngineClient } from '../../main/app/handlers.js';
import { engineHandlers, type EngineHandlers } from '../../main/engine/calls.js';
import { Engine } from '../../main/engine/engine.js';
import type { DuplicatesInfo } from '../../preload/contract.js';
import { writeCopies } from '../helpers/duplicate-sets.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';

describe('the near-duplicate groups found last', () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  let photos: string;
  let trash: string;
  let engine: Engine;
  let handlers: ReturnType<typeof callHandlers>;

  beforeAll(async () => {
    scratch = await tempDir();
    photos = path.join(scratch.dir, 'Photos');
    trash = path.join(scratch.dir, 'Trash');
    await mkdir(trash);
    await writeCopies(photos, 2);
    engine = new Engine({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL });
    await (await engine.addFolders([photos])).indexing.done;
    // The main process's handlers over this engine, as the app wires them (through RPC there), with a folder for a trash.
    const table = engineHandlers(engine);
    const client: EngineClient = { call: (name, params) => (table[name] as (params: unknown) => ReturnType<EngineHandlers[typeof name]>)(params) as never };
    const shell: AppShell = { pickFolders: async () => null, showInFolder: () => false, openPath: async () => false, moveToTrash: (file) => rename(file, path.join(trash, path.basename(file))) };
    handlers = callHandlers(client, shell, (message) => expect.fail(message));
  });
  afterAll(async () => {
    await engine.dispose();
    await scratch.cleanup();
  });

  const file = (name: string) => path.join(photos, `${name}.jpg`);
  const pathsOf = (found: DuplicatesInfo | null) => found?.groups.map((group) => group.photos.map((photo) => photo.path).sort()) ?? null;
  const idOf = (found: DuplicatesInfo, name: string) => found.groups.flatMap((group) => group.photos).find((photo) => photo.path === file(name))?.id as number;

  it('are given with when they were found, lose the copies moved to the trash, and the groups left with one copy', async () => {
    expect(await handlers['duplicates.last']({})).toBeNull();
    const before = Date.now();
    const found = await handlers['duplicates.find']({});
    expect(pathsOf(found)).toEqual([
      [file('circle-half'), file('circle-original'), file('circle-resaved')],
      [file('star-half'), file('star-original'), file('star-resaved')],
    ]);
    const last = await handlers['duplicates.last']({});
    expect(last).toEqual({ ...found, foundAt: expect.any(Number), movedToTrash: 0 });
    expect(last?.foundAt).toBeGreaterThanOrEqual(before);
    expect(last?.foundAt).toBeLessThanOrEqual(Date.now());

    // As the window that moved them shows the groups: the copy suggested to keep is still named
    // after it went (the window says so), and a group down to one copy is gone.
    const starKeep = found.groups[1]?.keep;
    expect((await handlers['duplicates.trash']({ photoIds: [idOf(found, 'star-original'), idOf(found, 'circle-half')] })).trashed.sort()).toEqual([file('circle-half'), file('star-original')]);
    const afterMove = await handlers['duplicates.last']({});
    expect(pathsOf(afterMove)).toEqual([
      [file('circle-original'), file('circle-resaved')],
      [file('star-half'), file('star-resaved')],
    ]);
    expect(afterMove?.groups[1]?.keep).toBe(starKeep);
    expect(afterMove?.foundAt).toBe(last?.foundAt);
    expect(afterMove?.movedToTrash).toBe(2);
    expect((await handlers['duplicates.trash']({ photoIds: [idOf(found, 'circle-resaved')] })).trashed).toEqual([file('circle-resaved')]);
    const afterGroupGone = await handlers['duplicates.last']({});
    expect(pathsOf(afterGroupGone)).toEqual([[file('star-half'), file('star-resaved')]]);
    expect(afterGroupGone?.movedToTrash).toBe(3);
    // A re-scan that finds the library as the moves left it changes nothing.
    await engine.index().done;
    expect(pathsOf(await handlers['duplicates.last']({}))).toEqual([[file('star-half'), file('star-resaved')]]);
  });

  it('are no longer given once a photo joined the library, or left it other than through the trash', async () => {
    await copyFile(file('square-original'), file('square-copy'));
    await engine.index().done;
    expect(await handlers['duplicates.last']({})).toBeNull();

    const found = await handlers['duplicates.find']({});
    expect(pathsOf(found)).toContainEqual([file('square-copy'), file('square-original')]);
    expect(pathsOf(await handlers['duplicates.last']({}))).toEqual(pathsOf(found));
    await rm(file('cross-original'));
    await engine.index().done;
    expect(await handlers['duplicates.last']({})).toBeNull();
  });
});

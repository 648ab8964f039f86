/**
 * Note [Albums followed] (main/engine/calls.ts): each change of a saved album, through the
 * engine's call table, is said to every window as `albums-changed`, an event the main process
 * relays (it passes its check); a change refused says nothing.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineHandlers, type EngineHandlers } from '../../main/engine/calls.js';
import { Engine } from '../../main/engine/engine.js';
import { eventSchema, type AppEvent } from '../../preload/contract.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

describe('a saved album changed', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let engine: Engine;
  let calls: EngineHandlers;
  const events: AppEvent[] = [];

  beforeAll(async () => {
    scratch = await tempDir();
    const photos = path.join(scratch.dir, 'Pictures');
    await copyPhotos((await fixturePhotos()).slice(0, 4), photos);
    engine = new Engine({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL, onEvent: (event) => events.push(event) });
    await (await engine.addFolders([photos])).indexing.done;
    calls = engineHandlers(engine);
  });
  afterAll(async () => {
    await engine?.dispose();
    await scratch.cleanup();
  });

  /** The `albums-changed` events said while `act` ran. */
  async function saidDuring(act: () => Promise<unknown>): Promise<number> {
    events.length = 0;
    await act().catch(() => {});
    return events.filter((event) => event.type === 'albums-changed').length;
  }

  it('is said once for each save, rename, add, removal and deletion, and not for one refused', async () => {
    const { ids } = await calls['photos.timeline']({ filters: {} });
    let saved = '';
    expect(await saidDuring(async () => (saved = (await calls['albums.save']({ name: 'Trip', photoIds: ids.slice(0, 2) })).id))).toBe(1);
    expect(await saidDuring(() => calls['albums.rename']({ id: saved, name: 'Lisbon' }))).toBe(1);
    expect(await saidDuring(() => calls['albums.add']({ id: saved, photoIds: ids.slice(2, 3) }))).toBe(1);
    expect(await saidDuring(() => calls['albums.remove']({ id: saved, photoIds: ids.slice(0, 1) }))).toBe(1);
    expect(await saidDuring(() => calls['albums.rename']({ id: saved, name: '  ' }))).toBe(0);
    expect(await saidDuring(() => calls['albums.delete']({ id: saved }))).toBe(1);
    expect(await saidDuring(() => calls['albums.delete']({ id: saved }))).toBe(0);
    // Read-only calls say nothing.
    expect(await saidDuring(() => calls['albums.list']({}))).toBe(0);
  });

  it('passes the main process’s check of events, which drops any other', () => {
    expect(eventSchema.safeParse({ type: 'albums-changed' }).success).toBe(true);
  });
});

/**
 * Note [Thumbnails made again] in main/library/thumbnails.ts: a thumbnail or preview gone or
 * damaged in the data folder is found where it is served and made again from the original; a
 * whole one is served as it is, and a photo whose original is gone too has none.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineClient } from '../../main/app/handlers.js';
import { loadPhoto } from '../../main/app/photo-route.js';
import { engineCallSchemas, engineHandlers, type EngineCallName } from '../../main/engine/calls.js';
import { Engine } from '../../main/engine/engine.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixtureModelAndPhotos, openLibrary, queryLibrary } from '../helpers/library.js';

/** The engine's own handler table, called as the app's main process calls it, counting what it is asked. */
function clientOf(engine: Engine, asked: unknown[]): EngineClient {
  const handlers = engineHandlers(engine);
  return {
    call: (async (name: EngineCallName, params: unknown) => {
      asked.push(params);
      return (handlers[name] as (parsed: unknown) => Promise<unknown>)(engineCallSchemas[name].parse(params));
    }) as EngineClient['call'],
  };
}

describe('thumbnails and previews served', () => {
  const loaded = fixtureModelAndPhotos();
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let engine: Engine;
  let files: string[];
  let rows: { id: number; thumbnail: string }[];
  const asked: unknown[] = [];
  const serve = (kind: string, id: number) => loadPhoto(clientOf(engine, asked), new URL(`app://lumen/photo/${kind}/${id}`));

  beforeEach(async () => {
    scratch = await tempDir();
    const dataDir = path.join(scratch.dir, 'data');
    const library = openLibrary(dataDir);
    const folder = path.join(scratch.dir, 'Photos');
    files = await copyPhotos(loaded.photos.slice(0, 5), folder);
    await library.index(loaded.model, { folders: (await library.addFolders([folder])).folders });
    rows = queryLibrary<{ id: number; thumbnail: string }>(dataDir, 'SELECT files.id, images.thumbnail FROM files JOIN images ON images.id = files.image_id ORDER BY files.path').map((row) => ({ ...row, thumbnail: path.join(dataDir, row.thumbnail) }));
    await library.close();
    engine = new Engine({ dataDir, model: IMMICH_MODEL, provider: 'cpu' });
    asked.length = 0;
  });
  afterEach(async () => {
    await engine.dispose();
    await scratch.cleanup();
  });

  it('are made again from the original where deleted, emptied or overwritten, and kept in the data folder', async () => {
    const [deleted, overwritten, emptied, cut, whole] = rows;
    const made = await Promise.all(rows.map(async (row) => sharp(row.thumbnail).metadata()));
    const originals = await Promise.all(files.map((file) => readFile(file)));
    const untouched = await stat(whole!.thumbnail);

    await rm(deleted!.thumbnail);
    await writeFile(overwritten!.thumbnail, randomBytes((await stat(overwritten!.thumbnail)).size));
    await writeFile(emptied!.thumbnail, '');
    await writeFile(cut!.thumbnail, (await readFile(cut!.thumbnail)).subarray(0, 100));

    for (const [i, photo] of [deleted, overwritten, emptied, cut].entries()) {
      const served = await serve('thumbnail', photo!.id);
      expect(served?.contentType).toBe('image/webp');
      expect(await sharp(served!.body).metadata()).toMatchObject({ format: 'webp', width: made[i]!.width, height: made[i]!.height });
      expect((await readFile(photo!.thumbnail)).equals(served!.body)).toBe(true);
    }
    asked.length = 0;
    expect((await serve('thumbnail', whole!.id))?.body.equals(await readFile(whole!.thumbnail))).toBe(true);
    // A whole thumbnail is asked for once and left as it was.
    expect(asked).toEqual([{ kind: 'thumbnail', id: whole!.id }]);
    expect((await stat(whole!.thumbnail)).mtimeMs).toBe(untouched.mtimeMs);
    // The originals were only read.
    for (const [i, file] of files.entries()) expect((await readFile(file)).equals(originals[i]!)).toBe(true);
  });

  it('make a damaged preview again', async () => {
    const first = await serve('preview', rows[0]!.id);
    const preview = path.join(engine.library().dataDir, engine.library().thumbnails.relativePath(path.basename(rows[0]!.thumbnail, '.webp'), 'previews'));
    expect((await readFile(preview)).equals(first!.body)).toBe(true);
    await writeFile(preview, first!.body.subarray(0, first!.body.length - 10));
    const again = await serve('preview', rows[0]!.id);
    expect(again!.body.equals(first!.body)).toBe(true);
    expect((await readFile(preview)).equals(first!.body)).toBe(true);
  });

  it('are none where the original is gone too', async () => {
    await rm(rows[0]!.thumbnail);
    await rm(files[0]!);
    expect(await serve('thumbnail', rows[0]!.id)).toBeNull();
    await expect(engine.photoFile(rows[0]!.id, 'thumbnail', { remake: true })).rejects.toMatchObject({ code: 'image-unreadable' });
  });
});

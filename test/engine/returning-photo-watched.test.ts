/**
 * Note [Work kept for photos that return] in main/storage/kept-work.ts, through the Engine as the
 * app runs it, its folder watcher on: a photo of a saved album, with a verdict, moved out of the
 * library (the watcher's run forgets it) and back a little later is in its album again, with its
 * verdict.
 */
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../main/engine/engine.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

describe('a photo moved out of a watched library and back', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let engine: Engine;
  let files: string[];

  beforeAll(async () => {
    scratch = await tempDir();
    files = await copyPhotos((await fixturePhotos()).slice(0, 6), path.join(scratch.dir, 'Photos'));
    engine = new Engine({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL, provider: 'cpu', watch: true });
    await (await engine.addFolders([path.join(scratch.dir, 'Photos')])).indexing.done;
  });
  afterAll(async () => {
    await engine.dispose();
    await scratch.cleanup();
  });

  it('is back in its album, with its verdict', async () => {
    const storage = () => engine.library().storage;
    const photoAt = (file: string) => storage().photos.photoByPath(file);
    await engine.changeAlbums((tags) => tags.saveAlbum('Walks', files.map((file) => photoAt(file)!.photoId)));
    const walks = () => storage().albums.list().find((album) => album.name === 'Walks')!.id;
    const moved = files[2]!;
    await engine.tagsToChange().verdicts.give([photoAt(moved)!.photoId], 'river', 'confirm');

    const away = path.join(scratch.dir, 'USB stick', path.basename(moved));
    await mkdir(path.dirname(away));
    await rename(moved, away);
    // The watcher's run forgets it, its image too.
    await expect.poll(() => engine.library().status().images, { timeout: 20_000 }).toBe(5);
    expect(storage().albums.photos(walks())).toHaveLength(5);

    await rename(away, moved);
    await expect.poll(() => storage().albums.photos(walks()).length, { timeout: 20_000 }).toBe(6);
    expect(storage().albums.photos(walks())).toContain(photoAt(moved)!.photoId);
    expect(engine.tagsToChange().verdicts.tagsOf(moved).tags).toContainEqual(expect.objectContaining({ tag: 'river', source: 'person' }));
  });
});

/**
 * Byte-identical files are one picture in the library grid as in search (Note [One tile a
 * picture] in main/engine/photo-info.ts): one tile each, by the same file search shows, counted
 * once (`lumen status` too); a filter that only a copy passes shows that copy; the viewer's
 * details name the others.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../main/cli/index.js';
import { folderKey } from '../../main/core/folder-key.js';
import { engineHandlers, type EngineHandlers } from '../../main/engine/calls.js';
import { Engine } from '../../main/engine/engine.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

describe('byte-identical copies in the library grid', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let engine: Engine;
  let calls: EngineHandlers;
  let originals: string[];
  let backup: string;
  let data: string;

  const idOf = (file: string) => engine.library().resolvePhoto(file).photoId;

  beforeAll(async () => {
    scratch = await tempDir();
    const pictures = path.join(scratch.dir, 'Pictures');
    originals = await copyPhotos((await fixturePhotos()).filter((_, i) => i % 6 === 0).slice(0, 5), path.join(pictures, 'Camera'), () => '');
    data = path.join(scratch.dir, 'data');
    engine = new Engine({ dataDir: data, model: IMMICH_MODEL });
    calls = engineHandlers(engine);
    await (await engine.addFolders([pictures])).indexing.done;
    // Copies made later: a backup folder of the first three, and the first one twice more beside it.
    backup = path.join(pictures, 'Backup');
    await mkdir(backup, { recursive: true });
    for (const file of originals.slice(0, 3)) await copyFile(file, path.join(backup, path.basename(file)));
    await copyFile(originals[0] as string, path.join(pictures, 'Camera', 'again.jpg'));
    await engine.index().done;
  });
  afterAll(async () => {
    await engine.dispose();
    await scratch.cleanup();
  });

  it('shows and counts each picture once, by the file search shows', async () => {
    expect(engine.library().storage.library.counts()).toMatchObject({ files: 9, images: 5 });
    const grid = await calls['photos.timeline']({ filters: {} });
    expect(grid.total).toBe(5);
    expect([...grid.ids].sort((a, b) => a - b)).toEqual(originals.map(idOf).sort((a, b) => a - b));
    expect(new Set(grid.versions).size).toBe(5);
    const first = await calls['photos.timeline']({ filters: {}, first: 2 });
    expect([first.total, first.ids]).toEqual([5, grid.ids.slice(0, 2)]);
    // The newest files are the copies made later: the first screen reads further for its one photo.
    const one = await calls['photos.timeline']({ filters: {}, first: 1 });
    expect([one.total, one.ids]).toEqual([5, grid.ids.slice(0, 1)]);

    const results = await calls['search.query']({ query: 'a photo', options: { showAll: true, count: true } as never });
    expect(results.total).toBe(5);
    expect([...results.results.map((hit) => hit.id)].sort((a, b) => a - b)).toEqual([...grid.ids].sort((a, b) => a - b));
  });

  it('counts them as the app does in `lumen status`, with the files', async () => {
    let stdout = '';
    expect(await main(['status', '--data', data, '--model', IMMICH_MODEL], { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true } })).toBe(0);
    expect(stdout).toMatch(/^Library: +5 photos \(9 files: identical copies count once\) in 1 folder,/m);
  });

  it('shows a copy where a filter passes only the copy', async () => {
    const inBackup = await calls['photos.timeline']({ filters: { within: folderKey(backup) } });
    expect(inBackup.total).toBe(3);
    expect(inBackup.ids.map((id) => path.dirname(engine.library().resolvePhoto(id).path))).toEqual([backup, backup, backup]);
  });

  it('names the other files of the picture in its details', async () => {
    const details = await calls['photos.details']({ id: idOf(originals[0] as string) });
    expect([...details.copies].sort()).toEqual([path.join(backup, path.basename(originals[0] as string)), path.join(scratch.dir, 'Pictures', 'Camera', 'again.jpg')].sort());
    expect((await calls['photos.details']({ id: idOf(originals[4] as string) })).copies).toEqual([]);
  });
});

/**
 * Moving near-duplicates to the trash as the app does it (the main process's handler over the
 * engine's calls): the answer comes once the library has forgotten the moved files, the albums and
 * verdicts of a moved copy go to the copy its group keeps and come back with the copy when it is
 * put back (Note [What a moved copy leaves]), and files moved stay reported as moved when the
 * engine cannot re-scan.
 */
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callHandlers, type AppShell, type EngineClient } from '../../main/app/handlers.js';
import type { TrashSelection } from '../../main/duplicates/trash.js';
import { engineHandlers, type EngineHandlers } from '../../main/engine/calls.js';
import { Engine } from '../../main/engine/engine.js';
import { saveAlbum } from '../../main/tags/albums.js';
import { writeCopies } from '../helpers/duplicate-sets.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { queryLibrary } from '../helpers/library.js';

/** A desktop whose trash is a folder, and which refuses to move the files of `refused`. */
function shellWithTrash(trash: string, refused: ReadonlySet<string> = new Set()): AppShell {
  return {
    pickFolders: async () => null,
    showInFolder: () => false,
    openPath: async () => false,
    moveToTrash: async (file) => {
      if (refused.has(path.basename(file))) throw new Error('Operation not permitted');
      await rename(file, path.join(trash, path.basename(file)));
    },
  };
}

describe('moving near-duplicates to the trash from the app', () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  let photos: string;
  let trash: string;
  let dataDir: string;
  let engine: Engine;

  beforeAll(async () => {
    scratch = await tempDir();
    photos = path.join(scratch.dir, 'Photos');
    trash = path.join(scratch.dir, 'Trash');
    dataDir = path.join(scratch.dir, 'data');
    await mkdir(trash);
    await writeCopies(photos, 2);
    engine = new Engine({ dataDir, model: IMMICH_MODEL });
    await (await engine.addFolders([photos])).indexing.done;
  });
  afterAll(async () => {
    await engine.dispose();
    await scratch.cleanup();
  });

  /** The main process's handlers over this engine, as the app wires them (through RPC there). */
  const app = (shell: AppShell) => {
    const handlers = engineHandlers(engine);
    const client: EngineClient = { call: (name, params) => (handlers[name] as (params: unknown) => ReturnType<EngineHandlers[typeof name]>)(params) as never };
    return callHandlers(client, shell, (message) => expect.fail(message));
  };
  const photoAt = (file: string) => engine.library().storage.photos.photoByPath(file);
  const verdictsOf = (file: string) =>
    engine
      .tagsToChange()
      .verdicts.tagsOf(file)
      .tags.filter((tag) => tag.source === 'person')
      .map((tag) => tag.tag);
  const rejectedOf = (file: string) => engine.tagsToChange().verdicts.tagsOf(file).rejected;

  it('answers once the library forgot the moved copies, which have handed their albums and verdicts to the copy kept, and get them back when put back', async () => {
    const file = (name: string) => path.join(photos, `circle-${name}.jpg`);
    const storage = engine.library().storage;
    saveAlbum(storage, 'Trip', [photoAt(file('half'))!.photoId]);
    const album = storage.albums.list().find((listed) => listed.name === 'Trip')!;
    const tags = engine.tagsToChange().verdicts;
    await tags.give([photoAt(file('half'))!.photoId], 'beach', 'confirm');
    await tags.give([photoAt(file('half'))!.photoId], 'sea', 'confirm');
    // The copy kept said otherwise of "sea": its own verdict stays.
    await tags.give([photoAt(file('original'))!.photoId], 'sea', 'reject');
    await tags.give([photoAt(file('resaved'))!.photoId], 'snow', 'confirm');
    const handlers = app(shellWithTrash(trash, new Set(['circle-resaved.jpg'])));
    const found = await handlers['duplicates.find']({});
    const circle = found.groups.find((group) => group.photos.some((photo) => photo.path === file('original')))!;
    expect(circle.photos.find((photo) => photo.id === circle.keep)?.path).toBe(file('original'));
    // The copies marked by default: all but the keep. The trash refuses the re-save.
    const result = await handlers['duplicates.trash']({ photoIds: circle.photos.filter((photo) => photo.id !== circle.keep).map((photo) => photo.id) });
    expect(result.trashed).toEqual([file('half')]);
    expect(result.skipped).toEqual([{ path: file('resaved'), reason: 'the trash refused it: Operation not permitted' }]);

    // A find right after the answer lists no file that went to the trash.
    const again = await handlers['duplicates.find']({});
    expect(again.groups.flatMap((group) => group.photos.map((photo) => photo.path))).not.toContain(file('half'));
    expect(photoAt(file('half'))).toBeUndefined();

    // The copy kept is in the album now, and has the verdicts it had none of.
    expect(storage.albums.photos(album.id)).toEqual([photoAt(file('original'))!.photoId]);
    expect(verdictsOf(file('original'))).toEqual(['beach']);
    expect(rejectedOf(file('original'))).toEqual(['sea']);
    // The re-save did not move: the copy kept takes nothing of it, and nothing of it is remembered.
    expect(verdictsOf(file('original'))).not.toContain('snow');
    expect(verdictsOf(file('resaved'))).toEqual(['snow']);
    expect(queryLibrary(dataDir, 'SELECT tag FROM restored_verdicts ORDER BY tag')).toEqual(['beach', 'sea']);
    expect(queryLibrary(dataDir, 'SELECT album_id FROM restored_album_images')).toEqual([album.id]);

    // Put back from the trash and indexed again: in its album again, with its verdicts.
    await rename(path.join(trash, 'circle-half.jpg'), file('half'));
    await engine.index().done;
    const back = photoAt(file('half'))!;
    expect(storage.albums.photos(album.id).sort((a, b) => a - b)).toEqual([photoAt(file('original'))!.photoId, back.photoId].sort((a, b) => a - b));
    expect(verdictsOf(file('half')).sort()).toEqual(['beach', 'sea']);
    expect(queryLibrary(dataDir, 'SELECT COUNT(*) FROM restored_verdicts')).toEqual([0]);
    expect(queryLibrary(dataDir, 'SELECT COUNT(*) FROM restored_album_images')).toEqual([0]);
  });

  it('answers while indexing is paused, and the paused run forgets the moved copy once resumed', async () => {
    const file = (name: string) => path.join(photos, `circle-${name}.jpg`);
    const handlers = app(shellWithTrash(trash));
    const circle = (await handlers['duplicates.find']({})).groups.find((group) => group.photos.some((photo) => photo.path === file('half')))!;
    // Paused by the person (or left paused at the last quit: Note [A pause outlasts the app]).
    const paused = engine.index({}, { paused: true });
    const half = circle.photos.find((photo) => photo.path === file('half'))!;
    const answer = handlers['duplicates.trash']({ photoIds: [half.id] });
    const noAnswer = new Promise((resolve) => setTimeout(() => resolve('no answer in 15 s'), 15_000).unref());
    expect(await Promise.race([answer, noAnswer])).toMatchObject({ trashed: [file('half')] });
    // The groups found last leave it out already; the library forgets it when the run goes on.
    expect(engine.duplicates.last()?.movedPaths).toContain(file('half'));
    expect(photoAt(file('half'))).toBeDefined();
    // A new find meanwhile lists no file that is gone from its folder.
    const again = await handlers['duplicates.find']({});
    expect(again.groups.flatMap((group) => group.photos.map((photo) => photo.path))).not.toContain(file('half'));
    paused.job.resume();
    await paused.done;
    expect(photoAt(file('half'))).toBeUndefined();
    // What was remembered of it stays, for when it is put back from the trash.
    expect(queryLibrary(dataDir, 'SELECT COUNT(*) FROM restored_verdicts')).not.toEqual([0]);
  });

  it('answers with the files moved when the engine cannot re-scan after the move, and says so in the log', async () => {
    const loose = path.join(scratch.dir, 'Loose');
    await mkdir(loose);
    const [keep, copy] = [path.join(loose, 'keep.jpg'), path.join(loose, 'copy.jpg')];
    await writeFile(keep, 'the copy kept');
    await writeFile(copy, 'a copy');
    const known = async (file: string) => ({ path: file, size: (await stat(file)).size, mtimeMs: Math.floor((await stat(file)).mtimeMs) });
    const selection: TrashSelection = { groups: [[await known(keep), await known(copy)]], chosen: [copy], refused: [] };
    const restarting = new Error('The engine is restarting.');
    // The engine gives the selection, then cannot take the re-scan's request, whichever it is.
    const engineStopped: EngineClient = { call: async (name) => (name === 'duplicates.selection' ? selection : Promise.reject(restarting)) as never };
    const logged: string[] = [];
    const result = await callHandlers(engineStopped, shellWithTrash(trash), (message) => logged.push(message))['duplicates.trash']({ photoIds: [1] });
    expect(result).toEqual({ trashed: [copy], sidecars: [], skipped: [] });
    expect(logged).toEqual(["Copies moved to the trash stay in the library until the watcher's next re-scan: The engine is restarting."]);
  });
});

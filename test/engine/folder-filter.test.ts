/**
 * The app's Folder filter, through the engine's call table over a real Engine: the folders to
 * choose from (library folders and the folders below them, named by key, never by path), and the
 * search and timeline narrowed to one of them with its subfolders.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderKey } from '../../main/core/folder-key.js';
import { engineCallSchemas, engineHandlers, type EngineHandlers } from '../../main/engine/calls.js';
import { Engine } from '../../main/engine/engine.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos, type FixturePhoto } from '../helpers/library.js';

describe('the Folder filter', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let engine: Engine;
  let calls: EngineHandlers;
  let pictures: string;
  let trips: string;
  let wallpapers: string;

  const nameOf = (id: number) => path.basename(engine.library().resolvePhoto(id).path);
  /** Pictures' photos: of two shapes, so that it holds two folders. */
  const ofPictures = (photos: FixturePhoto[]) => [...photos.slice(0, 6), ...photos.slice(-6)];

  beforeAll(async () => {
    scratch = await tempDir();
    pictures = path.join(scratch.dir, 'Pictures');
    trips = path.join(scratch.dir, 'Trips');
    wallpapers = path.join(scratch.dir, 'Wallpapers');
    const photos = await fixturePhotos();
    // Pictures/<shape>/…, and Trips/2019/<shape>/…: a folder that holds only folders.
    await copyPhotos(ofPictures(photos), pictures);
    await copyPhotos(photos.slice(12, 18), trips, (photo) => path.join('2019', photo.shape));
    // KDE's wallpaper packages: <name>/contents/images/<size>.jpg, and a screenshot in contents, or not.
    const kde = ['Altai/contents', 'Altai/contents/images', 'Altai/contents/images', 'Kite/contents/images', 'Kite/contents/images'];
    await copyPhotos(photos.slice(18, 23), wallpapers, (_, i) => kde[i] as string);
    engine = new Engine({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL });
    calls = engineHandlers(engine);
    expect(await calls['photos.folders']({})).toEqual([]);
    await (await engine.addFolders([pictures, trips, wallpapers])).indexing.done;
  });
  afterAll(async () => {
    await engine.dispose();
    await scratch.cleanup();
  });

  it('lists each library folder, then the folders below it, each after the folder it is in, with the photos under it', async () => {
    const choices = await calls['photos.folders']({});
    const relative = choices.map(({ path: dir, depth, photos }) => [path.relative(scratch.dir, dir), depth, photos]);
    const pictureShapes = [...new Set(ofPictures(await fixturePhotos()).map((photo) => photo.shape))].sort();
    const tripShapes = [...new Set((await fixturePhotos()).slice(12, 18).map((photo) => photo.shape))].sort();
    expect(relative.map(([dir, depth]) => [dir, depth])).toEqual([
      ['Pictures', 0],
      ...pictureShapes.map((shape) => [path.join('Pictures', shape), 1]),
      // Trips holds nothing but 2019, which it stands for (Note [Folders worth choosing]).
      ['Trips', 0],
      ...tripShapes.map((shape) => [path.join('Trips', '2019', shape), 2]),
      ['Wallpapers', 0],
      [path.join('Wallpapers', 'Altai'), 1],
      [path.join('Wallpapers', 'Altai', 'contents', 'images'), 3],
      [path.join('Wallpapers', 'Kite'), 1],
    ]);
    const photosOf = (dir: string) => relative.find(([known]) => known === dir)?.[2];
    expect(photosOf('Pictures')).toBe(12);
    expect(photosOf('Trips')).toBe(6);
    expect(photosOf(path.join('Wallpapers', 'Altai'))).toBe(3);
    expect(photosOf(path.join('Wallpapers', 'Kite'))).toBe(2);
    for (const choice of choices) expect(choice.key).toBe(folderKey(choice.path));
    // The folders not listed apart, by the choice that stands for them, so a filter naming one still has its choice.
    const alikeOf = (dir: string) => [...(choices.find((choice) => choice.path === path.join(scratch.dir, dir))?.alike ?? [])].sort();
    expect(alikeOf('Trips')).toEqual([folderKey(path.join(trips, '2019'))]);
    expect(alikeOf(path.join('Wallpapers', 'Kite'))).toEqual([path.join('Kite', 'contents'), path.join('Kite', 'contents', 'images')].map((dir) => folderKey(path.join(wallpapers, dir))).sort());
    expect(alikeOf(path.join('Wallpapers', 'Altai'))).toEqual([folderKey(path.join(wallpapers, 'Altai', 'contents'))]);
    expect(alikeOf(path.join('Wallpapers', 'Altai', 'contents', 'images'))).toEqual([]);
  });

  it('counts for each folder listed the photos that choosing it narrows to, and narrows a folder that stands for the folders below it to them all', async () => {
    for (const { key, photos } of await calls['photos.folders']({})) expect((await calls['photos.timeline']({ filters: { within: key } })).ids).toHaveLength(photos);
    const kite = await calls['photos.timeline']({ filters: { within: folderKey(path.join(wallpapers, 'Kite')) } });
    expect(kite.ids.map((id) => path.relative(wallpapers, path.dirname(engine.library().resolvePhoto(id).path)))).toEqual([path.join('Kite', 'contents', 'images'), path.join('Kite', 'contents', 'images')]);
  });

  it('narrows a search and the library to a folder and everything below it', async () => {
    const within = folderKey(path.join(trips, '2019'));
    const page = await calls['search.query'](engineCallSchemas['search.query'].parse({ query: 'a photo of a circle.', options: { limit: 100, showAll: true, filters: { within } } }));
    expect(page.results.map((hit) => hit.id).sort()).toEqual((await calls['photos.timeline']({ filters: { within } })).ids.sort());
    expect(page.results).toHaveLength(6);
    for (const hit of page.results) expect(engine.library().resolvePhoto(hit.id).path.startsWith(path.join(trips, '2019') + path.sep)).toBe(true);
    const [shape] = (await fixturePhotos()).slice(12, 13).map((photo) => photo.shape);
    const one = await calls['photos.timeline']({ filters: { within: folderKey(path.join(trips, '2019', shape as string)) } });
    expect(one.ids.length).toBeGreaterThan(0);
    expect(one.ids.every((id) => nameOf(id).startsWith(`${shape}-`))).toBe(true);
  });

  it("gives each photo of the library's and an album's timeline its library folder, which tells photos of one name apart", async () => {
    const folderOf = new Map((await engine.status()).library!.folders.map((folder) => [folder.path, folder.id]));
    const libraryFolderOf = (id: number) => folderOf.get([pictures, trips, wallpapers].find((dir) => engine.library().resolvePhoto(id).path.startsWith(dir + path.sep)) as string);
    const whole = await calls['photos.timeline']({});
    expect(whole.folderIds).toHaveLength(whole.ids.length);
    expect(whole.folderIds).toEqual(whole.ids.map(libraryFolderOf));
    expect(new Set(whole.folderIds).size).toBe(3);
    const first = await calls['photos.timeline']({ first: 5 });
    expect(first.folderIds).toEqual(whole.folderIds.slice(0, 5));
    const album = await calls['albums.save']({ name: 'Mixed', photoIds: [whole.ids[0] as number, whole.ids.at(-1) as number] });
    const members = await calls['albums.photos']({ id: album.id });
    expect(members.folderIds).toEqual(members.ids.map(libraryFolderOf));
  });

  it('narrows to nothing for a folder no longer in the library, and takes no path for a folder', async () => {
    expect((await calls['photos.timeline']({ filters: { within: folderKey(path.join(scratch.dir, 'Elsewhere')) } })).ids).toEqual([]);
    expect(engineCallSchemas['photos.timeline'].safeParse({ filters: { within: pictures } }).success).toBe(false);
    // The command line's filter by path is not the app's (Note [No paths from the renderer]).
    expect(engineCallSchemas['photos.timeline'].safeParse({ filters: { folder: pictures } }).success).toBe(false);
    expect(engineCallSchemas['search.query'].safeParse({ query: 'a', options: { filters: { folder: pictures } } }).success).toBe(false);
    expect(engineCallSchemas['search.query'].safeParse({ query: 'a', options: { filters: { within: folderKey(pictures) } } }).success).toBe(true);
  });
});

/**
 * Saved albums over synthetic rows (no model, no photos): the store (members by image) and the
 * engine's functions a person manages them with: save, rename, add to, remove from.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IndexedFile, NewImage } from '../../main/storage/library-store.js';
import { folderOfPath } from '../../main/storage/photo-store.js';
import { DATABASE_FILE, Storage } from '../../main/storage/storage.js';
import { addToAlbum, albumPhotos, deleteAlbum, folderAlbums, removeFromAlbum, renameAlbum, saveAlbum, savedAlbums } from '../../main/tags/albums.js';
import { tempDir } from '../helpers/fixtures.js';
import { asBefore } from '../helpers/older-schema.js';

function image(i: number): NewImage {
  return { contentHash: `hash-${i}`, format: 'jpeg', width: 400, height: 300, thumbnail: null, takenAt: Date.UTC(2020, 0, 1 + i), cameraMake: null, cameraModel: null, lens: null, latitude: null, longitude: null, orientation: null };
}

describe('saved albums', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let storage: Storage;
  let folderId: number;
  /** Photo (file) ids of a.jpg … e.jpg, and of a copy of a.jpg (the same image). */
  let photo: Record<'a' | 'b' | 'c' | 'd' | 'e' | 'aCopy', number>;

  const file = (name: string, image: IndexedFile['image']): IndexedFile => ({ path: path.join('/photos', name), folderId, size: 1000, mtimeMs: 1, ctimeMs: 1, image, vector: null });
  const idOf = (name: string) => storage.photos.photoByPath(path.join('/photos', name))!.photoId;
  const names = () => storage.albums.list().map((album) => album.name);

  beforeEach(async () => {
    scratch = await tempDir();
    storage = Storage.open(scratch.dir);
    folderId = storage.library.addFolder('/photos', []);
    storage.library.writeBatch('m', ['a', 'b', 'c', 'd', 'e'].map((name, i) => file(`${name}.jpg`, { created: image(i) })), []);
    storage.library.writeBatch('m', [file('a copy.jpg', { existingId: storage.photos.photoByPath('/photos/a.jpg')!.imageId })], []);
    photo = { a: idOf('a.jpg'), b: idOf('b.jpg'), c: idOf('c.jpg'), d: idOf('d.jpg'), e: idOf('e.jpg'), aCopy: idOf('a copy.jpg') };
  });
  afterEach(async () => {
    storage.close();
    await scratch.cleanup();
  });

  it('renames a saved album by the rules of a new name: trimmed, not empty, unique ignoring case', () => {
    const trip = saveAlbum(storage, 'Trip', [photo.a, photo.b]);
    const walks = saveAlbum(storage, 'Walks', [photo.c]);
    expect(renameAlbum(storage, trip.id, '  Lisbon 2023 ')).toMatchObject({ id: trip.id, kind: 'saved', name: 'Lisbon 2023', album: 'Lisbon 2023', photos: 2 });
    expect(names()).toEqual(['Lisbon 2023', 'Walks']);
    // Its members and its id stay.
    expect(albumPhotos(storage, trip.id)).toEqual([photo.b, photo.a]);
    // Its own name in another case is fine; another album's is not, in any case.
    expect(renameAlbum(storage, trip.id, 'LISBON 2023').name).toBe('LISBON 2023');
    expect(() => renameAlbum(storage, trip.id, 'walks')).toThrow(expect.objectContaining({ code: 'bad-input', message: 'There is already an album called “Walks”. Choose another name.' }));
    expect(() => renameAlbum(storage, trip.id, '   ')).toThrow(expect.objectContaining({ code: 'bad-input', message: 'Give the album a name.' }));
    expect(() => renameAlbum(storage, trip.id, 'x'.repeat(201))).toThrow(expect.objectContaining({ code: 'bad-input' }));
    expect(renameAlbum(storage, trip.id, ` ${'x'.repeat(200)} `).name).toHaveLength(200);
    expect(names()).toEqual(['Walks', 'x'.repeat(200)]);
    // A new album may not take an album's name; a renamed album's old name is free again.
    expect(() => saveAlbum(storage, 'WALKS', [photo.d])).toThrow(expect.objectContaining({ code: 'bad-input' }));
    expect(saveAlbum(storage, 'Lisbon 2023', [photo.d]).name).toBe('Lisbon 2023');
    expect(albumPhotos(storage, walks.id)).toEqual([photo.c]);
  });

  it('renames, adds to and removes from saved albums only: a folder, or an album deleted, is refused', () => {
    const [folder] = folderAlbums(storage);
    // a.jpg and its copy are one photo (Note [Folder albums count pictures]).
    expect(folder).toMatchObject({ kind: 'folder', photos: 5, files: 6 });
    for (const change of [() => renameAlbum(storage, folder!.id, 'Mine'), () => addToAlbum(storage, folder!.id, [photo.a]), () => removeFromAlbum(storage, folder!.id, [photo.a])]) {
      expect(change).toThrow(expect.objectContaining({ code: 'bad-input', message: expect.stringMatching(/^A folder's album follows its folder/) }));
    }
    expect(() => renameAlbum(storage, 'saved:99', 'Mine')).toThrow(expect.objectContaining({ code: 'not-found' }));
    expect(() => addToAlbum(storage, 'saved:99', [photo.a])).toThrow(expect.objectContaining({ code: 'not-found' }));
    expect(() => removeFromAlbum(storage, 'saved:99', [photo.a])).toThrow(expect.objectContaining({ code: 'not-found' }));
    expect(storage.albums.list()).toEqual([]);
  });

  it('adds photos to an album once each: those in it already, as any copy, are counted and not added again', () => {
    const trip = saveAlbum(storage, 'Trip', [photo.a, photo.b]);
    const added = addToAlbum(storage, trip.id, [photo.b, photo.c, photo.aCopy, photo.d, photo.c]);
    expect(added).toMatchObject({ added: 2, already: 2, album: { id: trip.id, name: 'Trip', photos: 4 } });
    expect(albumPhotos(storage, trip.id)).toEqual([photo.d, photo.c, photo.b, photo.a]);
    // Again: nothing new.
    expect(addToAlbum(storage, trip.id, [photo.a, photo.d])).toMatchObject({ added: 0, already: 2, album: { photos: 4 } });
    // A photo gone from the library meanwhile is left out, and counted nowhere.
    expect(addToAlbum(storage, trip.id, [photo.e, 999])).toMatchObject({ added: 1, already: 0, album: { photos: 5 } });
    expect(savedAlbums(storage)).toEqual([expect.objectContaining({ name: 'Trip', photos: 5 })]);
  });

  it('removes photos from an album and keeps them in the library; other albums keep theirs', () => {
    const trip = saveAlbum(storage, 'Trip', [photo.a, photo.b, photo.c]);
    const walks = saveAlbum(storage, 'Walks', [photo.a, photo.c]);
    // A copy of a member takes the photo out, as the photo itself would.
    expect(removeFromAlbum(storage, trip.id, [photo.aCopy, photo.c, photo.d])).toMatchObject({ removed: 2, album: { id: trip.id, photos: 1 } });
    expect(albumPhotos(storage, trip.id)).toEqual([photo.b]);
    expect(albumPhotos(storage, walks.id)).toEqual([photo.c, photo.a]);
    expect(storage.photos.allPhotos()).toHaveLength(6);
    // Every photo removed: the album stays, empty, until it is deleted.
    expect(removeFromAlbum(storage, trip.id, [photo.b])).toMatchObject({ removed: 1, album: { photos: 0 } });
    expect(names()).toEqual(['Trip', 'Walks']);
  });

  it("shows its photos as the Library does, newest first, whatever order they were indexed and added in (Note [Albums in the library's order])", () => {
    // Indexed 2024, 2020, 2022; the last two of one date, as the Library orders them: the later indexed first.
    const dated = (name: string, year: number, i: number) => file(name, { created: { ...image(10 + i), contentHash: name, takenAt: Date.UTC(year, 5, 1) } });
    storage.library.writeBatch('m', [dated('b_2024.jpg', 2024, 0), dated('a_2020.jpg', 2020, 1), dated('c_2022.jpg', 2022, 2), dated('d_2022.jpg', 2022, 3)], []);
    const years = saveAlbum(storage, 'Years', [idOf('a_2020.jpg'), idOf('d_2022.jpg'), idOf('b_2024.jpg'), idOf('c_2022.jpg')]);
    const newestFirst = ['b_2024.jpg', 'd_2022.jpg', 'c_2022.jpg', 'a_2020.jpg'].map(idOf);
    expect(albumPhotos(storage, years.id)).toEqual(newestFirst);
    expect(Array.from(storage.photos.timeline().photoIds).filter((id) => newestFirst.includes(id))).toEqual(newestFirst);
    // Its card shows the first of them; a photo added later takes its place by date, not at the end.
    expect(years.samples).toEqual(newestFirst);
    addToAlbum(storage, years.id, [photo.e]);
    expect(albumPhotos(storage, years.id)).toEqual([...newestFirst, photo.e]);
  });

  it('takes a name in any Unicode form or case as one, and refuses a name that shows nothing or reads as another (Note [Album names])', () => {
    const refused = (name: string, message: string | RegExp) => expect(() => saveAlbum(storage, name, [photo.a])).toThrow(expect.objectContaining({ code: 'bad-input', message: typeof message === 'string' ? message : expect.stringMatching(message) }));
    // Kept composed, as most keyboards type it: "e" and a combining accent is the same name.
    const cafe = saveAlbum(storage, 'Cafe\u0301', [photo.a]);
    expect(cafe.name).toBe('Caf\u00e9');
    refused('Caf\u00e9', 'There is already an album called “Caf\u00e9”. Choose another name.');
    // Case is folded beyond ASCII, as tags' names are.
    const ete = saveAlbum(storage, 'Été', [photo.b]);
    refused('ÉTÉ', 'There is already an album called “Été”. Choose another name.');
    refused('e\u0301te\u0301', 'There is already an album called “Été”. Choose another name.');
    expect(renameAlbum(storage, ete.id, 'ÉTÉ').name).toBe('ÉTÉ');
    // A name of nothing but zero-width spaces would be a blank card.
    refused('\u200b\u200b\ufeff', 'That name has only invisible characters: give the album a name that shows.');
    refused('Tab\there', "An album's name cannot contain a control or invisible character (U+0009): remove it.");
    refused('trip\u202egpj.exe', /^An album's name cannot contain an invisible character that changes the direction of the text after it/);
    refused('x'.repeat(201), "An album's name has at most 200 characters, and this one has 201: choose a shorter one.");
    // Joiners inside a name are part of what it shows (an emoji family).
    expect(saveAlbum(storage, 'Family 👨\u200d👩\u200d👧', [photo.c]).name).toBe('Family 👨\u200d👩\u200d👧');
    // Listed as a person reads names: "É" among the E's, not after "Z".
    saveAlbum(storage, 'Zoo', [photo.d]);
    saveAlbum(storage, 'apples', [photo.d]);
    expect(names()).toEqual(['apples', 'Caf\u00e9', 'ÉTÉ', 'Family 👨\u200d👩\u200d👧', 'Zoo']);
    expect(savedAlbums(storage).map((album) => album.name)).toEqual(names());
  });

  it('keeps the look-alike names an earlier version let in, and lets in no other while one shows (Note [Album name keys])', () => {
    // Saved by the version before name keys (a backup restored gives its albums no key either).
    storage.close();
    const db = new Database(path.join(scratch.dir, DATABASE_FILE));
    asBefore(db, 'album name keys');
    db.prepare('INSERT INTO albums (id, name, created_at) VALUES (?, ?, 0)').run(10, 'Caf\u00e9');
    db.prepare('INSERT INTO albums (id, name, created_at) VALUES (?, ?, 0)').run(11, 'Cafe\u0301');
    db.prepare('INSERT INTO albums (id, name, created_at) VALUES (?, ?, 0)').run(12, 'Été');
    db.prepare('INSERT INTO albums (id, name, created_at) VALUES (?, ?, 0)').run(13, 'ÉTÉ');
    db.close();
    storage = Storage.open(scratch.dir);

    expect(names()).toEqual(['Caf\u00e9', 'Cafe\u0301', 'Été', 'ÉTÉ']);
    // The older of two holds the name: neither twin, nor a new album, takes it.
    expect(() => saveAlbum(storage, 'CAFÉ', [photo.a])).toThrow(expect.objectContaining({ message: 'There is already an album called “Caf\u00e9”. Choose another name.' }));
    expect(() => renameAlbum(storage, 'saved:13', 'été')).toThrow(expect.objectContaining({ message: 'There is already an album called “Été”. Choose another name.' }));
    // Either twin gone, the other holds the name.
    deleteAlbum(storage, 'saved:10');
    expect(() => saveAlbum(storage, 'café', [photo.a])).toThrow(expect.objectContaining({ message: 'There is already an album called “Cafe\u0301”. Choose another name.' }));
    expect(renameAlbum(storage, 'saved:12', 'Summer').name).toBe('Summer');
    expect(renameAlbum(storage, 'saved:13', 'été').name).toBe('été');
    expect(() => saveAlbum(storage, 'ÉTÉ', [photo.a])).toThrow(expect.objectContaining({ code: 'bad-input' }));
    expect(names()).toEqual(['Cafe\u0301', 'été', 'Summer']);
  });

  it('never gives a deleted album’s id to another, after a reopen too (Note [Album ids never reused])', () => {
    const first = saveAlbum(storage, 'Alpha', [photo.a]);
    const second = saveAlbum(storage, 'Beta', [photo.b]);
    deleteAlbum(storage, second.id);
    deleteAlbum(storage, first.id);
    storage.close();
    storage = Storage.open(scratch.dir);
    const third = saveAlbum(storage, 'Gamma', [photo.c]);
    expect([first.id, second.id]).not.toContain(third.id);
    // The address of a deleted album finds none, not the album saved after it.
    expect(albumPhotos(storage, second.id)).toEqual([]);
    expect(() => renameAlbum(storage, second.id, 'Mine')).toThrow(expect.objectContaining({ code: 'not-found' }));
    expect(albumPhotos(storage, third.id)).toEqual([photo.c]);
  });
});

describe('folder albums (Note [Folders in SQL])', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let storage: Storage;

  beforeEach(async () => {
    scratch = await tempDir();
    storage = Storage.open(scratch.dir);
  });
  afterEach(async () => {
    storage.close();
    await scratch.cleanup();
  });

  it('groups photos by the folder path.dirname gives, whatever their names, and tallies each folder’s tags', () => {
    const folderId = storage.library.addFolder('/p', []);
    const paths = ['/p/a.jpg', '/p/b c.jpg', '/p/sub/d.jpg', '/p/sub/ü.ß.jpg', '/p/subway/e.jpg', '/p/sub/back\\slash.jpg', '/p/.hidden dir/f.jpg', '/p/sub/nested/g.jpg'];
    storage.library.writeBatch('m', paths.map((file, i) => ({ path: file, folderId, size: 1, mtimeMs: 1, ctimeMs: 1, image: { created: image(i) }, vector: null })), []);
    const imageOf = new Map(paths.map((file) => [file, storage.photos.photoByPath(file)!.imageId]));
    // Every photo in /p/sub is a "cat", scored; one of /p a confirmed "dog"; one rejected.
    for (const file of ['/p/sub/d.jpg', '/p/sub/ü.ß.jpg', '/p/sub/back\\slash.jpg']) storage.tags.insertAuto(imageOf.get(file)!, { tag: 'cat', score: 0.5, cosine: 0.3 }, 'm', 1);
    storage.tags.setVerdict(imageOf.get('/p/a.jpg')!, 'dog', false);
    storage.tags.setVerdict(imageOf.get('/p/b c.jpg')!, 'dog', true);

    const expected = new Map<string, number>();
    for (const file of paths) expected.set(path.dirname(file), (expected.get(path.dirname(file)) ?? 0) + 1);
    const albums = folderAlbums(storage);
    expect(albums.map((album) => [album.album, album.photos])).toEqual([...expected].sort(([a], [b]) => a.localeCompare(b)));
    const sub = albums.find((album) => album.album === '/p/sub')!;
    expect(sub.tags).toEqual([{ tag: 'cat', photos: 3, share: 1, meanScore: 0.5 }]);
    expect(albums.find((album) => album.album === '/p')!.tags).toEqual([{ tag: 'dog', photos: 1, share: 0.5, meanScore: 1 }]);
    // A folder's photos are its own, not those of a folder whose name begins like it, nor of its subfolders.
    const photoPaths = (album: string) => albumPhotos(storage, albums.find((listed) => listed.album === album)!.id).map((id) => storage.photos.photoById(id)!.path);
    expect(photoPaths('/p/sub')).toEqual(['/p/sub/back\\slash.jpg', '/p/sub/d.jpg', '/p/sub/ü.ß.jpg']);
    expect(photoPaths('/p/.hidden dir')).toEqual(['/p/.hidden dir/f.jpg']);
  });

  it("shows an album's first four photos on its card, in the album's order", () => {
    const folderId = storage.library.addFolder('/q', []);
    const paths = ['/q/f.jpg', '/q/b.jpg', '/q/sub/a.jpg', '/q/e.jpg', '/q/a.jpg', '/q/d.jpg', '/q/c.jpg', '/q0.jpg'];
    storage.library.writeBatch('m', paths.map((file, i) => ({ path: file, folderId, size: 1, mtimeMs: 1, ctimeMs: 1, image: { created: image(i) }, vector: null })), []);
    const id = (file: string) => storage.photos.photoByPath(file)!.photoId;
    const albums = folderAlbums(storage);
    const samples = (album: string) => albums.find((listed) => listed.album === album)!.samples;
    expect(samples('/q')).toEqual(['/q/a.jpg', '/q/b.jpg', '/q/c.jpg', '/q/d.jpg'].map(id));
    expect(samples('/q')).toEqual(albumPhotos(storage, albums.find((listed) => listed.album === '/q')!.id).slice(0, 4));
    expect(samples('/q/sub')).toEqual([id('/q/sub/a.jpg')]);
    expect(samples('/')).toEqual([id('/q0.jpg')]);
    const saved = saveAlbum(storage, 'Five', ['/q/f.jpg', '/q/e.jpg', '/q/d.jpg', '/q/c.jpg', '/q/b.jpg'].map(id));
    expect(saved.samples).toEqual(albumPhotos(storage, saved.id).slice(0, 4));
    expect(saved.samples).toHaveLength(4);
    expect(saveAlbum(storage, 'Empty', []).samples).toEqual([]);
  });

  it('counts, shows and tallies identical copies in a folder as one photo, by its first file there (Note [Folder albums count pictures])', () => {
    // The wallpapers' folders: one real file and eleven links to it, beside another picture; one link in a second folder.
    const folderId = storage.library.addFolder('/w', []);
    storage.library.writeBatch('m', [{ path: '/w/autumn/1280x1024.jpg', folderId, size: 1, mtimeMs: 1, ctimeMs: 1, image: { created: image(0) }, vector: null }, { path: '/w/autumn/other.jpg', folderId, size: 1, mtimeMs: 1, ctimeMs: 1, image: { created: image(1) }, vector: null }], []);
    const autumn = storage.photos.photoByPath('/w/autumn/1280x1024.jpg')!;
    const links = ['1024x768', '1280x800', '1440x900', '1600x1200', '1680x1050', '1920x1080', '1920x1200', '2560x1440', '2560x1600', '3840x2160', '640x480'].map((size) => `/w/autumn/${size}.jpg`);
    storage.library.writeBatch('m', [...links, '/w/elsewhere/autumn.jpg'].map((file) => ({ path: file, folderId, size: 1, mtimeMs: 1, ctimeMs: 1, image: { existingId: autumn.imageId }, vector: null })), []);
    storage.tags.insertAuto(autumn.imageId, { tag: 'leaves', score: 0.5, cosine: 0.3 }, 'm', 1);
    const other = storage.photos.photoByPath('/w/autumn/other.jpg')!;
    const id = (file: string) => storage.photos.photoByPath(file)!.photoId;

    const albums = folderAlbums(storage);
    const folder = albums.find((album) => album.album === '/w/autumn')!;
    const first = id('/w/autumn/1024x768.jpg');
    expect(folder).toMatchObject({ photos: 2, files: 13, samples: [first, other.photoId] });
    expect(folder.tags).toEqual([{ tag: 'leaves', photos: 1, share: 0.5, meanScore: 0.5 }]);
    expect(albumPhotos(storage, folder.id)).toEqual([first, other.photoId]);
    // A picture in two folders is in both albums, each by its own file there.
    const elsewhere = albums.find((album) => album.album === '/w/elsewhere')!;
    expect(elsewhere).toMatchObject({ photos: 1, files: 1, samples: [id('/w/elsewhere/autumn.jpg')] });
    expect(albumPhotos(storage, elsewhere.id)).toEqual([id('/w/elsewhere/autumn.jpg')]);
  });

  it('takes both separators on Windows, as path.win32.dirname does', () => {
    const db = new Database(':memory:');
    try {
      const folderOf = db.prepare(`SELECT ${folderOfPath('@file', 'win32')}`).pluck();
      for (const file of ['C:\\Users\\ada\\Pictures\\a.jpg', 'C:\\Users\\ada\\Pictures/b.jpg', 'D:\\c.jpg', '\\\\server\\share\\d.jpg']) {
        expect(path.win32.dirname(`${String(folderOf.get({ file }))}_`)).toBe(path.win32.dirname(file));
      }
    } finally {
      db.close();
    }
  });
});

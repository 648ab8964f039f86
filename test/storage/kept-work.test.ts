/**
 * Note [Work kept for photos that return] in main/storage/kept-work.ts, over synthetic rows: a
 * photo whose file a walk found gone gets the person's verdicts and album places back when its
 * content is indexed again; a folder the person removes forgets what its photos left; what was
 * kept is forgotten KEPT_DAYS later, so the tables stay bounded.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KEPT_DAYS } from '../../main/storage/kept-work.js';
import type { IndexedFile, NewImage } from '../../main/storage/library-store.js';
import { Storage } from '../../main/storage/storage.js';
import { saveAlbum } from '../../main/tags/albums.js';
import { tempDir } from '../helpers/fixtures.js';
import { queryLibrary } from '../helpers/library.js';

const DAY_MS = 24 * 60 * 60 * 1000;

function image(name: string): NewImage {
  return { contentHash: `hash-${name}`, format: 'jpeg', width: 400, height: 300, thumbnail: null, takenAt: null, cameraMake: null, cameraModel: null, lens: null, latitude: null, longitude: null, orientation: null };
}

describe('the work of a photo whose file leaves the library', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let storage: Storage;
  let folderId: number;

  const filePath = (name: string) => path.join('/photos', `${name}.jpg`);
  /** Indexes the named photos as new content (each its own), as a walk that found them does. */
  const index = (...names: string[]) =>
    storage.library.writeBatch('m', names.map((name): IndexedFile => ({ path: filePath(name), folderId, size: 1000, mtimeMs: 1, ctimeMs: 1, image: { created: image(name) }, vector: null })), []);
  const photo = (name: string) => storage.photos.photoByPath(filePath(name));
  /** A walk that found only `present` of the folder, then the forgetting of the images no file shows, as after a run. */
  const walkFinding = (...present: string[]) => {
    storage.library.removeMissing(folderId, new Set(present.map(filePath)));
    storage.library.deleteOrphanImagesAfter(0, 100);
  };
  const verdicts = (name: string) =>
    storage.tags
      .tagsOfImage(photo(name)!.imageId)
      .filter((row) => row.source === 'person')
      .map((row) => `${row.tag}${row.rejected ? ' (rejected)' : ''}`);
  /** Saves an album of the named photos; its id in the store. */
  const album = (name: string, ...photos: string[]) => {
    saveAlbum(storage, name, photos.map((each) => photo(each)!.photoId));
    return storage.albums.list().find((saved) => saved.name === name)!.id;
  };
  /** The paths of an album's photos, by path. */
  const albumOf = (albumId: number) => storage.albums.photos(albumId).map((photoId) => storage.photos.photoById(photoId)?.path).sort();
  /** The contents anything is kept of. */
  const kept = () => queryLibrary(scratch.dir, 'SELECT content_hash FROM restored_verdicts UNION SELECT content_hash FROM restored_album_images UNION SELECT content_hash FROM kept_work');

  beforeEach(async () => {
    scratch = await tempDir();
    storage = Storage.open(scratch.dir);
    folderId = storage.library.addFolder('/photos', []);
    index('river', 'sign', 'lake');
    storage.tags.setVerdict(photo('sign')!.imageId, 'river', false);
    storage.tags.setVerdict(photo('sign')!.imageId, 'road', true);
    // The tagger's own tag is no work of the person's: it comes back as the tagger runs again.
    storage.tags.insertAuto(photo('sign')!.imageId, { tag: 'sky', score: 0.9, cosine: 0.3 }, 'm', 1);
  });
  afterEach(async () => {
    vi.useRealTimers();
    storage.close();
    await scratch.cleanup();
  });

  it('gets its verdicts and its places in albums back when its file comes back', () => {
    const trip = album('Trip', 'river', 'sign', 'lake');
    walkFinding('river', 'lake');
    expect(photo('sign')).toBeUndefined();
    expect(albumOf(trip)).toEqual([filePath('lake'), filePath('river')]);
    // Put back, and indexed again.
    index('sign');
    expect(verdicts('sign')).toEqual(['river', 'road (rejected)']);
    expect(albumOf(trip)).toEqual([filePath('lake'), filePath('river'), filePath('sign')]);
    // Given back, nothing of it waits any more.
    expect(kept()).toEqual([]);
  });

  it('keeps what the person changed since it last left, when it came back before its image was forgotten', () => {
    const trip = album('Trip', 'sign');
    const { imageId } = photo('sign')!;
    storage.library.removeMissing(folderId, new Set([filePath('river'), filePath('lake')]));
    // Back while its image is still stored (a run goes on: Note [Images kept for a run] in library.ts): linked to it again.
    storage.library.writeBatch('m', [{ path: filePath('sign'), folderId, size: 1000, mtimeMs: 1, ctimeMs: 1, image: { existingId: imageId }, vector: null }], []);
    // The person takes it out of the album and clears a verdict; it leaves again, for good this time, and comes back.
    storage.albums.removePhotos(trip, [photo('sign')!.photoId]);
    storage.tags.giveVerdicts([{ imageId, tag: 'road' }], 'clear');
    walkFinding('river', 'lake');
    index('sign');
    expect(verdicts('sign')).toEqual(['river']);
    expect(albumOf(trip)).toEqual([]);
  });

  it('forgets what its photos left when the person removes the folder, as Settings says', () => {
    album('Trip', 'sign');
    walkFinding('river', 'lake');
    expect(kept()).toEqual(['hash-sign']);
    storage.library.removeFolder(folderId);
    storage.library.deleteOrphanImagesAfter(0, 100);
    expect(kept()).toEqual([]);
    // Added again, with the photo back in it: a new photo, with no work of the person's.
    folderId = storage.library.addFolder('/photos', []);
    index('sign');
    expect(verdicts('sign')).toEqual([]);
    expect(storage.albums.photos(storage.albums.list()[0]!.id)).toEqual([]);
  });

  it('forgets what was kept once it is older than the days it is kept, so the tables stay bounded', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    const leaveOnDay = (day: number, name: string) => {
      vi.setSystemTime(start + day * DAY_MS);
      walkFinding(...['river', 'sign', 'lake'].filter((other) => other !== name && photo(other)));
    };
    storage.tags.setVerdict(photo('river')!.imageId, 'river', false);
    album('Trip', 'lake');
    leaveOnDay(0, 'sign');
    leaveOnDay(KEPT_DAYS - 1, 'river');
    expect(kept()).toEqual(['hash-river', 'hash-sign']);
    // A photo that leaves a day after what was kept first turned KEPT_DAYS old.
    leaveOnDay(KEPT_DAYS + 1, 'lake');
    expect(kept()).toEqual(['hash-lake', 'hash-river']);
    // Photos with work leaving one after another over years: no more than those of the last KEPT_DAYS stay.
    const names = Array.from({ length: 40 }, (_, i) => `many-${i}`);
    index(...names);
    for (const name of names) storage.tags.setVerdict(photo(name)!.imageId, 'river', false);
    for (const i of names.keys()) {
      vi.setSystemTime(start + (KEPT_DAYS + 2 + (i * KEPT_DAYS) / 4) * DAY_MS);
      storage.library.removeMissing(folderId, new Set(names.slice(i + 1).map(filePath)));
    }
    expect(kept().length).toBeLessThanOrEqual(5);
    expect(queryLibrary(scratch.dir, 'SELECT COUNT(*) FROM restored_verdicts')[0]).toBeLessThanOrEqual(5);
    // A walk that finds nothing gone forgets what has turned KEPT_DAYS old too: no photo need leave for it.
    vi.setSystemTime(start + 20 * KEPT_DAYS * DAY_MS);
    storage.library.removeMissing(folderId, new Set());
    expect(kept()).toEqual([]);
  });
});

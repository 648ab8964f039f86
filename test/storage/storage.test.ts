/**
 * The storage layer on its own, over synthetic rows (no model, no photos): what it writes in one
 * transaction, every read of embeddings, and the photo queries search and the grid use.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { timeline } from '../../main/engine/photo-info.js';
import { FILES_IN_PATH_RANGE, KNOWN_FILES_PAGE, type IndexedFile, type NewImage } from '../../main/storage/library-store.js';
import { Storage } from '../../main/storage/storage.js';
import { turnCounter } from '../helpers/event-loop.js';
import { tempDir } from '../helpers/fixtures.js';
import { queryLibrary } from '../helpers/library.js';

const DIM = 4;

function unit(values: number[]): Float32Array {
  const norm = Math.hypot(...values);
  return Float32Array.from(values, (value) => value / norm);
}

function image(i: number, extra: Partial<NewImage> = {}): NewImage {
  return {
    contentHash: `hash-${i}`,
    format: 'jpeg',
    width: 400 + i,
    height: 300,
    thumbnail: null,
    takenAt: Date.UTC(2020, 0, 1 + i),
    cameraMake: null,
    cameraModel: null,
    lens: null,
    latitude: null,
    longitude: null,
    orientation: null,
    ...extra,
  };
}

describe('storage', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let storage: Storage;
  let folderId: number;

  beforeEach(async () => {
    scratch = await tempDir();
    storage = Storage.open(scratch.dir);
    folderId = storage.library.addFolder('/photos', []);
  });
  afterEach(async () => {
    storage.close();
    await scratch.cleanup();
  });

  function add(files: Array<{ name: string; image: NewImage; vector: number[] }>, model = 'm'): number[] {
    const indexed: IndexedFile[] = files.map((file) => ({
      path: path.join('/photos', file.name),
      folderId,
      size: 1000,
      mtimeMs: Date.UTC(2024, 0, 1),
      ctimeMs: Date.UTC(2024, 0, 1),
      image: { created: file.image },
      vector: unit(file.vector),
    }));
    return storage.library.writeBatch(model, indexed, []).map((written) => written.imageId);
  }

  it('reports a folder whose commit fails (a full disk), never returning an id that was not stored', () => {
    // A failure only the commit can find, as a full disk's is: a deferred foreign key, broken by a
    // trigger on the folder's row and checked when the transaction commits (Note [Returning commits]).
    const other = new Database(path.join(scratch.dir, 'library.db'));
    other.exec(`CREATE TABLE commit_breaker (album INTEGER REFERENCES albums(id) DEFERRABLE INITIALLY DEFERRED);
      CREATE TRIGGER break_commit AFTER INSERT ON folders BEGIN INSERT INTO commit_breaker VALUES (-1); END;`);
    other.close();
    expect(() => storage.library.addFolder('/more', [])).toThrow(/FOREIGN KEY/);
    expect(storage.library.folders().map((folder) => folder.path)).toEqual(['/photos']);
  });

  it('finds the rows that refer to a deleted row through an index, never by reading their whole table', () => {
    // SQLite finds the rows a deletion cascades to (or that forbid it) as this query does; a SCAN
    // reads the whole table once per deleted row (0.9 s per photo through 100k embeddings).
    const tables = queryLibrary<string>(scratch.dir, "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%REFERENCES%'");
    const lookups = tables.flatMap((table) =>
      queryLibrary<string>(scratch.dir, `SELECT "from" FROM pragma_foreign_key_list('${table}')`).map((column) => `SELECT 1 FROM ${table} WHERE ${column} = 1`),
    );
    expect(lookups).toContain('SELECT 1 FROM embeddings WHERE image_id = 1');
    const scans = lookups.filter((lookup) => queryLibrary<{ detail: string }>(scratch.dir, `EXPLAIN QUERY PLAN ${lookup}`).some((step) => step.detail.startsWith('SCAN')));
    expect(scans).toEqual([]);
  });

  it('reads the files a folder has, a page at a time with other work between pages (Note [Known files in pages])', async () => {
    const count = 2 * KNOWN_FILES_PAGE + 5;
    add(Array.from({ length: count }, (_, i) => ({ name: `${i}.jpg`, image: image(i), vector: [1, i, 0, 0] })));
    const elsewhere = storage.library.addFolder('/other', []);
    storage.library.writeBatch('m', [{ path: '/other/x.jpg', folderId: elsewhere, size: 5, mtimeMs: 6, ctimeMs: 6, image: { created: image(count) }, vector: unit([0, 1, 0, 0]) }], []);
    // Turns of the event loop while they are read: one between each two of the three pages.
    const turns = turnCounter();
    turns.start();
    const known = await storage.library.knownFiles(folderId);
    turns.stop();
    expect(known.size).toBe(count);
    expect(known.has('/other/x.jpg')).toBe(false);
    expect(known.get('/photos/7.jpg')).toMatchObject({ size: 1000, mtimeMs: Date.UTC(2024, 0, 1) });
    expect(turns.turns).toBeGreaterThanOrEqual(2);
    expect((await storage.library.knownFiles(elsewhere)).get('/other/x.jpg')).toMatchObject({ size: 5, mtimeMs: 6 });
  });

  it('reads the files under a folder by a range of the paths’ index, a page at a time, names that only begin alike left out (Note [Re-scan where it changed])', async () => {
    const count = 2 * KNOWN_FILES_PAGE + 5;
    add([
      ...Array.from({ length: count }, (_, i) => ({ name: `a/${i}.jpg`, image: image(i), vector: [1, i, 0, 0] })),
      ...['a b/x.jpg', 'a0/y.jpg', 'a.jpg', 'b/z.jpg'].map((name, i) => ({ name, image: image(count + i), vector: [0, 1, i, 0] })),
    ]);
    const turns = turnCounter();
    turns.start();
    const known = await storage.library.knownFiles(folderId, ['/photos/a', '/photos/b']);
    turns.stop();
    expect(known.size).toBe(count + 1);
    expect([...known.keys()].filter((file) => !file.startsWith('/photos/a/'))).toEqual(['/photos/b/z.jpg']);
    expect(turns.turns).toBeGreaterThanOrEqual(2);
    const plan = queryLibrary<{ detail: string }>(scratch.dir, `EXPLAIN QUERY PLAN SELECT id FROM files WHERE ${FILES_IN_PATH_RANGE} ORDER BY path`, '/photos/a/', '/photos/a0', folderId);
    expect(plan.map((step) => step.detail)).toEqual([expect.stringMatching(/^SEARCH files USING INDEX sqlite_autoindex_files_1 \(path>\? AND path<\?\)$/)]);
    // Forgetting what is gone there leaves the rest of the folder alone.
    const { removedFiles } = storage.library.removeMissing(folderId, new Set(), { within: ['/photos/a'] });
    expect(removedFiles).toBe(count);
    expect(storage.library.counts().files).toBe(4);
  });

  it('writes files, images and embeddings in one transaction, and bumps the index generation', () => {
    expect(storage.library.generation('m')).toBe(0);
    const ids = add([
      { name: 'a.jpg', image: image(1), vector: [1, 0, 0, 0] },
      { name: 'b.jpg', image: image(2), vector: [0, 1, 0, 0] },
    ]);
    expect(ids).toHaveLength(2);
    expect(storage.library.generation('m')).toBe(1);
    expect(storage.library.counts()).toEqual({ files: 2, images: 2, failures: 0 });
    // A failed batch writes nothing at all: not the good file before the one whose image is not stored.
    const good: IndexedFile = { path: '/photos/c.jpg', folderId, size: 1, mtimeMs: 1, ctimeMs: 1, image: { created: image(3) }, vector: unit([0, 0, 1, 0]) };
    const noImage: IndexedFile = { path: '/photos/d.jpg', folderId, size: 1, mtimeMs: 1, ctimeMs: 1, image: { existingId: 999 }, vector: null };
    expect(() => storage.library.writeBatch('m', [good, noImage], [])).toThrow(/FOREIGN KEY/);
    expect(storage.library.counts()).toEqual({ files: 2, images: 2, failures: 0 });
    // A file of a folder no longer in the library (removed while a run indexed it) is let go (Note [Folders gone mid-run]).
    expect(storage.library.writeBatch('m', [{ ...good, folderId: 999 }], [])).toEqual([]);
    expect(storage.library.counts()).toEqual({ files: 2, images: 2, failures: 0 });
  });

  it('reads embeddings: keys without vectors, one, some, a range and pages', () => {
    const ids = add(Array.from({ length: 6 }, (_, i) => ({ name: `${i}.jpg`, image: image(i), vector: [i + 1, 1, 0, 0] })));
    const { embeddings } = storage;
    expect(embeddings.count('m')).toBe(6);
    expect(embeddings.count('other')).toBe(0);
    expect(embeddings.missing('other')).toBe(6);
    expect(embeddings.models()).toEqual([{ model: 'm', count: 6 }]);
    expect(embeddings.dimension('m')).toBe(DIM);
    expect(embeddings.imageIds('m')).toEqual(new Set(ids));
    expect(embeddings.has('m', ids[0]!)).toBe(true);
    expect(embeddings.imageIdsAfter('m', ids[1]!, 2)).toEqual(ids.slice(2, 4));
    expect(embeddings.countAfter('m', ids[3]!)).toBe(2);
    expect(Array.from(embeddings.vector('m', ids[0]!)!)).toEqual(Array.from(unit([1, 1, 0, 0])));
    const photo = storage.photos.photoByPath('/photos/2.jpg')!;
    expect(Array.from(embeddings.vectorOfPhoto('m', photo.photoId)!)).toEqual(Array.from(unit([3, 1, 0, 0])));
    expect([...embeddings.vectorsOf('m', [ids[0]!, ids[5]!, 9999]).keys()].sort()).toEqual([ids[0], ids[5]].sort());
    expect(embeddings.rawBetween('m', ids[1]!, ids[2]!).map((row) => [row.imageId, row.vector.byteLength])).toEqual([
      [ids[1], DIM * 4],
      [ids[2], DIM * 4],
    ]);
    expect(embeddings.rawAfter('m', ids[3]!, 10).map(([id, vector]) => [id, vector.byteLength])).toEqual(ids.slice(4).map((id) => [id, DIM * 4]));
  });

  it('answers photo queries: filters, representatives, dates, the timeline, rows and details', () => {
    add([
      { name: 'old.jpg', image: image(1, { cameraMake: 'FUJIFILM', cameraModel: 'X100V' }), vector: [1, 0, 0, 0] },
      { name: 'new.png', image: image(30, { format: 'png', latitude: 38.7, longitude: -9.1, lens: '23mm' }), vector: [0, 1, 0, 0] },
      { name: 'undated.jpg', image: image(2, { takenAt: null }), vector: [0, 0, 1, 0] },
    ]);
    const { photos } = storage;
    const idOf = (name: string) => photos.photoByPath(`/photos/${name}`)!.imageId;
    expect(photos.matchingImageIds({ camera: 'fuji' })).toEqual(new Set([idOf('old.jpg')]));
    expect(photos.matchingImageIds({ formats: ['png'] })).toEqual(new Set([idOf('new.png')]));
    expect(photos.matchingImageIds({ hasLocation: true })).toEqual(new Set([idOf('new.png')]));
    expect(photos.matchingImageIds({ folder: '/photos' })).toHaveProperty('size', 3);
    expect(photos.matchingImageIds({ folder: '/elsewhere' }).size).toBe(0);
    expect(photos.matchingImageIds({ takenAfter: Date.UTC(2020, 0, 15), takenBefore: Date.UTC(2021, 0, 1) })).toEqual(new Set([idOf('new.png')]));

    // The undated photo falls back to its file time (2024), so it is the newest.
    const newestFirst = ['undated.jpg', 'new.png', 'old.jpg'].map((name) => photos.photoByPath(`/photos/${name}`)!.photoId);
    expect([...photos.timeline().photoIds]).toEqual(newestFirst);
    // The first screen alone (Note [First screen first]), with the count of them all.
    expect([...photos.timeline(2).photoIds]).toEqual(newestFirst.slice(0, 2));
    expect(photos.imageCount()).toBe(3);
    expect(timeline(storage, {}, 2)).toMatchObject({ total: 3, ids: newestFirst.slice(0, 2), names: ['undated.jpg', 'new.png'] });
    expect(timeline(storage, { formats: ['jpeg'] }, 1)).toMatchObject({ total: 2, ids: [newestFirst[0]] });
    expect(timeline(storage, { formats: ['jpeg'] })).toMatchObject({ total: 2, ids: [newestFirst[0], newestFirst[2]] });
    expect(timeline(storage)).toMatchObject({ total: 3, ids: newestFirst });
    const dates = photos.datesOf([idOf('old.jpg'), idOf('undated.jpg')], {});
    expect(dates.get(idOf('undated.jpg'))).toBe(Date.UTC(2024, 0, 1));
    expect(photos.representatives([idOf('new.png'), idOf('old.jpg')], { formats: ['jpeg'] }).map((row) => row.path)).toEqual(['/photos/old.jpg']);
    const newPhoto = photos.photoByPath('/photos/new.png')!.photoId;
    expect(photos.rows([newPhoto, 424242]).map((row) => row.photoId)).toEqual([newPhoto]);
    expect(photos.details(newPhoto)).toMatchObject({ lens: '23mm', latitude: 38.7, size: 1000, capturedAt: Date.UTC(2020, 0, 31) });
    expect(photos.imageFiles(newPhoto)).toMatchObject({ path: '/photos/new.png', contentHash: 'hash-30' });
  });

  it('keeps tags, verdicts and the vocabulary, and counts photos per tag', () => {
    const [a, b] = add([
      { name: 'a.jpg', image: image(1), vector: [1, 0, 0, 0] },
      { name: 'b.jpg', image: image(2), vector: [0, 1, 0, 0] },
    ]);
    const { tags } = storage;
    tags.insertAuto(a!, { tag: 'dog', score: 0.8, cosine: 0.3 }, 'm', 1);
    tags.insertAuto(b!, { tag: 'dog', score: 0.4, cosine: 0.2 }, 'm', 1);
    tags.setVerdict(b!, 'dog', true);
    tags.setVerdict(a!, 'beach', false);
    expect(tags.counts()).toEqual([
      { tag: 'beach', photos: 1, auto: 0, confirmed: 1, rejected: 0 },
      { tag: 'dog', photos: 1, auto: 1, confirmed: 0, rejected: 1 },
    ]);
    expect(tags.deleteAutoNotIn(['beach'])).toBe(1);
    expect(tags.labelled().map((row) => [row.tag, row.rejected])).toEqual([
      ['beach', false],
      ['dog', true],
    ]);
    tags.saveVocabularyJson('{"templates":["{}"],"tags":[]}');
    expect(tags.vocabularyJson()).toBe('{"templates":["{}"],"tags":[]}');
  });

  it('moves a renamed tag’s refinement and its switch with it, replacing what the new name had', () => {
    const { tags, refinements } = storage;
    const refined = (tag: string, fingerprint: string) => refinements.save('m', { tag, fingerprint, vector: unit([1, 2, 3, 4]), report: '{}' });
    refined('dog', 'fitted on dog');
    refinements.setOff('dog', true);
    refined('cat', 'fitted on cat');
    // 'old' is a deleted tag's, switched off: the renamed 'bird' (switched on, never refined) lands on it.
    refined('old', 'fitted on old');
    refinements.setOff('old', true);
    tags.saveVocabularyJson('{"templates":["{}"],"tags":[]}', [
      { from: 'dog', to: 'cat' },
      { from: 'cat', to: 'dog' },
      { from: 'bird', to: 'old' },
    ]);
    expect(refinements.forModel('m').map((row) => [row.tag, row.fingerprint])).toEqual([
      ['cat', 'fitted on dog'],
      ['dog', 'fitted on cat'],
    ]);
    expect(refinements.refinement('m', 'cat')?.vector).toEqual(unit([1, 2, 3, 4]));
    expect([...refinements.offTags()]).toEqual(['cat']);
  });

  it('moves renamed tags’ rows with the vocabulary: names may swap, and a verdict is never lost or overwritten by the tagger’s row', () => {
    const [a, b] = add([
      { name: 'a.jpg', image: image(1), vector: [1, 0, 0, 0] },
      { name: 'b.jpg', image: image(2), vector: [0, 1, 0, 0] },
    ]);
    const { tags } = storage;
    tags.setVerdict(a!, 'dog', false);
    tags.setVerdict(b!, 'dog', true);
    tags.insertAuto(b!, { tag: 'cat', score: 0.9, cosine: 0.3 }, 'm', 1);
    // 'old' is a deleted tag's: the renamed 'rainbow' lands on it.
    tags.setVerdict(a!, 'rainbow', true);
    tags.setVerdict(a!, 'old', false);
    tags.insertAuto(b!, { tag: 'rainbow', score: 0.7, cosine: 0.2 }, 'm', 1);
    tags.setVerdict(b!, 'old', true);
    tags.saveVocabularyJson('{"templates":["{}"],"tags":[]}', [
      { from: 'dog', to: 'cat' },
      { from: 'cat', to: 'dog' },
      { from: 'rainbow', to: 'old' },
    ]);
    const rows = (id: number) => tags.tagsOfImage(id).map((row) => [row.tag, row.source, row.rejected]);
    expect(rows(a!)).toEqual([
      ['cat', 'person', false],
      ['old', 'person', true],
    ]);
    expect(rows(b!)).toEqual([
      ['cat', 'person', true],
      ['dog', 'auto', false],
      ['old', 'person', true],
    ]);
    expect(tags.vocabularyJson()).toBe('{"templates":["{}"],"tags":[]}');
  });

  it('keeps renamed tags’ first names with the vocabulary, in the library’s facts a backup keeps', () => {
    const { tags } = storage;
    expect(tags.tagOrigins()).toEqual(new Map());
    tags.saveVocabularyJson('{"templates":["{}"],"tags":[]}', [], new Map([['signage', 'sign']]));
    expect(tags.tagOrigins()).toEqual(new Map([['signage', 'sign']]));
    expect(storage.library.meta('tag_origins')).toBe('[["signage","sign"]]');
    tags.saveVocabularyJson('{"templates":["{}"],"tags":[]}');
    expect(tags.tagOrigins()).toEqual(new Map());
  });

  it('counts a tag’s photos one per image, as the tag shows them (byte-identical copies are one image)', () => {
    const [a, b] = add([
      { name: 'a.jpg', image: image(1), vector: [1, 0, 0, 0] },
      { name: 'b.jpg', image: image(2), vector: [0, 1, 0, 0] },
    ]);
    const copies: IndexedFile[] = ['a copy.jpg', 'a copy 2.jpg'].map((name) => ({ path: path.join('/photos', name), folderId, size: 1000, mtimeMs: 1, ctimeMs: 1, image: { existingId: a! }, vector: null }));
    storage.library.writeBatch('m', copies, []);
    const { tags } = storage;
    tags.insertAuto(a!, { tag: 'dog', score: 0.8, cosine: 0.3 }, 'm', 1);
    tags.insertAuto(b!, { tag: 'dog', score: 0.4, cosine: 0.2 }, 'm', 1);
    tags.setVerdict(a!, 'beach', false);
    tags.setVerdict(a!, 'cat', true);
    expect(tags.counts()).toEqual([
      { tag: 'dog', photos: 2, auto: 2, confirmed: 0, rejected: 0 },
      { tag: 'beach', photos: 1, auto: 0, confirmed: 1, rejected: 0 },
      { tag: 'cat', photos: 0, auto: 0, confirmed: 0, rejected: 1 },
    ]);
    for (const { tag, photos } of tags.counts()) expect(tags.photosOf(tag)).toHaveLength(photos);
  });
});

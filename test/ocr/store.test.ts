import { EmbeddingStore } from '../../main/storage/embedding-store.js';
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../main/storage/database.js';
import { LibraryStore } from '../../main/storage/library-store.js';
import { OcrStore, indexableText } from '../../main/storage/ocr-store.js';
import { tempDir } from '../helpers/fixtures.js';

const box: [number, number, number, number] = [0.1, 0.2, 0.3, 0.05];
const line = (text: string) => ({ text, confidence: 0.9, box });

let db: Db;
let cleanup: () => Promise<void>;
let library: LibraryStore;
let folderId: number;
let store: OcrStore;

/** Adds photos /photos/<name>.jpg as images of their own; returns their image ids. */
function addImages(...names: string[]): number[] {
  library.writeBatch(
    'm',
    names.map((name) => ({
      path: `/photos/${name}.jpg`,
      folderId,
      size: 1,
      mtimeMs: 1,
      ctimeMs: 1,
      image: { created: { contentHash: name, format: 'jpeg', width: 10, height: 10, thumbnail: null, takenAt: null, cameraMake: null, cameraModel: null, lens: null, latitude: null, longitude: null, orientation: null } },
      vector: new Float32Array([1, 0]),
    })),
    [],
  );
  const byPath = new Map(store.targetsUnder('/photos').map((target) => [target.path, target.imageId]));
  return names.map((name) => byPath.get(`/photos/${name}.jpg`)!);
}

beforeEach(async () => {
  const temp = await tempDir();
  cleanup = temp.cleanup;
  db = openDatabase(path.join(temp.dir, 'library.db')).db;
  library = new LibraryStore(db);
  folderId = library.addFolder('/photos', []);
  store = new OcrStore(db);
});

afterEach(async () => {
  db.close();
  await cleanup();
});

describe('text search', () => {
  it('finds every photo with a quoted phrase, however many (a plain query’s word brings at most 10,000)', () => {
    const many = addImages(...Array.from({ length: 10_050 }, (_, i) => `ticket-${i}`));
    db.transaction(() => many.forEach((imageId) => store.saveRead(imageId, 'v', [line('TICKET Porto')], null)))();
    expect(store.searchPhrase('ticket')).toHaveLength(10_050);
    expect(store.searchPhrase('ti')).toHaveLength(10_050);
    expect(store.matchWords(['ticket'])).toHaveLength(10_000);
  });

  it('finds Latin words, accents folded, also where OCR ran words together', () => {
    const [receipt, sign, other] = addImages('receipt', 'sign', 'other');
    store.saveRead(receipt!, 'v', [line('RECEIPT'), line('midami00:40 Lisbôa')], null);
    store.saveRead(sign!, 'v', [line('Rua de Lisboa')], null);
    store.saveRead(other!, 'v', [line('Porto')], null);
    expect(store.searchPhrase('lisboa').sort()).toEqual([receipt, sign].sort());
    expect(store.searchPhrase('midami')).toEqual([receipt]);
    expect(store.searchPhrase('rua de lisboa')).toEqual([sign]);
    expect(store.searchPhrase('ruadelisboa')).toEqual([sign]);
    expect(store.searchPhrase('madrid')).toEqual([]);
  });

  it('finds CJK words of two characters and more, and never across lines', () => {
    const [tokyo, kyoto] = addImages('tokyo', 'kyoto');
    store.saveRead(tokyo!, 'v', [line('我在東京タワー'), line('ありがとう')], null);
    store.saveRead(kyoto!, 'v', [line('京都駅')], null);
    expect(store.searchPhrase('東京')).toEqual([tokyo]);
    expect(store.searchPhrase('京')).toEqual([tokyo, kyoto]);
    expect(store.searchPhrase('東京タワー')).toEqual([tokyo]);
    expect(store.searchPhrase('京都駅')).toEqual([kyoto]);
    expect(store.searchPhrase('ワーあり')).toEqual([]);
    expect(store.searchPhrase('50%_')).toEqual([]);
  });

  it('counts the words each image matches, most first', () => {
    const [both, one] = addImages('both', 'one');
    store.saveRead(both!, 'v', [line('receipt'), line('Lisboa')], null);
    store.saveRead(one!, 'v', [line('Lisboa')], null);
    expect(store.matchWords(['receipt', 'lisboa'])).toEqual([
      { imageId: both, matched: 2 },
      { imageId: one, matched: 1 },
    ]);
  });

  it('is chosen over the alternatives by what they miss (Note [Text tokenizer])', () => {
    const memory = new Database(':memory:');
    memory.exec("CREATE VIRTUAL TABLE words USING fts5(text, tokenize = 'unicode61 remove_diacritics 2'); CREATE VIRTUAL TABLE grams USING fts5(text, tokenize = 'trigram remove_diacritics 1')");
    for (const table of ['words', 'grams']) memory.prepare(`INSERT INTO ${table} (text) VALUES (?)`).run(indexableText(['midami00:40', '我在東京タワー']));
    const count = (table: string, query: string) => memory.prepare(`SELECT COUNT(*) FROM ${table} WHERE ${table} MATCH ?`).pluck().get(query);
    expect([count('words', '"midami"'), count('words', '"東京"')]).toEqual([0, 0]);
    expect([count('grams', '"midami"'), count('grams', '"東京タワー"'), count('grams', '"東京"')]).toEqual([1, 1, 0]);
    memory.close();
  });
});

describe('state and rebuilding', () => {
  it('keeps the latest result per image, with lines in order', () => {
    const [id] = addImages('a');
    store.saveRead(id!, 'v', [line('first'), line('second')], { id: 'gate', score: 0.9 });
    expect(store.lines(id!).map((l) => l.text)).toEqual(['first', 'second']);
    expect(store.lines(id!)[0]!.box).toEqual(box);
    expect(store.state(id!)).toEqual({ status: 'read', version: 'v', gate: 'gate', gateScore: 0.9, error: null });
    // A gate's answer from a page asked before this version read the photo leaves it read; another version's is replaced.
    expect(store.saveSkipped(id!, 'v', { id: 'gate', score: 0.1 })).toBe(true);
    expect(store.state(id!)).toMatchObject({ status: 'read', version: 'v' });
    store.saveSkipped(id!, 'v2', { id: 'gate', score: 0.1 });
    expect(store.lines(id!)).toEqual([]);
    expect(store.searchPhrase('first')).toEqual([]);
    store.saveFailed(id!, 'v2', 'Cannot decode');
    expect(store.state(id!)).toMatchObject({ status: 'failed', error: 'Cannot decode' });
    expect(store.counts()).toEqual({ read: 0, skipped: 0, failed: 1, withText: 0 });
  });

  it('stores nothing for an image that left the library while it was read (Note [Read while it left])', () => {
    const [gone, kept] = addImages('gone', 'kept');
    library.removeFolder(folderId);
    library.deleteOrphanImagesAfter(0, 10);
    expect(store.saveRead(gone!, 'v', [line('Porto')], null)).toBe(false);
    expect(store.saveSkipped(gone!, 'v', { id: 'gate', score: 0.1 })).toBe(false);
    expect(store.saveFailed(kept!, 'v', 'Cannot decode')).toBe(false);
    expect(store.state(gone!)).toBeUndefined();
    expect(store.counts()).toEqual({ read: 0, skipped: 0, failed: 0, withText: 0 });
  });

  it('lists pending images once per content, and looks again at skipped ones when the gate changes', () => {
    const [a, b, c] = addImages('a', 'b', 'c');
    library.writeBatch('m', [{ path: '/photos/copy-of-a.jpg', folderId, size: 1, mtimeMs: 1, ctimeMs: 1, image: { existingId: a! }, vector: null }], []);
    expect(store.pending('v', 'g', 0, 10)).toEqual([
      { imageId: a, path: '/photos/a.jpg' },
      { imageId: b, path: '/photos/b.jpg' },
      { imageId: c, path: '/photos/c.jpg' },
    ]);
    store.saveRead(a!, 'v', [], null);
    store.saveSkipped(b!, 'v', { id: 'g', score: 0 });
    expect(store.pending('v', 'g', 0, 10).map((t) => t.imageId)).toEqual([c]);
    expect(store.pending('v', 'g2', 0, 10).map((t) => t.imageId)).toEqual([b, c]);
    expect(store.pending('v2', 'g', 0, 10).map((t) => t.imageId)).toEqual([a, b, c]);
    expect(store.pendingCount('v', 'g')).toBe(1);
    expect(store.pending('v', 'g2', b!, 10).map((t) => t.imageId)).toEqual([c]);
  });

  it('forgets the text of images that leave the library', () => {
    const [gone, kept] = addImages('gone', 'kept');
    store.saveRead(gone!, 'v', [line('Lisboa')], null);
    store.saveRead(kept!, 'v', [line('Lisboa')], null);
    library.removeMissing(folderId, new Set(['/photos/kept.jpg']));
    library.deleteOrphanImagesAfter(0, 10);
    expect(store.searchPhrase('lisboa')).toEqual([kept]);
    expect(store.counts().read).toBe(1);
  });

  it('recreates dropped tables, leaving embeddings alone', () => {
    const [id] = addImages('a');
    store.saveRead(id!, 'v', [line('Lisboa')], null);
    db.exec('DROP TABLE ocr_lines; DROP TABLE ocr_images; DROP TABLE ocr_fts;');
    const fresh = new OcrStore(db);
    expect(fresh.counts()).toEqual({ read: 0, skipped: 0, failed: 0, withText: 0 });
    expect(fresh.pending('v', 'g', 0, 10).map((t) => t.imageId)).toEqual([id]);
    expect(new EmbeddingStore(db).count('m')).toBe(1);
    fresh.saveRead(id!, 'v', [line('Lisboa')], null);
    expect(fresh.searchPhrase('lisboa')).toEqual([id]);
    fresh.clear();
    expect(fresh.searchPhrase('lisboa')).toEqual([]);
  });
});

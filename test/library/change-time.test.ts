/**
 * Note [Change time] in main/library/walk.ts: a photo rewritten under its old size and mtime
 * (`cp -p`, `rsync -t`, an editor that keeps the time) is read again by its ctime; a ctime changed
 * alone is hashed again and keeps what the photo had; a library from before ctimes were recorded
 * is not read again whole.
 */
import Database from 'better-sqlite3';
import { chmod, mkdir, rename, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IndexProgress } from '../../main/library/indexer.js';
import type { Library } from '../../main/library/library.js';
import { tempDir } from '../helpers/fixtures.js';
import { fixtureModelAndPhotos, openLibrary, queryLibrary, type FixturePhoto } from '../helpers/library.js';
import { asBefore } from '../helpers/older-schema.js';

const FIXED_TIME = new Date('2024-05-01T12:00:00Z');

describe('a photo whose content changes under its old size and mtime', () => {
  const loaded = fixtureModelAndPhotos();
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let folder: string;
  let dataDir: string;
  let library: Library;

  beforeEach(async () => {
    scratch = await tempDir();
    folder = path.join(scratch.dir, 'Photos');
    dataDir = path.join(scratch.dir, 'data');
    await mkdir(folder, { recursive: true });
    library = openLibrary(dataDir);
  });
  afterEach(async () => {
    await library.close();
    await scratch.cleanup();
  });

  /** A run over the folder; `toProcess` is how many files it read (Note [What a run counts] in indexer.ts). */
  async function index(): Promise<Awaited<ReturnType<Library['index']>> & { toProcess: number }> {
    let last: IndexProgress | undefined;
    const summary = await library.index(loaded.model, { folders: (await library.addFolders([folder])).folders, onProgress: (progress) => (last = progress) });
    return { ...summary, toProcess: last?.toProcess ?? 0 };
  }

  /** `photo` as an uncompressed PNG: every fixture photo written so has the same size. */
  function samesized(photo: FixturePhoto): Promise<Buffer> {
    return sharp(photo.file).resize(64, 48, { fit: 'fill' }).removeAlpha().png({ compressionLevel: 0, adaptiveFiltering: false }).toBuffer();
  }

  /** Writes `content` into `file` at a time in whole seconds, which a rewrite can set again exactly. */
  async function writeAtFixedTime(file: string, content: Buffer): Promise<void> {
    await writeFile(file, content);
    await utimes(file, FIXED_TIME, FIXED_TIME);
  }

  /** Writes `content` into `file` and sets its mtime back, as `cp -p` does. */
  async function rewriteKeepingTime(file: string, content: Buffer): Promise<void> {
    const before = await stat(file);
    await writeAtFixedTime(file, content);
    const after = await stat(file);
    expect([after.size, after.mtimeMs]).toEqual([before.size, before.mtimeMs]);
    expect(after.ctimeMs).not.toBe(before.ctimeMs);
  }

  const fileRow = (file: string) => queryLibrary<{ image_id: number; ctime_ms: number | null }>(dataDir, 'SELECT image_id, ctime_ms FROM files WHERE path = ?', file)[0]!;
  const imageOf = (imageId: number) => queryLibrary<{ content_hash: string; vector: Buffer }>(dataDir, 'SELECT content_hash, vector FROM images JOIN embeddings ON embeddings.image_id = images.id WHERE images.id = ?', imageId)[0]!;
  const verdicts = (imageId: number) => library.storage.tags.tagsOfImage(imageId).filter((tag) => tag.source === 'person').map(({ tag, rejected }) => ({ tag, rejected }));

  it('is read again by a re-scan, keeps its confirmed tags as an edit in place does, and keeps them when moved', async () => {
    const [circle, square, star] = (['circle', 'square', 'star'] as const).map((shape) => loaded.photos.find((photo) => photo.shape === shape)!);
    const [photo, other] = [path.join(folder, 'photo.png'), path.join(folder, 'other.png')];
    await writeAtFixedTime(photo, await samesized(circle!));
    await writeAtFixedTime(other, await samesized(square!));
    expect(await index()).toMatchObject({ embedded: 2, failed: [] });
    const before = fileRow(photo);
    const beforeHash = imageOf(before.image_id).content_hash;
    library.storage.tags.setVerdict(before.image_id, 'circle', false);

    await rewriteKeepingTime(photo, await samesized(star!));
    expect(await index()).toMatchObject({ embedded: 1, unchanged: 1, copies: 0, removed: 0, toProcess: 1 });
    const after = fileRow(photo);
    expect(after.image_id).not.toBe(before.image_id);
    expect(imageOf(after.image_id).content_hash).not.toBe(beforeHash);
    expect(imageOf(after.image_id).vector.equals(imageOf(fileRow(other).image_id).vector)).toBe(false);
    expect(after.ctime_ms).toBe(Math.floor((await stat(photo)).ctimeMs));
    expect(verdicts(after.image_id)).toEqual([{ tag: 'circle', rejected: false }]);

    // Moved: the same content, found at another path, with what the person said of it.
    await mkdir(path.join(folder, 'Kept'));
    await rename(photo, path.join(folder, 'Kept', 'photo.png'));
    expect(await index()).toMatchObject({ embedded: 0, moved: 1, removed: 0 });
    expect(fileRow(path.join(folder, 'Kept', 'photo.png')).image_id).toBe(after.image_id);
    expect(verdicts(after.image_id)).toEqual([{ tag: 'circle', rejected: false }]);
  });

  it('is hashed again when only its ctime changed (a chmod), keeping its image, tags and embedding', async () => {
    const photo = path.join(folder, 'photo.png');
    await writeFile(photo, await samesized(loaded.photos[0]!));
    await index();
    const before = fileRow(photo);
    const { vector } = imageOf(before.image_id);
    library.storage.tags.setVerdict(before.image_id, 'circle', false);

    await chmod(photo, 0o600);
    expect(await index()).toMatchObject({ embedded: 0, unchanged: 1, copies: 0, moved: 0, toProcess: 1 });
    const after = fileRow(photo);
    expect(after.image_id).toBe(before.image_id);
    expect(after.ctime_ms).toBe(Math.floor((await stat(photo)).ctimeMs));
    expect(imageOf(after.image_id).vector.equals(vector)).toBe(true);
    expect(verdicts(after.image_id)).toEqual([{ tag: 'circle', rejected: false }]);
    // Recorded: the next run reads nothing.
    expect(await index()).toMatchObject({ unchanged: 1, toProcess: 0 });
  });

  it('is not read for its ctime alone while its content is off the disk (a cloud file evicted), which reading would fetch again', async () => {
    const photo = path.join(folder, 'photo.png');
    await writeAtFixedTime(photo, await samesized(loaded.photos[0]!));
    await index();
    const before = fileRow(photo);
    // Evicted as a cloud drive does it: the same size and time, no block on the disk (a sparse file), a new ctime.
    const { size } = await stat(photo);
    await truncate(photo, 0);
    await truncate(photo, size);
    await utimes(photo, FIXED_TIME, FIXED_TIME);
    const evicted = await stat(photo);
    expect([evicted.blocks, evicted.size]).toEqual([0, size]);
    expect(await index()).toMatchObject({ embedded: 0, unchanged: 1, failed: [], toProcess: 0 });
    expect(fileRow(photo)).toEqual(before);
    // Its content back on the disk (fetched when opened), it is read once, and is the same photo.
    await writeAtFixedTime(photo, await samesized(loaded.photos[0]!));
    expect(await index()).toMatchObject({ embedded: 0, unchanged: 1, failed: [], toProcess: 1 });
    expect(fileRow(photo).image_id).toBe(before.image_id);
  });

  it('is tried again when it failed for its own defect (Note [Failures that last] in formats.ts)', async () => {
    const photo = path.join(folder, 'photo.png');
    const content = await samesized(loaded.photos[0]!);
    await writeAtFixedTime(photo, Buffer.alloc(content.length, 7));
    expect((await index()).failed.map((failure) => failure.reason)).toEqual(['not-an-image']);
    expect(await index()).toMatchObject({ failed: [], toProcess: 0 });
    await rewriteKeepingTime(photo, content);
    expect(await index()).toMatchObject({ embedded: 1, failed: [] });
    expect(library.status()).toMatchObject({ photos: 1, failed: 0 });
  });

  it('is not read again, nor any other photo, the first run after an upgrade: its ctime is recorded then', async () => {
    const files = await Promise.all(loaded.photos.slice(0, 3).map(async (each, i) => {
      const file = path.join(folder, `${i}.png`);
      await writeFile(file, await samesized(each));
      return file;
    }));
    await index();
    // The library as the version before ctimes were recorded left it, then opened by this one.
    await library.close();
    const db = new Database(path.join(dataDir, 'library.db'));
    asBefore(db, 'change times');
    db.close();
    library = openLibrary(dataDir);
    expect(queryLibrary(dataDir, 'SELECT ctime_ms FROM files')).toEqual([null, null, null]);

    expect(await index()).toMatchObject({ embedded: 0, unchanged: 3, toProcess: 0 });
    for (const file of files) expect(fileRow(file).ctime_ms).toBe(Math.floor((await stat(file)).ctimeMs));
    // From then on a ctime changed is seen.
    await chmod(files[0]!, 0o600);
    expect(await index()).toMatchObject({ embedded: 0, unchanged: 3, toProcess: 1 });
  });
});

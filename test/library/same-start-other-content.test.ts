/**
 * Files that share their size, first 64 KiB and last 64 KiB but differ in between (uncompressed
 * TIFF scans with one black border, a retouch in place) are different photos (Note [Same start,
 * other content] in main/library/identity.ts); real copies and moves are still known by content,
 * in a library indexed before whole files were hashed too.
 */
import Database from 'better-sqlite3';
import { copyFile, mkdir, open, readFile, rename, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DuplicateFinder } from '../../main/duplicates/index.js';
import { identifyFile } from '../../main/library/identity.js';
import type { Library } from '../../main/library/library.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { fixtureModelAndPhotos, openLibrary, queryLibrary } from '../helpers/library.js';

/** A film scan as an uncompressed TIFF: 1000×700 within a 40 px black border, all of one size. */
async function scan(source: string, target: string): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  const image = sharp(source).resize(1000, 700, { fit: 'fill' }).extend({ top: 40, bottom: 40, left: 40, right: 40, background: '#000000' });
  await writeFile(target, await image.tiff({ compression: 'none' }).toBuffer());
}

describe('files with the same size, start and end', () => {
  const fixture = fixtureModelAndPhotos(IMMICH_MODEL);
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  let folder: string;
  let library: Library;
  const dataDir = () => path.join(scratch.dir, 'data');
  const scans = () => [0, 1, 2].map((i) => path.join(folder, `scan-${i + 1}.tif`));

  beforeAll(async () => {
    scratch = await tempDir();
  });
  afterAll(() => scratch.cleanup());
  beforeEach(async () => {
    scratch = await tempDir();
    folder = path.join(scratch.dir, 'Scans');
    // Three different pictures (other shapes and colours), as the colleague's three JPEGs.
    for (const [i, file] of scans().entries()) await scan(fixture.photos[i * 7]!.file, file);
    library = openLibrary(dataDir());
  });
  afterEach(async () => {
    await library.close();
    await scratch.cleanup();
  });

  const index = async () => library.index(fixture.model, { folders: (await library.addFolders([folder])).folders });
  const imageOf = (file: string) => queryLibrary<number>(dataDir(), 'SELECT image_id FROM files WHERE path = ?', file)[0];
  const vectorOf = (file: string) => queryLibrary<Buffer>(dataDir(), 'SELECT e.vector FROM files f JOIN embeddings e ON e.image_id = f.image_id WHERE f.path = ?', file)[0];
  /** The library as one made before whole files were hashed: no image knows its whole hash. */
  async function forgetWholeHashes(): Promise<void> {
    await library.close();
    const db = new Database(path.join(dataDir(), 'library.db'));
    db.prepare('UPDATE images SET whole_hash = NULL').run();
    db.close();
    library = openLibrary(dataDir());
  }

  it('takes three different TIFF scans for three photos, and no group of exact copies', async () => {
    const [one, two, three] = await Promise.all(scans().map((file) => identifyFile(file)));
    // What made them one image: the same fast key.
    expect(new Set([one!.contentHash, two!.contentHash, three!.contentHash]).size).toBe(1);
    const summary = await index();
    expect(summary).toMatchObject({ embedded: 3, copies: 0, failed: [] });
    expect(library.status()).toMatchObject({ photos: 3, images: 3 });
    expect(new Set(scans().map(imageOf)).size).toBe(3);
    const report = await new DuplicateFinder(library, fixture.model).find();
    expect(report.groups.filter((group) => group.similarity === null)).toEqual([]);
    // A re-scan reads none of them again, and keeps them apart.
    expect(await index()).toMatchObject({ embedded: 0, unchanged: 3, copies: 0 });
    expect(library.status()).toMatchObject({ photos: 3, images: 3 });
  });

  it('embeds a TIFF retouched in place again, keeping its confirmed tag', async () => {
    const [file, other] = scans();
    await index();
    const before = vectorOf(file!)!;
    library.storage.tags.setVerdict(imageOf(file!)!, 'film', false);
    // The middle half overwritten with another scan's, the size the same, the time later.
    const size = (await readFile(file!)).length;
    const quarter = Math.floor(size / 4);
    const middle = (await readFile(other!)).subarray(quarter, 3 * quarter);
    const handle = await open(file!, 'r+');
    await handle.write(middle, 0, middle.length, quarter);
    await handle.close();
    const later = new Date(Date.now() + 60_000);
    await utimes(file!, later, later);
    const summary = await index();
    expect(summary).toMatchObject({ embedded: 1, unchanged: 2, failed: [] });
    expect(vectorOf(file!)!.equals(before)).toBe(false);
    expect(queryLibrary(dataDir(), "SELECT tag, source, rejected FROM image_tags WHERE image_id = ? AND source = 'person'", imageOf(file!))).toEqual([{ tag: 'film', source: 'person', rejected: 0 }]);
  });

  it('still takes a real copy for a copy and a move for a move, with its embedding and confirmed tag', async () => {
    const [file] = scans();
    await index();
    const image = imageOf(file!)!;
    library.storage.tags.setVerdict(image, 'film', false);
    await copyFile(file!, path.join(folder, 'copy.tif'));
    expect(await index()).toMatchObject({ embedded: 0, copies: 1, unchanged: 3 });
    expect(imageOf(path.join(folder, 'copy.tif'))).toBe(image);
    const moved = path.join(folder, 'moved', 'scan-1.tif');
    await mkdir(path.dirname(moved));
    await rename(file!, moved);
    expect(await index()).toMatchObject({ embedded: 0, moved: 1, removed: 0 });
    expect(imageOf(moved)).toBe(image);
    expect(queryLibrary(dataDir(), "SELECT tag FROM image_tags WHERE image_id = ? AND source = 'person' AND rejected = 0", image)).toEqual(['film']);
    // Touched, not changed: still unchanged.
    const later = new Date(Date.now() + 60_000);
    await utimes(moved, later, later);
    expect(await index()).toMatchObject({ embedded: 0, unchanged: 4, copies: 0 });
  });

  it('treats a copy as a copy and a move as a move in a library indexed before whole hashes, and keeps another content apart', async () => {
    const [file, second, third] = scans();
    const away = path.join(scratch.dir, 'away.tif');
    await rename(second!, away);
    await rename(third!, path.join(scratch.dir, 'third.tif'));
    await index();
    const image = imageOf(file!)!;
    await forgetWholeHashes();
    // A copy: checked against the file on disk, whose hash is then recorded.
    await copyFile(file!, path.join(folder, 'copy.tif'));
    expect(await index()).toMatchObject({ embedded: 0, copies: 1 });
    expect(imageOf(path.join(folder, 'copy.tif'))).toBe(image);
    expect(queryLibrary(dataDir(), 'SELECT whole_hash FROM images WHERE id = ?', image)[0]).not.toBeNull();
    // Another content with the same fast key: a photo of its own.
    await forgetWholeHashes();
    await rename(away, second!);
    expect(await index()).toMatchObject({ embedded: 1, copies: 0 });
    expect(imageOf(second!)).not.toBe(image);
    // A move, with no other file left to check against: the fast key is trusted, as before.
    await forgetWholeHashes();
    await rename(path.join(folder, 'copy.tif'), path.join(scratch.dir, 'gone.tif'));
    await rename(file!, path.join(folder, 'renamed.tif'));
    expect(await index()).toMatchObject({ embedded: 0, moved: 1 });
    expect(imageOf(path.join(folder, 'renamed.tif'))).toBe(image);
  });
});

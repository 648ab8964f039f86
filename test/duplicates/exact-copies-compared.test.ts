/**
 * Copies of one content are compared byte for byte with the copy kept before they go to the
 * trash (Note [Exact copies compared] in main/duplicates/trash.ts), and a group is called
 * byte-identical only where its image's whole hash is recorded (Note [Same start, other content]
 * in main/library/identity.ts).
 */
import Database from 'better-sqlite3';
import { copyFile, mkdir, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuplicateFinder } from '../../main/duplicates/index.js';
import { trashSelection, type Copy } from '../../main/duplicates/trash.js';
import { Engine } from '../../main/engine/engine.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { execLibrary, fixtureModelAndPhotos, fixturePhotos, openLibrary, queryLibrary } from '../helpers/library.js';

describe('exact copies compared before they move', () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    scratch = await tempDir();
  });
  afterAll(() => scratch.cleanup());

  async function file(name: string, bytes: Buffer): Promise<Copy> {
    const target = path.join(scratch.dir, name);
    await writeFile(target, bytes);
    const info = await stat(target);
    return { path: target, size: info.size, mtimeMs: Math.floor(info.mtimeMs), content: 'same-key' };
  }

  it('refuses a "copy" whose bytes differ from the kept one, and moves nothing of its group', async () => {
    const bytes = Buffer.alloc(300_000, 7);
    const other = Buffer.from(bytes);
    other.fill(9, 100_000, 200_000);
    const group = [await file('keep.tif', bytes), await file('differs.tif', other), await file('real-copy.tif', bytes)];
    const moved: string[] = [];
    const chosen = [group[1]!.path, group[2]!.path];
    const result = await trashSelection({ groups: [group], chosen }, async (target) => void moved.push(target));
    expect(moved).toEqual([]);
    expect(result.trashed).toEqual([]);
    expect(result.skipped.map((skipped) => path.basename(skipped.path)).sort()).toEqual(['differs.tif', 'real-copy.tif']);
    expect(result.skipped.find((skipped) => skipped.path === group[1]!.path)?.reason).toMatch(/^it differs from keep\.tif byte for byte.*nothing of this group was moved/);
    // A real copy alone goes.
    const alone = await trashSelection({ groups: [[group[0]!, group[2]!]], chosen: [group[2]!.path] }, async (target) => void moved.push(target));
    expect(alone.trashed).toEqual([group[2]!.path]);
  });
});

describe('a group of exact copies', () => {
  const fixture = fixtureModelAndPhotos(IMMICH_MODEL);
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    scratch = await tempDir();
  });
  afterAll(() => scratch.cleanup());

  it('is byte-identical where whole hashes are recorded, and only a likeness in a library indexed before', async () => {
    const folder = path.join(scratch.dir, 'Photos');
    const dataDir = path.join(scratch.dir, 'data');
    await mkdir(folder);
    await copyFile(fixture.photos[0]!.file, path.join(folder, 'a.jpg'));
    await copyFile(fixture.photos[0]!.file, path.join(folder, 'b.jpg'));
    let library = openLibrary(dataDir);
    await library.index(fixture.model, { folders: (await library.addFolders([folder])).folders });
    const copiesGroup = async () => (await new DuplicateFinder(library, fixture.model).find()).groups.find((group) => group.paths.length === 2 && group.paths.every((file) => file.startsWith(folder)));
    expect((await copiesGroup())?.similarity).toBeNull();
    await library.close();
    const db = new Database(path.join(dataDir, 'library.db'));
    db.prepare('UPDATE images SET whole_hash = NULL').run();
    db.close();
    library = openLibrary(dataDir);
    expect((await copiesGroup())?.similarity).toEqual(expect.any(Number));
    await library.close();
  });
});

describe('a "copy" found to differ as it was to go to the trash', () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    scratch = await tempDir();
  });
  afterAll(() => scratch.cleanup());

  it('stays, and is read again as a photo of its own (Note [Exact copies compared])', async () => {
    const folder = path.join(scratch.dir, 'Scans');
    const dataDir = path.join(scratch.dir, 'data');
    await mkdir(folder);
    // Two files of one content, indexed so; then a library from before whole hashes, in which one of them changed in the middle unseen (same size, same time, no change time recorded).
    const kept = path.join(folder, 'a.tif');
    const copy = path.join(folder, 'b.tif');
    const scan = await sharp((await fixturePhotos())[0]!.file).resize(400, 300, { fit: 'fill' }).tiff({ compression: 'none' }).toBuffer();
    // Written long before they are indexed: a file changed in the second it was indexed is read again anyway.
    const longAgo = new Date(Date.UTC(2024, 0, 1));
    for (const file of [kept, copy]) {
      await writeFile(file, scan);
      await utimes(file, longAgo, longAgo);
    }
    const engine = new Engine({ dataDir, model: IMMICH_MODEL });
    try {
      await (await engine.addFolders([folder])).indexing.done;
      // From before whole hashes, so from before change times too (Note [Change time] in walk.ts): the change goes unseen.
      execLibrary(dataDir, 'UPDATE images SET whole_hash = NULL');
      execLibrary(dataDir, 'UPDATE files SET ctime_ms = NULL');
      const other = Buffer.from(scan);
      other.fill(255, 100_000, 200_000);
      await writeFile(copy, other);
      await utimes(copy, longAgo, longAgo);
      await engine.index().done;
      expect(queryLibrary<number>(dataDir, 'SELECT COUNT(*) FROM images')).toEqual([1]);

      const [group] = (await engine.duplicates.find().done).groups;
      const copyId = group?.photos.find((photo) => photo.path === copy)?.photoId as number;
      const result = await engine.duplicates.trash([copyId], async () => expect.unreachable('moved a file that differs'));
      expect(result.trashed).toEqual([]);
      expect(result.skipped).toEqual([{ path: copy, reason: expect.stringMatching(/^it differs from a\.tif byte for byte.*Lumen reads it again now/) }]);
      // The re-scan after it read the file again: two photos now, and no group of copies.
      expect(queryLibrary<number>(dataDir, 'SELECT COUNT(*) FROM images')).toEqual([2]);
      expect((await engine.duplicates.find().done).groups.filter((found) => found.similarity === null)).toEqual([]);
    } finally {
      await engine.dispose();
    }
  });
});

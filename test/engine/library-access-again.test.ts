/**
 * What the window learns of the data folder as the app's engine opens it: a damaged library it
 * restored from a backup (EngineStatus.restored), and a data folder that could not be used at
 * first and was fixed meanwhile, which opens at the next call (the window's "Try again").
 */
import { open, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../main/engine/engine.js';
import { LibraryAccess } from '../../main/engine/library-access.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

describe('the library as the app opens it again', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let dataDir: string;
  let folder: string;
  const closing: Array<() => Promise<void>> = [];
  const engine = (dir = dataDir) => {
    const made = new Engine({ dataDir: dir, model: IMMICH_MODEL, provider: 'cpu', log: () => {} });
    closing.push(() => made.dispose());
    return made;
  };

  beforeEach(async () => {
    scratch = await tempDir();
    dataDir = path.join(scratch.dir, 'data');
    folder = path.join(scratch.dir, 'Photos');
    await copyPhotos((await fixturePhotos()).slice(0, 4), folder, () => '');
    const writer = engine();
    await writer.addFolders([folder]);
    // A completed run backs the library up (Note [Backups]); the album saved after it is in no backup.
    await writer.index().done;
    writer.tags().saveAlbum('Trip', [1]);
    await writer.dispose();
    closing.splice(0);
  });
  afterEach(async () => {
    for (const close of closing.splice(0)) await close();
    await scratch.cleanup();
  });

  it('says what a damaged library restored from its backup may lack', async () => {
    const file = path.join(dataDir, 'library.db');
    const handle = await open(file, 'r+');
    await handle.truncate((await stat(file)).size / 2);
    await handle.write(Buffer.alloc(100, 0xa5), 0, 100, 0);
    await handle.close();
    const access = new LibraryAccess({ dataDir, claimWhenFree: 'the app', log: () => {}, onOpen: () => {} });
    closing.push(() => access.close());
    expect(access.restored).toBeNull();
    access.library();
    expect(access.restored).toEqual({ backupAt: expect.any(Number), fromBackup: ['folders', 'verdicts', 'albums', 'albumPhotos', 'zeroShotTags', 'vocabularies'], lost: [] });
    expect(Date.now() - (access.restored?.backupAt ?? 0)).toBeLessThan(10 * 60_000);
  });

  it('opens a data folder fixed after it could not be used, at the next call', async () => {
    const aside = path.join(scratch.dir, 'aside');
    await rename(dataDir, aside);
    await writeFile(dataDir, 'not a folder');
    const app = engine();
    await expect(app.status()).rejects.toThrow(/is a file, not a folder/);
    await rm(dataDir);
    await rename(aside, dataDir);
    expect((await app.status()).library).toMatchObject({ photos: 4 });
  });
});

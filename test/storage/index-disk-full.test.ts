/**
 * A search index saved to a disk that fills says so, whatever the graph's size: usearch writes a
 * small graph to a full disk as an empty file without an error, and that must not pass as saved.
 */
import { execFileSync } from 'node:child_process';
import { statfsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IndexDiskFull } from '../../main/core/errors.js';
import type { IndexedFile } from '../../main/storage/library-store.js';
import { Storage } from '../../main/storage/storage.js';
import { VectorIndex } from '../../main/storage/vector-index.js';
import { tempDir } from '../helpers/fixtures.js';
import { clusteredVectors } from '../helpers/vectors.js';

const DIM = 64;

describe('a search index saved to a disk that fills', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let mountPoint: string;
  let mounted = false;

  beforeEach(async () => {
    scratch = await tempDir();
    mountPoint = path.join(scratch.dir, 'disk');
    await mkdir(mountPoint);
  });
  afterEach(async () => {
    if (mounted) execFileSync('umount', ['-l', mountPoint]);
    mounted = false;
    await scratch.cleanup();
  });

  /** `count` photos written to the library in `storage`, as indexing writes them. */
  function photos(storage: Storage, count: number, from = 0): void {
    const folderId = storage.library.folders()[0]?.id ?? storage.library.addFolder('/p', []);
    const vectors = clusteredVectors(count, DIM, 3 + from);
    const files: IndexedFile[] = Array.from({ length: count }, (_, i) => ({
      path: `/p/${from + i}.jpg`,
      folderId,
      size: 1,
      mtimeMs: 1,
      ctimeMs: 1,
      image: { created: { contentHash: `h${from + i}`, format: 'jpeg', width: 1, height: 1, thumbnail: null, takenAt: null, cameraMake: null, cameraModel: null, lens: null, latitude: null, longitude: null, orientation: null } },
      vector: vectors.subarray(i * DIM, (i + 1) * DIM),
    }));
    const written = storage.library.writeBatch('m', files, []);
    expect(written).toHaveLength(count);
  }

  // A dozen photos' graph fits in usearch's stream buffer (written as an empty file); forty do not.
  it.for([12, 40])('says the disk is full for a graph of %i photos, and the graph saved before stays the one opened', async (count, context) => {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint], { stdio: 'pipe' });
      mounted = true;
    } catch (error) {
      console.log(`skipping: cannot mount a tmpfs here (${(error as { stderr?: Buffer }).stderr?.toString().trim() || String(error)})`);
      context.skip();
      return;
    }
    const indexDir = path.join(mountPoint, 'index');
    const storage = Storage.open(mountPoint);
    try {
      photos(storage, count);
      const first = new VectorIndex(storage, 'm', DIM, indexDir);
      await first.open();
      await first.ready();
      await first.save();
      await first.close();

      // One photo more, and then not a byte left for the index.
      const index = new VectorIndex(storage, 'm', DIM, indexDir);
      await index.open();
      expect(index.health).toBe('ready');
      photos(storage, 1, count);
      index.add([{ imageId: count + 1, vector: clusteredVectors(1, DIM, 99) }]);
      const { bavail, bsize } = statfsSync(mountPoint);
      await writeFile(path.join(mountPoint, 'filler'), Buffer.alloc(bavail * bsize)).catch(() => {});
      await expect(index.save()).rejects.toBeInstanceOf(IndexDiskFull);
      await index.close();

      // Room again: the graph saved before opens as it was, with nothing to rebuild.
      await rm(path.join(mountPoint, 'filler'));
      const reopened = new VectorIndex(storage, 'm', DIM, indexDir);
      await reopened.open();
      expect(reopened.health).not.toBe('damaged');
      await reopened.ready();
      expect(reopened.size).toBe(count + 1);
      await reopened.close();
    } finally {
      storage.close();
    }
  });
});

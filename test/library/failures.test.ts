/**
 * An indexing run that cannot go on (a full disk, a failing model) ends with an error a person
 * can act on, never a silent exit, and keeps every batch already written.
 */
import { execFileSync } from 'node:child_process';
import { statfsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { UserError } from '../../main/core/errors.js';
import type { Library } from '../../main/library/library.js';
import { ClipModel } from '../../main/models/clip.js';
import { closedCleanly } from '../../main/storage/clean-close.js';
import { IMMICH_MODEL, copyModel, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos, loadFixtureModel, openLibrary } from '../helpers/library.js';

/** The rejection of `promise`, which must be a UserError. */
async function failureOf(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

/** "... 16 photos indexed ..." -> 16 */
function indexedCount(message: string): number {
  const match = /(\d+) photos? indexed/.exec(message);
  expect(match, message).not.toBeNull();
  return Number(match?.[1]);
}

describe('an indexing run that cannot go on', () => {
  let model: ClipModel;
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let folder: string;
  let library: Library;

  beforeAll(async () => {
    model = await loadFixtureModel(IMMICH_MODEL);
    scratch = await tempDir();
    folder = path.join(scratch.dir, 'Photos');
    await copyPhotos(await fixturePhotos(), folder);
  });
  afterAll(async () => {
    await model.dispose();
    await scratch.cleanup();
  });

  let dataDir: string;
  let run = 0;
  beforeEach(() => {
    dataDir = path.join(scratch.dir, `data-${run++}`);
    library = openLibrary(dataDir);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await library.close();
  });

  const index = async (withModel: ClipModel = model) => library.index(withModel, { folders: (await library.addFolders([folder])).folders, writeBatch: 8, concurrency: 3 });

  it('stops on a full disk with what to do, keeping the batches already written', { timeout: 30_000 }, async () => {
    const writeBatch = library.storage.library.writeBatch.bind(library.storage.library);
    let calls = 0;
    vi.spyOn(library.storage.library, 'writeBatch').mockImplementation((...args) => {
      if (++calls > 2) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      return writeBatch(...args);
    });
    const error = await failureOf(index());
    expect(error.code).toBe('disk-full');
    expect(error.message).toMatch(/disk holding the library is full/);
    expect(error.message).toMatch(/free (some )?space/);
    const kept = indexedCount(error.message);
    expect(kept).toBeGreaterThan(0);
    expect(library.storage.embeddings.count(model.id)).toBe(kept);
    expect(library.storage.library.counts().files).toBe(kept);
  });

  // Note [Damage] in storage/damage.ts: damage met while the run writes, or while it looks up a
  // photo's content, is said as damage and voids the clean close, so the next open restores it.
  for (const where of ['writeBatch', 'imageByHash'] as const) {
    it(`says the library is damaged when ${where} meets a bad page, blaming neither the disk nor a photo`, { timeout: 30_000 }, async () => {
      const store = library.storage.library;
      const real = store[where].bind(store) as (...args: unknown[]) => unknown;
      let calls = 0;
      vi.spyOn(store, where).mockImplementation(((...args: unknown[]) => {
        if (++calls > 2) throw Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' });
        return real(...args);
      }) as never);
      const error = await failureOf(index());
      expect(error.code).toBe('integrity');
      expect(error.message).toMatch(/^The library database is damaged \(database disk image is malformed\); open the Lumen app or run `lumen index` to restore/);
      vi.restoreAllMocks();
      expect(store.failures()).toEqual([]);
      await library.close();
      expect(closedCleanly(path.join(dataDir, 'library.db'))).toBe(false);
      library = openLibrary(dataDir);
    });
  }

  for (const code of ['ENOSPC', 'EDQUOT']) {
    it(`recognises ${code} from a thumbnail write as a full disk`, { timeout: 30_000 }, async () => {
      const write = library.thumbnails.write.bind(library.thumbnails);
      let calls = 0;
      vi.spyOn(library.thumbnails, 'write').mockImplementation(async (...args) => {
        if (++calls > 20) throw Object.assign(new Error(`${code}: no space left on device, write`), { code });
        return write(...args);
      });
      const error = await failureOf(index());
      expect(error.code).toBe('disk-full');
      expect(library.storage.embeddings.count(model.id)).toBe(indexedCount(error.message));
    });
  }

  it('says so when the disk fills up while the run finishes, with every photo kept', { timeout: 30_000 }, async () => {
    const vectors = await library.vectorIndex(model.id, model.dim);
    vi.spyOn(vectors, 'saveIfDue').mockRejectedValueOnce(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
    const error = await failureOf(index());
    expect(error.code).toBe('disk-full');
    expect(indexedCount(error.message)).toBe(80);
    expect(library.storage.embeddings.count(model.id)).toBe(80);
  });

  it('says the disk is full, with every photo kept, when it fills as the search index is saved (its matrix or sidecar)', { timeout: 30_000 }, async () => {
    const vectors = await library.vectorIndex(model.id, model.dim);
    // Past the graph: what the rest of the save (the matrix, the sidecar) writes.
    vi.spyOn(vectors as unknown as { saveChanges: () => Promise<void> }, 'saveChanges').mockRejectedValueOnce(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
    const error = await failureOf(index());
    expect(error.code).toBe('disk-full');
    expect(error.message).toBe('The disk holding the library is full: every photo indexed is kept, but the search index could not be put away; free some space and run again.');
    expect(library.storage.embeddings.count(model.id)).toBe(80);
  });

  it('stops when the model fails, saying so and suggesting another model', { timeout: 30_000 }, async () => {
    let calls = 0;
    const failing = Object.create(model) as ClipModel;
    failing.embedTensors = async (tensors) => {
      if (++calls > 3) throw new Error('CUDA error: out of memory');
      return model.embedTensors(tensors);
    };
    const error = await failureOf(index(failing));
    expect(error.code).toBe('model-invalid');
    expect(error.message).toMatch(/model .*failed/i);
    expect(error.message).toContain('CUDA error: out of memory');
    expect(error.message).toMatch(/another model/);
    const kept = indexedCount(error.message);
    expect(kept).toBeGreaterThan(0);
    expect(library.storage.embeddings.count(model.id)).toBe(kept);
  });

  it('stops when the model returns vectors of the wrong size, storing none of them', { timeout: 30_000 }, async () => {
    let calls = 0;
    const failing = Object.create(model) as ClipModel;
    failing.embedTensors = async (tensors) => {
      const vectors = await model.embedTensors(tensors);
      return ++calls > 2 ? vectors.map((v) => v.subarray(0, 7)) : vectors;
    };
    const error = await failureOf(index(failing));
    expect(error.code).toBe('model-invalid');
    expect(error.message).toMatch(/7-dimensional/);
    expect(library.storage.embeddings.count(model.id)).toBe(indexedCount(error.message));
    expect(library.storage.embeddings.dimension(model.id)).toBe(model.dim);
  });

  it('refuses a model whose config contradicts its graph before any photo is read', { timeout: 30_000 }, async () => {
    const dir = await copyModel(IMMICH_MODEL, scratch.dir, `wrong-dim-${run}`);
    const configPath = path.join(dir, 'config.json');
    await writeFile(configPath, JSON.stringify({ ...JSON.parse(await readFile(configPath, 'utf8')), embed_dim: 4096 }));
    const wrong = await ClipModel.load(dir, { provider: 'cpu' });
    try {
      const error = await failureOf(index(wrong));
      expect(error.code).toBe('model-invalid');
      expect(error.message).toMatch(/4096/);
      expect(library.storage.library.counts()).toMatchObject({ files: 0, images: 0, failures: 0 });
    } finally {
      await wrong.dispose();
    }
  });

  it('stops on a real full disk (a small tmpfs holding the library)', { timeout: 60_000 }, async (context) => {
    const mountPoint = path.join(scratch.dir, `tmpfs-${run}`);
    await mkdir(mountPoint);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountPoint], { stdio: 'pipe' });
    } catch (error) {
      const reason = (error as { stderr?: Buffer }).stderr?.toString().trim() || String(error);
      console.log(`skipping the real disk-full case: cannot mount a tmpfs here (${reason})`);
      context.skip();
      return;
    }
    onTestFinished(() => {
      execFileSync('umount', ['-l', mountPoint]);
    });
    const onTmpfs = openLibrary(mountPoint);
    try {
      const { folders } = await onTmpfs.addFolders([folder]);
      // Room for the empty library (whatever its schema weighs) and about half the photos.
      const { blocks, bfree, bsize } = statfsSync(mountPoint);
      execFileSync('mount', ['-o', `remount,size=${(blocks - bfree) * bsize + 500 * 1024}`, mountPoint], { stdio: 'pipe' });
      const error = await failureOf(onTmpfs.index(model, { folders, writeBatch: 8 }));
      expect(error.code).toBe('disk-full');
      const kept = indexedCount(error.message);
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThan(80);
      expect(onTmpfs.storage.embeddings.count(model.id)).toBe(kept);

      // Every byte taken: adding folders fails too, once what room the database's own pages still
      // had is used (how much depends on how its pages fell), never returning one that was not
      // stored (Note [Returning commits]).
      await writeFile(path.join(mountPoint, 'filler'), Buffer.alloc(1 << 20)).catch(() => {});
      const added: string[] = [];
      let refused: unknown = null;
      for (let i = 0; i < 2000 && refused === null; i++) {
        const another = path.join(scratch.dir, 'more', `another-${i}`);
        await mkdir(another, { recursive: true });
        await onTmpfs.addFolders([another]).then(
          () => added.push(another),
          (error: unknown) => (refused = error),
        );
      }
      expect(refused).toMatchObject({ code: 'SQLITE_FULL' });
      expect(onTmpfs.folders().map((row) => row.path)).toEqual([folder, ...added]);
    } finally {
      // Saving the vector index fails too on the full disk; the database closes all the same.
      await onTmpfs.close().catch(() => {});
    }
    // A library that cannot even be opened there says why, in words.
    expect(() => openLibrary(path.join(mountPoint, 'second'))).toThrow(expect.objectContaining({ code: 'disk-full', message: expect.stringMatching(/the disk holding it is full/) }));
  });
});

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmdirSync } from 'node:fs';
import { readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { JobControl } from '../../main/jobs/job.js';
import type { ClipModel } from '../../main/models/clip.js';
import { PhotoSearch } from '../../main/search/search.js';
import { HF_MODEL, IMMICH_MODEL, ROOT, tempDir } from '../helpers/fixtures.js';
import { savedGraphFile } from '../helpers/index-files.js';
import { copyPhotos, fixturePhotos, loadFixtureModel, openLibrary } from '../helpers/library.js';

async function countRows(dbFile: string, table: string): Promise<number> {
  try {
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      return db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

describe('a library survives crashes, lost index files and model switches', () => {
  let immich: ClipModel;
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let folder: string;
  let dataDir: string;

  beforeAll(async () => {
    immich = await loadFixtureModel(IMMICH_MODEL);
  });
  afterAll(() => immich.dispose());
  beforeEach(async () => {
    scratch = await tempDir();
    folder = path.join(scratch.dir, 'Photos');
    dataDir = path.join(scratch.dir, 'data');
  });
  afterEach(() => scratch.cleanup());

  it('resumes after being killed mid-run, with nothing lost or doubled', async () => {
    // 240 distinct photos: each fixture photo at three JPEG qualities.
    const photos = await fixturePhotos();
    for (const quality of [70, 80, 90]) {
      for (const [i, photo] of photos.entries()) {
        await writeFile(path.join(scratch.dir, `q${quality}-${i}.jpg`), await sharp(photo.file).jpeg({ quality }).toBuffer());
      }
    }
    await rm(folder, { recursive: true, force: true });
    const { mkdir, rename } = await import('node:fs/promises');
    await mkdir(folder);
    for (const name of (await readdir(scratch.dir)).filter((n) => n.endsWith('.jpg'))) await rename(path.join(scratch.dir, name), path.join(folder, name));
    const total = 240;

    const dbFile = path.join(dataDir, 'library.db');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'main', 'cli', 'index.ts'), 'index', '--data', dataDir, '--model', IMMICH_MODEL, '--provider', 'cpu', folder], {
      cwd: ROOT,
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let killedAt = 0;
    for (let waited = 0; waited < 60_000 && child.exitCode === null; waited += 25) {
      killedAt = await countRows(dbFile, 'embeddings');
      if (killedAt >= 20) {
        child.kill('SIGKILL');
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await exited;
    const afterKill = await countRows(dbFile, 'embeddings');
    expect(afterKill).toBeGreaterThan(0);
    expect(afterKill).toBeLessThan(total);

    const library = openLibrary(dataDir);
    try {
      const summary = await library.index(immich);
      expect(summary.failed).toEqual([]);
      expect(summary.embedded).toBe(total - afterKill);
      expect(summary.unchanged).toBe(afterKill);
      expect(library.status()).toMatchObject({ photos: total, images: total });
      expect(library.storage.embeddings.count(immich.id)).toBe(total);
      const all = await new PhotoSearch(library, immich).search('a photo of a star.', { showAll: true, limit: 1000 });
      expect(new Set(all.results.map((r) => r.photoId)).size).toBe(total);
    } finally {
      await library.close();
    }
  }, 120_000);

  it.each([
    ['deleted', (file: string) => rm(file)],
    ['corrupted', (file: string) => writeFile(file, Buffer.alloc(4096, 0x5a))],
    ['stale', (_: string, sidecar: string) => writeFile(sidecar, JSON.stringify({ generation: -1, count: 1, dim: 64, quantization: 'f16' }))],
  ])('rebuilds the vector index from SQLite when its file is %s, serving exact results meanwhile', async (_, damage) => {
    await copyPhotos((await fixturePhotos()).slice(0, 30), folder);
    let library = openLibrary(dataDir);
    await library.index(immich, { folders: (await library.addFolders([folder])).folders });
    const before = await new PhotoSearch(library, immich).search('a photo of a circle.', { showAll: true, limit: 100 });
    await library.close();
    const indexFile = (await savedGraphFile(path.join(dataDir, 'index'), immich.id)) as string;
    await damage(indexFile, path.join(dataDir, 'index', 'tiny-clip-immich.usearch.json'));

    library = openLibrary(dataDir);
    try {
      const vectors = await library.vectorIndex(immich.id, immich.dim);
      expect(vectors.health).toBe('rebuilding');
      const during = await new PhotoSearch(library, immich).search('a photo of a circle.', { showAll: true, limit: 100 });
      expect(during.method).toBe('exact');
      expect(during.results.map((r) => r.photoId)).toEqual(before.results.map((r) => r.photoId));
      await vectors.ready();
      expect(vectors.health).toBe('ready');
      expect(vectors.size).toBe(30);
      // The rebuilt HNSW index itself finds what exact search finds. It is approximate, and built
      // on every core, so not the same twice: now and then it does not reach one of the five.
      const query = await immich.embedText('a photo of a circle.');
      const fromIndex = (await vectors.search(query, 5)).map((hit) => hit.imageId);
      const exactImages = before.results.slice(0, 5).map((r) => r.imageId);
      expect(fromIndex[0]).toBe(exactImages[0]);
      expect(fromIndex.filter((imageId) => exactImages.includes(imageId)).length).toBeGreaterThanOrEqual(4);
    } finally {
      await library.close();
    }
  });

  it('lets the new model serve once it covers the photos left, when the run switching to it also finds photos deleted', async () => {
    const files = await copyPhotos((await fixturePhotos()).slice(0, 6), folder);
    const library = openLibrary(dataDir);
    const hf = await loadFixtureModel(HF_MODEL);
    try {
      await library.index(immich, { folders: (await library.addFolders([folder])).folders });
      await rm(files[0] as string);
      // The deleted photo's image goes after the run (Note [Removed a slice at a time]): it needs no vector of the new model.
      expect(await library.index(hf)).toMatchObject({ embedded: 5, removed: 1 });
      expect(library.servingModel()).toBe('tiny-clip-hf');
      expect(library.status().models.find((model) => model.model === hf.id)).toMatchObject({ embedded: 5, missing: 0 });
    } finally {
      await hf.dispose();
      await library.close();
    }
  });

  it('switches models in the background: the old model serves until the new one covers the library, and a cancel loses nothing', async () => {
    await copyPhotos((await fixturePhotos()).slice(0, 40), folder);
    const library = openLibrary(dataDir);
    const hf = await loadFixtureModel(HF_MODEL);
    try {
      await library.index(immich, { folders: (await library.addFolders([folder])).folders });
      expect(library.servingModel()).toBe('tiny-clip-immich');
      expect(library.status().unfinishedRun).toBe(false);

      // Cancelled once 8 photos are embedded (counted in the model, not from timed progress).
      const control = new JobControl();
      const embed = hf.embedTensors.bind(hf);
      let embedded = 0;
      const spy = vi.spyOn(hf, 'embedTensors').mockImplementation(async (tensors) => {
        const vectors = await embed(tensors);
        embedded += vectors.length;
        if (embedded >= 8) control.cancel();
        return vectors;
      });
      await expect(library.index(hf, { control, batchSize: 4 })).rejects.toMatchObject({ code: 'cancelled' });
      spy.mockRestore();
      // Everything embedded before the cancel was kept, and nothing after it was done.
      const partial = library.storage.embeddings.count(hf.id);
      expect(partial).toBe(embedded);
      expect(partial).toBeGreaterThanOrEqual(8);
      expect(partial).toBeLessThan(40);
      expect(library.servingModel()).toBe('tiny-clip-immich');
      // What the run had not reached is counted nowhere: the library knows its last run did not finish.
      expect(library.status().unfinishedRun).toBe(true);
      // Searches keep working on the old model's index meanwhile.
      expect((await new PhotoSearch(library, immich).search('a photo of a cross.', { limit: 5 })).results.length).toBeGreaterThan(0);

      const resumed = await library.index(hf);
      expect(resumed.embedded).toBe(40 - partial);
      expect(library.status().unfinishedRun).toBe(false);
      expect(library.servingModel()).toBe('tiny-clip-hf');
      expect(library.storage.embeddings.count(immich.id)).toBe(40);
    } finally {
      await hf.dispose();
      await library.close();
    }
  });

  // Note [A drive gone mid-run]: the folder's drive unmounted while a new model re-embeds it, its mount point left empty.
  it('keeps every photo of a library folder whose drive goes away during a run, and says so', async () => {
    await copyPhotos((await fixturePhotos()).slice(0, 40), folder);
    const library = openLibrary(dataDir);
    const hf = await loadFixtureModel(HF_MODEL);
    const files = () => countRows(path.join(dataDir, 'library.db'), 'files');
    try {
      await library.index(immich, { folders: (await library.addFolders([folder])).folders });
      expect(await files()).toBe(40);

      const embed = hf.embedTensors.bind(hf);
      const spy = vi.spyOn(hf, 'embedTensors').mockImplementation(async (tensors) => {
        const vectors = await embed(tensors);
        if (!existsSync(`${folder}.drive`)) {
          renameSync(folder, `${folder}.drive`);
          mkdirSync(folder);
        }
        return vectors;
      });
      const summary = await library.index(hf, { batchSize: 4, concurrency: 1 });
      spy.mockRestore();
      expect(summary.unreachable).toEqual([{ path: folder, message: `The folder ${folder} went away while it was being indexed (a drive unplugged or unmounted?); its photos are kept. Index again once it is back.` }]);
      expect(summary.failed).toEqual([]);
      expect(summary.removed).toBe(0);
      expect(await files()).toBe(40);
      expect(library.storage.embeddings.count(immich.id)).toBe(40);

      // Back: the run goes on where it was, and nothing is listed as failed any more.
      rmdirSync(folder);
      renameSync(`${folder}.drive`, folder);
      const resumed = await library.index(hf);
      expect(resumed).toMatchObject({ unreachable: [], failed: [], removed: 0 });
      expect(library.storage.embeddings.count(hf.id)).toBe(40);
      expect(library.storage.library.failures()).toEqual([]);
    } finally {
      await hf.dispose();
      await library.close();
    }
  });

  // Note [Images kept for a run] in main/library/library.ts: a folder added by mistake and removed at once.
  it('leaves the photos of a folder removed during the run, rather than decode them for nothing', async () => {
    const photos = await fixturePhotos();
    const other = path.join(scratch.dir, 'Everything');
    await copyPhotos(photos.slice(0, 8), folder);
    await copyPhotos(photos.slice(8, 48), other);
    const library = openLibrary(dataDir);
    const embed = immich.embedTensors.bind(immich);
    let embedded = 0;
    try {
      const { folders } = await library.addFolders([folder, other]);
      const mistaken = folders.find((row) => path.basename(row.path) === 'Everything');
      const spy = vi.spyOn(immich, 'embedTensors').mockImplementation(async (tensors) => {
        if (embedded === 0) await library.removeFolder(mistaken!.id);
        embedded += tensors.length;
        return embed(tensors);
      });
      const summary = await library.index(immich, { folders, batchSize: 4, concurrency: 1 });
      spy.mockRestore();
      // Folders are walked by path, the mistaken one first: of it, no more than the photos already on their way; then the other's 8.
      expect(embedded).toBeGreaterThanOrEqual(8);
      expect(embedded).toBeLessThanOrEqual(8 + 12);
      expect(summary.failed).toEqual([]);
      expect(library.folders().map((row) => path.basename(row.path))).toEqual(['Photos']);
      expect(await countRows(path.join(dataDir, 'library.db'), 'files')).toBe(8);
      expect(library.storage.embeddings.count(immich.id)).toBe(8);
    } finally {
      await library.close();
    }
  });

  it('says that another model under a name the library knows is another model, where their vectors differ in size', async () => {
    await copyPhotos((await fixturePhotos()).slice(0, 4), folder);
    const library = openLibrary(dataDir);
    try {
      await library.index(immich, { folders: (await library.addFolders([folder])).folders });
      await expect(library.vectorIndex(immich.id, immich.dim * 2)).rejects.toMatchObject({
        code: 'model-invalid',
        message: `The library's photos were embedded by a model named tiny-clip-immich with ${immich.dim}-dimensional vectors, but the model given under that name gives ${immich.dim * 2} dimensions: it is another model. Models are told apart by their folder's name: give this model's folder a name of its own, and index with it.`,
      });
      // The model itself is served as before.
      expect((await library.vectorIndex(immich.id, immich.dim)).size).toBe(4);
    } finally {
      await library.close();
    }
  });

  it('pauses and resumes an indexing run', async () => {
    await copyPhotos((await fixturePhotos()).slice(0, 20), folder);
    const library = openLibrary(dataDir);
    try {
      const control = new JobControl();
      control.pause();
      const phases = new Set<string>();
      const run = library.index(immich, { folders: (await library.addFolders([folder])).folders, control, onProgress: (p) => phases.add(p.phase) });
      await new Promise((resolve) => setTimeout(resolve, 400));
      // Paused: the walk waits at its first folder (test/library/run-control.test.ts), nothing was embedded.
      expect(phases.has('indexing')).toBe(false);
      expect(library.storage.embeddings.count(immich.id)).toBe(0);
      control.resume();
      expect((await run).embedded).toBe(20);
      expect(library.storage.embeddings.count(immich.id)).toBe(20);
    } finally {
      await library.close();
    }
  });
});

/**
 * The 8-bit vector index at small sizes (Note [Quantisation], [Re-ranking], [Memory-mapped
 * index], [Trusted files]): it returns what exact f32 search returns, with exact scores; it
 * opens a saved index without rebuilding or hashing it, takes changes after opening it as a
 * view, and rebuilds an index whose file changed under it.
 */
import { randomFillSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stampOf } from '../../main/core/file-stamp.js';
import type { IndexedFile } from '../../main/storage/library-store.js';
import { readSidecar } from '../../main/storage/index-files.js';
import { Int8Graph } from '../../main/storage/int8-graph.js';
import { LayeredGraph } from '../../main/storage/layered-graph.js';
import { Storage } from '../../main/storage/storage.js';
import { VectorIndex } from '../../main/storage/vector-index.js';
import { buildMatrix, DiskMatrix, MATRIX_IN_MEMORY, MemoryMatrix, ROWS_PER_TURN, loadMatrix, quantise } from '../../main/storage/vector-matrix.js';
import { turnCounter } from '../helpers/event-loop.js';
import { tempDir } from '../helpers/fixtures.js';
import { savedGraphFile } from '../helpers/index-files.js';
import { clusteredVectors, queriesNear } from '../helpers/vectors.js';

const DIM = 64;
const COUNT = 3000;

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

/** `count` clustered 8-d rows (ids from 1) in memory and saved to a file, and a query near them. */
async function withMatrices(count: number, test: (memory: MemoryMatrix, disk: DiskMatrix, query: Float32Array) => Promise<void>): Promise<void> {
  const dim = 8;
  const vectors = clusteredVectors(count, dim, 6);
  const memory = new MemoryMatrix(dim);
  for (let i = 0; i < count; i++) memory.set(i + 1, vectors.subarray(i * dim, (i + 1) * dim));
  const scratch = await tempDir();
  try {
    const file = path.join(scratch.dir, 'm.i8');
    await memory.save(file);
    await test(memory, (await DiskMatrix.open(file, dim))!, queriesNear(vectors, dim, 1));
  } finally {
    await scratch.cleanup();
  }
}

describe('8-bit vectors', () => {
  it('scale each vector to use the whole range and keep its cosines to within 2e-3', () => {
    const vectors = clusteredVectors(200, 512, 3);
    for (let row = 0; row < 200; row += 2) {
      const a = vectors.subarray(row * 512, (row + 1) * 512);
      const b = vectors.subarray((row + 1) * 512, (row + 2) * 512);
      expect(Math.max(...Array.from(quantise(a), Math.abs))).toBe(127);
      const matrix = new MemoryMatrix(512);
      matrix.set(7, b);
      matrix.set(8, a);
      // A subset is gathered and scored like the whole matrix: by usearch, both sides in 8 bits.
      const [one] = matrix.rankNow(a, { size: 1, has: (id) => id === 7 });
      const [, all] = matrix.rankNow(a, null);
      for (const hit of [one!, all!]) {
        expect(hit.imageId).toBe(7);
        expect(Math.abs(hit.score - dot(a, b))).toBeLessThan(2e-3);
      }
    }
  });

  it('keep rows through changes and a save, in memory or read through from the file', async () => {
    const scratch = await tempDir();
    try {
      const vectors = clusteredVectors(500, DIM, 5);
      const row = (i: number) => vectors.subarray(i * DIM, (i + 1) * DIM);
      const memory = new MemoryMatrix(DIM, 4);
      for (let i = 0; i < 500; i++) memory.set(1000 + i, row(i));
      // Asked for once before the changes, the in-memory sum is then kept up to date (Note [Running sum]).
      await memory.sum();
      const file = path.join(scratch.dir, 'm.i8');
      await memory.save(file);
      const disk = (await DiskMatrix.open(file, DIM))!;
      for (const matrix of [memory, disk]) {
        matrix.delete([1000, 1250, 1499, 424242]);
        matrix.set(1001, row(0));
        matrix.set(2000, row(3));
      }
      expect([memory.size, disk.size]).toEqual([498, 498]);
      const kept = [...Array.from({ length: 500 }, (_, i) => i).filter((i) => ![0, 1, 250, 499].includes(i)), 0, 3];
      const mean = new Float32Array(DIM);
      for (const i of kept) for (let d = 0; d < DIM; d++) mean[d] = (mean[d] as number) + (row(i)[d] as number) / kept.length;
      for (const matrix of [memory, disk]) (await matrix.sum()).forEach((value, d) => expect(value / matrix.size).toBeCloseTo(mean[d] as number, 3));

      const query = queriesNear(vectors, DIM, 1);
      const subset = { size: 3, has: (id: number) => id === 1003 || id === 1250 || id === 2000 };
      // The same rows with the same scores, within twice the 8-bit tolerance (a block and a subset are scored apart).
      const same = (a: Array<{ imageId: number; score: number }>, b: Array<{ imageId: number; score: number }>) => {
        expect(a.map((hit) => hit.imageId).sort()).toEqual(b.map((hit) => hit.imageId).sort());
        const scores = new Map(b.map((hit) => [hit.imageId, hit.score]));
        for (const hit of a) expect(Math.abs(hit.score - scores.get(hit.imageId)!)).toBeLessThan(4e-3);
      };
      same(await disk.rank(query, null), await memory.rank(query, null));
      expect((await disk.rank(query, subset)).map((hit) => hit.imageId).sort()).toEqual([1003, 2000]);
      // Each image once, removed ones not at all: the even ids of 1002-1498 but 1250, 2000, and 1001 replaced.
      const counted = (matrix: MemoryMatrix | DiskMatrix) => matrix.countWhere((id) => id % 2 === 0 || id === 1001);
      expect([counted(memory), counted(disk)]).toEqual([250, 250]);
      // Saving folds the changes into the file.
      await disk.save(file);
      expect(counted(disk)).toBe(250);
      same(await disk.rank(query, null), await memory.rank(query, null));
      same(await (await loadMatrix(file, DIM))!.rank(query, null), await memory.rank(query, null));
      expect(await loadMatrix(path.join(scratch.dir, 'missing.i8'), DIM)).toBeNull();
    } finally {
      await scratch.cleanup();
    }
  });

  it('load a saved matrix into memory a slice of rows at a time, letting other work run between slices', async () => {
    const scratch = await tempDir();
    const set = vi.spyOn(MemoryMatrix.prototype, 'set');
    try {
      // Two blocks of the file, the second one partly filled.
      const count = 8192 + 3000;
      const vectors = clusteredVectors(count, 8, 4);
      const saved = new MemoryMatrix(8);
      for (let i = 0; i < count; i++) saved.set(i + 1, vectors.subarray(i * 8, (i + 1) * 8));
      const file = path.join(scratch.dir, 'm.i8');
      await saved.save(file);
      set.mockClear();
      // Rows set between two turns of the event loop, as a waiting search would see them.
      const between: number[] = [];
      let last = 0;
      const turns = turnCounter(() => {
        between.push(set.mock.calls.length - last);
        last = set.mock.calls.length;
      });
      turns.start();
      const loaded = (await loadMatrix(file, 8))!;
      turns.stop();
      expect(loaded.size).toBe(count);
      expect(set.mock.calls.length).toBe(count);
      expect(Math.max(...between)).toBeLessThanOrEqual(ROWS_PER_TURN);
      const query = queriesNear(vectors, 8, 1);
      expect((await loaded.rank(query, null, 20)).map((hit) => hit.imageId)).toEqual((await saved.rank(query, null, 20)).map((hit) => hit.imageId));
    } finally {
      set.mockRestore();
      await scratch.cleanup();
    }
  });

  it('rank the best `limit` rows as the whole matrix ranks them: a subset kept gathered, and one gathered block by block from the file', async () => {
    // Seven blocks of the file: the file's rows are ranked block by block, keeping only the best as they go.
    await withMatrices(50_000, async (memory, disk, query) => {
      // Larger than one gathered block (8,192 rows).
      const subset = { size: 45_000, has: (id: number) => id % 10 !== 3 };
      const whole = memory.rankNow(query, null);
      for (const accept of [null, subset]) {
        const expected = accept ? whole.filter((hit) => accept.has(hit.imageId)) : whole;
        for (const limit of [1, 37, 9_000, Infinity]) {
          for (const ranked of [memory.rankNow(query, accept, limit), await disk.rank(query, accept, limit)]) {
            expect(ranked).toHaveLength(Math.min(limit, expected.length));
            // Best first with the scores the whole matrix gives (ties may come in either order).
            ranked.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[i]!.score, 5));
            if (accept) expect(ranked.every((hit) => accept.has(hit.imageId))).toBe(true);
          }
        }
      }
    });
  });

  it('rank a subset too large to keep gathered, block by block, as the whole matrix ranks it', () => {
    // More than SUBSET_KEPT (32 MiB) of 512-d rows, and more than one gathered block of 8,192.
    const dim = 512;
    const vectors = clusteredVectors(70_000, dim, 6);
    const matrix = new MemoryMatrix(dim);
    for (let i = 0; i < 70_000; i++) matrix.set(i + 1, vectors.subarray(i * dim, (i + 1) * dim));
    const query = queriesNear(vectors, dim, 1);
    const subset = { size: 67_666, has: (id: number) => id % 30 !== 0 };
    expect(matrix.keepsSubset(subset.size)).toBe(false);
    const expected = matrix.rankNow(query, null).filter((hit) => subset.has(hit.imageId));
    for (const limit of [50, Infinity]) {
      const ranked = matrix.rankNow(query, subset, limit);
      expect(ranked).toHaveLength(Math.min(limit, expected.length));
      ranked.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[i]!.score, 5));
    }
  });

  it('rank a kept subset as its rows are now, and another subset by its own rows, in memory and from the file', async () => {
    await withMatrices(1000, async (memory, disk, query) => {
      for (const matrix of [memory, disk]) {
        const even = { size: 500, has: (id: number) => id % 2 === 0 };
        const ids = async (accept: typeof even, limit?: number) => (await matrix.rank(query, accept, limit)).map((hit) => hit.imageId);
        expect((await ids(even, 10)).every((id) => id % 2 === 0)).toBe(true);
        // Changed, added and removed rows of the subset count at once.
        matrix.set(2, query);
        expect(await ids(even, 1)).toEqual([2]);
        matrix.delete([2]);
        expect(await ids(even)).not.toContain(2);
        matrix.set(5000, query);
        expect(await ids(even, 1)).toEqual([5000]);
        const odd = { size: 500, has: (id: number) => id % 2 === 1 };
        const ranked = await ids(odd);
        expect(ranked).toHaveLength(500);
        expect(ranked.every((id) => id % 2 === 1)).toBe(true);
        // A row replaced while the subset is gathered (from the file, while it is read) comes once, and the next ranking has it.
        matrix.delete([5000]);
        const reading = ids(even);
        matrix.set(6, query);
        const during = await reading;
        expect(new Set(during).size).toBe(during.length);
        expect(await ids(even, 1)).toEqual([6]);
      }
    });
  });

  it('refuse a matrix file whose bytes are not the ones written, its size the same: a bit of a row, the ids, the count (Note [Matrix checked])', async () => {
    const scratch = await tempDir();
    try {
      const vectors = clusteredVectors(500, DIM, 5);
      const saved = new MemoryMatrix(DIM);
      for (let i = 0; i < 500; i++) saved.set(1000 + i, vectors.subarray(i * DIM, (i + 1) * DIM));
      const file = path.join(scratch.dir, 'm.i8');
      await saved.save(file);
      const intact = await readFile(file);
      expect((await loadMatrix(file, DIM))!.size).toBe(500);
      const damages = [
        (bytes: Buffer) => (bytes[8 + 250 * DIM + 3]! ^= 0x10),
        // Noise over the ids failed every search that loaded the matrix: "Invalid typed array length".
        (bytes: Buffer) => randomFillSync(bytes, 8 + 500 * DIM),
        // A count damaged failed too, as room was made for the rows before the file's size was looked at.
        (bytes: Buffer) => bytes.writeInt32LE(-(2 ** 31), 0),
      ];
      for (const damage of damages) {
        const bytes = Buffer.from(intact);
        damage(bytes);
        await writeFile(file, bytes);
        expect(await loadMatrix(file, DIM)).toBeNull();
      }
    } finally {
      await scratch.cleanup();
    }
  });

  it('build a matrix too large for memory into its file, making the index folder first', async () => {
    const scratch = await tempDir();
    try {
      const vectors = clusteredVectors(300, DIM, 6);
      const pages = async function* () {
        for (let at = 0; at < 300; at += 100) yield Array.from({ length: 100 }, (_, i) => [at + i + 1, vectors.subarray((at + i) * DIM, (at + i + 1) * DIM)] as [number, Float32Array]);
      };
      // As many rows expected as put it past MATRIX_IN_MEMORY: the rows go to the file as they come.
      const file = path.join(scratch.dir, 'index', 'm.i8');
      const matrix = await buildMatrix(file, DIM, Math.ceil(MATRIX_IN_MEMORY / DIM) + 1, pages());
      expect(existsSync(file)).toBe(true);
      expect(matrix.size).toBe(300);
      const query = queriesNear(vectors, DIM, 1);
      expect((await matrix.rank(query, null)).length).toBe(300);
    } finally {
      await scratch.cleanup();
    }
  });
});

describe('the vector index', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let storage: Storage;
  let vectors: Float32Array;
  let ids: number[];
  const indexDir = () => path.join(scratch.dir, 'index');

  beforeEach(async () => {
    scratch = await tempDir();
    storage = Storage.open(scratch.dir);
    const folderId = storage.library.addFolder('/p', []);
    vectors = clusteredVectors(COUNT, DIM, 9, 30);
    const files: IndexedFile[] = Array.from({ length: COUNT }, (_, i) => ({
      path: `/p/${i}.jpg`,
      folderId,
      size: 1,
      mtimeMs: 1,
      ctimeMs: 1,
      image: { created: { contentHash: `h${i}`, format: 'jpeg', width: 1, height: 1, thumbnail: null, takenAt: null, cameraMake: null, cameraModel: null, lens: null, latitude: null, longitude: null, orientation: null } },
      vector: vectors.subarray(i * DIM, (i + 1) * DIM),
    }));
    ids = storage.library.writeBatch('m', files, []).map((written) => written.imageId);
  });
  afterEach(async () => {
    storage.close();
    await scratch.cleanup();
  });

  /** The exact top `k` by f32 dot product, among `rows` (all by default). */
  function exact(query: Float32Array, k: number, rows = ids.map((_, row) => row)) {
    return rows
      .map((row) => ({ imageId: ids[row] as number, score: dot(query, vectors.subarray(row * DIM, (row + 1) * DIM)) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, k);
  }

  /** A new photo with `vector`, written to SQLite as indexing writes it. */
  function written(name: string, vector: Float32Array) {
    const folderId = storage.library.folders()[0]!.id;
    const image = { created: { contentHash: name, format: 'jpeg', width: 1, height: 1, thumbnail: null, takenAt: null, cameraMake: null, cameraModel: null, lens: null, latitude: null, longitude: null, orientation: null } } as const;
    return storage.library.writeBatch('m', [{ path: `/p/${name}.jpg`, folderId, size: 1, mtimeMs: 1, ctimeMs: 1, image, vector }], [])[0]!;
  }

  async function opened(): Promise<VectorIndex> {
    const index = new VectorIndex(storage, 'm', DIM, indexDir());
    await index.open();
    return index;
  }

  it('finds what exact f32 search finds, with exact scores, while rebuilding and after', async () => {
    const index = await opened();
    expect(index.health).toBe('rebuilding');
    const queries = queriesNear(vectors, DIM, 20, 4);
    const during = queries.subarray(0, DIM);
    // While rebuilding, search is exact over the 8-bit matrix, re-ranked: exactly the f32 ranking.
    expect((await index.search(during, 10)).map((hit) => hit.imageId)).toEqual(exact(during, 10).map((hit) => hit.imageId));
    for (let q = 0; q < 20; q++) {
      const query = queries.subarray(q * DIM, (q + 1) * DIM);
      const ranked = index.refine(query, await index.rank(query, null), 10).slice(0, 10);
      expect(ranked.map((hit) => hit.imageId)).toEqual(exact(query, 10).map((hit) => hit.imageId));
    }
    await index.ready();
    expect(index.health).toBe('ready');
    // The graph is approximate: nearly every neighbour found, each with its exact score.
    let hits = 0;
    for (let q = 0; q < 20; q++) {
      const query = queries.subarray(q * DIM, (q + 1) * DIM);
      const found = await index.search(query, 10);
      const truth = exact(query, 10);
      hits += found.filter((hit) => truth.some((t) => t.imageId === hit.imageId)).length;
      for (const hit of found) expect(hit.score).toBeCloseTo(dot(query, vectors.subarray(ids.indexOf(hit.imageId) * DIM, (ids.indexOf(hit.imageId) + 1) * DIM)), 6);
    }
    expect(hits).toBeGreaterThanOrEqual(190);
    // A subset is ranked exactly over just its photos; `refine` makes the first scores exact.
    const rows = ids.map((_, row) => row).filter((row) => row % 7 === 3);
    const subset = new Set(rows.map((row) => ids[row] as number));
    const ranked = index.refine(during, await index.rank(during, { size: subset.size, has: (id) => subset.has(id) }), 10);
    expect(ranked).toHaveLength(rows.length);
    expect(ranked.slice(0, 10).map((hit) => hit.imageId)).toEqual(exact(during, 10, rows).map((hit) => hit.imageId));
  });

  it('finishes a rebuild of more rows than one read holds while indexing writes meanwhile', async () => {
    // Two reads of SQLite, and photos written between them, as a resumed run writes while the rebuild goes on.
    const more = clusteredVectors(2000, DIM, 11, 30);
    for (let i = 0; i < 2000; i++) written(`more-${i}`, more.subarray(i * DIM, (i + 1) * DIM));
    const index = await opened();
    expect(index.health).toBe('rebuilding');
    const late = [written('late-1', more.subarray(0, DIM)), written('late-2', more.subarray(DIM, 2 * DIM))];
    index.add(late);
    index.remove([ids[0] as number]);
    const outcome = await Promise.race([index.ready().then(() => 'ready'), new Promise((resolve) => setTimeout(() => resolve('still rebuilding'), 20_000))]);
    expect(outcome).toBe('ready');
    expect(index.health).toBe('ready');
    expect(index.size).toBe(COUNT + 2000 + 2 - 1);
    const found = (await index.search(more.subarray(0, DIM), 3)).map((hit) => hit.imageId);
    expect(found).toContain(late[0]!.imageId);
    expect(found).not.toContain(ids[0]);
  });

  it('opens a saved index as a view without rebuilding, then takes changes and keeps them', async () => {
    const first = await opened();
    await first.ready();
    await first.save();
    const mean = first.mean()!;

    const reopened = await opened();
    expect(reopened.health).toBe('ready');
    // The library's mean comes from the sidecar: no vector is read for it.
    expect(Array.from(reopened.mean()!)).toEqual(Array.from(mean));
    const query = queriesNear(vectors, DIM, 1, 8);
    expect(await reopened.search(query, 5)).toEqual(await first.search(query, 5));

    const added = written('new', query);
    // The matrix loads on this first change, after SQLite has moved on: from its file as it was
    // at opening, plus the changes since (Note [Matrix as opened]), never rebuilt from SQLite.
    const readFromSqlite = vi.spyOn(storage.embeddings, 'rawAfter');
    // Nor is the graph loaded on this thread: the changes wait beside the view (Note [Changes beside the view]).
    const loaded = vi.spyOn(Int8Graph.prototype, 'load');
    reopened.add([added]);
    reopened.remove([ids[0] as number]);
    expect((await reopened.search(query, 1))[0]).toMatchObject({ imageId: added!.imageId });
    const ranked = (await reopened.rank(query, null)).map((hit) => hit.imageId);
    expect([ranked.length, ranked[0], ranked.includes(ids[0] as number)]).toEqual([COUNT, added!.imageId, false]);
    expect(readFromSqlite).not.toHaveBeenCalled();
    await reopened.save();
    expect(loaded).not.toHaveBeenCalled();

    const third = await opened();
    expect(third.health).toBe('ready');
    expect(third.size).toBe(COUNT);
    expect((await third.search(query, 1))[0]).toMatchObject({ imageId: added!.imageId });
    expect((await third.rank(query, null)).map((hit) => hit.imageId)).not.toContain(ids[0]);
  });

  it('saves the changes made before a save began, keeps those made during it, and saves them next', async () => {
    const first = await opened();
    await first.ready();
    await first.save();
    const index = await opened();
    const queries = queriesNear(vectors, DIM, 2, 21);
    const [early, late] = [queries.slice(0, DIM), queries.slice(DIM)];
    index.add([written('early', early)]);
    // The late photo arrives while the merge runs, after the snapshot the save writes.
    let generationAtSnapshot = -1;
    let lateId = -1;
    const snapshot = LayeredGraph.prototype.snapshot;
    vi.spyOn(LayeredGraph.prototype, 'snapshot').mockImplementationOnce(function (this: LayeredGraph) {
      const taken = snapshot.call(this);
      generationAtSnapshot = storage.library.generation('m');
      queueMicrotask(() => {
        const photo = written('late', late);
        lateId = photo.imageId;
        index.add([photo]);
      });
      return taken;
    });
    await index.save();
    expect(lateId).toBeGreaterThan(0);
    expect((await index.search(late, 1))[0]).toMatchObject({ imageId: lateId });
    // The files hold the state at the snapshot, and say so: a crash now rebuilds what is missing.
    const sidecar = (await readSidecar(path.join(indexDir(), 'm.usearch.json')))!;
    expect([sidecar.generation, sidecar.count]).toEqual([generationAtSnapshot, COUNT + 1]);
    expect(storage.library.generation('m')).toBeGreaterThan(generationAtSnapshot);
    const afterCrash = await opened();
    expect(afterCrash.health).toBe('rebuilding');
    await afterCrash.ready();
    expect((await afterCrash.search(late, 1))[0]).toMatchObject({ imageId: lateId });
    // The next save writes the late photo too.
    await index.save();
    const next = await opened();
    expect([next.health, next.size]).toEqual(['ready', COUNT + 2]);
    expect((await next.search(late, 1))[0]).toMatchObject({ imageId: lateId });
  });

  it('leaves a pass that added a few photos to a later save: once enough are added, after a while, at once for a removal (Note [Saved now and then])', async () => {
    const first = await opened();
    await first.ready();
    await first.save();
    const savedGeneration = async () => (await readSidecar(path.join(indexDir(), 'm.usearch.json')))!.generation;
    const index = await opened();
    const query = queriesNear(vectors, DIM, 1, 8);
    const few = written('few', query);
    index.add([few]);
    const before = await savedGeneration();
    await index.saveIfDue();
    expect(await savedGeneration()).toBe(before);
    // A crash now loses nothing: the next open adds what the files miss.
    const afterCrash = await opened();
    expect(afterCrash.health).toBe('rebuilding');
    await afterCrash.ready();
    expect((await afterCrash.search(query, 1))[0]).toMatchObject({ imageId: few.imageId });

    // A thousand more: saved.
    index.add(Array.from({ length: 1000 }, (_, i) => written(`many-${i}`, vectors.subarray((i % COUNT) * DIM, (i % COUNT + 1) * DIM))));
    await index.saveIfDue();
    expect(await savedGeneration()).toBe(storage.library.generation('m'));
    // One more, ten minutes after that save: saved.
    index.add([written('later', query)]);
    await index.saveIfDue();
    expect(await savedGeneration()).toBeLessThan(storage.library.generation('m'));
    const now = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(now + 10 * 60_000);
    await index.saveIfDue();
    vi.restoreAllMocks();
    expect(await savedGeneration()).toBe(storage.library.generation('m'));
    // A removal: saved at once, so no open finds keys SQLite no longer has.
    storage.library.removeFolder(storage.library.folders()[0]!.id);
    index.remove([few.imageId]);
    await index.saveIfDue();
    expect(await savedGeneration()).toBe(storage.library.generation('m'));
  });

  it('saves a change no pass saves ten minutes later by itself, and never once it has closed (Note [Saved now and then])', async () => {
    const first = await opened();
    await first.ready();
    await first.save();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const index = await opened();
      const saves = vi.spyOn(index, 'save');
      index.add([written('alone', queriesNear(vectors, DIM, 1, 5))]);
      vi.advanceTimersByTime(10 * 60_000 - 1);
      expect(saves).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1);
      expect(saves).toHaveBeenCalledTimes(1);
      await saves.mock.results[0]!.value;
      expect((await readSidecar(path.join(indexDir(), 'm.usearch.json')))!.generation).toBe(storage.library.generation('m'));

      const closing = await opened();
      const closedSaves = vi.spyOn(closing, 'save');
      closing.add([written('after close', queriesNear(vectors, DIM, 1, 6))]);
      await closing.close();
      vi.advanceTimersByTime(10 * 60_000);
      expect(closedSaves).not.toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });

  it('never writes over a saved graph: each save names its own, which a writer keeps when it opens (Note [Graph files never replaced])', async () => {
    const first = await opened();
    await first.ready();
    await first.save();
    const viewed = (await savedGraphFile(indexDir(), 'm'))!;
    const index = await opened();
    index.add([written('another', queriesNear(vectors, DIM, 1, 5))]);
    await index.save();
    const saved = (await savedGraphFile(indexDir(), 'm'))!;
    expect(saved).not.toBe(viewed);
    expect(existsSync(viewed)).toBe(false);
    // Files no sidecar names: a reader leaves them, a writer removes its own index's only.
    const [stray, otherModels] = [path.join(indexDir(), 'm~0123abcd.usearch'), ['m2.usearch', 'm.x~0123abcd.usearch'].map((name) => path.join(indexDir(), name))];
    for (const file of [stray, ...otherModels]) await writeFile(file, 'not a graph');
    const readOnly = Storage.open(scratch.dir, { readonly: true });
    try {
      await new VectorIndex(readOnly, 'm', DIM, indexDir()).open();
      expect(existsSync(stray)).toBe(true);
    } finally {
      readOnly.close();
    }
    expect((await opened()).health).toBe('ready');
    expect([stray, ...otherModels, saved].map((file) => existsSync(file))).toEqual([false, true, true, true]);
    // A sidecar written before names no file: the graph is `m.usearch`.
    const sidecarFile = path.join(indexDir(), 'm.usearch.json');
    const { graphFile: _, ...before } = (await readSidecar(sidecarFile))!;
    await rename(saved, path.join(indexDir(), 'm.usearch'));
    await writeFile(sidecarFile, JSON.stringify(before));
    expect((await opened()).health).toBe('ready');
  });

  it('rebuilds from SQLite, and saves again, a matrix file damaged with its stamp the one saved (Note [Matrix checked])', async () => {
    const first = await opened();
    await first.ready();
    await first.save();
    const query = queriesNear(vectors, DIM, 1, 8);
    const best = (await first.rank(query, null, 5)).map((hit) => hit.imageId);
    const [matrixFile, sidecarFile] = [path.join(indexDir(), 'm.i8'), path.join(indexDir(), 'm.usearch.json')];
    const damages = [
      // Rows that now look like the query: ranked first if trusted.
      (bytes: Buffer) => {
        for (let row = 100; row < 105; row++) bytes.set(quantise(query), 8 + row * DIM);
      },
      // Noise from byte 200 on, the ids with it.
      (bytes: Buffer) => randomFillSync(bytes, 200),
    ];
    for (const damage of damages) {
      const bytes = await readFile(matrixFile);
      damage(bytes);
      await writeFile(matrixFile, bytes);
      // As bit rot leaves it: the file stands as the sidecar says it was saved.
      const sidecar = (await readSidecar(sidecarFile))!;
      await writeFile(sidecarFile, JSON.stringify({ ...sidecar, matrix: await stampOf(matrixFile) }));
      const index = await opened();
      expect(index.health).toBe('ready');
      expect((await index.rank(query, null, 5)).map((hit) => hit.imageId)).toEqual(best);
      await index.save();
      // Saved again: the next open loads it from its file.
      const readFromSqlite = vi.spyOn(storage.embeddings, 'rawAfter');
      expect((await (await opened()).rank(query, null, 5)).map((hit) => hit.imageId)).toEqual(best);
      expect(readFromSqlite).not.toHaveBeenCalled();
      readFromSqlite.mockRestore();
    }
  });

  it('checks a file that changed since it was saved, and rebuilds it when it is not the one saved', async () => {
    const first = await opened();
    await first.ready();
    await first.save();
    const file = (await savedGraphFile(indexDir(), 'm'))!;
    // Touched but the same bytes (a backup restored): hashed, found intact, opened.
    await utimes(file, new Date(), new Date(Date.now() + 5000));
    expect((await opened()).health).toBe('ready');
    // Same size, other bytes: refused before usearch reads it.
    const bytes = await readFile(file);
    bytes.fill(0x5a, bytes.length / 2, bytes.length / 2 + 4096);
    await writeFile(file, bytes);
    const rebuilt = await opened();
    expect(rebuilt.health).toBe('rebuilding');
    await rebuilt.ready();
    expect(rebuilt.size).toBe(COUNT);
  });
});

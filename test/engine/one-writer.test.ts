/**
 * Note [One writer] and Note [Becoming the writer]: engines that only read open the library
 * read-only and write nothing; while one engine writes, the others read on and are refused
 * writes with the writer's name; an engine that becomes the writer starts from what the last
 * writer stored.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../main/engine/engine.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

describe('one writer, many readers', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let dataDir: string;
  let folder: string;
  let photos: string[];
  const engines: Engine[] = [];
  const engine = (options: { app?: boolean } = {}) => {
    const made = new Engine({ dataDir, model: IMMICH_MODEL, provider: 'cpu', ...options });
    engines.push(made);
    return made;
  };
  const digest = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

  beforeEach(async () => {
    scratch = await tempDir();
    dataDir = path.join(scratch.dir, 'data');
    folder = path.join(scratch.dir, 'Photos');
    photos = await copyPhotos((await fixturePhotos()).slice(0, 16), folder);
    const writer = engine();
    await (await writer.addFolders([folder])).indexing.done;
    await writer.dispose();
  });
  afterEach(async () => {
    for (const made of engines.splice(0)) await made.dispose();
    await scratch.cleanup();
  });

  it('a reader writes nothing, not even a stale vector index it rebuilt', async () => {
    await rm(path.join(dataDir, 'index'), { recursive: true });
    const listing = async () => (await readdir(dataDir, { recursive: true })).filter((name) => !/^library\.db-(wal|shm)$/.test(name)).sort();
    const files = await listing();
    const before = await digest(path.join(dataDir, 'library.db'));
    const reader = engine();
    expect((await reader.status()).library).toMatchObject({ photos: 16 });
    expect((await reader.search('a photo of a star.', { showAll: true })).total).toBe(16);
    expect((await reader.similar(1, { showAll: true })).total).toBe(15);
    expect(reader.failures()).toEqual([]);
    expect(reader.tags().verdicts.counts()).toEqual([]);
    expect(reader.tags().albums()).toHaveLength(1);
    // Scoring photos embeds the vocabulary's tags; a reader does not cache them.
    expect((await reader.scoreImages(photos.slice(0, 2))).assigned).toHaveLength(2);
    await reader.dispose();
    expect(await digest(path.join(dataDir, 'library.db'))).toBe(before);
    expect(await listing()).toEqual(files);
  });

  it('while one engine writes, others read on and are refused writes with its name', async () => {
    const app = engine({ app: true });
    const running = app.index({ batchSize: 1 });
    running.job.pause();
    await app.status();

    const other = engine();
    expect((await other.search('a photo of a circle.', { showAll: true })).total).toBe(16);
    const refusal = `Lumen (the app, pid ${process.pid}) is indexing this library; try again when it has finished.`;
    await expect(other.removeFolder(1)).rejects.toMatchObject({ code: 'busy', message: refusal });
    await expect(other.tagLibrary().done).rejects.toMatchObject({ code: 'busy', message: refusal });
    await expect(other.claimWriter('`lumen tag`', 'tagging')).rejects.toMatchObject({ code: 'busy' });
    // What the app's calls change: verdicts, albums, the vocabulary, text, near-duplicates' measures.
    await expect(other.giveVerdict([1], 'dog', 'confirm')).rejects.toMatchObject({ code: 'busy', message: refusal });
    expect(() => other.tagsToChange().saveAlbum('Trip', [1, 2])).toThrow(refusal);
    await expect(other.saveVocabulary(null)).rejects.toMatchObject({ code: 'busy' });
    await expect(other.photoText(1, { read: true })).rejects.toMatchObject({ code: 'busy' });
    await expect(other.readText().done).rejects.toMatchObject({ code: 'busy' });
    await expect(other.duplicates.find().done).rejects.toMatchObject({ code: 'busy' });
    expect((await other.photoText(1)).read).toBe(false);
    running.job.resume();
    await running.done;
    // Idle, the app still holds the library, until it is closed (Note [Open, not busy] in main/storage/writer-lock.ts).
    const open = `Lumen (the app, pid ${process.pid}) has this library open, and only it may change the library until it is closed; close it and try again.`;
    await expect(other.removeFolder(1)).rejects.toMatchObject({ message: open });
    // A change it made outside a job is said only while it lasts (Note [Said while it lasts] in main/engine/library-access.ts).
    await app.giveVerdict([1], 'dog', 'confirm');
    await new Promise((resolve) => setImmediate(resolve));
    await expect(other.removeFolder(1)).rejects.toMatchObject({ message: open });
    await expect(other.claimWriter('`lumen tags`', 'changing')).rejects.toMatchObject({ message: expect.stringMatching(/has this library open, and only it may change the library until it is closed; close it and run again, or run again with --wait to go on once it is closed\.$/) });
    await app.dispose();
    // A command that claimed the library is said to do what it claimed it for, until it ends, not to hold it open.
    const command = engine();
    await command.claimWriter('`lumen tags`', 'changing');
    await command.giveVerdict([1], 'cat', 'confirm');
    await new Promise((resolve) => setImmediate(resolve));
    await expect(other.removeFolder(1)).rejects.toMatchObject({ message: `Lumen (\`lumen tags\`, pid ${process.pid}) is changing this library; try again when it has finished.` });
  });

  it('an engine that becomes the writer starts from what the last writer stored', async () => {
    const first = engine({ app: true });
    await first.status();
    const second = engine({ app: true });
    // Opened read-only: the first holds the library.
    expect((await second.status()).library).toMatchObject({ photos: 16 });
    const more = await copyPhotos((await fixturePhotos()).slice(40, 44), path.join(folder, 'more'));
    expect((await first.index().done).embedded).toBe(more.length);
    await first.dispose();

    const summary = await second.index().done;
    expect(summary).toMatchObject({ embedded: 0, unchanged: 20 });
    expect((await second.search('a photo of a star.', { showAll: true })).total).toBe(20);
  });
});

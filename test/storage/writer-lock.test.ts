/**
 * Note [One writer]: the lock a process takes before it changes a library, who it names, and that
 * it is never left behind by a process that dies holding it. Note [Temporary names]: files
 * replaced whole never share a temporary name.
 */
import { spawn } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeStaleTemporaries, temporaryName, writeFileAtomic } from '../../main/core/temporary-files.js';
import { Library } from '../../main/library/library.js';
import { HOLDER_FILE, WriterLock } from '../../main/storage/writer-lock.js';
import { ROOT, tempDir } from '../helpers/fixtures.js';
import { savedGraphFile } from '../helpers/index-files.js';

/** A process holding the lock of `dataDir`, once it says so. */
async function holder(dataDir: string): Promise<{ pid: number; kill: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'helpers', 'hold-writer-lock.ts'), dataDir, '`lumen index`'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const said = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
  expect(said).toBe('held');
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    pid: child.pid as number,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

describe('the writer lock', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let dataDir: string;
  const held: WriterLock[] = [];

  beforeEach(async () => {
    scratch = await tempDir();
    dataDir = path.join(scratch.dir, 'data');
  });
  afterEach(async () => {
    for (const lock of held.splice(0)) lock.release();
    await scratch.cleanup();
  });

  const take = (name: string, doing = 'indexing') => {
    const lock = WriterLock.tryTake(dataDir, name, doing);
    if (lock) held.push(lock);
    return lock;
  };

  it('lets one writer in, names it to a second, and is free again once released', async () => {
    const first = take('the app');
    expect(first).not.toBeNull();
    expect(take('`lumen index`')).toBeNull();
    await expect(WriterLock.take(dataDir, '`lumen index`', 'indexing')).rejects.toMatchObject({
      code: 'busy',
      message: `Lumen (the app, pid ${process.pid}) is indexing this library; wait for it to finish, or run again with --wait.`,
    });
    first?.describe('tagging');
    expect(WriterLock.busyNow(dataDir, 'later').message).toBe(`Lumen (the app, pid ${process.pid}) is tagging this library; later.`);
    first?.release();
    expect(WriterLock.holder(dataDir)).toBeNull();
    expect(take('`lumen index`')).not.toBeNull();
  });

  it('waits for the writer with --wait, saying once who it waits for', async () => {
    const first = take('the app');
    const told: string[] = [];
    const waiting = WriterLock.take(dataDir, '`lumen tag`', 'tagging', { wait: true, hint: 'waiting', onWait: (busy) => told.push(busy.message) });
    await new Promise((resolve) => setTimeout(resolve, 600));
    first?.release();
    held.push(await waiting);
    expect(told).toEqual([`Lumen (the app, pid ${process.pid}) is indexing this library; waiting.`]);
    expect(WriterLock.holder(dataDir)).toMatchObject({ holder: '`lumen tag`', doing: 'tagging', pid: process.pid });
  });

  it('stops waiting when cancelled', async () => {
    take('the app');
    const controller = new AbortController();
    const waiting = WriterLock.take(dataDir, '`lumen tag`', 'tagging', { wait: true, signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('is free again when its holder is killed, and a dead holder’s name is not used', async () => {
    const other = await holder(dataDir);
    expect(take('the app')).toBeNull();
    expect(WriterLock.busyNow(dataDir, 'wait').message).toBe(`Lumen (\`lumen index\`, pid ${other.pid}) is indexing this library; wait.`);
    await other.kill();
    // The killed holder's writer.json is still there, naming a process that is gone.
    expect(await readdir(dataDir)).toContain(HOLDER_FILE);
    expect(WriterLock.holder(dataDir)).toBeNull();
    expect(take('the app')).not.toBeNull();
  });
});

describe('temporary names', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    scratch = await tempDir();
  });
  afterEach(() => scratch.cleanup());

  it('are unique per process and per call, and only those of gone processes are cleared', async () => {
    const file = path.join(scratch.dir, 'index.usearch.json');
    const names = new Set(Array.from({ length: 1000 }, () => temporaryName(file)));
    expect(names.size).toBe(1000);
    expect([...names][0]).toMatch(new RegExp(`index\\.usearch\\.json\\.${process.pid}-[0-9a-f]{8}\\.tmp$`));

    const ours = temporaryName(file);
    const gone = `${file}.999999999-0123abcd.tmp`;
    await writeFile(ours, 'being written');
    await writeFile(gone, 'left by a killed process');
    expect(await removeStaleTemporaries(scratch.dir)).toBe(1);
    expect((await readdir(scratch.dir)).sort()).toEqual([path.basename(ours)]);
  });

  it('let many writes of one file run at once', async () => {
    const file = path.join(scratch.dir, 'settings.json');
    await Promise.all(Array.from({ length: 50 }, (_, i) => writeFileAtomic(file, JSON.stringify({ i }))));
    expect(await readdir(scratch.dir)).toEqual(['settings.json']);
  });

  it('let two libraries save one vector index at once', async () => {
    const dataDir = path.join(scratch.dir, 'data');
    const libraries = [Library.open(dataDir), Library.open(dataDir)];
    try {
      const indexes = await Promise.all(libraries.map((library) => library.vectorIndex('m', 4)));
      await Promise.all(indexes.map((index) => index.ready()));
      for (const [i, index] of indexes.entries()) index.add([{ imageId: i + 1, vector: Float32Array.from([1, i, 0, 0]) }]);
      await Promise.all(Array.from({ length: 20 }, (_, i) => (indexes[i % 2] as (typeof indexes)[number]).save()));
      // No temporary file is left; each library wrote graphs of its own (Note [Graph files never replaced]), and the sidecar names one of them.
      const names = (await readdir(path.join(dataDir, 'index'))).sort();
      expect(names.filter((name) => !/^m~[0-9a-f]{8}\.usearch$/.test(name))).toEqual(['m.i8', 'm.usearch.json']);
      expect(names).toContain(path.basename((await savedGraphFile(path.join(dataDir, 'index'), 'm')) as string));
    } finally {
      for (const library of libraries) await library.close();
    }
  });
});

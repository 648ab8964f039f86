/**
 * Note [A database it cannot write] in main/storage/writer-lock.ts: a library database this user
 * may not write, in a folder it may, makes the data folder read-only. Tests run as root, whom
 * modes do not stop, so the files' modes are what `access` answers for them here.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WriterLock } from '../../main/storage/writer-lock.js';
import { tempDir } from '../helpers/fixtures.js';

const readOnly = vi.hoisted(() => new Set<string>());
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const accessSync = ((file: string, mode?: number) => {
    if (readOnly.has(String(file)) && mode === fs.constants.W_OK) throw Object.assign(new Error(`EACCES: permission denied, access '${String(file)}'`), { code: 'EACCES' });
    fs.accessSync(file, mode);
  }) as typeof fs.accessSync;
  return { ...fs, default: { ...fs, accessSync }, accessSync };
});

describe('a library database this user cannot write', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let dataDir: string;

  beforeEach(async () => {
    scratch = await tempDir();
    dataDir = path.join(scratch.dir, 'data');
    WriterLock.tryTake(dataDir, 'the app', 'changing')?.release();
    await writeFile(path.join(dataDir, 'library.db'), '');
  });
  afterEach(async () => {
    readOnly.clear();
    await scratch.cleanup();
  });

  it.each(['library.db', 'library.db-wal', 'library.db-shm'])('makes the data folder read-only where %s is', async (name) => {
    await writeFile(path.join(dataDir, name), '', { flag: 'a' });
    readOnly.add(path.join(dataDir, name));
    expect(() => WriterLock.tryTake(dataDir, 'the app', 'changing')).toThrow(
      expect.objectContaining({ code: 'read-only', message: expect.stringMatching(/^The data folder .* cannot be written \(read-only media, or no permission\): searching it and `status` still work/) }),
    );
  });

  it('leaves the folder writable where the files beside the database are absent', () => {
    readOnly.add(path.join(dataDir, 'library.db-wal'));
    const lock = WriterLock.tryTake(dataDir, 'the app', 'changing');
    expect(lock).not.toBeNull();
    lock?.release();
  });
});

/**
 * Note [Held open by another program] in main/core/errors.ts: a library another program (not
 * Lumen) holds in a write transaction stops a writing command with words a person can act on,
 * not as an unexpected error. The other program is a second SQLite connection of this process,
 * which SQLite locks out as it would another process's.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Storage } from '../../main/storage/storage.js';
import { cli } from '../helpers/cli-main.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

const HELD_OPEN = (file: string) => `Another program (a database browser or a backup tool?) is holding the library (${file}) open for writing; close it and try again.`;

/** Runs `during` while another connection holds `file` in an exclusive transaction, in `mode` of journal. */
async function whileHeld<T>(file: string, during: () => Promise<T> | T, mode: 'wal' | 'delete' = 'wal'): Promise<T> {
  const other = new Database(file);
  try {
    other.pragma(`journal_mode = ${mode}`);
    other.exec('BEGIN EXCLUSIVE');
    try {
      return await during();
    } finally {
      other.exec('ROLLBACK');
    }
  } finally {
    other.close();
  }
}

describe('a library held open by another program', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let dataDir: string;
  let file: string;

  beforeAll(async () => {
    scratch = await tempDir();
    const folder = path.join(scratch.dir, 'Photos');
    await copyPhotos((await fixturePhotos()).slice(0, 3), folder);
    dataDir = path.join(scratch.dir, 'data');
    file = path.join(dataDir, 'library.db');
    expect((await cli('index', folder, '--data', dataDir, '--model', IMMICH_MODEL, '--provider', 'cpu')).code).toBe(0);
  });
  afterAll(() => scratch.cleanup());

  it('stops a command that writes with what to do, exit status 75 (try again later) and no stack, even under LUMEN_DEBUG', async () => {
    process.env['LUMEN_DEBUG'] = '1';
    try {
      const result = await whileHeld(file, () => cli('tags', '--confirm', 'beach', '1', '--data', dataDir));
      expect(result).toEqual({ code: 75, stdout: '', stderr: `lumen tags: ${HELD_OPEN(file)}\n` });
    } finally {
      delete process.env['LUMEN_DEBUG'];
    }
    // Closed, the library takes the same change.
    expect((await cli('tags', '--confirm', 'beach', '1', '--data', dataDir)).code).toBe(0);
  });

  it('refuses to open it as the writer with the same words, where the other program holds it out of WAL mode', async () => {
    await whileHeld(file, () => expect(() => Storage.open(dataDir).close()).toThrow(expect.objectContaining({ code: 'busy', message: HELD_OPEN(file) })), 'delete');
    Storage.open(dataDir).close();
  });
});

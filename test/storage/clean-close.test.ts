/**
 * Note [Clean close]: a writer reopening a library its last writer closed cleanly skips the page
 * check; after a crash, or any other change to the file, it checks.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statfsSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closedCleanly } from '../../main/storage/clean-close.js';
import { damageError } from '../../main/storage/damage.js';
import { DATABASE_FILE, Storage } from '../../main/storage/storage.js';
import { tempDir } from '../helpers/fixtures.js';

describe('a clean close', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let file: string;

  beforeEach(async () => {
    scratch = await tempDir();
    file = path.join(scratch.dir, DATABASE_FILE);
    const storage = Storage.open(scratch.dir, { check: true });
    storage.library.setMeta('filler', 'x'.repeat(20_000));
    storage.close();
  });
  afterEach(() => scratch.cleanup());

  it('is recorded when the writer closes, and forgotten while one has the file open', () => {
    expect(closedCleanly(file)).toBe(true);
    const storage = Storage.open(scratch.dir, { check: true });
    storage.library.setMeta('more', 'y');
    // A crash now would leave the file as it is: no record, and a log with the change.
    expect(closedCleanly(file)).toBe(false);
    storage.close();
    expect(closedCleanly(file)).toBe(true);
    // A reader's connection records nothing and forgets nothing.
    Storage.open(scratch.dir, { readonly: true }).close();
    expect(closedCleanly(file)).toBe(true);
  });

  // Note [Damage voids a clean close]: a search or `lumen status` that met damage advises `lumen index`, whose writer must then check.
  it('no longer holds once a reader met damage, until a writer has checked the pages', () => {
    const reader = Storage.open(scratch.dir, { readonly: true });
    expect(damageError(Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' }))?.code).toBe('integrity');
    reader.close();
    expect(closedCleanly(file)).toBe(false);
    // A writer that closes without a check (none was asked for) leaves it to be checked.
    Storage.open(scratch.dir).close();
    expect(closedCleanly(file)).toBe(false);
    // A check that finds every page sound clears it.
    Storage.open(scratch.dir, { check: true }).close();
    expect(closedCleanly(file)).toBe(true);
    // Damage met by a process with no library open counts against none.
    damageError(Object.assign(new Error('file is not a database'), { code: 'SQLITE_NOTADB' }));
    expect(closedCleanly(file)).toBe(true);
  });

  it('closes on a full disk without a word, none recorded, and the next writer checks', async (context) => {
    const disk = path.join(scratch.dir, 'disk');
    mkdirSync(disk);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', disk], { stdio: 'pipe' });
    } catch (error) {
      console.log(`skipping: cannot mount a tmpfs here (${(error as { stderr?: Buffer }).stderr?.toString().trim() || String(error)})`);
      context.skip();
      return;
    }
    try {
      const storage = Storage.open(disk, { check: true });
      storage.library.setMeta('kept', 'yes');
      // Not a byte left when the writer records its clean close.
      const { bavail, bsize } = statfsSync(disk);
      try {
        writeFileSync(path.join(disk, 'filler'), Buffer.alloc(bavail * bsize));
      } catch {
        // Filled up to the last byte: what was asked for.
      }
      expect(() => storage.close()).not.toThrow();
      expect(closedCleanly(path.join(disk, DATABASE_FILE))).toBe(false);
      rmSync(path.join(disk, 'filler'));
      const again = Storage.open(disk, { check: true });
      expect(again.library.meta('kept')).toBe('yes');
      again.close();
    } finally {
      execFileSync('umount', ['-l', disk]);
    }
  });

  it('no longer holds once the file changed after the close', () => {
    const { atime, mtime } = statSync(file);
    utimesSync(file, atime, new Date(mtime.getTime() + 5000));
    expect(closedCleanly(file)).toBe(false);
  });

  it('spares the page check only while the file is the one recorded', async () => {
    const handle = await open(file, 'r+');
    await handle.write(Buffer.alloc(4096, 0xa5), 0, 4096, 4096);
    await handle.close();
    // Changed behind Lumen's back: checked, and found damaged.
    expect(() => Storage.open(scratch.dir, { check: true })).toThrow(/is damaged/);
    // The same bytes with a record that matches them: taken as closed cleanly, so not read through.
    const info = statSync(file);
    writeFileSync(`${file}.closed`, `${info.size}:${info.mtimeMs}:${info.ino}`);
    expect(readFileSync(`${file}.closed`, 'utf8')).toContain(String(info.size));
    Storage.open(scratch.dir, { check: true }).close();
  });
});

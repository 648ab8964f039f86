/**
 * Damaged and unusual data folders (Note [Damage] in main/storage/damage.ts, Note [Backups] in
 * main/storage/backups.ts, Note [Read-only media] in main/storage/read-only.ts): a damaged
 * database is explained to readers and restored by the writer from its last backup, with the
 * person's verdicts, vocabulary and folders; a data folder that is a file is explained; a
 * read-only one (the media, or its permissions) still serves search and status; one this user may
 * not look into is said to be so.
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../helpers/cli-main.js';
import { runCli, unprivileged } from '../helpers/cli-process.js';
import { Engine } from '../../main/engine/engine.js';
import type { Running } from '../../main/jobs/registry.js';
import { DEFAULT_MODEL_ID } from '../../main/models/catalogue.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos, queryLibrary } from '../helpers/library.js';

/**
 * Overwrites the database's header, or every page after the first (the schema's too: it spans
 * pages further on), or empties its file (Note [Emptied, not new] in main/storage/storage.ts).
 */
async function damage(file: string, where: 'header' | 'pages' | 'emptied'): Promise<void> {
  if (where === 'emptied') {
    await writeFile(file, '');
    for (const part of [`${file}-wal`, `${file}-shm`]) await rm(part, { force: true });
    return;
  }
  const handle = await open(file, 'r+');
  try {
    const { size } = await handle.stat();
    const start = where === 'header' ? 0 : 4096;
    const length = where === 'header' ? 100 : size - 4096;
    await handle.write(Buffer.alloc(length, 0xa5), 0, length, start);
  } finally {
    await handle.close();
  }
}

/**
 * Overwrites the pages of `tables`, or every page but the schema's: either way the file opens as
 * before, and the first read of a table damaged meets the damage.
 */
async function damageTables(file: string, tables?: string[]): Promise<void> {
  const pages = (tables ? queryLibraryFile(file, 'SELECT pageno FROM dbstat WHERE name IN (SELECT value FROM json_each(?))', JSON.stringify(tables)) : queryLibraryFile(file, "SELECT pageno FROM dbstat WHERE name <> 'sqlite_schema'")) as number[];
  const pageSize = queryLibraryFile(file, 'PRAGMA page_size')[0] as number;
  const handle = await open(file, 'r+');
  try {
    for (const page of pages) await handle.write(Buffer.alloc(pageSize, 0xa5), 0, pageSize, (page - 1) * pageSize);
  } finally {
    await handle.close();
  }
}

describe('damaged and unusual data folders', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let dataDir: string;
  let folder: string;
  let log: string[];
  let files: string[];
  const model = ['--model', IMMICH_MODEL, '--provider', 'cpu'];
  const engines: Engine[] = [];
  const engine = (options: { backupIntervalMs?: number } = {}) => {
    const made = new Engine({ dataDir, model: IMMICH_MODEL, provider: 'cpu', log: (message) => log.push(message), ...options });
    engines.push(made);
    return made;
  };
  const backups = async () => (await readdir(path.join(dataDir, 'backups')).catch(() => [] as string[])).sort();

  beforeEach(async () => {
    scratch = await tempDir();
    dataDir = path.join(scratch.dir, 'data');
    folder = path.join(scratch.dir, 'Photos');
    log = [];
    files = await copyPhotos((await fixturePhotos()).slice(0, 12), folder, () => '');
  });
  afterEach(async () => {
    for (const made of engines.splice(0)) await made.dispose();
    await scratch.cleanup();
  });

  /** A library with the person's own work in it: verdicts, a vocabulary, exclusions, an album. */
  async function libraryWithVerdicts(options: { backupIntervalMs?: number } = {}): Promise<Engine> {
    const writer = engine(options);
    const [added] = (await writer.addFolders([folder])).folders;
    await writer.index().done;
    await writer.setExcludes(added!.id, ['**/Screenshots/**']);
    const tags = writer.tags();
    await tags.vocabulary.save({ templates: ['a photo of a {}.'], tags: [{ name: 'round thing', prompts: ['circle'] }, { name: 'pointy', prompts: ['star', 'triangle'] }] });
    await tags.verdicts.give([files[0] as string], 'round thing', 'confirm');
    await tags.verdicts.give([files[1] as string], 'pointy', 'reject');
    tags.saveAlbum('Trip', [2, 3].map((i) => writer.library().resolvePhoto(files[i] as string).photoId));
    await writer.tagLibrary().done;
    return writer;
  }

  it('backs up the person’s own work after a completed job, at most daily, checked', async () => {
    const writer = await libraryWithVerdicts();
    expect(await backups()).toHaveLength(1);
    await writer.index().done;
    await writer.tagLibrary().done;
    expect(await backups()).toEqual([expect.stringMatching(/^library-\d{8}T\d{9}\.db$/)]);
  });

  it('keeps the last five backups, each with the verdicts, vocabulary and folders', async () => {
    const writer = await libraryWithVerdicts({ backupIntervalMs: 0 });
    for (let i = 0; i < 6; i++) await writer.tagLibrary().done;
    const files = await backups();
    expect(files).toHaveLength(5);
    for (const name of files) {
      const file = path.join(dataDir, 'backups', name);
      const read = (sql: string) => queryLibraryFile(file, sql);
      expect(read('PRAGMA integrity_check')).toEqual(['ok']);
      expect(read('SELECT tag || (CASE rejected WHEN 1 THEN \' rejected\' ELSE \' confirmed\' END) FROM verdicts ORDER BY tag')).toEqual(['pointy rejected', 'round thing confirmed']);
      expect(read('SELECT path || \' \' || excludes FROM folders')).toEqual([`${folder} ["**/Screenshots/**"]`]);
      expect(read('SELECT COUNT(*) FROM vocabularies')).toEqual([1]);
      expect(read('SELECT album FROM albumPhotos')).toEqual(['Trip', 'Trip']);
    }
  });

  for (const where of ['pages', 'header', 'emptied'] as const) {
    it(`says what happened to a reader of a damaged database (${where}), and restores it from the backup when indexing`, async () => {
      const writer = await libraryWithVerdicts({ backupIntervalMs: 0 });
      await writer.dispose();
      await damage(path.join(dataDir, 'library.db'), where);

      for (const argv of [['status'], ['search', 'a photo of a star.'], ['tags']]) {
        const read = await cli(...argv, '--data', dataDir);
        expect({ argv, code: read.code }).toEqual({ argv, code: 1 });
        expect(read.stderr).toMatch(new RegExp(`^lumen ${argv[0]}: The library database .*is damaged \\(.*\\); open the Lumen app or run \`lumen index\` to restore your folders, tags, albums and vocabulary from what still reads of it and the last backup \\(the damaged file is kept\\)\\.\\n$`));
      }

      const restored = await cli('index', '--data', dataDir, ...model);
      expect(restored.code).toBe(0);
      expect(restored.stderr).toMatch(
        /The library database was damaged \((database disk image is malformed|file is not a database|its file is empty)\) and was moved to .*damaged.*library-.*\.db\. Nothing could be read from it, so the library was restored from the backup of .*: 1 folder, 2 tag verdicts, 1 album, 2 photos in albums and your vocabulary; changes made since then may be lost\. Its photos come back as this run indexes them\.\n/,
      );
      expect(restored.stdout).toMatch(/Indexed with tiny-clip-immich: 12 photos embedded/);
      expect((await readdir(path.join(dataDir, 'damaged'))).some((name) => name.endsWith('.db'))).toBe(true);

      const after = engine();
      expect(after.library().folders()).toEqual([{ id: 1, path: folder, excludes: ['**/Screenshots/**'] }]);
      expect((await after.tags().vocabulary.get()).tags.map((tag) => tag.name)).toEqual(['round thing', 'pointy']);
      expect(after.tags().verdicts.tagsOf(files[0] as string).tags).toContainEqual(expect.objectContaining({ tag: 'round thing', source: 'person' }));
      expect(after.tags().verdicts.tagsOf(files[1] as string).rejected).toEqual(['pointy']);
      expect(queryLibrary(dataDir, 'SELECT COUNT(*) FROM restored_verdicts')).toEqual([0]);
      expect(after.tags().albums().find((album) => album.name === 'Trip')).toMatchObject({ photos: 2 });
      expect(queryLibrary(dataDir, 'SELECT COUNT(*) FROM restored_album_images')).toEqual([0]);
    });
  }

  // Note [Salvage first]: the backup was made after the first index run, before any of the work
  // below; what still reads from the damaged file is kept, the backup fills in only the rest.
  const salvages = [
    { damaged: ['embeddings', 'files'], kept: '1 folder, 2 tag verdicts, 1 album, 2 photos in albums and your vocabulary', fromBackup: null },
    {
      damaged: ['embeddings', 'image_tags'],
      kept: '1 folder, 1 album, 2 photos in albums and your vocabulary',
      fromBackup: /Could not be read, so taken from the backup of .*: 0 tag verdicts; changes to them made since then may be lost\./,
    },
  ];
  for (const { damaged, kept, fromBackup } of salvages) {
    it(`keeps the person's work that still reads from a damaged library (${damaged.join(', ')} damaged), in a message of its own`, async () => {
      const writer = await libraryWithVerdicts();
      expect(await backups()).toHaveLength(1);
      await writer.dispose();
      await damageTables(path.join(dataDir, 'library.db'), damaged);

      const restored = await cli('index', '--data', dataDir, ...model);
      expect(restored.code).toBe(0);
      const said = restored.stderr.split('\n').find((line) => line.startsWith('The library database was damaged')) ?? restored.stderr;
      // One message, in words: no nested error, no page-by-page dump, no advice to run the very command.
      expect(said).toMatch(/^The library database was damaged \(damaged pages\) and was moved to .*damaged.*library-.*\.db\. What still read from it was kept: (.*)\./);
      expect(said).toContain(`What still read from it was kept: ${kept}.`);
      expect(said).not.toMatch(/is damaged|Tree \d|btree|wrong # of entries|to restore your|`lumen index`/);
      if (fromBackup) expect(said).toMatch(fromBackup);
      else expect(said).not.toMatch(/backup/);

      const after = engine();
      expect(after.library().folders()).toEqual([{ id: 1, path: folder, excludes: ['**/Screenshots/**'] }]);
      expect((await after.tags().vocabulary.get()).tags.map((tag) => tag.name)).toEqual(['round thing', 'pointy']);
      expect(after.tags().albums().find((album) => album.name === 'Trip')).toMatchObject({ photos: 2 });
      const verdicts = after.tags().verdicts;
      if (fromBackup) {
        expect(verdicts.tagsOf(files[1] as string).rejected).toEqual([]);
      } else {
        expect(verdicts.tagsOf(files[0] as string).tags).toContainEqual(expect.objectContaining({ tag: 'round thing', source: 'person' }));
        expect(verdicts.tagsOf(files[1] as string).rejected).toEqual(['pointy']);
      }
    });
  }

  it('`status` checks every page, and says a library is damaged where other readers would not notice', async () => {
    const writer = await libraryWithVerdicts();
    await writer.dispose();
    await damageTables(path.join(dataDir, 'library.db'), ['image_tags']);
    expect((await cli('search', 'a photo of a star.', '--data', dataDir)).code).toBe(0);
    const status = await cli('status', '--data', dataDir, ...model);
    expect(status).toMatchObject({ code: 1, stdout: '' });
    expect(status.stderr).toMatch(/^lumen status: The library database .* is damaged \(damaged pages\); open the Lumen app or run `lumen index` to restore your folders, tags, albums and vocabulary from what still reads of it and the last backup \(the damaged file is kept\)\.\n$/);
  });

  it('makes a new library when a damaged one has no backup, saying so', async () => {
    const writer = engine();
    await (await writer.addFolders([folder])).indexing.done;
    await writer.dispose();
    await rm(path.join(dataDir, 'backups'), { recursive: true });
    await damage(path.join(dataDir, 'library.db'), 'pages');
    const again = engine();
    await again.claimWriter('a test', 'indexing');
    expect(again.library().folders()).toEqual([]);
    expect(log).toContainEqual(expect.stringMatching(/damaged \(.*\) and was moved to .*\. Nothing could be read from it and there was no backup to restore it from: a new, empty library was made; add your folders again\.$/));
  });

  // Note [Damage voids a clean close]: closed cleanly, the library is opened by the next writer
  // without reading every page, and goes bad under it.
  const meetings = [
    {
      where: 'a job',
      tables: undefined,
      said: (running: Running<unknown>) => running.job.error,
      restored: /Nothing could be read from it, so the library was restored from the backup of .*: 1 folder, 2 tag verdicts, 1 album, 2 photos in albums and your vocabulary; changes made since then may be lost\./,
    },
    {
      where: 'its backup',
      tables: ['tag_vocabulary'],
      said: () => log.find((line) => line.startsWith('Could not back up the library')),
      restored: /What still read from it was kept: 1 folder, 2 tag verdicts, 1 album and 2 photos in albums\. Could not be read, so taken from the backup of .*: your vocabulary; changes to them made since then may be lost\./,
    },
  ];
  for (const { where, tables, said, restored } of meetings) {
    it(`restores at the next open a library whose writer met damage in ${where} while it had it open`, async () => {
      const writer = await libraryWithVerdicts({ backupIntervalMs: 0 });
      await writer.dispose();
      const trusting = engine({ backupIntervalMs: 0 });
      await trusting.claimWriter('a test', 'indexing');
      trusting.library();
      await damageTables(path.join(dataDir, 'library.db'), tables);
      const running = trusting.index();
      await running.done.catch(() => {});
      expect(said(running)).toMatch(/The library database is damaged \(.*\); open the Lumen app or run `lumen index` to restore/);
      await trusting.dispose();

      const next = engine();
      await next.claimWriter('a test', 'indexing');
      expect(next.library().folders()).toEqual([{ id: 1, path: folder, excludes: ['**/Screenshots/**'] }]);
      expect(log).toContainEqual(expect.stringMatching(/^The library database was damaged \(.*\) and was moved to .*\.db\. /));
      expect(log).toContainEqual(expect.stringMatching(restored));
    });
  }

  it('explains a data folder that is a file', async () => {
    const file = path.join(scratch.dir, 'not-a-folder');
    await writeFile(file, 'hello');
    for (const argv of [['status'], ['search', 'a star'], ['index', folder, ...model]]) {
      const result = await cli(...argv, '--data', file);
      expect({ argv, code: result.code, stderr: result.stderr }).toEqual({
        argv,
        code: 2,
        stderr: `lumen ${argv[0]}: The data folder ${file} is a file, not a folder. Pass --data with a folder (a new one is made if it does not exist), or move the file away.\n`,
      });
    }
    // The app's engine starts all the same (a throw as it starts would end its process, again at each restart), so that the window can say it.
    const app = new Engine({ dataDir: file, app: true });
    engines.push(app);
    await expect(app.status()).rejects.toMatchObject({ code: 'bad-input', message: expect.stringMatching(/is a file, not a folder/) });
  });

  it('serves search and status from a read-only data folder, and says why it cannot index there', async (context) => {
    const mountPoint = path.join(scratch.dir, 'media');
    await mkdir(mountPoint);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', mountPoint], { stdio: 'pipe' });
    } catch (error) {
      console.log(`skipping the read-only case: cannot mount a tmpfs here (${(error as { stderr?: Buffer }).stderr?.toString().trim() || String(error)})`);
      context.skip();
      return;
    }
    try {
      await readOnlyMedia(mountPoint);
    } finally {
      execFileSync('umount', ['-l', mountPoint]);
    }
  });

  it('serves search and status from a data folder this user may read but not write (its permissions)', async (context) => {
    const as = await indexedForAnotherUser(context);
    if (!as) return;
    // Open to all to read (tempDir's folder is its owner's alone), to none to write.
    await chmod(scratch.dir, 0o755);
    execFileSync('chmod', ['-R', 'a-w', dataDir]);
    try {
      const status = await runCli(['status', '--data', dataDir, '--json', ...model], undefined, as);
      expect(status).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(status.stdout).library).toMatchObject({ photos: 12 });
      const search = await runCli(['search', 'a photo of a star.', '--data', dataDir, '--all', '--json', ...model], undefined, as);
      expect(search).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(search.stdout).total).toBe(12);
    } finally {
      execFileSync('chmod', ['-R', 'u+w', dataDir]);
    }
  });

  it('says a data folder this user may not look into cannot be read, and what to do', async (context) => {
    const as = await indexedForAnotherUser(context);
    if (!as) return;
    await chmod(scratch.dir, 0o755);
    // Behind a folder it may not enter (another user's home), and a library folder it may not enter (another user's, mode 700 or less).
    const locked = path.join(scratch.dir, 'locked');
    await mkdir(locked, { mode: 0o000 });
    await chmod(dataDir, 0o000);
    try {
      for (const data of [path.join(locked, 'lumen'), dataDir]) {
        for (const argv of [['status'], ['search', 'a star'], ['index', folder]]) {
          const result = await runCli([...argv, '--data', data, ...model], undefined, as);
          expect({ argv, code: result.code, stderr: result.stderr }).toEqual({
            argv,
            code: 1,
            stderr: `lumen ${argv[0]}: The data folder ${data} cannot be read: no permission to look into it, or into a folder on its way. Fix the permissions, or pass --data with a folder this user may read.\n`,
          });
        }
      }
    } finally {
      await chmod(dataDir, 0o755);
      await chmod(locked, 0o755);
    }
  });

  it('explains a data folder whose path runs through a file', async () => {
    const file = path.join(scratch.dir, 'not-a-folder');
    await writeFile(file, 'hello');
    const result = await cli('status', '--data', path.join(file, 'lumen'));
    expect(result).toMatchObject({ code: 2, stderr: `lumen status: Part of the data folder's path ${path.join(file, 'lumen')} is a file, not a folder. Pass --data with a folder (a new one is made if it does not exist).\n` });
  });

  /** How to run the CLI as a user whom the data folder's modes bind (`unprivileged`), once the library is indexed; the test skipped where there is none. */
  async function indexedForAnotherUser(context: { skip(): void }): Promise<string[] | null> {
    const as = unprivileged();
    if (!as) {
      console.log('skipping the case of permissions: running as root, and no other user (setpriv, nobody) can run the project here');
      context.skip();
      return null;
    }
    expect((await cli('index', folder, '--data', dataDir, ...model)).code).toBe(0);
    return as;
  }

  async function readOnlyMedia(mountPoint: string): Promise<void> {
    dataDir = mountPoint;
    expect((await cli('index', folder, '--data', dataDir, ...model)).code).toBe(0);
    execFileSync('mount', ['-o', 'remount,ro', mountPoint]);
    const before = (await stat(path.join(dataDir, 'library.db'))).mtimeMs;

    const status = await cli('status', '--data', dataDir, '--json');
    expect(status).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(status.stdout).library).toMatchObject({ photos: 12 });
    const search = await cli('search', 'a photo of a star.', '--data', dataDir, '--all', '--json');
    expect(search).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(search.stdout).total).toBe(12);

    // The app opens it read-only too; an index run pauses, saying why.
    const app = new Engine({ dataDir, app: true });
    engines.push(app);
    expect((await app.status()).library).toMatchObject({ photos: 12 });
    // A photo opened in the viewer still shows: its preview, which the data folder cannot keep, is kept elsewhere (Note [Previews kept elsewhere]).
    const photoId = app.library().storage.photos.timeline().photoIds[0] as number;
    const preview = await app.photoFile(photoId, 'preview');
    expect(preview.startsWith(path.join(os.tmpdir(), 'lumen-previews-'))).toBe(true);
    expect((await readFile(preview)).subarray(8, 12).toString()).toBe('WEBP');
    expect(await app.photoFile(photoId, 'preview')).toBe(preview);
    const running = app.index();
    await vi.waitFor(() => expect(running.job).toMatchObject({ state: 'paused', error: expect.stringMatching(/cannot be written \(read-only media/) }));
    running.job.cancel();
    await expect(running.done).rejects.toMatchObject({ code: 'cancelled' });

    const index = await cli('index', '--data', dataDir, ...model);
    expect(index).toMatchObject({ code: 1, stderr: `lumen index: The data folder ${dataDir} cannot be written (read-only media, or no permission): searching it and \`status\` still work; to change the library, copy it to a writable disk or pass another --data.\n` });
    expect((await stat(path.join(dataDir, 'library.db'))).mtimeMs).toBe(before);

    // Nor can a model be added there: said before any download or the minutes an import takes to check a model.
    const refused = `The models folder ${path.join(dataDir, 'models')} cannot be written (read-only media, or no permission), so no model can be added there. Pass --data with a folder on a writable disk.\n`;
    expect(await cli('models', 'download', DEFAULT_MODEL_ID, '--data', dataDir)).toMatchObject({ code: 1, stderr: `lumen models: ${refused}` });
    expect(await cli('models', 'import', IMMICH_MODEL, '--data', dataDir)).toMatchObject({ code: 1, stderr: `lumen models: ${refused}` });

    // The previews kept elsewhere go as the library closes.
    await engines.splice(engines.indexOf(app), 1)[0]?.dispose();
    expect(await stat(path.dirname(path.dirname(path.dirname(preview)))).catch(() => null)).toBeNull();
  }
});

function queryLibraryFile(file: string, sql: string, ...params: unknown[]): unknown[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).pluck().all(...params);
  } finally {
    db.close();
  }
}

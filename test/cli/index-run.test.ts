/**
 * What `lumen index` says and leaves behind when a run is stopped, refused, or meets folders it
 * cannot index: the promises of a CLI review (findings 5 to 8 and 11 to 13).
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, statfsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { escapeRegExp } from '../../main/core/escape-regexp.js';
import { Engine } from '../../main/engine/engine.js';
import { Int8Graph } from '../../main/storage/int8-graph.js';
import { cliWatched as cli } from '../helpers/cli-main.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

describe('lumen index', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let photos: string;
  let data: string;
  const model = ['--model', IMMICH_MODEL, '--provider', 'cpu'];
  beforeEach(async () => {
    scratch = await tempDir();
    photos = path.join(scratch.dir, 'Photos');
    data = path.join(scratch.dir, 'data');
  });
  afterEach(() => scratch.cleanup());

  it('remembers the model of a first run stopped before it stored a photo, so the next run needs no --model', async () => {
    await copyPhotos((await fixturePhotos()).slice(0, 4), photos, () => '');
    const engine = new Engine({
      dataDir: data,
      model: IMMICH_MODEL,
      provider: 'cpu',
      // Stopped as the walk begins: nothing is stored.
      onEvent: (event) => {
        if (event.type === 'job' && event.job.kind === 'index' && event.job.state === 'running') void engine.jobs.stopAll();
      },
    });
    const { indexing } = await engine.addFolders([photos]);
    await expect(indexing.done).rejects.toMatchObject({ code: 'cancelled' });
    expect(engine.library().storage.embeddings.count('tiny-clip-immich')).toBe(0);
    await engine.dispose();

    const again = await cli(['index', '--data', data, '--provider', 'cpu']);
    expect(again.stderr).not.toMatch(/No model is installed/);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Indexed with tiny-clip-immich: 4 photos embedded/);
  });

  it('counts the photos stored in its progress, not those embedded and not yet kept', async () => {
    await copyPhotos((await fixturePhotos()).slice(0, 3), photos, () => '');
    const run = await cli(['index', photos, '--data', data, ...model]);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(/embedded/);
    expect(run.stderr).toMatch(/finishing: 3 of 3 \(3 stored, 0 failed\)/);
  });

  it('creates nothing when the photo folder is given as its data folder, or `text` is given no photo', async () => {
    await copyPhotos((await fixturePhotos()).slice(0, 1), photos, () => '');
    const before = await readdir(photos);
    const same = await cli(['index', photos, '--data', photos, ...model]);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/is Lumen's own data folder/);
    expect(await readdir(photos)).toEqual(before);

    const noPhoto = await cli(['text', '--data', data]);
    expect(noPhoto.code).toBe(2);
    expect(noPhoto.stderr).toMatch(/Give one photo/);
    expect(existsSync(data)).toBe(false);
  });

  it('adds and indexes the good folders among ones it refuses, says each refused with why, and exits non-zero, as `cp` does (Note [Some folders refused] in main/library/library.ts)', async () => {
    await copyPhotos((await fixturePhotos()).slice(0, 2), photos, () => '');
    const missing = path.join(scratch.dir, 'Mistyped');
    const inside = path.join(photos, 'Trip');
    await mkdir(inside);
    const run = await cli(['index', missing, photos, inside, '--data', data, ...model]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^Indexed with tiny-clip-immich: 2 photos embedded/);
    expect(run.stderr).toContain(`lumen index: Not added: The folder ${missing} does not exist.\n`);
    expect(run.stderr).toContain(`lumen index: Not added: ${inside} is inside ${photos}, which is being added too: its photos are part of that folder.\n`);
    // A script reading --json is told too.
    const again = await cli(['index', missing, photos, '--data', data, '--json', ...model]);
    expect([again.code, JSON.parse(again.stdout).refused]).toEqual([1, [{ path: missing, reason: `The folder ${missing} does not exist.` }]]);

    // None left to add: refused as a whole, before a library is made.
    const none = await cli(['index', missing, path.join(scratch.dir, 'Other'), '--data', path.join(scratch.dir, 'data2'), ...model]);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(`lumen index: None of the 2 folders was added. The folder ${missing} does not exist. The folder ${path.join(scratch.dir, 'Other')} does not exist.\n`);
    expect(existsSync(path.join(scratch.dir, 'data2'))).toBe(false);
  });

  it("leaves another library's data folder out of the walk, said once and as no failure, and refuses it as a photo folder", async () => {
    await copyPhotos((await fixturePhotos()).slice(0, 2), photos, () => '');
    // An earlier library's data folder, its thumbnails photos by their bytes.
    const other = path.join(photos, 'old-lumen');
    await copyPhotos((await fixturePhotos()).slice(2, 5), path.join(other, 'thumbs'), () => 'ab');
    await writeFile(path.join(other, 'library.db'), '');
    const run = await cli(['index', photos, '--data', data, ...model]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/2 photos embedded, .* 0 failed/);
    expect(run.stdout.match(/another Lumen library/g)).toHaveLength(1);
    expect(run.stdout).toContain(other);

    const given = await cli(['index', other, '--data', path.join(scratch.dir, 'data2'), ...model]);
    expect(given.code).toBe(2);
    expect(given.stderr).toMatch(/another Lumen library's data folder/);
    expect(existsSync(path.join(scratch.dir, 'data2'))).toBe(false);
  });

  it('says in words that a library folder is gone, counts it as no file, indexes the rest and exits non-zero', async () => {
    const all = await fixturePhotos();
    const kept = path.join(scratch.dir, 'Kept');
    await copyPhotos(all.slice(0, 2), photos, () => '');
    await copyPhotos(all.slice(2, 3), kept, () => '');
    expect((await cli(['index', photos, kept, '--data', data, ...model])).code).toBe(0);
    await rename(photos, `${photos}.moved`);
    await copyPhotos(all.slice(3, 4), kept, () => 'new');
    const run = await cli(['index', '--data', data, '--provider', 'cpu']);
    expect(run.stdout).toMatch(/1 photo embedded, .* 0 failed/);
    expect(run.stdout).toContain(`The folder ${photos} is gone (moved, deleted, or its drive not mounted); its 2 photos are kept.`);
    expect(run.stdout).not.toMatch(/ENOENT/);
    expect(run.code).toBe(1);
    // Listed with the failures, with why, as a folder and not a file.
    const failures = await cli(['failures', '--data', data]);
    expect(failures.stdout).toContain(`${photos}: The folder ${photos} is gone`);
    expect(failures.stdout).toMatch(/^1 library folder could not be reached; its photos are kept\.$/m);
    expect(failures.stdout).not.toMatch(/could not be indexed/);
  });

  it('says how many files still could not be indexed when it did not try them again', async () => {
    await copyPhotos((await fixturePhotos()).slice(0, 1), photos, () => '');
    await writeFile(path.join(photos, 'broken.jpg'), Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(500, 7)]));
    const first = await cli(['index', photos, '--data', data, ...model]);
    expect(first.stdout).toMatch(/1 failed/);
    const again = await cli(['index', '--data', data, '--provider', 'cpu']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/0 failed in .*\n1 file still could not be indexed \(unchanged since, not tried again\): `lumen failures` lists it, `lumen index --retry-failed` tries again\./);
  });

  it.each([
    { sent: 1, as: 'once' },
    { sent: 2, as: 'twice at once, as tsx sends it on (Note [One press, sent twice] in main/cli/interrupts.ts)' },
  ])('says, stopped by a Ctrl-C that comes $as, how many photos were indexed and kept and the command that goes on', async ({ sent }) => {
    await copyPhotos((await fixturePhotos()).slice(0, 6), photos, () => '');
    let interrupted = false;
    const run = await cli(['index', photos, '--data', data, ...model], (text) => {
      if (!interrupted && /^indexing:/m.test(text)) {
        interrupted = true;
        // Counted as a second press, one sent twice would quit the test's own process.
        for (let i = 0; i < sent; i++) process.emit('SIGINT');
      }
    });
    expect(run.code).toBe(130);
    // The command as given, --data too (Note [The run that goes on] in main/cli/common.ts).
    expect(run.stderr).toMatch(new RegExp(`lumen index: Cancelled: \\d+ photos? indexed and kept; \`${escapeRegExp(['lumen index', '--data', data, ...model, photos].join(' '))}\` goes on from there\\.`));
    expect(run.stderr).not.toMatch(/Quitting at once/);
  });

  it('says once that the disk is full when it fills up as the search index is saved, and that no photo is lost', async (context) => {
    const disk = await tempDir();
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', disk.dir], { stdio: 'pipe' });
    } catch (error) {
      console.log(`skipping: cannot mount a tmpfs here (${(error as { stderr?: Buffer }).stderr?.toString().trim() || String(error)})`);
      await disk.cleanup();
      context.skip();
      return;
    }
    onTestFinished(async () => {
      vi.restoreAllMocks();
      execFileSync('umount', ['-l', disk.dir]);
      await disk.cleanup();
    });
    const onDisk = path.join(disk.dir, 'data');
    // A graph larger than usearch's write buffer: a smaller one is lost as the file closes, and usearch does not say so.
    await copyPhotos(await fixturePhotos(), photos, () => '');
    expect((await cli(['index', photos, '--data', onDisk, ...model])).code).toBe(0);
    for (const name of await readdir(path.join(onDisk, 'index'))) await rm(path.join(onDisk, 'index', name));
    // The disk fills up as the graph is written: usearch says only "Failed to serialize into stream".
    const save = Int8Graph.prototype.save;
    vi.spyOn(Int8Graph.prototype, 'save').mockImplementation(function (this: Int8Graph, file: string) {
      const { bavail, bsize } = statfsSync(disk.dir);
      appendFileSync(path.join(disk.dir, 'filler'), Buffer.alloc(bavail * bsize));
      save.call(this, file);
    });
    const run = await cli(['index', '--data', onDisk, '--provider', 'cpu']);
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n').filter((line) => line.startsWith('lumen index:'))).toEqual([
      'lumen index: The disk holding the library is full: every photo indexed is kept, but the search index could not be put away; free some space and run again.',
    ]);
  });

  it('ends its scanning line on the number of files found, and says when there are none', async () => {
    await mkdir(photos);
    const empty = await cli(['index', photos, '--data', data, ...model]);
    expect(empty.code).toBe(0);
    expect(empty.stderr).toMatch(/^scanning: no files found$/m);
    await copyPhotos((await fixturePhotos()).slice(0, 3), photos, () => '');
    const three = await cli(['index', '--data', data, '--provider', 'cpu']);
    const scanning = three.stderr.split('\n').filter((line) => line.startsWith('scanning'));
    expect(scanning.at(-1)).toBe('scanning: 3 files found');
  });
});

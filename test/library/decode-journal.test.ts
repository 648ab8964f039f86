/**
 * The journal of photos being decoded (Note [A photo that stops the process]): a process that ends
 * mid-decode is played by a decode that never settles and a journal opened again after it.
 */
import { copyFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DecodeJournal } from '../../main/library/decode-journal.js';
import { HF_MODEL, IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos, loadFixtureModel, openLibrary, queryLibrary } from '../helpers/library.js';

describe('DecodeJournal', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  const photo = { path: '/photos/a.jpg', size: 1000, mtimeMs: 5, ctimeMs: 5 };
  const other = { path: '/photos/b.jpg', size: 2000, mtimeMs: 6, ctimeMs: 6 };
  const never = () => new Promise<never>(() => {});
  const reopen = () => DecodeJournal.open(scratch.dir);
  beforeEach(async () => (scratch = await tempDir()));
  afterEach(() => scratch.cleanup());

  it('names what a process ended decoding among others, then alone', async () => {
    const first = reopen();
    void first.decode(photo, never);
    void first.decode(other, never);
    const second = reopen();
    expect(second.suspicion(photo)).toBe('stopped-among-others');
    expect(second.suspicion(other)).toBe('stopped-among-others');
    void second.decode(photo, never);
    const third = reopen();
    expect(third.suspicion(photo)).toBe('stopped-alone');
    // Not decoded in the second process, so not yet cleared, and not named by its end.
    expect(third.suspicion(other)).toBe('stopped-among-others');
  });

  it('forgets a photo once its decode settles, whichever way', async () => {
    const journal = reopen();
    await journal.decode(photo, async () => 'decoded');
    await expect(journal.decode(other, () => Promise.reject(new Error('damaged')))).rejects.toThrow('damaged');
    const next = reopen();
    expect([next.suspicion(photo), next.suspicion(other), next.anyLeft]).toEqual([null, null, false]);
  });

  it('keeps a suspect of a process before until it is dealt with, or a whole run ends that could reach it', async () => {
    void reopen().decode(photo, never);
    const second = reopen();
    await second.decode(other, async () => 'decoded');
    expect(reopen().suspicion(photo)).toBe('stopped-among-others');
    // A folder the run could not reach (a drive unplugged) keeps its suspects.
    second.forgetUnmet((file) => file.startsWith('/photos/'));
    expect(reopen().suspicion(photo)).toBe('stopped-among-others');
    second.forgetUnmet(() => false);
    expect(reopen().anyLeft).toBe(false);
  });

  it('does not suspect a file edited since, nor trust a journal it cannot read', async () => {
    void reopen().decode(photo, never);
    expect(reopen().suspicion({ ...photo, mtimeMs: 7 })).toBeNull();
    expect(reopen().suspicion({ ...photo, size: 1001 })).toBeNull();
    // Rewritten under its old size and mtime (`cp -p`): Note [Change time] in walk.ts.
    expect(reopen().suspicion({ ...photo, ctimeMs: 8 })).toBeNull();
    // An entry written before ctimes were matches by the rest.
    writeFileSync(path.join(scratch.dir, 'decoding.json'), JSON.stringify([{ path: photo.path, size: photo.size, mtimeMs: photo.mtimeMs, alone: true }]));
    expect(reopen().suspicion({ ...photo, ctimeMs: 8 })).toBe('stopped-alone');
    // And still does once a later process has written the journal again around it.
    await reopen().decode(other, async () => 'decoded');
    expect(reopen().suspicion({ ...photo, ctimeMs: 8 })).toBe('stopped-alone');
    writeFileSync(path.join(scratch.dir, 'decoding.json'), '[{"path": "/photos/a.jpg", "si');
    expect(reopen().anyLeft).toBe(false);
  });
});

describe('a photo that stopped a process re-embedding the library with another model', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  beforeEach(async () => (scratch = await tempDir()));
  afterEach(() => scratch.cleanup());

  it('is listed with its byte-identical copy, neither decoded, and stays listed at the next run', async () => {
    const folder = path.join(scratch.dir, 'Photos');
    const data = path.join(scratch.dir, 'data');
    const [crashing] = await copyPhotos((await fixturePhotos()).slice(0, 4), folder, () => '');
    const copy = path.join(folder, 'copy-of-it.jpg');
    copyFileSync(crashing!, copy);
    const library = openLibrary(data);
    const [first, second] = [await loadFixtureModel(IMMICH_MODEL), await loadFixtureModel(HF_MODEL)];
    try {
      const { folders } = await library.addFolders([folder]);
      expect(await library.index(first, { folders })).toMatchObject({ embedded: 4, copies: 1 });
      // A run of the second model ended while decoding the photo alone (Note [A photo that stops the process]).
      const { size, mtimeMs } = statSync(crashing!);
      writeFileSync(path.join(data, 'decoding.json'), JSON.stringify([{ path: crashing!, size, mtimeMs: Math.floor(mtimeMs), alone: true }]));
      const listed = await library.index(second, { folders });
      expect(listed.failed.map((failure) => [path.basename(failure.path), failure.reason]).sort()).toEqual([
        [path.basename(crashing!), 'stops-decoder'],
        ['copy-of-it.jpg', 'stops-decoder'],
      ]);
      expect(listed.embedded).toBe(3);
      // Not decoded again with that model until it changes or is retried (Note [Failures that last]).
      const again = await library.index(second, { folders });
      expect([again.embedded, again.failed]).toEqual([0, []]);
      expect(queryLibrary<string>(data, 'SELECT reason FROM failures')).toEqual(['stops-decoder', 'stops-decoder']);
      expect(await library.index(second, { folders, retryFailed: true })).toMatchObject({ embedded: 1, copies: 1, failed: [] });
    } finally {
      await Promise.all([first.dispose(), second.dispose()]);
      await library.close();
    }
  });
});

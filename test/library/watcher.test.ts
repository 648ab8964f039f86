/**
 * Note [A watch per folder] and Note [Watch, then re-scan], both ways of watching: photos added anywhere under a library
 * folder, in folders made after watching began too, start one re-scan of the folders where they
 * changed (Note [Re-scan where it changed]); what the walk leaves out (hidden and system folders,
 * the folder's exclusions), Lumen's own data and files that are never photos start nothing.
 */
import { mkdir, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isInside } from '../../main/core/paths.js';
import type { WantedScope } from '../../main/library/scope.js';
import { FolderWatcher } from '../../main/library/watcher.js';
import { tempDir } from '../helpers/fixtures.js';

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const EXCLUDES = ['**/Private/**', '*.gif'];

// Linux watches each folder; macOS and Windows each library folder's whole tree (Note [A watch per folder]), tried here through Node's own recursive watch.
describe.each([
  { how: 'a watch per folder', recursive: false },
  { how: 'one recursive watch', recursive: true },
])('watching the library folders, $how', ({ recursive }) => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  /** Each report: the changed folders, by library folder id, or the whole library. */
  let changes: Array<Record<number, string[]> | 'everything'>;
  let logged: string[];
  let watcher: FolderWatcher;
  let photos: string;

  /** Waits until the watcher reports, or `ms` pass; returns what it reported meanwhile. */
  async function reported(ms = 3000): Promise<typeof changes> {
    for (const until = Date.now() + ms; changes.length === 0 && Date.now() < until; ) await settle(20);
    return changes.splice(0);
  }

  /**
   * Expects the next report to name the folder where the folders up to `made` were made: with one
   * recursive watch, that or a folder on the way to `made` (Node's recursive watch on Linux, which
   * these tests run, may report the new folders from inside): a re-scan of any of them finds them.
   */
  async function expectMadeReported(made: string): Promise<void> {
    if (!recursive) return expect(await reported()).toEqual([{ 7: expect.arrayContaining([photos]) }]);
    const found = await reported();
    expect(found).toHaveLength(1);
    expect(found[0] !== 'everything' && (found[0]?.[7] ?? []).length > 0 && found[0]?.[7]?.every((dir) => isInside(made, dir) && isInside(dir, photos))).toBe(true);
  }

  /**
   * Writes a new photo into `dir` until the watcher reports it (its walk, and the watch of a new
   * folder, are asynchronous); returns the first report.
   */
  async function photoWrittenInto(dir: string): Promise<typeof changes> {
    for (let i = 0; i < 30; i++) {
      await writeFile(path.join(dir, `photo-${i}.jpg`), 'x');
      const found = await reported(300);
      if (found.length) return found;
    }
    return [];
  }

  beforeEach(async () => {
    scratch = await tempDir();
    photos = path.join(scratch.dir, 'Photos');
    await mkdir(path.join(photos, '2024', 'Summer'), { recursive: true });
    await mkdir(path.join(photos, '.hidden'), { recursive: true });
    await mkdir(path.join(photos, 'data'), { recursive: true });
    await mkdir(path.join(photos, '2024', 'Private'), { recursive: true });
    changes = [];
    logged = [];
    const record = (changed: WantedScope) => changes.push(changed === 'everything' ? changed : Object.fromEntries([...changed].map(([id, dirs]) => [id, [...dirs].sort()])));
    watcher = new FolderWatcher(record, (message) => logged.push(message), path.join(photos, 'data'), { quietMs: 100, recheckMs: 100, recursive });
    watcher.sync([
      { id: 7, path: photos, excludes: EXCLUDES },
      { id: 8, path: path.join(scratch.dir, 'missing'), excludes: [] },
    ]);
  });
  afterEach(async () => {
    watcher.close();
    await scratch.cleanup();
  });

  it('reports a photo added deep in a folder, and in a folder made after watching began, with the folder it changed', async () => {
    expect(await photoWrittenInto(path.join(photos, '2024', 'Summer'))).toEqual([{ 7: [path.join(photos, '2024', 'Summer')] }]);
    await mkdir(path.join(photos, '2025', 'Spring'), { recursive: true });
    // The new folder is reported where it appeared (and its own folder too, if watched in time).
    await expectMadeReported(path.join(photos, '2025', 'Spring'));
    expect(await photoWrittenInto(path.join(photos, '2025', 'Spring'))).toEqual([{ 7: [path.join(photos, '2025', 'Spring')] }]);
    expect(logged).toEqual([expect.stringMatching(/^Cannot watch .*missing for changes .*appear after a re-scan\.$/)]);
  });

  it('ignores hidden folders, its own data, and files that are never photos', async () => {
    // Once a photo beside them is seen, the walk has reached them.
    expect(await photoWrittenInto(path.join(photos, '2024'))).toEqual([{ 7: [path.join(photos, '2024')] }]);
    await writeFile(path.join(photos, '.hidden', 'secret.jpg'), 'x');
    await writeFile(path.join(photos, 'data', 'thumb.jpg'), 'x');
    await writeFile(path.join(photos, '2024', 'notes.txt'), 'x');
    await writeFile(path.join(photos, '2024', 'beach.jpg.tmp'), 'x');
    expect(await reported(600)).toEqual([]);
  });

  it('reports a folder removed in the folder that held it, and keeps watching the rest', async () => {
    expect(await photoWrittenInto(path.join(photos, '2024', 'Summer'))).toEqual([{ 7: [path.join(photos, '2024', 'Summer')] }]);
    await rm(path.join(photos, '2024'), { recursive: true });
    expect(await reported()).toEqual([{ 7: expect.arrayContaining([photos]) }]);
    expect(await photoWrittenInto(photos)).toEqual([{ 7: [photos] }]);
  });

  /** Waits until the watcher makes the report `expected`, or `ms` pass; whether it did. */
  async function reportedAs(expected: (typeof changes)[number], ms = 3000): Promise<boolean> {
    for (const until = Date.now() + ms; Date.now() < until; await settle(20)) {
      if (changes.splice(0).some((report) => JSON.stringify(report) === JSON.stringify(expected))) return true;
    }
    return false;
  }

  it('watches a library folder again once it is back, and reports it changed (Note [Folders that come back])', async () => {
    expect(await photoWrittenInto(path.join(photos, '2024', 'Summer'))).toEqual([{ 7: [path.join(photos, '2024', 'Summer')] }]);
    // Unplugged (taken away with everything in it), then plugged in again with other photos.
    await rename(photos, path.join(scratch.dir, 'unplugged'));
    // Its old watch may report the move; once looked at again (`recheckMs`) it is watched no more.
    await settle(400);
    changes.splice(0);
    // In one step, as a drive is mounted: a folder made in it after its watch began would be reported too.
    await mkdir(path.join(scratch.dir, 'plugged', '2025'), { recursive: true });
    await rename(path.join(scratch.dir, 'plugged'), photos);
    expect(await reportedAs({ 7: [photos] })).toBe(true);
    // (A recursive watch started afresh may still report the folder made, with the photo.)
    const made = path.join(photos, '2025');
    expect(await photoWrittenInto(made)).toEqual([{ 7: recursive ? expect.arrayContaining([made]) : [made] }]);
    // Nothing under the old folder, wherever it went, is reported any more.
    await writeFile(path.join(scratch.dir, 'unplugged', '2024', 'Summer', 'after.jpg'), 'x');
    expect(await reported(600)).toEqual([]);
    // A folder missing when watching began is watched once it is made.
    await mkdir(path.join(scratch.dir, 'missing'));
    expect(await reportedAs({ 8: [path.join(scratch.dir, 'missing')] })).toBe(true);
    expect(await photoWrittenInto(path.join(scratch.dir, 'missing'))).toEqual([{ 8: [path.join(scratch.dir, 'missing')] }]);
    expect(logged).toHaveLength(1);
  });

  it('watches a folder made later whose name has a dot, like a date', async () => {
    expect(await photoWrittenInto(photos)).toEqual([{ 7: [photos] }]);
    await mkdir(path.join(photos, '2024.06.15'));
    expect(await reported()).toEqual([{ 7: [photos] }]);
    expect(await photoWrittenInto(path.join(photos, '2024.06.15'))).toEqual([{ 7: [path.join(photos, '2024.06.15')] }]);
  });

  it('watches a folder made or renamed later whose name is never a photo\'s, as the walk enters it (Note [Folders of any name])', async () => {
    expect(await photoWrittenInto(photos)).toEqual([{ 7: [photos] }]);
    const album = path.join(photos, 'Album2024');
    await mkdir(album);
    await expectMadeReported(album);
    expect(await photoWrittenInto(album)).toEqual([{ 7: [album] }]);
    const backup = path.join(photos, 'Album 2024 (backup).zip');
    await rename(album, backup);
    expect(await reported()).toEqual([{ 7: expect.arrayContaining([photos]) }]);
    expect(await photoWrittenInto(backup)).toEqual([{ 7: [backup] }]);
    for (const name of ['Scans.pdf', 'Summer 2024.MOV', 'Old~', 'upload.tmp']) {
      await mkdir(path.join(photos, name));
      await expectMadeReported(path.join(photos, name));
      expect(await photoWrittenInto(path.join(photos, name))).toEqual([{ 7: [path.join(photos, name)] }]);
    }
    // Files of such names still start nothing, made, written or removed.
    await writeFile(path.join(photos, 'notes.pdf'), 'x');
    await writeFile(path.join(photos, 'notes.pdf'), 'xy');
    await rm(path.join(photos, 'notes.pdf'));
    expect(await reported(600)).toEqual([]);
  });

  it('ignores what the walk leaves out: excluded and system folders, before and after watching began, and excluded files; until the exclusions change', async () => {
    expect(await photoWrittenInto(path.join(photos, '2024'))).toEqual([{ 7: [path.join(photos, '2024')] }]);
    await writeFile(path.join(photos, '2024', 'Private', 'a.jpg'), 'x');
    await mkdir(path.join(photos, 'Private'));
    await mkdir(path.join(photos, '@eaDir'));
    await writeFile(path.join(photos, '2024', 'moving.gif'), 'x');
    await settle(100);
    await writeFile(path.join(photos, 'Private', 'b.jpg'), 'x');
    await writeFile(path.join(photos, '@eaDir', 'thumb.jpg'), 'x');
    expect(await reported(600)).toEqual([]);

    watcher.sync([{ id: 7, path: photos, excludes: [] }]);
    expect(await photoWrittenInto(path.join(photos, '2024', 'Private'))).toEqual([{ 7: [path.join(photos, '2024', 'Private')] }]);
  });

  it('forgets the folders under a folder moved away, and watches the ones made again in its place', async () => {
    await mkdir(path.join(photos, 'Export', 'sub'), { recursive: true });
    await expectMadeReported(path.join(photos, 'Export', 'sub'));
    expect(await photoWrittenInto(path.join(photos, 'Export', 'sub'))).toEqual([{ 7: [path.join(photos, 'Export', 'sub')] }]);
    await rename(path.join(photos, 'Export'), path.join(scratch.dir, 'Export-trashed'));
    expect(await reported()).toEqual([{ 7: expect.arrayContaining([photos]) }]);
    await mkdir(path.join(photos, 'Export', 'sub'), { recursive: true });
    await expectMadeReported(path.join(photos, 'Export', 'sub'));
    expect(await photoWrittenInto(path.join(photos, 'Export', 'sub'))).toEqual([{ 7: [path.join(photos, 'Export', 'sub')] }]);
  });

  it('watches a folder moved over one it watched, in one step, and the folders in it', async () => {
    // A sync tool's way to replace a folder: a new one made elsewhere takes the old one's name.
    const incoming = path.join(scratch.dir, 'Incoming');
    await mkdir(path.join(incoming, 'sub'), { recursive: true });
    const summer = path.join(photos, '2024', 'Summer');
    expect(await photoWrittenInto(summer)).toEqual([{ 7: [summer] }]);
    await Promise.all((await readdir(summer)).map((name) => rm(path.join(summer, name))));
    expect(await reported()).toEqual([{ 7: [summer] }]);
    // (Linux replaces an empty folder so, with no moment between the two.)
    await rename(incoming, summer);
    // Where it was moved in, or (a recursive watch) the folder itself: a re-scan of either finds what it holds.
    const [moved, ...more] = await reported();
    expect(more).toEqual([]);
    expect(moved !== 'everything' && (moved?.[7] ?? []).some((dir) => isInside(summer, dir))).toBe(true);
    expect(await photoWrittenInto(path.join(summer, 'sub'))).toEqual([{ 7: [path.join(summer, 'sub')] }]);
    // Node's recursive watch on Linux, a copy these tests run, follows the folders it walked and misses
    // this one; macOS's and Windows's own report any path below the library folder.
    if (!recursive) expect(await photoWrittenInto(summer)).toEqual([{ 7: [summer] }]);
  });

  it('watches nothing more of a folder no longer wanted whose id a new folder has now', async () => {
    const other = path.join(scratch.dir, 'Other');
    await mkdir(other);
    watcher.sync([{ id: 9, path: photos, excludes: [] }]);
    watcher.sync([{ id: 9, path: other, excludes: [] }]);
    expect(await photoWrittenInto(other)).toEqual([{ 9: [other] }]);
    await writeFile(path.join(photos, '2024', 'Summer', 'late.jpg'), 'x');
    expect(await reported(600)).toEqual([]);
  });

  it('reports changes that never go quiet at least every few quiet periods', async () => {
    expect(await photoWrittenInto(photos)).toEqual([{ 7: [photos] }]);
    // A photo every 50 ms for 2 s, against a quiet period of 100 ms.
    for (let i = 0; i < 40; i++) {
      await writeFile(path.join(photos, `burst-${i}.jpg`), 'x');
      await settle(50);
    }
    expect(changes.length).toBeGreaterThan(0);
  });

  it('reports the whole library once a linked folder is met (Note [A watch per folder])', async () => {
    expect(await photoWrittenInto(path.join(photos, '2024'))).toEqual([{ 7: [path.join(photos, '2024')] }]);
    await symlink(path.join(photos, '2024', 'Summer'), path.join(photos, 'summer-link'));
    expect(await reported()).toEqual(['everything']);
    expect(await photoWrittenInto(path.join(photos, '2024'))).toEqual(['everything']);
  });

  it('reports the whole library only while the folder holding a link is in it (Note [A watch per folder])', async () => {
    const linking = path.join(scratch.dir, 'Linking');
    await mkdir(path.join(linking, 'inside'), { recursive: true });
    await symlink(path.join(linking, 'inside'), path.join(linking, 'inside-link'));
    watcher.sync([
      { id: 7, path: photos, excludes: EXCLUDES },
      { id: 9, path: linking, excludes: [] },
    ]);
    expect(await photoWrittenInto(path.join(photos, '2024'))).toEqual(['everything']);
    watcher.sync([{ id: 7, path: photos, excludes: EXCLUDES }]);
    expect(await photoWrittenInto(path.join(photos, '2024'))).toEqual([{ 7: [path.join(photos, '2024')] }]);
  });
});

import { existsSync } from 'node:fs';
import { link, lstat, mkdir, rename, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DuplicateGroup } from '../../main/duplicates/finder.js';
import { executeTrash, handOvers, planTrash, selectCopies, trashSelection, type Copy, type LibraryNow } from '../../main/duplicates/trash.js';
import { tempDir } from '../helpers/fixtures.js';

const KEPT_OUT_OF_REACH = 'the copy you keep is not where it was (on a drive that is not connected, or moved or deleted since); connect its drive, or find duplicates again';

describe('moving duplicates to the trash', () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  let files: Record<string, string>;

  beforeEach(async () => {
    scratch = await tempDir();
    files = Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((name) => [name, path.join(scratch.dir, `${name}.jpg`)]));
    for (const file of Object.values(files)) await writeFile(file, file);
    await mkdir(path.join(scratch.dir, 'folder.jpg'));
  });
  afterEach(async () => scratch.cleanup());

  /** A file as the library knew it when the groups were found: as it is now. */
  const known = async (file: string): Promise<Copy> => {
    const info = await lstat(file).catch(() => null);
    return { path: file, size: info?.size ?? 0, mtimeMs: Math.floor(info?.mtimeMs ?? 0) };
  };
  const paths = () => [[files['a'] as string, files['b'] as string, files['c'] as string], [files['d'] as string, files['e'] as string]];
  const groups = () => Promise.all(paths().map((group) => Promise.all(group.map(known))));

  it('lists only copies of a group, never every copy of one, nor files that are gone or not files', async () => {
    const odd = await Promise.all([path.join(scratch.dir, 'gone.jpg'), path.join(scratch.dir, 'folder.jpg'), files['a'] as string].map(known));
    const plan = await planTrash([...(await groups()), odd], [
      files['b'] as string,
      files['c'] as string,
      files['d'] as string,
      files['e'] as string,
      path.join(scratch.dir, 'gone.jpg'),
      path.join(scratch.dir, 'folder.jpg'),
      path.join(scratch.dir, 'stranger.jpg'),
    ]);
    expect(plan.files.map((file) => path.basename(file.path))).toEqual(['b.jpg', 'c.jpg']);
    expect(plan.summary).toBe('Move 2 files to the trash: b.jpg, c.jpg');
    expect(plan.refused).toEqual([
      { path: files['d'], reason: 'every copy of its group was chosen; keep at least one' },
      { path: files['e'], reason: 'every copy of its group was chosen; keep at least one' },
      { path: path.join(scratch.dir, 'gone.jpg'), reason: 'it is no longer there' },
      { path: path.join(scratch.dir, 'folder.jpg'), reason: 'it is not a regular file' },
      { path: path.join(scratch.dir, 'stranger.jpg'), reason: 'it is not a copy in any duplicate group' },
    ]);
  });

  it('moves exactly the confirmed files through the injected trash, and reports each', async () => {
    const plan = await planTrash(await groups(), [files['b'] as string, files['c'] as string, files['e'] as string]);
    // c changes after the person confirmed, and the trash refuses b.
    await writeFile(files['c'] as string, 'edited since');
    await utimes(files['c'] as string, new Date(), new Date(Date.now() + 5000));
    const moved: string[] = [];
    const outcomes = await executeTrash(
      { ...plan, files: [...plan.files, { path: files['a'] as string, size: 0, mtimeMs: 0, sidecars: [] }] },
      async (file) => {
        moved.push(file);
        if (file === files['b']) throw new Error('Permission denied');
      },
    );
    expect(outcomes).toEqual([
      { path: files['b'], outcome: 'skipped', reason: 'the trash refused it: Permission denied' },
      { path: files['c'], outcome: 'skipped', reason: 'it changed after you confirmed; look at the group again' },
      { path: files['e'], outcome: 'trashed' },
      { path: files['a'], outcome: 'skipped', reason: 'it changed after you confirmed; look at the group again' },
    ]);
    expect(moved).toEqual([files['b'], files['e']]);
    // The engine itself never removes a file: the injected trash above did nothing.
    for (const file of Object.values(files)) expect(existsSync(file)).toBe(true);
  });

  it('never moves the last copy left of a group, even when the others went to the trash earlier', async () => {
    const trash = path.join(scratch.dir, 'trash');
    await mkdir(trash);
    const moveToTrash = (file: string) => rename(file, path.join(trash, path.basename(file)));
    const found = await groups();
    const first = await trashSelection({ groups: found, chosen: [files['b'] as string, files['c'] as string] }, moveToTrash);
    expect(first).toEqual({ trashed: [files['b'], files['c']], sidecars: [], skipped: [], differing: [] });
    // The same groups again (as found before, with no re-scan since): a is now the only copy there
    // is, though the groups cannot tell the others from copies on a drive not connected.
    const second = await trashSelection({ groups: found, chosen: [files['a'] as string, files['e'] as string] }, moveToTrash);
    expect(second).toEqual({ trashed: [files['e']], sidecars: [], skipped: [{ path: files['a'], reason: KEPT_OUT_OF_REACH }], differing: [] });
    expect(existsSync(files['a'] as string)).toBe(true);
    expect(existsSync(files['d'] as string)).toBe(true);
  });

  it('never counts the same file reached through a linked folder as the copy its group keeps; a hard link is one', async () => {
    // Album/a.jpg is a.jpg itself, reached through a linked folder (a walk follows it: Note [Symlinks]).
    await symlink(scratch.dir, path.join(scratch.dir, 'Album'));
    const linked = path.join(scratch.dir, 'Album', 'a.jpg');
    const sameFile = await Promise.all([files['a'] as string, linked].map(known));
    for (const chosen of [files['a'] as string, linked]) {
      const plan = await planTrash([sameFile], [chosen]);
      expect(plan.files).toEqual([]);
      expect(plan.refused).toEqual([{ path: chosen, reason: 'no other copy of its group is still there; it is the last one' }]);
    }
    // A hard link is another name for the data, which stays under it when the other goes.
    const hard = path.join(scratch.dir, 'hard.jpg');
    await link(files['a'] as string, hard);
    const plan = await planTrash([await Promise.all([files['a'] as string, hard].map(known))], [files['a'] as string]);
    expect(plan.files.map((file) => file.path)).toEqual([files['a']]);
  });

  it('moves no copy edited or replaced since the groups were found, nor counts one as the copy its group keeps (Note [Never delete])', async () => {
    const found = await groups();
    const later = new Date(Date.now() + 5000);
    // c is edited to the same size, a replaced by another file: neither is the copy that was shown.
    await writeFile(files['c'] as string, (files['c'] as string).replace(/./g, 'x'));
    await utimes(files['c'] as string, later, later);
    await writeFile(files['a'] as string, 'another photo altogether');
    const plan = await planTrash(found, [files['b'] as string, files['c'] as string]);
    expect(plan.files).toEqual([]);
    expect(plan.refused).toEqual([
      { path: files['b'], reason: 'the other copies of its group changed since the duplicates were found; find duplicates again' },
      { path: files['c'], reason: 'it changed since the duplicates were found; find duplicates again' },
    ]);
    // e's one other copy, d, was edited: e is all that is left of the picture that was shown.
    await writeFile(files['d'] as string, 'edited');
    const result = await trashSelection({ groups: found, chosen: [files['e'] as string] }, async () => expect.unreachable('nothing may move'));
    expect(result).toEqual({ trashed: [], sidecars: [], skipped: [{ path: files['e'], reason: 'the other copies of its group changed since the duplicates were found; find duplicates again' }], differing: [] });
  });

  it('names copies by photo id within the groups found last, with their whole groups', () => {
    const group = (ids: number[], paths: string[]): DuplicateGroup => ({
      keep: paths[0] as string,
      reason: 'largest',
      paths,
      similarity: 1,
      photos: ids.map((photoId, i) => ({ photoId, contentHash: `content-${photoId}`, path: paths[i] as string, width: 1, height: 1, fileSize: 10 + photoId, mtimeMs: 100 + photoId, takenAt: null, camera: null, lens: null, hasLocation: false })),
    });
    const [first, second] = paths() as [string[], string[]];
    const copies = (ids: number[], of: string[]) => ids.map((photoId, i) => ({ path: of[i] as string, size: 10 + photoId, mtimeMs: 100 + photoId }));
    const found = [group([1, 2, 3], first), group([4, 5], second)];
    const library = new Map([...first, ...second].map((file, i) => [i + 1, file]));
    const pathNow = { pathOf: (photoId: number) => library.get(photoId), pathsShowing: () => [] };
    expect(selectCopies(found, [3, 2], pathNow)).toEqual({ groups: [copies([1, 2, 3], first)], chosen: [files['c'], files['b']], refused: [] });
    expect(selectCopies(found, [5, 2], pathNow).groups).toEqual([copies([4, 5], second), copies([1, 2, 3], first)]);
    expect(() => selectCopies(found, [2, 9], pathNow)).toThrow(/Photo #9 is not in the near-duplicate groups found last\. Find duplicates again/);
    expect(() => selectCopies([], [1], pathNow)).toThrow(/Photo #1 is not in the near-duplicate groups found last/);
    // Photos that left the library since (Note [Only the library's files]): not chosen, and not a copy their group keeps.
    library.delete(1);
    library.set(5, path.join(scratch.dir, 'elsewhere.jpg'));
    expect(selectCopies(found, [1, 2, 5], pathNow)).toEqual({
      groups: [copies([2, 3], [files['b'] as string, files['c'] as string])],
      chosen: [files['b']],
      refused: [files['a'], files['e']].map((file) => ({ path: file, reason: 'it is no longer in the library (it was deleted or moved, or its folder was removed or excluded); find duplicates again' })),
    });
  });

  /** A group found with `copies` (the first its suggested keep), photo ids from 1, contents `content-<id>`. */
  const foundGroup = (copies: readonly Copy[]): DuplicateGroup => ({
    keep: (copies[0] as Copy).path,
    reason: 'largest',
    paths: copies.map((copy) => copy.path),
    similarity: 1,
    photos: copies.map((copy, i) => ({ photoId: i + 1, contentHash: `content-${i + 1}`, path: copy.path, width: 1, height: 1, fileSize: copy.size, mtimeMs: copy.mtimeMs, takenAt: null, camera: null, lens: null, hasLocation: false })),
  });

  it('says what to do when the copy a person keeps moved or is on a drive not connected, rather than calling the chosen one the last', async () => {
    const onDrive = path.join(scratch.dir, 'Drive', 'a.jpg');
    const found = [foundGroup([await known(files['a'] as string), await known(files['b'] as string)])];
    const library = new Map([[1, files['a']], [2, files['b']]]);
    const elsewhere = new Map<string, string[]>();
    const now: LibraryNow = { pathOf: (photoId) => library.get(photoId), pathsShowing: (content) => elsewhere.get(content) ?? [] };
    const refusal = async (at: readonly DuplicateGroup[]) => {
      const selection = selectCopies(at, [2], now);
      return (await trashSelection(selection, async () => expect.unreachable('nothing may move'))).skipped;
    };
    // a, the copy kept, renamed: its photo left the library, its content is there under another name.
    library.delete(1);
    elsewhere.set('content-1', [path.join(scratch.dir, 'a-renamed.jpg')]);
    expect(await refusal(found)).toEqual([{ path: files['b'], reason: 'the copy you keep moved since the duplicates were found; find duplicates again' }]);
    // a deleted, and forgotten by the library: b is the last copy.
    elsewhere.clear();
    expect(await refusal(found)).toEqual([{ path: files['b'], reason: 'no other copy of its group is still there; it is the last one' }]);
    // a on a drive that is not connected: still in the library, but not there.
    const unplugged = [foundGroup([{ path: onDrive, size: 10, mtimeMs: 100 }, await known(files['b'] as string)])];
    library.set(1, onDrive);
    expect(await refusal(unplugged)).toEqual([{ path: files['b'], reason: KEPT_OUT_OF_REACH }]);
  });

  it('hands what a moved copy leaves to its group’s suggested keep, else to the first other copy still in the library (Note [What a moved copy leaves])', async () => {
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((name) => known(files[name] as string)));
    const found = [foundGroup([a, b, c] as Copy[])];
    const library = new Map([[1, files['a']], [2, files['b']], [3, files['c']]]);
    const showing = new Map<string, string[]>();
    const now: LibraryNow = { pathOf: (photoId) => library.get(photoId), pathsShowing: (content) => showing.get(content) ?? [] };
    expect(handOvers(found, [files['b'] as string], now)).toEqual([{ content: 'content-2', kept: 1 }]);
    expect(handOvers(found, [files['a'] as string, files['b'] as string], now)).toEqual([
      { content: 'content-1', kept: 3 },
      { content: 'content-2', kept: 3 },
    ]);
    // The suggested keep left the library since: the next copy still there keeps.
    library.delete(1);
    expect(handOvers(found, [files['b'] as string], now)).toEqual([{ content: 'content-2', kept: 3 }]);
    // A content another file still shows keeps its own albums and verdicts: nothing to hand over.
    showing.set('content-2', [files['b'] as string, path.join(scratch.dir, 'b-copy.jpg')]);
    expect(handOvers(found, [files['b'] as string], now)).toEqual([]);
    // But a link to the moved file shows nothing once it is gone (Note [One file, many paths]).
    const linked = found.map((group) => ({ ...group, photos: group.photos.map((photo) => (photo.photoId === 2 ? { ...photo, links: [path.join(scratch.dir, 'b-copy.jpg')] } : photo)) }));
    expect(handOvers(linked, [files['b'] as string], now)).toEqual([{ content: 'content-2', kept: 3 }]);
  });

  it('stops moving files once cancelled', async () => {
    const plan = await planTrash(await groups(), [files['a'] as string, files['b'] as string]);
    const controller = new AbortController();
    const outcomes = await executeTrash(plan, async () => controller.abort(), controller.signal);
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['trashed', 'skipped']);
    expect(outcomes[1]).toMatchObject({ reason: 'cancelled before it was moved' });
  });

  it('moves a copy’s XMP sidecars with it, after it, and only as they were: never one a raw file beside it shares (Note [Sidecars go along])', async () => {
    const side = (name: string) => path.join(scratch.dir, name);
    await writeFile(side('b.jpg.xmp'), 'b');
    await writeFile(side('b.XMP'), 'b, by its stem');
    // Another file's sidecar, where names differ in case only.
    await writeFile(side('B.jpg.xmp'), 'not b.jpg’s');
    await writeFile(side('x'), 'a photo with no extension');
    await writeFile(side('x.xmp'), 'x');
    await writeFile(side('c.xmp'), 'c, shared with its raw file');
    await writeFile(side('c.cr2'), 'raw');
    await writeFile(side('d.jpg.xmp'), 'd');
    const plan = await planTrash(await groups(), [files['b'] as string, files['c'] as string, files['d'] as string]);
    expect(plan.files.map((file) => [path.basename(file.path), file.sidecars.map((sidecar) => path.basename(sidecar.path))])).toEqual([
      ['b.jpg', ['b.jpg.xmp', 'b.XMP']],
      ['c.jpg', []],
      ['d.jpg', ['d.jpg.xmp']],
    ]);
    expect(plan.summary).toBe('Move 3 files (with 3 XMP sidecars) to the trash: b.jpg, c.jpg, d.jpg');
    // A photo with no extension has one sidecar, named either way.
    const lone = await planTrash([await Promise.all([side('x'), files['a'] as string].map(known))], [side('x')]);
    expect(lone.files.map((file) => file.sidecars.map((sidecar) => path.basename(sidecar.path)))).toEqual([['x.xmp']]);
    expect(lone.summary).toBe('Move 1 file (with its XMP sidecar) to the trash: x');
    // d's sidecar changes after the person confirmed; the trash refuses c.
    await writeFile(side('d.jpg.xmp'), 'edited since');
    await utimes(side('d.jpg.xmp'), new Date(), new Date(Date.now() + 5000));
    const moved: string[] = [];
    const outcomes = await executeTrash(plan, async (file) => {
      if (file === files['c']) throw new Error('Permission denied');
      moved.push(path.basename(file));
    });
    expect(moved).toEqual(['b.jpg', 'b.jpg.xmp', 'b.XMP', 'd.jpg']);
    expect(outcomes.filter((outcome) => outcome.outcome === 'skipped')).toEqual([
      { path: files['c'], outcome: 'skipped', reason: 'the trash refused it: Permission denied' },
      { path: side('d.jpg.xmp'), outcome: 'skipped', reason: 'this XMP sidecar changed after you confirmed; it stays', sidecarOf: files['d'] },
    ]);
    const result = await trashSelection({ groups: await groups(), chosen: [files['e'] as string] }, async () => {});
    expect(result).toEqual({ trashed: [files['e']], sidecars: [], skipped: [], differing: [] });
  });
});

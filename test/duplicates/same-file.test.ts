/**
 * Paths that are one file on disk (symlinks, hard links) are one member of a duplicate group,
 * through the Engine as the app and the CLI use it (Note [One file, many paths] in
 * main/duplicates/same-file.ts).
 */
import { copyFile, link, mkdir, rename, symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuplicateReport } from '../../main/duplicates/index.js';
import { Engine } from '../../main/engine/engine.js';
import { duplicatesInfo } from '../../main/engine/photo-info.js';
import { writeCopies } from '../helpers/duplicate-sets.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';

describe('duplicates of one file reached by several paths', () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  let photos: string;
  let engine: Engine;
  let report: DuplicateReport;
  const at = (...parts: string[]) => path.join(photos, ...parts);

  beforeAll(async () => {
    scratch = await tempDir();
    photos = path.join(scratch.dir, 'Photos');
    // Originals of distinct scenes, outside the library.
    const { originals } = await writeCopies(path.join(scratch.dir, 'originals'), 0);
    const [circle, square, triangle] = originals as [string, string, string];
    for (const folder of ['links', 'hard', 'pair']) await mkdir(at(folder), { recursive: true });
    // One file and two symlinks to it: no duplicates at all (the review's photos/links).
    await copyFile(circle, at('links', 'real.jpg'));
    await symlink('real.jpg', at('links', 'a-link.jpg'));
    await symlink(at('links', 'real.jpg'), at('links', 'b-link.jpg'));
    // Two hard links of one file: no duplicates either.
    await copyFile(square, at('hard', 'one.jpg'));
    await link(at('hard', 'one.jpg'), at('hard', 'two.jpg'));
    // A linked file and a real second copy: a group of two files, the linked one kept whole.
    await copyFile(triangle, at('pair', 'z-real.jpg'));
    await symlink('z-real.jpg', at('pair', 'a-link.jpg'));
    await copyFile(triangle, at('pair', 'm-copy.jpg'));
    engine = new Engine({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL });
    await (await engine.addFolders([photos])).indexing.done;
    report = await engine.duplicates.find().done;
  });
  afterAll(async () => {
    await engine.dispose();
    await scratch.cleanup();
  });

  it('counts paths of one file as one copy: a file with only links to it, or hard links, is no group', () => {
    const listed = report.groups.map((group) => group.photos.map((photo) => path.relative(photos, photo.path)).sort());
    expect(listed).toEqual([['pair/m-copy.jpg', 'pair/z-real.jpg']]);
  });

  it('shows the real file for the links to it, keeps it, and never offers a link for the trash', () => {
    const [group] = report.groups;
    expect(group?.keep).toBe(at('pair', 'z-real.jpg'));
    expect(group?.paths).toEqual([at('pair', 'z-real.jpg'), at('pair', 'm-copy.jpg')]);
    expect(group?.reason).toMatch(/link/);
    expect(group?.photos.find((photo) => photo.path === group.keep)?.links).toEqual([at('pair', 'a-link.jpg')]);
    const [listed] = duplicatesInfo(report).groups;
    expect(listed?.photos.map((photo) => photo.name)).toEqual(['z-real.jpg', 'm-copy.jpg']);
  });

  it('refuses to move the file its links lead to, chosen by hand, and tells the window of its links', async () => {
    const linked = report.groups[0]?.photos.find((photo) => photo.path === at('pair', 'z-real.jpg'));
    let moved = 0;
    const result = await engine.duplicates.trash([linked?.photoId as number], async () => void moved++);
    expect(moved).toBe(0);
    expect(result).toEqual({ trashed: [], sidecars: [], skipped: [{ path: at('pair', 'z-real.jpg'), reason: 'it is the file a link in your library leads to; move another copy instead' }], differing: [] });
    const [listed] = duplicatesInfo(report).groups;
    expect(listed?.photos.map((photo) => photo.links)).toEqual([[at('pair', 'a-link.jpg')], []]);
  });

  it('moves the real second copy, and the links still lead to the file kept', async () => {
    const copy = report.groups[0]?.photos.find((photo) => photo.path.endsWith('m-copy.jpg'));
    const result = await engine.duplicates.trash([copy?.photoId as number], async (file) => rename(file, path.join(scratch.dir, path.basename(file))));
    expect(result).toEqual({ trashed: [at('pair', 'm-copy.jpg')], sidecars: [], skipped: [], differing: [] });
    expect((await engine.duplicates.find().done).groups).toEqual([]);
  });
});

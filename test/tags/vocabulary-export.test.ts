/**
 * `lumen vocabulary --export FILE` on a full disk (Note [An export kept whole] in
 * main/tags/library-vocabulary.ts): the file there stays whole, none is left half-written, and the
 * message says what became of the file, not the library's "everything stored before is kept".
 */
import { lstat, mkdir, readFile, readdir, readlink, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cli } from '../helpers/cli-main.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

/** While `folder` is set, a write into it stops as a full disk does: part of the text is on disk, then ENOSPC. */
const fullDisk = vi.hoisted(() => ({ folder: null as string | null }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const writeFile: typeof fs.writeFile = async (file, data, options) => {
    if (fullDisk.folder === null || path.dirname(String(file)) !== fullDisk.folder) return fs.writeFile(file, data, options);
    await fs.writeFile(file, String(data).slice(0, 64), options);
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  };
  return { ...fs, default: { ...fs, writeFile }, writeFile };
});

describe('exporting the vocabulary to a full disk', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let data: string;
  let exports: string;

  beforeAll(async () => {
    scratch = await tempDir();
    data = path.join(scratch.dir, 'data');
    exports = path.join(scratch.dir, 'exports');
    await mkdir(exports);
    const folder = path.join(scratch.dir, 'Photos');
    await copyPhotos((await fixturePhotos()).slice(0, 2), folder);
    expect((await cli('index', folder, '--data', data, '--model', IMMICH_MODEL, '--provider', 'cpu')).code).toBe(0);
  });
  afterAll(() => scratch.cleanup());

  const exportTo = async (file: string) => {
    fullDisk.folder = exports;
    try {
      return await cli('vocabulary', '--data', data, '--export', file);
    } finally {
      fullDisk.folder = null;
    }
  };

  it('keeps the file there byte for byte, leaves no temporary file, and says the export was not written', async () => {
    const file = path.join(exports, 'vocabulary.json');
    const old = `${JSON.stringify({ templates: ['a photo of a {}.'], tags: [{ name: 'old', prompts: ['old'] }] }, null, 2)}\n`;
    await writeFile(file, old);
    const failed = await exportTo(file);
    expect(await readFile(file, 'utf8')).toBe(old);
    expect(await readdir(exports)).toEqual(['vocabulary.json']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe(`lumen vocabulary: The disk is full (ENOSPC: no space left on device, write): the vocabulary was not written to ${file}; the file there is as it was. Free some space and try again.\n`);
  });

  it('makes no file where there was none, and says so', async () => {
    const file = path.join(exports, 'new.json');
    const failed = await exportTo(file);
    expect(await readdir(exports)).not.toContain('new.json');
    expect((await readdir(exports)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/: the vocabulary was not written to .*new\.json; no file was made\. Free some space and try again\.\n$/);
    expect(failed.stderr).not.toMatch(/Everything stored before is kept/);
  });

  it('once there is space, writes the whole vocabulary through a link into the file it leads to, and keeps the link', async () => {
    const target = path.join(scratch.dir, 'kept', 'vocabulary.json');
    await mkdir(path.dirname(target));
    // An earlier export: an export replaces no other file (Note [An export replaces only an export]).
    await writeFile(target, JSON.stringify({ templates: ['a photo of a {}.'], tags: [{ name: 'old', prompts: ['old'] }] }));
    const link = path.join(scratch.dir, 'link.json');
    await symlink(target, link);
    expect((await cli('vocabulary', '--data', data, '--export', link)).code).toBe(0);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe(target);
    expect(JSON.parse(await readFile(target, 'utf8')).tags.length).toBeGreaterThanOrEqual(90);
  });
});

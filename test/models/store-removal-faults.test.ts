/**
 * Note [Removing a model] in main/models/store.ts, where the disk gets in the way: a folder deleted
 * only in part (a file held open, on Windows) is no half model listed, and a folder gone while the
 * models are listed (removed from another window) is left out of the list, not an unexpected
 * error. The deletion and the look at a folder are stand-ins here.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ModelStore } from '../../main/models/store.js';
import { tempDir } from '../helpers/fixtures.js';

/** Folders under which a deletion stops after its first file, held open; paths gone by the time they are looked at. */
const disk = vi.hoisted(() => ({ heldOpenUnder: null as string | null, gone: new Set<string>() }));
vi.mock('node:fs/promises', async (original) => {
  const fs = await original<typeof import('node:fs/promises')>();
  const rm = (async (target, options) => {
    const at = String(target);
    if (disk.heldOpenUnder && at.startsWith(`${disk.heldOpenUnder}/`)) {
      await fs.rm(`${at}/config.json`, { force: true });
      throw Object.assign(new Error(`EBUSY: resource busy or locked, rmdir '${at}'`), { code: 'EBUSY' });
    }
    return fs.rm(target, options);
  }) as typeof fs.rm;
  const lstat = (async (target, options) => {
    if (disk.gone.has(String(target))) throw Object.assign(new Error(`ENOENT: no such file or directory, lstat '${String(target)}'`), { code: 'ENOENT' });
    return fs.lstat(target, options);
  }) as typeof fs.lstat;
  return { ...fs, rm, lstat, default: { ...fs, rm, lstat } };
});

describe('removing a model, where the disk gets in the way', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let store: ModelStore;
  const notInUse = { indexing: undefined, searching: null };
  /** A folder in the store that is no model (listed as broken): removed as any is. */
  const brokenModel = async (id: string) => {
    await mkdir(path.join(store.root, id), { recursive: true });
    await writeFile(path.join(store.root, id, 'config.json'), '{}');
    await writeFile(path.join(store.root, id, 'model.onnx'), 'half');
  };

  beforeEach(async () => {
    scratch = await tempDir();
    store = new ModelStore(scratch.dir);
  });
  afterEach(async () => {
    disk.heldOpenUnder = null;
    disk.gone.clear();
    await scratch.cleanup();
  });

  it('lists no half model when its deletion stops halfway, and says what is left to delete by hand', async () => {
    await brokenModel('half-copied');
    disk.heldOpenUnder = store.root;
    const failure = await store.remove('half-copied', notInUse).catch((error: unknown) => error);
    expect(await store.list()).toMatchObject({ installed: [], broken: [] });
    expect(failure).toMatchObject({
      code: 'busy',
      message: expect.stringMatching(/^half-copied is removed, but some of its files could not be deleted \(another program may hold them open\): delete the folder .*\.removing-half-copied-\S+ to free their space\.$/),
    });
    const [left] = await readdir(store.root);
    expect(left).toMatch(/^\.removing-half-copied-/);
    expect(existsSync(path.join(store.root, left!, 'model.onnx'))).toBe(true);
  });

  it('leaves out of the list a folder gone while the list was made', async () => {
    await brokenModel('removed-meanwhile');
    await brokenModel('still-here');
    disk.gone.add(path.join(store.root, 'removed-meanwhile'));
    expect((await store.list()).broken.map((model) => model.id)).toEqual(['still-here']);
  });
});

/**
 * Note [Some folders refused] in main/library/library.ts: of folders added at once, those that may
 * be are added and those refused are answered with why; an add that leaves nothing to add is
 * refused as a whole, naming each folder with its reason.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Library } from '../../main/library/library.js';
import { tempDir } from '../helpers/fixtures.js';
import { openLibrary } from '../helpers/library.js';

describe('folders added at once, some refused', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let library: Library;
  let good: string;
  let missing: string;
  beforeEach(async () => {
    scratch = await tempDir();
    good = path.join(scratch.dir, 'Photos');
    missing = path.join(scratch.dir, 'Mistyped');
    await mkdir(good);
    library = openLibrary(path.join(scratch.dir, 'data'));
  });
  afterEach(async () => {
    await library.close();
    await scratch.cleanup();
  });

  it('adds the good folder and answers the missing one with why', async () => {
    const added = await library.addFolders([missing, good]);
    expect(added.folders.map((folder) => folder.path)).toEqual([good]);
    expect(added.refused).toEqual([{ path: missing, reason: `The folder ${missing} does not exist.` }]);
    expect(library.folders().map((folder) => folder.path)).toEqual([good]);
  });

  it('adds the outer of two folders given one inside the other, and refuses the inner for that, in the order given', async () => {
    const inner = path.join(good, 'Trip');
    await mkdir(inner);
    const added = await library.addFolders([inner, missing, good]);
    expect(added.folders.map((folder) => folder.path)).toEqual([good]);
    expect(added.refused).toEqual([
      { path: inner, reason: `${inner} is inside ${good}, which is being added too: its photos are part of that folder.` },
      { path: missing, reason: `The folder ${missing} does not exist.` },
    ]);
  });

  it('refuses as a whole an add that leaves nothing to add: one folder with its own error, several with each reason', async () => {
    await expect(library.addFolders([missing])).rejects.toMatchObject({ code: 'not-found', message: `The folder ${missing} does not exist.` });
    const file = path.join(scratch.dir, 'notes.txt');
    await writeFile(file, 'x');
    await library.addFolders([good]);
    const inside = path.join(good, 'Trip');
    await mkdir(inside);
    await expect(library.addFolders([missing, file, inside])).rejects.toMatchObject({
      code: 'bad-input',
      message: `None of the 3 folders was added. The folder ${missing} does not exist. ${file} is a file, not a folder. Add the folder that contains your photos. ${inside} is inside ${good}, which is in the library already: its photos are part of that folder.`,
    });
    expect(library.folders().map((folder) => folder.path)).toEqual([good]);
  });
});

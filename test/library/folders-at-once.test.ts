/**
 * Note [Folders changed meanwhile] in main/library/library.ts: folder changes asked for at once
 * (an add while another goes on, a removal while exclusions are being set) end as if asked for
 * one after the other, so no library folder ever lies inside another (Note [Folders inside folders]).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Library } from '../../main/library/library.js';
import { tempDir } from '../helpers/fixtures.js';
import { openLibrary } from '../helpers/library.js';

let scratch: { dir: string; cleanup: () => Promise<void> };
let library: Library;
let outer: string;
let inner: string;

beforeEach(async () => {
  scratch = await tempDir();
  outer = path.join(scratch.dir, 'Photos');
  inner = path.join(outer, 'Trip');
  await mkdir(inner, { recursive: true });
  library = openLibrary(path.join(scratch.dir, 'data'));
});

afterEach(async () => {
  await library.close();
  await scratch.cleanup();
});

it.each([
  ['the inner folder first', () => [inner, outer]],
  ['the outer folder first', () => [outer, inner]],
])('adds a folder and one inside it at once, %s, and ends with the outer folder alone', async (_, order) => {
  const results = await Promise.allSettled(order().map((folder) => library.addFolders([folder])));
  expect(library.folders().map((folder) => folder.path)).toEqual([outer]);
  // Either the inner folder came first and the outer one took it in, or it came second and was refused, as it is when not at once.
  const [ofInner, ofOuter] = order()[0] === inner ? results : [...results].reverse();
  expect(ofOuter).toMatchObject({ status: 'fulfilled' });
  if (ofInner!.status === 'rejected') {
    expect(ofInner!.reason).toMatchObject({ code: 'bad-input', message: `${inner} is inside ${outer}, which is in the library already: its photos are part of that folder.` });
  }
});

it('never brings back a folder removed while its exclusions were being set', async () => {
  const { folders: [folder] } = await library.addFolders([inner]);
  const setting = library.setExcludes(folder!.id, ['*.png']);
  await library.removeFolder(folder!.id);
  await expect(setting).rejects.toMatchObject({ code: 'not-found' });
  expect(library.folders()).toEqual([]);
});

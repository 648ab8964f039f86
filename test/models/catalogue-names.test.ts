/**
 * A model folder is imported under a catalogue model's id only where it looks like that model
 * (Note [Catalogue names are the catalogue's] in store.ts): named so with --name, or by its
 * folder's name as the app's import names it, another model is refused, and nothing is installed.
 */
import { cp, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../main/models/catalogue.js';
import { looksLikeCatalogueModel, ModelStore } from '../../main/models/store.js';
import { cli } from '../helpers/cli-main.js';
import { HF_MODEL, tempDir } from '../helpers/fixtures.js';

describe('importing under a catalogue model’s name', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    scratch = await tempDir();
  });
  afterEach(() => scratch.cleanup());

  it('is refused from the command line, naming the catalogue model and --name', async () => {
    const data = path.join(scratch.dir, 'data');
    const { id, name } = CATALOGUE[0]!;
    const answer = await cli('models', 'import', HF_MODEL, '--name', id, '--data', data);
    expect(answer.code).toBe(2);
    expect(answer.stderr).toContain(`"${id}" is the name of the catalogue's model ${id} (${name}), and this folder is not that model (its layout or size differ)`);
    expect(answer.stderr).toContain('Choose another name with --name ID.');
    const listed = await cli('models', 'list', '--json', '--data', data);
    expect(JSON.parse(listed.stdout)).toMatchObject({ installed: [] });
  });

  it('is refused where the name is the folder’s, in any case, as the app imports it', async () => {
    const store = new ModelStore(path.join(scratch.dir, 'models'));
    for (const id of CATALOGUE.map((entry) => entry.id)) {
      for (const folderName of [id, id.toUpperCase()]) {
        const folder = path.join(scratch.dir, 'from', folderName);
        await cp(HF_MODEL, folder, { recursive: true });
        await expect(store.import(folder)).rejects.toMatchObject({ code: 'bad-input', message: expect.stringMatching(/Import this folder under another name, or rename it\.$/) });
      }
    }
    expect(await readdir(store.root).catch(() => [])).toEqual([]);
  });

  it('is taken by a folder of the catalogue model’s layout and size, as a download copied from another computer is', async () => {
    const files = await readdir(HF_MODEL, { recursive: true, withFileTypes: true });
    let bytes = 0;
    for (const file of files) if (file.isFile()) bytes += (await stat(path.join(file.parentPath, file.name))).size;
    expect(await looksLikeCatalogueModel(HF_MODEL, { layout: 'hf', approxBytes: bytes })).toBe(true);
    expect(await looksLikeCatalogueModel(HF_MODEL, { layout: 'immich', approxBytes: bytes })).toBe(false);
    expect(await looksLikeCatalogueModel(HF_MODEL, { layout: 'hf', approxBytes: bytes * 2 })).toBe(false);
  });
});

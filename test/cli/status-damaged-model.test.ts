/**
 * A model that is there but cannot run (Note [A model that cannot run] in
 * main/engine/model-host.ts): `status` still says what it knows of the library, with the model's
 * problem on its Model line, however the library came to it. And a `--model` that names no model
 * is refused before the library is claimed, leaving no data folder behind.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli-main.js';
import { copyModel, IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

const CANNOT_LOAD = /Cannot load .*model\.onnx: .*The file may be damaged: download the model again\./;

describe('status with a damaged model', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let folder: string;
  let damaged: string;

  beforeAll(async () => {
    scratch = await tempDir();
    folder = path.join(scratch.dir, 'Photos');
    await copyPhotos((await fixturePhotos()).slice(0, 2), folder);
    // Its configuration reads, so it is found as a model; its image graph is no ONNX file.
    damaged = await copyModel(IMMICH_MODEL, scratch.dir, 'damaged');
    await writeFile(path.join(damaged, 'visual', 'model.onnx'), 'not a model graph '.repeat(50));
  });
  afterAll(() => scratch.cleanup());

  it('says what it knows of a library whose first run refused the model, and the model’s problem, exiting 0', async () => {
    const data = path.join(scratch.dir, 'refused');
    const refused = await cli('index', folder, '--data', data, '--model', damaged, '--provider', 'cpu');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(CANNOT_LOAD);

    const text = await cli('status', '--data', data, '--provider', 'cpu');
    expect(text).toMatchObject({ code: 0, stderr: '' });
    // The folder the refused run added is taken out again, and no run is left to go on with (Note [No folder left to go on with]).
    expect(text.stdout).toMatch(/^Library: +0 photos in 0 folders, 0 failed files\nIndex: +none yet$/m);
    expect(text.stdout).not.toMatch(/did not finish/);
    expect(text.stdout).toMatch(new RegExp(`^Model: +none: ${CANNOT_LOAD.source}$`, 'm'));

    const json = await cli('status', '--data', data, '--provider', 'cpu', '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ model: null, modelProblem: { kind: 'unusable', message: expect.stringMatching(CANNOT_LOAD) }, library: { folders: [], unfinishedRun: false } });
  });

  it('says what it knows of a working library asked about with --model naming a damaged model, exiting 0', async () => {
    const data = path.join(scratch.dir, 'working');
    expect((await cli('index', folder, '--data', data, '--model', IMMICH_MODEL, '--provider', 'cpu')).code).toBe(0);

    const text = await cli('status', '--data', data, '--model', damaged, '--provider', 'cpu');
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toMatch(/^ +tiny-clip-immich: 2 embedded, 0 to do \(serving searches\)$/m);
    expect(text.stdout).toMatch(new RegExp(`^Model: +none: ${CANNOT_LOAD.source}$`, 'm'));
    const json = JSON.parse((await cli('status', '--data', data, '--model', damaged, '--provider', 'cpu', '--json')).stdout);
    expect(json).toMatchObject({ model: null, modelProblem: { kind: 'unusable' }, library: { photos: 2 } });
  });
});

describe('a --model that names no model', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };

  beforeAll(async () => {
    scratch = await tempDir();
  });
  afterAll(() => scratch.cleanup());

  const asked = [
    { what: 'a file', model: () => path.join(IMMICH_MODEL, 'config.json'), said: /^lumen index: No model folder or catalogue model named ".*config\.json"\. See `lumen models list`\.\n$/ },
    { what: 'a folder of no model', model: () => scratch.dir, said: /^lumen index: .* is not a CLIP model folder: expected visual\/ and textual\/ \(Immich layout\) or onnx\/ \(Hugging Face layout\)\.\n$/ },
  ];
  for (const { what, model, said } of asked) {
    it(`is refused (${what}) before the library is claimed, leaving no data folder behind`, async () => {
      const folder = path.join(scratch.dir, 'Photos');
      await copyPhotos((await fixturePhotos()).slice(0, 1), folder);
      const data = path.join(scratch.dir, `data for ${what}`);
      const refused = await cli('index', folder, '--data', data, '--model', model());
      expect(refused).toMatchObject({ code: 2, stdout: '' });
      expect(refused.stderr).toMatch(said);
      expect(existsSync(data)).toBe(false);
    });
  }
});

/**
 * `lumen models remove ID` (Note [Removing a model] in main/models/store.ts): spelled as download
 * and import are; a name no model has and the model in use are refused as what was asked amiss
 * (exit 2, as an import under a name taken is), and --json says what went.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli-main.js';
import { HF_MODEL, IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';

describe('lumen models remove', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let data: string;
  beforeEach(async () => {
    scratch = await tempDir();
    data = path.join(scratch.dir, 'data');
    for (const model of [HF_MODEL, IMMICH_MODEL]) expect((await cli('models', 'import', model, '--data', data)).code).toBe(0);
  });
  afterEach(() => scratch.cleanup());

  it('removes an installed model, saying what it freed, in words and in JSON', async () => {
    const listed = JSON.parse((await cli('models', 'list', '--data', data, '--json')).stdout);
    const bytes = listed.installed.find((model: { id: string }) => model.id === 'tiny-clip-hf').bytes;
    expect(bytes).toBeGreaterThan(0);
    const removed = await cli('models', 'remove', 'tiny-clip-hf', '--data', data, '--json');
    expect(removed).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(removed.stdout)).toEqual({ removed: 'tiny-clip-hf', dir: path.join(data, 'models', 'tiny-clip-hf'), bytes, embeddingsKept: 0 });
    expect(existsSync(path.join(data, 'models', 'tiny-clip-hf'))).toBe(false);
    expect((await cli('models', 'list', '--data', data)).stdout).not.toContain('tiny-clip-hf');

    expect((await cli('models', 'import', HF_MODEL, '--data', data)).code).toBe(0);
    expect(await cli('models', 'remove', 'tiny-clip-hf', '--data', data)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Removed tiny-clip-hf; \d+(\.\d)? [kM]B freed\.\n$/) });
  });

  it('refuses a name no model has, and the model in use (here the only one left), with exit 2 and why', async () => {
    expect(await cli('models', 'remove', 'no-such-model', '--data', data)).toEqual({ code: 2, stdout: '', stderr: 'lumen models: No installed model is called "no-such-model": nothing was removed.\n' });
    expect(await cli('models', 'remove', '--data', data)).toMatchObject({ code: 2, stderr: 'lumen models: Name the model to remove, e.g. `models remove my-clip` (see `models list`).\n' });
    expect((await cli('models', 'remove', 'tiny-clip-hf', '--data', data)).code).toBe(0);
    expect(await cli('models', 'remove', 'tiny-clip-immich', '--data', data)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'lumen models: tiny-clip-immich is the model Lumen uses now, so it cannot be removed: choose another model first, then remove it.\n',
    });
    expect(existsSync(path.join(data, 'models', 'tiny-clip-immich'))).toBe(true);
  });
});

/** Note [Settings field by field] in main/core/settings.ts. */
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsFile } from '../../main/core/settings.js';
import { tempDir } from '../helpers/fixtures.js';

describe('settings', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  const saved = async () => JSON.parse(await readFile(path.join(scratch.dir, 'settings.json'), 'utf8')) as unknown;

  beforeEach(async () => (scratch = await tempDir()));
  afterEach(() => scratch.cleanup());

  it('are the defaults where there is no file yet', async () => {
    expect(await new SettingsFile(scratch.dir).read()).toEqual({ model: null, provider: 'auto' });
  });

  it('changed at once keep both changes', async () => {
    const settings = new SettingsFile(scratch.dir);
    await Promise.all([settings.update({ model: 'my-model' }), settings.update({ provider: 'cpu' })]);
    expect(await saved()).toEqual({ model: 'my-model', provider: 'cpu' });
  });

  it('keep their good fields where one is bad, and a change leaves them', async () => {
    await writeFile(path.join(scratch.dir, 'settings.json'), JSON.stringify({ model: 'my-model', provider: 42 }));
    const settings = new SettingsFile(scratch.dir);
    expect(await settings.read()).toEqual({ model: 'my-model', provider: 'auto' });
    await settings.update({ provider: 'cpu' });
    expect(await saved()).toEqual({ model: 'my-model', provider: 'cpu' });
  });

  it('that are not JSON, or not an object, are the defaults', async () => {
    for (const text of ['{"model": ', 'null', '[1]']) {
      await writeFile(path.join(scratch.dir, 'settings.json'), text);
      expect(await new SettingsFile(scratch.dir).read()).toEqual({ model: null, provider: 'auto' });
    }
  });

  it('that cannot be read are said, never taken for none; a failed change does not hold the next', async () => {
    await mkdir(path.join(scratch.dir, 'settings.json'));
    const settings = new SettingsFile(scratch.dir);
    await expect(settings.read()).rejects.toMatchObject({ code: 'storage', message: expect.stringMatching(/^Cannot read your settings \(.*settings\.json\): .*EISDIR/) });
    await expect(settings.update({ provider: 'cpu' })).rejects.toMatchObject({ code: 'storage' });
    await rmdir(path.join(scratch.dir, 'settings.json'));
    expect(await settings.update({ model: 'x' })).toEqual({ model: 'x', provider: 'auto' });
    expect(await saved()).toEqual({ model: 'x', provider: 'auto' });
  });
});

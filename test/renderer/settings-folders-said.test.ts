/**
 * What Settings › Photo folders says of the library's folders: unknown while the status cannot be
 * read (never "No folders yet"), and, after "Add a folder…", how many folders it added, and
 * which it did not, with why.
 */
import { describe, expect, it } from 'vitest';
import type { FolderInfo } from '../../preload/contract.js';
import { appPages, libraryFake, rendererInChromium } from './harness.js';

const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });
const pages = appPages(rendererInChromium());
const open = (fake: ReturnType<typeof libraryFake>) => pages.open(fake, { hash: '#/settings' });

const HELD: FolderInfo = { id: 1, path: '/home/ada/Pictures', excludes: [] };
const NEW: FolderInfo = { id: 2, path: '/media/card/DCIM', excludes: [] };

describe('Settings › Photo folders', () => {
  it('says the folders could not be listed, and why, when the status cannot be read: not that there are none', async () => {
    const fake = libraryFake();
    const why = 'The model folder is missing: download the model again.';
    fake.overrides['app.status'] = () => ({ ok: false, error: { code: 'model-invalid', message: why } });
    const { page } = await open(fake);
    const folders = page.getByRole('region', { name: 'Photo folders' });
    await folders.getByText(`The folders could not be listed: ${why}`).waitFor();
    expect(await folders.getByText('No folders yet.').count()).toBe(0);
    expect(await folders.getByRole('button', { name: 'Re-scan now' }).count()).toBe(0);
  });

  it.each([
    { picked: [HELD, NEW], said: 'Added 1 folder (1 was in the library already); indexing started.' },
    { picked: [NEW], said: 'Added the folder; indexing started.' },
    { picked: [HELD], said: 'That folder is in the library already.' },
  ])('says how many folders it added, not how many came back: $said', async ({ picked, said }) => {
    const fake = libraryFake();
    fake.overrides['library.failures'] = () => ({ ok: true, value: [] });
    fake.overrides['library.addFromDialog'] = () => {
      fake.status.library = { ...fake.status.library!, folders: [HELD, NEW] };
      return { ok: true, value: { folders: structuredClone(picked), refused: [] } };
    };
    const { page } = await open(fake);
    const folders = page.getByRole('region', { name: 'Photo folders' });
    await folders.getByText(HELD.path, { exact: true }).waitFor();
    await folders.getByRole('button', { name: 'Add a folder…' }).click();
    await poll(async () => ((await folders.getByRole('status').textContent()) ?? '').trim()).toBe(said);
  });

  it('says the folders refused, and why, as an error beside those it added (Note [Some folders refused] in main/library/library.ts)', async () => {
    const fake = libraryFake();
    fake.overrides['library.failures'] = () => ({ ok: true, value: [] });
    const inside = `${HELD.path}/Trip`;
    const refused = [
      { path: '/media/card/Gone', reason: 'The folder /media/card/Gone does not exist.' },
      { path: inside, reason: `${inside} is inside ${HELD.path}, which is in the library already: its photos are part of that folder.` },
    ];
    fake.overrides['library.addFromDialog'] = () => {
      fake.status.library = { ...fake.status.library!, folders: [HELD, NEW] };
      return { ok: true, value: { folders: [NEW], refused } };
    };
    const { page } = await open(fake);
    const folders = page.getByRole('region', { name: 'Photo folders' });
    await folders.getByText(HELD.path, { exact: true }).waitFor();
    await folders.getByRole('button', { name: 'Add a folder…' }).click();
    await poll(async () => (await folders.getByRole('alert').textContent())?.trim()).toBe(
      `Added the folder; indexing started. Not added: The folder /media/card/Gone does not exist. Not added: ${inside} is inside ${HELD.path}, which is in the library already: its photos are part of that folder.`,
    );
    expect(((await folders.getByRole('status').textContent()) ?? '').trim()).toBe('');
  });
});

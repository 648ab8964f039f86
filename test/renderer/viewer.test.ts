/**
 * The viewer, built for real and driven in Chromium against a fake engine: a photo the library
 * no longer has (its file deleted, its folder removed, since it was shown).
 */
import { describe, expect, it } from 'vitest';
import { appPages, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());

describe('the viewer', () => {
  it('says once that a photo is no longer in the library, and offers nothing of it', async () => {
    const fake = libraryFake();
    const gone = { ok: false as const, error: { code: 'not-found', message: 'There is no photo #2 in the library.' } };
    fake.overrides['photos.details'] = () => gone;
    fake.overrides['photos.text'] = () => gone;
    fake.overrides['search.similar'] = () => gone;
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    const viewer = page.getByRole('dialog');
    await viewer.getByRole('heading', { name: 'Photo no longer in the library' }).waitFor();
    await expect.poll(() => viewer.getByRole('alert').allTextContents()).toEqual(['This photo is no longer in the library: its file was deleted or moved, or its folder was removed.']);
    for (const name of ['Find similar', 'Show in folder', 'Open with default app']) expect(await viewer.getByRole('button', { name }).count()).toBe(0);
    expect(await viewer.getByRole('img').count()).toBe(0);
    expect(await viewer.getByText('Looking…').count()).toBe(0);
    expect(fake.callsOf('photos.details')).toEqual([{ id: 2 }]);
  });
});

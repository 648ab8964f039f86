/**
 * A double click on a thumbnail, built for real and driven in Chromium against a fake engine: its
 * first click opens the viewer, its second lands on the photo, which zooms only at a double click
 * of its own (Note [Both clicks on the photo] in renderer/src/components/viewer/ZoomablePhoto.svelte).
 */
import { describe, expect, it } from 'vitest';
import { appPages, FAKE_TIMELINE, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());

describe('a double click on a thumbnail', () => {
  it('opens the photo fitted, and a double click on the open photo still zooms it to its own size', async () => {
    const fake = libraryFake();
    fake.overrides['photos.details'] = ({ id }: { id: number }) => {
      const name = FAKE_TIMELINE.names[FAKE_TIMELINE.ids.indexOf(id)] as string;
      return { ok: true, value: { id, name, folderId: 1, takenAt: Date.UTC(2024, 5, id), width: 4000, height: 3000, format: 'jpeg', version: id, path: `/home/ada/Pictures/${name}`, size: 2_000_000, capturedAt: null, camera: null, lens: null, location: null, copies: [] } };
    };
    fake.overrides['photos.text'] = () => ({ ok: true, value: { read: true, skipped: false, lines: [] } });
    const { page } = await pages.open(fake, { hash: '#/library' });
    await page.getByRole('listbox', { name: 'Photos' }).getByRole('option', { name: /^b\.jpg/ }).dblclick();

    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    const level = viewer.getByTitle("Shown at this share of the photo's own size");
    const fit = viewer.getByRole('button', { name: 'Fit to window' });
    // Shown, at the level that fits it in the window (its preview loaded, and the double click long handled).
    await expect.poll(() => level.textContent()).toMatch(/^\d+%$/);
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    expect(await fit.getAttribute('aria-disabled')).toBe('true');
    const fitted = await level.textContent();
    expect(fitted).not.toBe('100%');

    const stage = (await viewer.locator('.frame').boundingBox())!;
    await page.mouse.dblclick(stage.x + stage.width / 2, stage.y + stage.height / 2);
    await expect.poll(() => level.textContent()).toBe('100%');
    expect(await fit.getAttribute('aria-disabled')).toBe('false');
  });
});

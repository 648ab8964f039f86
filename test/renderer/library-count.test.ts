/**
 * The Library screen's count, built for real and driven in Chromium against a fake engine: said
 * in the right number for the photos shown, with filters and without.
 */
import { describe, expect, it } from 'vitest';
import { appPages, FAKE_TIMELINE, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());

describe('the Library screen’s count', () => {
  it('says “1 matching photo” when a filter leaves one, and counts the whole library without filters', async () => {
    const fake = libraryFake();
    fake.overrides['photos.timeline'] = ({ filters }: { filters: { camera?: string } }) => {
      const shown = filters.camera ? 1 : FAKE_TIMELINE.total;
      const { ids, ratios, takenAt, names, versions } = FAKE_TIMELINE;
      return { ok: true, value: { total: shown, ids: ids.slice(0, shown), ratios: ratios.slice(0, shown), takenAt: takenAt.slice(0, shown), names: names.slice(0, shown), versions: versions.slice(0, shown) } };
    };
    const { page } = await pages.open(fake, { hash: '#/library?camera=Pixel' });
    const heading = page.getByRole('heading', { level: 1 });
    await expect.poll(() => heading.textContent()).toBe('Library 1 matching photo');
    await page.evaluate(() => (location.hash = '#/library'));
    await expect.poll(() => heading.textContent()).toBe('Library 3 photos');
  });
});

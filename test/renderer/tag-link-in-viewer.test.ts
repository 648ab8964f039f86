/**
 * A tag's link in the viewer, followed from a tag's page, built for real and driven in Chromium
 * against a fake engine: the viewer closes with the page it lay over, and the grid gone with that
 * page is not asked for its photos (it was, after the viewer's close, and threw).
 */
import { describe, expect, it } from 'vitest';
import { appPages, rendererInChromium } from './harness.js';
import { verdictsFake } from './verdicts-fake.js';

const pages = appPages(rendererInChromium());

describe('another tag’s link, followed from the viewer over a tag’s page', () => {
  // b.jpg (2) has both tags; c.jpg (3) has beach only.
  const fake = () => verdictsFake({ 3: [{ tag: 'beach', source: 'auto', score: 0.9 }], 2: [{ tag: 'beach', source: 'auto', score: 0.8 }, { tag: 'sea', source: 'auto', score: 0.7 }] }, ['beach', 'sea']);

  it('opens that tag’s page, its heading focused, with no error in the page', async () => {
    const { page, problems } = await pages.open(fake(), { hash: '#/tags?tag=beach' });
    await page.getByRole('listbox', { name: 'Photos tagged beach' }).getByRole('option', { name: /^b\.jpg/ }).dblclick();
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    await viewer.getByRole('region', { name: 'Tags' }).getByRole('link', { name: 'sea' }).click();

    await page.getByRole('listbox', { name: 'Photos tagged sea' }).getByRole('option', { name: /^b\.jpg/ }).waitFor();
    expect(await page.getByRole('dialog').count()).toBe(0);
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent?.replace(/\s+/g, ' ').trim())).toBe('sea 1 photo');
    // What the grid gone would have thrown comes a tick after the close: given time to come.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    expect(problems).toEqual([]);
  });

  it('closes with an address changed to another tag while it is open, with no error in the page', async () => {
    const { page, problems } = await pages.open(fake(), { hash: '#/tags?tag=beach' });
    await page.getByRole('listbox', { name: 'Photos tagged beach' }).getByRole('option', { name: /^b\.jpg/ }).dblclick();
    await page.getByRole('dialog', { name: 'b.jpg' }).waitFor();
    await page.evaluate(() => (location.hash = '#/tags?tag=sea'));

    await page.getByRole('listbox', { name: 'Photos tagged sea' }).getByRole('option', { name: /^b\.jpg/ }).waitFor();
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    expect(problems).toEqual([]);
  });
});

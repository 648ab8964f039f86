/** The Tags screen, built for real and driven in Chromium against a fake engine. */
import { describe, expect, it } from 'vitest';
import type { TagInfo } from '../../preload/contract.js';
import { appPages, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());

describe('the list of tags', () => {
  it('shows the tags photos have as cards, and names those no photo has yet in one line', async () => {
    const tag = (name: string, photos: number, enabled = true): TagInfo => ({ name, enabled, inVocabulary: true, photos, confirmed: 0, rejected: 0, samples: photos ? [1] : [] });
    const fake = libraryFake();
    fake.overrides['tags.list'] = () => ({ ok: true, value: [tag('beach', 12), tag('dog', 3), tag('snow', 0), tag('boat', 0), tag('old', 0, false)] });
    const { page } = await pages.open(fake, { hash: '#/tags' });
    const cards = page.getByRole('list').first().getByRole('link');
    await expect.poll(() => cards.evaluateAll((links) => links.map((link) => link.getAttribute('aria-label')))).toEqual(['beach, 12 photos', 'dog, 3 photos']);
    const empty = page.getByRole('region', { name: /^No photos yet/ });
    expect(await empty.getByRole('heading', { level: 2 }).textContent()).toBe('No photos yet 2 tags');
    expect(await empty.getByRole('link').evaluateAll((links) => links.map((link) => link.getAttribute('aria-label')))).toEqual(['snow, no photos', 'boat, no photos']);
    // A tag switched off that no photo has is not offered at all.
    expect(await page.getByRole('link', { name: /^old,/ }).count()).toBe(0);
  });
});

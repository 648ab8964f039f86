/** The template editor's live preview, built for real and driven in Chromium against a fake engine. */
import { describe, expect, it } from 'vitest';
import type { CallParams } from '../../preload/contract.js';
import { appPages, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());

describe('the template editor’s live preview', () => {
  it('asks for a renamed tag with its saved name, so that it is compared with itself as saved (Note [Live preview])', async () => {
    const fake = libraryFake();
    const vocabulary = { templates: ['a photo of {}'], tags: [{ name: 'sign', prompts: ['sign'] }, { name: 'beach', prompts: ['beach'] }] };
    fake.overrides['vocabulary.get'] = () => ({ ok: true, value: { vocabulary, isDefault: false } });
    fake.overrides['vocabulary.preview'] = (params: CallParams<'vocabulary.preview'>) => ({
      ok: true,
      value: { tag: params.tag, photos: [], count: 0, gained: [], lost: [], gainedCount: 0, lostCount: 0, milliseconds: 1 },
    });
    const { page } = await pages.open(fake, { hash: '#/templates?tag=sign' });
    const last = () => fake.callsOf('vocabulary.preview').at(-1);
    await expect.poll(() => last()?.tag, { timeout: 5000 }).toBe('sign');
    expect(last()?.renames).toEqual([]);
    await page.getByRole('region', { name: 'Tag sign' }).getByRole('textbox', { name: 'Name' }).fill('street sign');
    await expect.poll(() => last()?.tag, { timeout: 5000 }).toBe('street sign');
    expect(last()?.renames).toEqual([{ from: 'sign', to: 'street sign' }]);
  });

  it('shows the photos to look at, not to select: Space and Ctrl+A select none, and a click opens the photo', async () => {
    const fake = libraryFake();
    fake.overrides['vocabulary.get'] = () => ({ ok: true, value: { vocabulary: { templates: ['a photo of {}'], tags: [{ name: 'sign', prompts: ['sign'] }] }, isDefault: false } });
    const photo = (id: number, name: string) => ({ id, name, folderId: 1, takenAt: Date.UTC(2024, 5, id), width: 400, height: 300, format: 'jpeg', version: id, score: 0.3 });
    fake.overrides['vocabulary.preview'] = (params: CallParams<'vocabulary.preview'>) => ({
      ok: true,
      value: { tag: params.tag, photos: [photo(1, 'a.jpg'), photo(2, 'b.jpg')], count: 2, gained: [], lost: [], gainedCount: 0, lostCount: 0, milliseconds: 1 },
    });
    const { page } = await pages.open(fake, { hash: '#/templates?tag=sign' });
    const grid = page.getByRole('listbox', { name: 'Photos that would get sign' });
    const first = grid.getByRole('option', { name: /^a\.jpg/ });
    await first.focus();
    await page.keyboard.press(' ');
    await page.keyboard.press('Control+a');
    await page.waitForTimeout(200);
    expect(await grid.locator('[aria-selected="true"]').count()).toBe(0);
    // Nor the browser's own: the page's text is not selected.
    expect(await page.evaluate(() => getSelection()?.toString())).toBe('');
    expect(await grid.getAttribute('aria-multiselectable')).toBeNull();
    await grid.getByRole('option', { name: /^b\.jpg/ }).click();
    await page.getByRole('dialog', { name: 'b.jpg' }).waitFor({ timeout: 5000 });
  });

  it('is as tall as a few photos need, and scrolls within a set height for many', async () => {
    const fake = libraryFake();
    fake.overrides['vocabulary.get'] = () => ({ ok: true, value: { vocabulary: { templates: ['a photo of {}'], tags: [{ name: 'few', prompts: ['few'] }, { name: 'many', prompts: ['many'] }] }, isDefault: false } });
    const photo = (id: number) => ({ id, name: `p${id}.jpg`, folderId: 1, takenAt: Date.UTC(2024, 5, 1), width: 400, height: 300, format: 'jpeg', version: 1, score: 0.3 });
    fake.overrides['vocabulary.preview'] = (params: CallParams<'vocabulary.preview'>) => {
      const photos = Array.from({ length: params.tag === 'few' ? 2 : 60 }, (_, i) => photo(i + 1));
      return { ok: true, value: { tag: params.tag, photos, count: photos.length, gained: [], lost: [], gainedCount: 0, lostCount: 0, milliseconds: 1 } };
    };
    const { page } = await pages.open(fake, { hash: '#/templates?tag=few' });
    /** The heights of the preview's grid, and of the rows of photos in it. */
    const heights = (tag: string) =>
      page.getByRole('listbox', { name: `Photos that would get ${tag}` }).evaluate((canvas) => ({ grid: (canvas.parentElement as HTMLElement).getBoundingClientRect().height, photos: canvas.getBoundingClientRect().height }));
    await page.getByRole('listbox', { name: 'Photos that would get few' }).getByRole('option').first().waitFor();
    const few = await heights('few');
    expect(few.grid).toBeCloseTo(few.photos, 0);
    await page.evaluate(() => (location.hash = '#/templates?tag=many'));
    await page.getByRole('listbox', { name: 'Photos that would get many' }).getByRole('option').first().waitFor();
    const many = await heights('many');
    const rem = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    expect(many.grid).toBeCloseTo(22 * rem, 0);
    expect(many.photos).toBeGreaterThan(many.grid);
  });
});

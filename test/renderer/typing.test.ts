/**
 * What a person types outlasts the pause that applies it: built for real and driven in Chromium
 * against a fake engine.
 */
import { describe, expect, it } from 'vitest';
import { appPages, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());

describe('typing with pauses', () => {
  it('keeps a space typed in the Camera filter before a pause, which the address keeps trimmed', async () => {
    const fake = libraryFake();
    fake.overrides['tags.list'] = () => ({ ok: true, value: [] });
    const { page } = await pages.open(fake, { hash: '#/library' });
    await page.getByRole('button', { name: /^Filters/ }).click();
    const camera = page.getByRole('group', { name: 'Filters' }).getByLabel('Camera');
    await camera.click();
    await page.keyboard.type('Canon ');
    await expect.poll(() => page.evaluate(() => location.hash), { timeout: 5000 }).toBe('#/library?camera=Canon');
    await page.keyboard.type('EOS');
    await expect.poll(() => page.evaluate(() => location.hash), { timeout: 5000 }).toBe('#/library?camera=Canon+EOS');
    expect(await camera.inputValue()).toBe('Canon EOS');
    // Set from elsewhere (a link, Back), the field follows.
    await page.evaluate(() => (location.hash = '#/library?camera=Fujifilm'));
    await expect.poll(() => camera.inputValue(), { timeout: 5000 }).toBe('Fujifilm');
  });

  it('keeps the space left in the search box by deleting back to a word, which the address keeps trimmed', async () => {
    const fake = libraryFake();
    const { page } = await pages.open(fake, { hash: '#/library' });
    const box = page.getByRole('searchbox', { name: 'Search photos' });
    await box.click();
    await page.keyboard.type('dog on the b');
    await expect.poll(() => page.evaluate(() => location.hash), { timeout: 5000 }).toBe('#/library?q=dog+on+the+b');
    await page.keyboard.press('Backspace');
    await expect.poll(() => page.evaluate(() => location.hash), { timeout: 5000 }).toBe('#/library?q=dog+on+the');
    // Past the pause that applies it, the space is still there for the next word.
    await page.waitForTimeout(300);
    expect(await box.inputValue()).toBe('dog on the ');
    await page.keyboard.type('lake');
    await expect.poll(() => page.evaluate(() => location.hash), { timeout: 5000 }).toBe('#/library?q=dog+on+the+lake');
    expect(await box.inputValue()).toBe('dog on the lake');
  });

  it('searches by relevance after the library’s default order, newest first, was chosen again', async () => {
    const fake = libraryFake();
    const { page } = await pages.open(fake, { hash: '#/library' });
    const sort = page.getByRole('combobox', { name: 'Sort' });
    await sort.selectOption('oldest');
    await expect.poll(() => page.evaluate(() => location.hash), { timeout: 5000 }).toBe('#/library?sort=oldest');
    await sort.selectOption('newest');
    await expect.poll(() => page.evaluate(() => location.hash), { timeout: 5000 }).toBe('#/library');
    await page.getByRole('searchbox', { name: 'Search photos' }).fill('sea');
    await expect.poll(() => page.evaluate(() => location.hash), { timeout: 5000 }).toBe('#/library?q=sea');
    expect(await sort.inputValue()).toBe('relevance');
  });

  it('offers the library’s cameras in the Camera filter, the most photos first, each read again when the panel opens', async () => {
    const fake = libraryFake();
    let cameras = [{ name: 'Apple iPhone 12', photos: 3 }, { name: 'Canon EOS R5', photos: 1 }];
    fake.overrides['photos.cameras'] = () => ({ ok: true, value: cameras });
    const { page } = await pages.open(fake, { hash: '#/library' });
    const toggle = page.getByRole('button', { name: /^Filters/ });
    await toggle.click();
    const camera = page.getByRole('group', { name: 'Filters' }).getByLabel('Camera');
    const offered = () => camera.evaluate((input: HTMLInputElement) => [...(input.list?.options ?? [])].map((option) => `${option.value}: ${option.label}`));
    await expect.poll(offered, { timeout: 5000 }).toEqual(['Apple iPhone 12: 3 photos', 'Canon EOS R5: 1 photo']);
    // Indexing found another camera meanwhile.
    cameras = [...cameras, { name: 'FUJIFILM X100V', photos: 1 }];
    await toggle.click();
    await toggle.click();
    await expect.poll(offered, { timeout: 5000 }).toEqual(['Apple iPhone 12: 3 photos', 'Canon EOS R5: 1 photo', 'FUJIFILM X100V: 1 photo']);
    // A camera chosen is typed in the field, as any words are.
    await camera.fill('Canon EOS R5');
    await expect.poll(() => page.evaluate(() => location.hash), { timeout: 5000 }).toBe('#/library?camera=Canon+EOS+R5');
  });

  it('lists the tags photos have in the Tag filter by name, as the Tags page sorts them, whatever order the engine gives', async () => {
    const fake = libraryFake();
    const tag = (name: string, photos: number) => ({ name, enabled: true, inVocabulary: true, photos, confirmed: 0, rejected: 0, samples: [] });
    fake.overrides['tags.list'] = () => ({ ok: true, value: [tag('river', 4), tag('desert', 1), tag('rainbow', 9), tag('Fireworks', 2), tag('tag 10', 1), tag('tag 2', 1), tag('snow', 0)] });
    const { page } = await pages.open(fake, { hash: '#/library' });
    await page.getByRole('button', { name: /^Filters/ }).click();
    const tags = page.getByRole('group', { name: 'Filters' }).getByLabel('Tag');
    // In the person's locale (capitals among the rest) and numeric ("tag 2" before "tag 10"); a tag no photo has is not offered.
    await expect.poll(() => tags.locator('option').allTextContents(), { timeout: 5000 }).toEqual(['Any tag', 'desert', 'Fireworks', 'rainbow', 'river', 'tag 2', 'tag 10']);
  });

  it('searches for words typed just before leaving the library once it shows again', async () => {
    const fake = libraryFake();
    const hit = (id: number) => ({ id, name: `p${id}.jpg`, folderId: 1, takenAt: Date.UTC(2024, 0, id), width: 400, height: 300, format: 'jpeg', score: 0.9 });
    fake.overrides['search.query'] = ({ query }: { query: string }) =>
      query.trim() === '' ? { ok: false, error: { code: 'bad-input', message: 'Type something to search for.' } } : { ok: true, value: { results: [hit(1), hit(2)], total: 2, belowCutoff: 0, offset: 0, model: 'm', method: 'index', counted: true } };
    const { page } = await pages.open(fake, { hash: '#/library' });
    await page.getByRole('searchbox', { name: 'Search photos' }).fill('dog');
    await page.keyboard.press('Control+,');
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await page.waitForTimeout(400);
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: '2 photos match “dog”' }).waitFor();
    expect(fake.callsOf('search.query').map((call) => call.query)).toEqual(['dog']);
  });

  it('marks the results kept under a query that cannot run as the last query’s once typing rests on it (Note [Queries being typed])', async () => {
    const fake = libraryFake();
    const hit = (id: number) => ({ id, name: `p${id}.jpg`, folderId: 1, takenAt: Date.UTC(2024, 0, id), width: 400, height: 300, format: 'jpeg', score: 0.9 });
    fake.overrides['search.query'] = ({ query }: { query: string }) =>
      query.trim().startsWith('-')
        ? { ok: false, error: { code: 'bad-input', message: `The query “${query}” only subtracts; add something to look for.` } }
        : { ok: true, value: { results: [hit(1), hit(2)], total: 2, belowCutoff: 0, offset: 0, model: 'm', method: 'index', counted: true } };
    const { page } = await pages.open(fake, { hash: '#/library' });
    const box = page.getByRole('searchbox', { name: 'Search photos' });
    const results = page.getByRole('listbox', { name: 'Search results' });
    /** How opaque the results are drawn, all their containers together. */
    const opacity = () => results.evaluate((list) => {
      let shown = 1;
      for (let element: Element | null = list; element; element = element.parentElement) shown *= Number(getComputedStyle(element).opacity);
      return shown;
    });
    await box.fill('beach');
    await page.getByRole('heading', { level: 1, name: '2 photos match “beach”' }).waitFor();
    expect(await opacity()).toBe(1);

    await box.fill('- beach');
    await expect.poll(() => fake.callsOf('search.query').length, { timeout: 5000 }).toBe(2);
    // While it may still be being typed, nothing changes.
    await page.waitForTimeout(300);
    expect(await page.getByRole('heading', { level: 1, name: '2 photos match “beach”' }).count()).toBe(1);
    expect(await opacity()).toBe(1);
    // Typing rests on it: the reason shows, the heading names the query the results answer, and they are dimmed.
    await page.getByRole('alert').filter({ hasText: 'The query “- beach” only subtracts' }).waitFor({ timeout: 3000 });
    await page.getByRole('heading', { level: 1, name: 'Showing results for “beach”' }).waitFor();
    await expect.poll(opacity, { timeout: 5000 }).toBeLessThan(0.7);
    expect(await results.getByRole('option').count()).toBe(2);

    await box.fill('beach - people');
    await page.getByRole('heading', { level: 1, name: '2 photos match “beach - people”' }).waitFor();
    await page.getByRole('alert').waitFor({ state: 'detached' });
    await expect.poll(opacity, { timeout: 5000 }).toBe(1);
  });
});

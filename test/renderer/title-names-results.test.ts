/**
 * The window's title names what the library shows, as its heading does, built for real and driven
 * in Chromium against a fake engine: a query the engine refuses keeps the last results, and their
 * query, in the title too (Note [Queries being typed] in state/search.svelte.ts).
 */
import { describe, expect, it } from 'vitest';
import { appPages, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());

describe('the window’s title over search results', () => {
  it('names the query the results shown answer, not a refused one typed since', async () => {
    const fake = libraryFake();
    const hit = (id: number) => ({ id, name: `p${id}.jpg`, folderId: 1, takenAt: Date.UTC(2024, 0, id), width: 400, height: 300, format: 'jpeg', score: 0.9 });
    // The engine's refusal of a query of nothing but empty quotes (main/search/query.ts).
    fake.overrides['search.query'] = ({ query }: { query: string }) =>
      query.replace(/["“”]/g, '').trim() === '' ? { ok: false, error: { code: 'bad-input', message: 'Type something to search for.' } } : { ok: true, value: { results: [hit(1), hit(2)], total: 2, belowCutoff: 0, offset: 0, model: 'm', method: 'index', counted: true } };
    const { page } = await pages.open(fake, { hash: '#/library' });
    const box = page.getByRole('searchbox', { name: 'Search photos' });
    await box.fill('"SALE"');
    await box.press('Enter');
    await page.getByRole('heading', { level: 1, name: /“SALE”/ }).waitFor();
    await expect.poll(() => page.title()).toBe('“SALE” — Lumen');

    await box.fill('""');
    await box.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'Type something to search for.' }).waitFor();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toMatch(/“SALE”/);
    await page.waitForTimeout(300);
    expect(await page.title()).toBe('“SALE” — Lumen');
  });
});

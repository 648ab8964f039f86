/**
 * What the renderer asks for at launch and when searching, built for real and driven in Chromium
 * against a fake engine: the photos show before the status (which loads the model) answers, the
 * timeline is asked for once (its first screen first in a large library), and a search asks for
 * the search alone.
 */
import { expect, it } from 'vitest';
import type { CallOutcome, CallParams, LibraryTimeline, SearchPageInfo } from '../../preload/contract.js';
import { FAKE_MODEL, libraryFake as sharedLibraryFake, openApp, rendererInChromium, type FakeLumen } from './harness.js';

const MODEL = FAKE_MODEL;

const found: SearchPageInfo = {
  results: [{ id: 2, name: 'b.jpg', folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 400, height: 400, format: 'jpeg', version: 2, score: 0.31 }],
  total: 1,
  belowCutoff: 0,
  offset: 0,
  model: MODEL,
  method: 'index',
  counted: true,
};

function libraryFake(): FakeLumen {
  const fake = sharedLibraryFake();
  fake.overrides['search.query'] = () => ({ ok: true, value: structuredClone(found) });
  return fake;
}

const renderer = rendererInChromium();

it('shows the photos before the status answers, asks for the timeline once, and a search asks for nothing else', async () => {
  const fake = libraryFake();
  let answerStatus: (outcome: CallOutcome<'app.status'>) => void = () => {};
  fake.overrides['app.status'] = () => new Promise((resolve) => (answerStatus = resolve));
  const app = await openApp(renderer.browser, renderer.origin, fake);
  try {
    const photos = app.page.getByRole('listbox', { name: 'Photos' }).getByRole('option');
    await expect.poll(() => photos.count(), { timeout: 5000, interval: 25 }).toBe(3);
    expect(fake.callsOf('app.status')).toHaveLength(1);
    answerStatus({ ok: true, value: structuredClone(fake.status) });
    await app.page.getByRole('heading', { name: /Library/ }).waitFor();

    const before = fake.calls.length;
    await app.page.getByRole('searchbox', { name: 'Search photos' }).fill('a dog');
    await app.page.getByRole('heading', { name: '1 photo matches “a dog”' }).waitFor();
    expect(fake.calls.slice(before).map((call) => call.name)).toEqual(['search.query']);
    expect(fake.callsOf('photos.timeline')).toHaveLength(1);
  } finally {
    await app.close();
  }
});

it('shows a typed query’s page before its count, then asks for the count under the same query', async () => {
  const fake = libraryFake();
  let answerCount: (outcome: CallOutcome<'search.count'>) => void = () => {};
  fake.overrides['search.query'] = () => ({ ok: true, value: { ...structuredClone(found), total: 1, counted: false } });
  fake.overrides['search.count'] = () => new Promise((resolve) => (answerCount = resolve));
  const app = await openApp(renderer.browser, renderer.origin, fake);
  try {
    await app.page.getByRole('heading', { name: /Library/ }).waitFor();
    await app.page.getByRole('searchbox', { name: 'Search photos' }).fill('a dog');
    await app.page.getByRole('heading', { name: 'Photos matching “a dog”' }).waitFor();
    await app.page.getByRole('listbox', { name: 'Search results' }).getByRole('option', { name: /^b\.jpg/ }).waitFor();
    await expect.poll(() => fake.callsOf('search.count').length, { timeout: 2000, interval: 25 }).toBe(1);
    const [asked] = fake.callsOf('search.query');
    expect(fake.callsOf('search.count')[0]).toEqual({ query: 'a dog', options: { ...asked?.options, count: true } });
    expect(asked?.options?.count).toBe(false);
    answerCount({ ok: true, value: { total: 1, belowCutoff: 3 } });
    await app.page.getByRole('heading', { name: '1 photo matches “a dog”' }).waitFor();
  } finally {
    await app.close();
  }
});

/** A fake library of 1,200 photos, larger than the first screen, answering `first` as the engine does. */
function largeLibraryFake(): FakeLumen {
  const fake = libraryFake();
  const total = 1200;
  const day = 24 * 3600 * 1000;
  const ids = Array.from({ length: total }, (_, i) => total - i);
  fake.overrides['photos.timeline'] = (params: CallParams<'photos.timeline'>) => {
    const shown = ids.slice(0, params.first ?? total);
    const value: LibraryTimeline = { total, ids: shown, ratios: shown.map(() => 1.5), takenAt: shown.map((id) => Date.UTC(2020, 0, 1) + id * day), names: shown.map((id) => `IMG_${id}.jpg`), folderIds: shown.map(() => 1), versions: shown };
    return { ok: true, value };
  };
  return fake;
}

it('shows the first screen of a large library at once, counting every photo, and the rest when the grid reaches its end', async () => {
  const fake = largeLibraryFake();
  const app = await openApp(renderer.browser, renderer.origin, fake);
  try {
    const photos = app.page.getByRole('listbox', { name: 'Photos' }).getByRole('option');
    await photos.first().waitFor();
    expect(await photos.first().getAttribute('aria-label')).toMatch(/^IMG_1200\.jpg/);
    await app.page.getByRole('heading', { name: /Library 1,200 photos/ }).waitFor();
    const asked = fake.callsOf('photos.timeline');
    expect(asked).toHaveLength(1);
    expect(asked[0]?.first).toBeLessThan(1200);

    // The end of the first screen asks for the rest, and the end of the library comes into reach.
    await photos.first().focus();
    await app.page.keyboard.press('End');
    await expect.poll(() => fake.callsOf('photos.timeline').length, { timeout: 2000, interval: 25 }).toBe(2);
    expect(fake.callsOf('photos.timeline')[1]?.first).toBeUndefined();
    await photos.first().focus();
    await app.page.keyboard.press('End');
    await expect.poll(async () => photos.last().getAttribute('aria-label'), { timeout: 5000 }).toMatch(/^IMG_1\.jpg/);
  } finally {
    await app.close();
  }
});

it('asks for the rest at once when the oldest photos come first', async () => {
  const fake = largeLibraryFake();
  const app = await openApp(renderer.browser, renderer.origin, fake);
  try {
    const photos = app.page.getByRole('listbox', { name: 'Photos' }).getByRole('option');
    await photos.first().waitFor();
    await app.page.getByRole('combobox', { name: 'Sort' }).selectOption('oldest');
    await expect.poll(() => fake.callsOf('photos.timeline').length, { timeout: 2000, interval: 25 }).toBe(2);
    await expect.poll(async () => photos.first().getAttribute('aria-label'), { timeout: 5000 }).toMatch(/^IMG_1\.jpg/);
  } finally {
    await app.close();
  }
});

/**
 * Search results of 320 photos whose ranking depends on how deep the page asks, as the engine's
 * re-ranking does (Note [Pages may overlap] in renderer/src/lib/result-pages.ts): asked deeper
 * than the first page, photo 250 rises to the 50th place and pushes the others down one.
 */
function shiftingResultsFake(): FakeLumen {
  const fake = libraryFake();
  const total = 320;
  const shallow = Array.from({ length: total }, (_, i) => i + 1);
  const deep = [...shallow.slice(0, 49), 250, ...shallow.slice(49).filter((id) => id !== 250)];
  fake.overrides['search.query'] = (params: CallParams<'search.query'>) => {
    const { offset = 0, limit = 50 } = params.options ?? {};
    const ranking = offset + limit > 100 ? deep : shallow;
    const results = ranking.slice(offset, offset + limit).map((id) => ({ id, name: `IMG_${id}.jpg`, folderId: 1, takenAt: Date.UTC(2024, 0, 1), width: 400, height: 300, format: 'jpeg' as const, score: 0.3 }));
    return { ok: true, value: { ...structuredClone(found), results, total, offset, counted: true } };
  };
  return fake;
}

it('shows every result once as more load, though a deeper page ranks them a little otherwise', async () => {
  const fake = shiftingResultsFake();
  const app = await openApp(renderer.browser, renderer.origin, fake);
  try {
    await app.page.getByRole('heading', { name: /Library/ }).waitFor();
    await app.page.getByRole('searchbox', { name: 'Search photos' }).fill('flowers');
    const results = app.page.getByRole('listbox', { name: 'Search results' }).getByRole('option');
    await results.first().waitFor();
    // Scrolled to the end, page after page (End loads every page at once).
    for (let i = 0; i < 4; i++) {
      await app.page.getByRole('listbox', { name: 'Search results' }).evaluate((grid) => {
        const scroller = grid.parentElement as HTMLElement;
        scroller.scrollTop = scroller.scrollHeight;
        scroller.dispatchEvent(new Event('scroll'));
      });
      await app.page.waitForTimeout(150);
    }
    await expect.poll(async () => results.first().getAttribute('aria-setsize'), { timeout: 5000 }).toBe('320');
    await expect.poll(async () => results.last().getAttribute('aria-label'), { timeout: 5000 }).toMatch(/^IMG_320\.jpg/);
    expect(fake.callsOf('search.query').map((call) => [call.options?.offset, call.options?.limit])).toEqual([
      [0, 100],
      [0, 300],
      [200, 300],
    ]);
  } finally {
    await app.close();
  }
});

it('keeps the results on screen while a query is being typed through an operator, and says why only once typing rests there (Note [Queries being typed])', async () => {
  const fake = libraryFake();
  fake.overrides['search.query'] = (({ query }: CallParams<'search.query'>) =>
    /[+-]$/.test(query) ? { ok: false, error: { code: 'bad-input', message: `The query “${query}” ends with an operator; add a term after it.` } } : { ok: true, value: structuredClone(found) }) as never;
  const app = await openApp(renderer.browser, renderer.origin, fake);
  try {
    const { page } = app;
    const box = page.getByRole('searchbox', { name: 'Search photos' });
    const alert = page.getByRole('alert');
    // Over the library, a refused query keeps its photos, and says why once typing rests there.
    await box.fill('dog -');
    await alert.filter({ hasText: 'The query “dog -” ends with an operator; add a term after it.' }).waitFor({ timeout: 3000 });
    expect(await page.getByRole('heading', { name: /^Library/ }).count()).toBe(1);

    await box.fill('a dog');
    await page.getByRole('heading', { name: '1 photo matches “a dog”' }).waitFor();
    expect(await alert.count()).toBe(0);
    const asked = fake.callsOf('search.query').length;
    await box.fill('a dog +');
    await expect.poll(() => fake.callsOf('search.query').length, { timeout: 2000, interval: 25 }).toBe(asked + 1);
    // Answered, refused: the results and their heading stay, and no error flashes up meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await alert.count()).toBe(0);
    expect(await page.getByRole('heading', { name: '1 photo matches “a dog”' }).count()).toBe(1);
    expect(await page.getByRole('listbox', { name: /results/i }).getByRole('option').count()).toBe(1);
    // Typing rests on it: now it says why, the last results still shown.
    await alert.filter({ hasText: 'The query “a dog +” ends with an operator; add a term after it.' }).waitFor({ timeout: 3000 });
    await box.fill('a dog + cat');
    await alert.waitFor({ state: 'detached' });
  } finally {
    await app.close();
  }
});

it('makes a new search a step Back undoes, and its keystrokes none', async () => {
  const fake = libraryFake();
  const app = await openApp(renderer.browser, renderer.origin, fake);
  try {
    const { page } = app;
    await page.getByRole('heading', { name: /^Library/ }).waitFor();
    const box = page.getByRole('searchbox', { name: 'Search photos' });
    await box.pressSequentially('a dog', { delay: 20 });
    await page.getByRole('heading', { name: '1 photo matches “a dog”' }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { name: /^Library/ }).waitFor();
    expect(await box.inputValue()).toBe('');
  } finally {
    await app.close();
  }
});

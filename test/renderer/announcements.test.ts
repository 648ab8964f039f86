/**
 * What a screen reader is told, built for real and driven in Chromium against a fake engine: a
 * recorder in the page keeps the text of every live region each time it changes. Work in progress
 * and search as you type change several times a second; what is said is their start, their pauses
 * and their end, and a search's count once typing pauses, each once.
 */
import { describe, expect, it } from 'vitest';
import type { CallOutcome, CallParams, DuplicatesInfo, SearchHitInfo } from '../../preload/contract.js';
import { FAKE_MODEL, FAKE_TIMELINE, appPages, contrastOf, jobEvent as job, libraryFake, rendererInChromium, type AppPage, type FakeLumen } from './harness.js';
import { REST_MS, heardWhen, listen, recordKeys, saidWhileTyping } from './listening.js';

const MODEL = FAKE_MODEL;
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });

const pages = appPages(rendererInChromium());

async function open(fake: FakeLumen, hash = ''): Promise<AppPage & { heard: () => Promise<string[]> }> {
  const opened = await pages.open(fake, { hash });
  await opened.page.getByRole('heading', { level: 1 }).first().waitFor();
  return { ...opened, heard: await listen(opened.page) };
}

describe('work in progress', () => {
  it('says that indexing started and how it ended, once each, and none of the figures in between', async () => {
    const { page, emit, heard } = await open(libraryFake());
    const progress = (processed: number, failed = 0) => ({ phase: 'indexing' as const, found: 41, processed, toProcess: 41, embedded: processed - failed, failed, indexed: processed - failed, removed: 0, imagesPerSecond: 7.4, etaSeconds: 4 });
    await emit(job({ id: 'index-1', kind: 'index', state: 'running', progress: progress(0) }));
    await poll(heard).toEqual(['Indexing started.']);

    for (let done = 1; done <= 20; done++) await emit(job({ id: 'index-1', kind: 'index', state: 'running', progress: progress(done) }));
    const row = page.getByRole('status', { name: 'Indexing' });
    await poll(() => row.getByRole('progressbar', { name: 'Indexing progress' }).getAttribute('value')).toBe('20');
    await poll(async () => (await row.textContent())?.replace(/\s+/g, ' ').trim()).toBe('Indexing 20 of 41 files · 7.4 files/s · about 4 s left Pause Cancel');
    expect(await heard()).toEqual(['Indexing started.']);

    // Chromium agrees that the row, which keeps its role to be found under the job's name, is no live region.
    const cdp = await page.context().newCDPSession(page);
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const status = nodes.find((node) => node.role?.value === 'status' && node.name?.value === 'Indexing');
    expect(status).toBeDefined();
    expect(status?.properties?.filter((property) => property.name === 'live')).toEqual([]);

    await emit(job({ id: 'index-1', kind: 'index', state: 'done', progress: progress(41, 2) }));
    await poll(heard).toEqual(['Indexing started.', 'Indexing finished. 2 files could not be indexed.']);
    await row.getByText('2 files could not be indexed.').waitFor();
  });

  it('says nothing of work that ended before the window opened', async () => {
    const fake = libraryFake();
    fake.status.jobs = [{ id: 'index-0', kind: 'index', subject: null, state: 'done', error: null, background: false, progress: null }];
    const { page, emit, heard } = await open(fake);
    await page.getByRole('status', { name: 'Indexing', includeHidden: true }).waitFor({ state: 'attached' });
    // Said before the recorder started, it would be in the region still.
    expect(await page.locator('p.sr-only[aria-live="polite"]').textContent()).toBe('');
    await emit(job({ id: 'tag-1', kind: 'tag', state: 'running' }));
    await poll(heard).toEqual(['Tagging started.']);
  });

  it('says a pause, a resume, a cancel and a failure with its reason', async () => {
    const fake = libraryFake();
    const { page, emit, heard } = await open(fake);
    const tagging = { id: 'tag-1', kind: 'tag' as const };
    const progress = (done: number) => ({ phase: 'scoring' as const, done, total: 10, perSecond: 2, etaSeconds: 5 });
    // Its tags are put into words first, then the photos scored: each counted by its own name.
    await emit(job({ ...tagging, state: 'running', progress: { phase: 'embedding-tags', done: 8, total: 105, perSecond: 40, etaSeconds: 3 } }));
    await poll(async () => (await page.getByRole('status', { name: 'Tagging' }).textContent())?.replace(/\s+/g, ' ').trim()).toBe('Tagging preparing tags: 8 of 105 tags · about 3 s left Pause Cancel');
    await emit(job({ ...tagging, state: 'running', progress: progress(1) }));
    await poll(heard).toEqual(['Tagging started.']);
    fake.overrides['jobs.pause'] = () => ({ ok: true, value: { ...tagging, subject: null, error: null, background: false, state: 'paused', progress: progress(2) } });
    await page.getByRole('status', { name: 'Tagging' }).getByRole('button', { name: 'Pause' }).click();
    await poll(heard).toEqual(['Tagging started.', 'Tagging paused.']);
    // Paused, the row keeps where the work is, without a time left that nothing is counting down.
    await poll(async () => (await page.getByRole('status', { name: 'Tagging' }).textContent())?.replace(/\s+/g, ' ').trim()).toBe('Tagging (paused) 2 of 10 photos Resume Cancel');
    await emit(job({ ...tagging, state: 'running', progress: progress(3) }));
    await emit(job({ ...tagging, state: 'running', progress: progress(4) }));
    await emit(job({ ...tagging, state: 'cancelled', progress: progress(4) }));
    await poll(heard).toEqual(['Tagging started.', 'Tagging paused.', 'Tagging resumed.', 'Tagging cancelled.']);

    const reading = { id: 'ocr-1', kind: 'ocr' as const };
    const ocr = (done: number) => ({ total: 41, done, read: done, withText: 0, skipped: 0, failed: 0, perSecond: 7.4, etaSeconds: 4 });
    await emit(job({ ...reading, state: 'running', progress: ocr(1) }));
    await emit(job({ ...reading, state: 'running', progress: ocr(8) }));
    await emit(job({ ...reading, state: 'failed', progress: ocr(8), error: 'The text model is missing: download it again.' }));
    await poll(heard).toEqual([
      'Tagging started.',
      'Tagging paused.',
      'Tagging resumed.',
      'Tagging cancelled.',
      'Reading text in photos started.',
      'Reading text in photos stopped: The text model is missing: download it again.',
    ]);
  });

  it('says nothing of the comings and goings of work the app started by itself, only what went wrong in it', async () => {
    const { page, emit, heard } = await open(libraryFake());
    const progress = (processed: number, failed = 0) => ({ phase: 'indexing' as const, found: 2, processed, toProcess: 2, embedded: processed - failed, failed, indexed: processed - failed, removed: 0, imagesPerSecond: 3, etaSeconds: 1 });
    // The folder watcher's run after a photo synced, and the tagging and text reading after it.
    await emit(job({ id: 'index-2', kind: 'index', background: true, state: 'running', progress: progress(0) }));
    await emit(job({ id: 'index-2', kind: 'index', background: true, state: 'done', progress: progress(2) }));
    for (const [id, kind] of [['tag-2', 'tag'], ['ocr-2', 'ocr']] as const) {
      await emit(job({ id, kind, background: true, state: 'running' }));
      await emit(job({ id, kind, background: true, state: 'done' }));
    }
    await page.getByRole('status', { name: 'Indexing', includeHidden: true }).waitFor({ state: 'attached' });
    await page.waitForTimeout(300);
    expect(await heard()).toEqual([]);

    await emit(job({ id: 'index-3', kind: 'index', background: true, state: 'running', progress: progress(0) }));
    await emit(job({ id: 'index-3', kind: 'index', background: true, state: 'done', progress: progress(2, 1) }));
    await poll(heard).toEqual(['Indexing finished. 1 file could not be indexed.']);
    await emit(job({ id: 'ocr-3', kind: 'ocr', background: true, state: 'running' }));
    await emit(job({ id: 'ocr-3', kind: 'ocr', background: true, state: 'failed', error: 'The text model is missing: download it again.' }));
    await poll(heard).toEqual(['Indexing finished. 1 file could not be indexed.', 'Reading text in photos stopped: The text model is missing: download it again.']);
    // What the person asks for is said as ever.
    await emit(job({ id: 'tag-3', kind: 'tag', state: 'running' }));
    await poll(heard).toEqual(['Indexing finished. 1 file could not be indexed.', 'Reading text in photos stopped: The text model is missing: download it again.', 'Tagging started.']);
  });

  it('says nothing when a job ends as it is paused, and a refusal lasts until the job’s next news', async () => {
    const fake = libraryFake();
    const { page, emit } = await open(fake);
    const tagging = { id: 'tag-1', kind: 'tag' as const };
    const progress = { phase: 'scoring' as const, done: 1, total: 10, perSecond: 2, etaSeconds: 5 };
    await emit(job({ ...tagging, state: 'running', progress }));
    const pause = page.getByRole('status', { name: 'Tagging' }).getByRole('button', { name: 'Pause' });
    fake.overrides['jobs.pause'] = () => ({ ok: false, error: { code: 'not-found', message: 'No job tag-1 is running (it may have finished).' } });
    await pause.click();
    await poll(() => fake.callsOf('jobs.pause').length).toBe(1);
    await page.waitForTimeout(100);
    expect(await page.getByRole('alert').count()).toBe(0);

    fake.overrides['jobs.pause'] = () => ({ ok: false, error: { code: 'busy', message: 'The library is busy; try again.' } });
    await pause.click();
    await page.getByRole('alert').filter({ hasText: 'The library is busy; try again.' }).waitFor();
    await emit(job({ ...tagging, state: 'done', progress: { ...progress, done: 10 } }));
    await page.getByRole('alert').filter({ hasText: 'The library is busy' }).waitFor({ state: 'detached' });
  });

  it('the Duplicates screen says that it looks for copies and what it found, and none of its progress', async () => {
    const fake = libraryFake();
    let answer: (outcome: CallOutcome<'duplicates.find'>) => void = () => {};
    fake.overrides['duplicates.find'] = () => new Promise((resolve) => (answer = resolve));
    const { page, emit, heard } = await open(fake, '#/duplicates');
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await poll(heard).toEqual(['Finding duplicates…']);

    const finding = { id: 'duplicates-1', kind: 'duplicates' as const };
    await emit(job({ ...finding, state: 'running', progress: { phase: 'calibrating', done: 0, total: 20 } }));
    for (let done = 1; done <= 20; done++) await emit(job({ ...finding, state: 'running', progress: { phase: 'searching', done, total: 20 } }));
    await poll(() => page.getByRole('progressbar', { name: 'Finding duplicates progress' }).getAttribute('value')).toBe('20');
    await emit(job({ ...finding, state: 'done', progress: { phase: 'choosing', done: 20, total: 20 } }));
    await page.getByRole('group', { name: 'Finding duplicates' }).getByRole('button', { name: 'Cancel' }).waitFor({ state: 'detached' });
    expect(await heard()).toEqual(['Finding duplicates…']);
    // Until the answer comes, the last step seen stays on screen: it does not go back to "Starting…".
    expect(await page.getByRole('group', { name: 'Finding duplicates' }).locator('span').first().textContent()).toBe('Comparing photos…');

    const photo = (id: number) => ({ id, name: `IMG_${id}.jpg`, path: `/home/ada/Pictures/IMG_${id}.jpg`, width: 400, height: 300, size: 1000, capturedAt: null, camera: null, hasLocation: false, links: [] });
    const found: DuplicatesInfo = { model: MODEL, threshold: 1, images: 20, groups: [{ keep: 1, reason: 'the largest', similarity: null, photos: [photo(1), photo(2)] }] };
    answer({ ok: true, value: found });
    await poll(heard).toEqual(['Finding duplicates…', 'Finding duplicates finished: 1 group of copies.']);
    // Each group's heading sits under the heading of them all.
    await page.getByRole('heading', { level: 2, name: '1 group of copies' }).waitFor();
    await page.getByRole('heading', { level: 3, name: '2 copies of IMG_1.jpg' }).waitFor();

    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await poll(heard).toHaveLength(3);
    // A new search starts from its start, not from the last one's last step.
    expect(await page.getByRole('group', { name: 'Finding duplicates' }).locator('span').first().textContent()).toBe('Starting…');
    answer({ ok: false, error: { code: 'cancelled', message: 'Cancelled.' } });
    await poll(heard).toEqual(['Finding duplicates…', 'Finding duplicates finished: 1 group of copies.', 'Finding duplicates…', 'Finding duplicates cancelled.']);
  });
});

describe('search as you type', () => {
  /** Answers a page without its count, as for typing (Note [Page before count]), and the count when asked: none for queries of z. */
  function searchFake(): FakeLumen {
    const fake = libraryFake();
    const hits = (query: string): SearchHitInfo[] =>
      Array.from({ length: query.replace(/^["“„]/, '').startsWith('z') ? 0 : 12 }, (_, i) => ({ id: i + 1, name: `IMG_${i + 1}.jpg`, folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 400, height: 300, format: 'jpeg', version: i + 1, score: 0.31 }));
    fake.overrides['search.query'] = (params: CallParams<'search.query'>) => {
      const results = hits(params.query);
      return { ok: true, value: { results, total: results.length, belowCutoff: 0, offset: params.options?.offset ?? 0, model: MODEL, method: 'index', counted: false } };
    };
    fake.overrides['search.count'] = (params: CallParams<'search.count'>) => ({ ok: true, value: { total: hits(params.query).length, belowCutoff: 0 } });
    return fake;
  }

  it('says the count once typing pauses, not at each keystroke; no results likewise', async () => {
    const fake = searchFake();
    const { page, heard } = await open(fake);
    const box = page.getByRole('searchbox', { name: 'Search photos' });
    // Slower than the typing pause (150 ms), faster than the count's (a second): a search per key.
    await box.pressSequentially('sunset over the lake', { delay: 250, timeout: 15_000 });
    await page.getByRole('heading', { level: 1, name: '12 photos match “sunset over the lake”' }).waitFor();
    expect(fake.callsOf('search.query').length).toBeGreaterThan(10);
    expect(fake.callsOf('search.count')).toHaveLength(1);
    await poll(heard).toEqual(['12 photos match “sunset over the lake”']);

    await box.fill('');
    await page.getByRole('heading', { level: 1, name: /^Library/ }).waitFor();
    await box.pressSequentially('zzyzx', { delay: 250, timeout: 15_000 });
    await page.getByRole('heading', { level: 1, name: 'No photos match “zzyzx”' }).waitFor();
    await poll(heard).toEqual(['12 photos match “sunset over the lake”', 'No photos match “zzyzx”']);

    // Quoted words search only the text read in photos (Note [Quoted text] in main/search/query.ts):
    // the headings and what is said say so, with one pair of quotes, and the hint speaks of reading.
    await box.fill('"zona"');
    await page.getByRole('heading', { level: 1, name: 'No photos contain the text “zona”' }).waitFor();
    // Said once: no second heading under it repeats it.
    expect(await page.getByRole('heading', { name: 'No photos contain the text “zona”' }).count()).toBe(1);
    await page.getByText(/^No photo read so far shows these words\./).waitFor();
    await poll(heard).toEqual(['12 photos match “sunset over the lake”', 'No photos match “zzyzx”', 'No photos contain the text “zona”']);
    await box.fill('"sun"');
    await page.getByRole('heading', { level: 1, name: 'Photos containing the text “sun”' }).waitFor();
    await page.getByRole('heading', { level: 1, name: '12 photos contain the text “sun”' }).waitFor();
    await poll(heard).toEqual(['12 photos match “sunset over the lake”', 'No photos match “zzyzx”', 'No photos contain the text “zona”', '12 photos contain the text “sun”']);
    // Typographic quotes alike.
    await box.fill('„zinc“');
    await page.getByRole('heading', { level: 1, name: 'No photos contain the text “zinc”' }).waitFor();
  });

  it('says the search was cleared when Escape gives it up, from its results or from the box', async () => {
    const { page, heard } = await open(searchFake(), '#/library?q=sunset');
    await page.getByRole('heading', { level: 1, name: '12 photos match “sunset”' }).waitFor();
    await page.getByRole('listbox', { name: 'Search results' }).getByRole('option').first().focus();
    await page.keyboard.press('Escape');
    await page.getByRole('listbox', { name: 'Photos' }).waitFor();
    await poll(heard).toEqual(['12 photos match “sunset”', 'Search cleared.']);
    const box = page.getByRole('searchbox', { name: 'Search photos' });
    await box.fill('lake');
    await page.getByRole('heading', { level: 1, name: '12 photos match “lake”' }).waitFor();
    await poll(heard).toEqual(['12 photos match “sunset”', 'Search cleared.', '12 photos match “lake”']);
    await box.press('Escape');
    await page.getByRole('listbox', { name: 'Photos' }).waitFor();
    await poll(heard).toEqual(['12 photos match “sunset”', 'Search cleared.', '12 photos match “lake”', 'Search cleared.']);
  });

  /** Answers every page counted, as the engine does where the pool holds every match (a small library), each query with its own count. */
  function countedFake(): FakeLumen {
    const fake = libraryFake();
    const refused = (query: string) => /^-|[+-]$/.test(query.trim());
    fake.overrides['search.query'] = (params: CallParams<'search.query'>) => {
      if (refused(params.query)) return { ok: false, error: { code: 'bad-input', message: `The query “${params.query}” ends with an operator; add a term after it.` } };
      const total = 40 - params.query.trim().length;
      const results = Array.from({ length: 12 }, (_, i) => ({ id: i + 1, name: `IMG_${i + 1}.jpg`, folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 400, height: 300, format: 'jpeg' as const, version: i + 1, score: 0.31 }));
      return { ok: true, value: { results, total, belowCutoff: 0, offset: 0, model: MODEL, method: 'index', counted: true } };
    };
    return fake;
  }

  it('says a typed query’s count once typing rests, even when each page comes counted, and at once on Enter', async () => {
    const fake = countedFake();
    const { page, heard } = await open(fake);
    const box = page.getByRole('searchbox', { name: 'Search photos' });
    // When each key went down and each thing was said, in the page's time: a busy machine may hold
    // a key back past the rest (1 s), and the count of what was typed so far is then due.
    const keys = await recordKeys(page);
    // An ordinary typing speed: slower than the typing pause (150 ms), so a search per key.
    const typed = 'dog on the beach at sunset';
    await box.pressSequentially(typed, { delay: 200, timeout: 15_000 });
    await page.getByRole('heading', { level: 1, name: '14 photos match “dog on the beach at sunset”' }).waitFor();
    expect(fake.callsOf('search.query').length).toBeGreaterThan(10);
    await poll(async () => (await heard()).at(-1)).toBe('14 photos match “dog on the beach at sunset”');
    await page.waitForTimeout(500);
    const said = await heardWhen(page);
    expect(saidWhileTyping(said, await keys())).toEqual([]);
    for (const { text } of said) expect(typed.startsWith(/^\d+ photos match “(.+)”$/.exec(text)?.[1] ?? '-'), text).toBe(true);

    await box.fill('');
    await page.getByRole('heading', { level: 1, name: /^Library/ }).waitFor();
    const cleared = (await keys()).length;
    await box.pressSequentially('cat', { delay: 200 });
    await box.press('Enter');
    const cat = '37 photos match “cat”';
    await poll(async () => (await heard()).at(-1)).toBe(cat);
    const typedCat = (await keys()).slice(cleared);
    const enter = typedCat.at(-1)?.at ?? NaN;
    const catSaid = (await heardWhen(page)).slice(said.length);
    expect(saidWhileTyping(catSaid.filter((each) => each.at < enter), typedCat)).toEqual([]);
    expect(catSaid.filter((each) => each.text === cat)).toHaveLength(1);
    const saidAt = catSaid.find((each) => each.text === cat)?.at ?? NaN;
    // Said sooner than typing would rest (1 s after the last key; Enter is one too), unless a key
    // held back let typing rest on “cat” before Enter, and the count was said then.
    if (saidAt < enter) expect(enter - (typedCat.at(-2)?.at ?? NaN)).toBeGreaterThanOrEqual(REST_MS);
    else expect(saidAt - enter).toBeLessThan(700);
  });

  it('does not say the count of results kept on screen under a query that cannot run', async () => {
    const fake = countedFake();
    const { page } = await open(fake);
    const box = page.getByRole('searchbox', { name: 'Search photos' });
    const keys = await recordKeys(page);
    // Typed on from results to an operator, without resting on them…
    await box.pressSequentially('beach +', { delay: 150 });
    await page.getByRole('heading', { level: 1, name: '35 photos match “beach”' }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'The query “beach +” ends with an operator' }).waitFor({ timeout: 3000 });
    await page.waitForTimeout(300);
    const said = await heardWhen(page);
    expect(said.at(-1)?.text).toBe('The query “beach +” ends with an operator; add a term after it.');
    // …unless a busy machine held a key back: the count of what was typed before it is then said,
    // in that rest. Nothing is said of the results kept once the query cannot run.
    const typed = await keys();
    const operator = typed.find((key) => key.key === '+')?.at ?? NaN;
    const counts = said.slice(0, -1);
    expect(counts.filter((each) => !(each.at < operator)).map((each) => each.text)).toEqual([]);
    expect(saidWhileTyping(counts, typed)).toEqual([]);
  });

  it('does not say the count again when more results load and are counted again', async () => {
    const fake = searchFake();
    const total = 320;
    fake.overrides['search.query'] = (params: CallParams<'search.query'>) => {
      const { offset = 0, limit = 100 } = params.options ?? {};
      const results = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => ({ id: offset + i + 1, name: `IMG_${offset + i + 1}.jpg`, folderId: 1, takenAt: Date.UTC(2024, 0, 1), width: 400, height: 300, format: 'jpeg' as const, version: offset + i + 1, score: 0.3 }));
      return { ok: true, value: { results, total: offset + results.length, belowCutoff: 0, offset, model: MODEL, method: 'index', counted: false } };
    };
    fake.overrides['search.count'] = () => ({ ok: true, value: { total, belowCutoff: 0 } });
    const { page, heard } = await open(fake);
    await page.getByRole('searchbox', { name: 'Search photos' }).fill('flowers');
    await poll(heard).toEqual(['320 photos match “flowers”']);

    const results = page.getByRole('listbox', { name: 'Search results' }).getByRole('option');
    await results.first().focus();
    await page.keyboard.press('End');
    await poll(() => fake.callsOf('search.count').length).toBe(2);
    await page.getByRole('heading', { level: 1, name: '320 photos match “flowers”' }).waitFor();
    expect(await heard()).toEqual(['320 photos match “flowers”']);
  });
});

describe('filters on the library', () => {
  it('say the new count once it comes, and that the filters were cleared, but nothing when the library first shows', async () => {
    const fake = libraryFake();
    const located = { total: 1, ids: [2], ratios: [1], takenAt: [Date.UTC(2024, 5, 2)], names: ['b.jpg'], folderIds: [1], versions: [2] };
    fake.overrides['photos.timeline'] = ({ filters }: CallParams<'photos.timeline'>) => ({ ok: true, value: filters?.hasLocation ? located : structuredClone(FAKE_TIMELINE) });
    const { page, heard } = await open(fake, '#/library');
    await page.getByRole('option', { name: /^a\.jpg/ }).waitFor();
    await page.getByRole('button', { name: 'Filters' }).click();
    await page.getByRole('group', { name: 'Filters' }).getByLabel('Has location').check();
    await poll(heard).toEqual(['1 matching photo.']);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await poll(heard).toEqual(['1 matching photo.', 'Filters cleared: 3 photos.']);
  });
});

describe('a search like a photo named in the address', () => {
  it('is said once, naming the photo, even when the name comes after the results would', async () => {
    const fake = libraryFake();
    const hit: SearchHitInfo = { id: 2, name: 'b.jpg', folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 400, height: 300, format: 'jpeg', version: 2, score: 1 };
    const page = { ok: true as const, value: { results: [hit], total: 1, belowCutoff: 0, offset: 0, model: MODEL, method: 'index' as const, counted: true } };
    // Slow enough to be listened for; the name slower still.
    fake.overrides['search.query'] = () => new Promise((resolve) => setTimeout(() => resolve(page), 300));
    const details = { id: 2, name: 'b.jpg', folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 400, height: 300, format: 'jpeg', version: 2, path: '/p/b.jpg', size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] };
    fake.overrides['photos.details'] = () => new Promise((resolve) => setTimeout(() => resolve({ ok: true, value: details }), 700));
    const opened = await open(fake, '#/library?q=%232');
    await opened.page.getByRole('heading', { level: 1, name: '1 photo like “b.jpg”' }).waitFor();
    await opened.page.waitForTimeout(300);
    expect(await opened.heard()).toEqual(['1 photo like “b.jpg”']);
  });
});

describe('the window’s notices', () => {
  it('are heard where the region stood empty before (Note [Status regions stay]), and Dismiss leaves focus on the screen’s title', async () => {
    const { page } = await pages.open(libraryFake(), { hash: '#/library' });
    await page.getByRole('listbox', { name: 'Photos' }).getByRole('option').first().waitFor();
    const heard = await listen(page);
    // The region that will say it stands already, empty.
    const region = await page.locator('.notice-region[role="status"]').elementHandle();
    expect(await region?.textContent()).toBe('');
    await page.evaluate(() => {
      const data = new DataTransfer();
      data.items.add(new File(['notes'], 'notes.txt', { type: 'text/plain' }));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    const said = 'Drop a photo to search by it, or a folder to add it.';
    await expect.poll(heard).toContainEqual(expect.stringContaining(said));
    expect(await region?.textContent()).toContain(said);
    await page.getByRole('status').filter({ hasText: said }).getByRole('button', { name: 'Dismiss' }).click();
    await page.getByText(said).waitFor({ state: 'detached' });
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
  });

  it('say an error readably in either theme', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page } = await pages.open(libraryFake(), { hash: '#/library', colorScheme });
      await page.evaluate(() => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(51 * 1024 * 1024)], 'huge.jpg', { type: 'image/jpeg' }));
        window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data }));
      });
      const notice = page.getByRole('alert').filter({ hasText: 'huge.jpg is larger than 50 MB' });
      await notice.waitFor();
      expect(await contrastOf(notice.locator('span')), colorScheme).toBeGreaterThanOrEqual(4.5);
    }
  });
});

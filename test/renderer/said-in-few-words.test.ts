/**
 * What the header's job rows and a search's heading say, in words a person reads as English: a
 * scan's count in the plural it needs, a run that only takes photos out, a job cancelling that
 * offers nothing more; a search that found nothing said alike in its heading and aloud, and a long
 * query quoted short. Built for real, driven in Chromium against a fake engine.
 */
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { CallParams, IndexProgressInfo, JobInfo } from '../../preload/contract.js';
import { FAKE_MODEL, appPages, jobEvent, libraryFake, rendererInChromium } from './harness.js';
import { listen } from './listening.js';

const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });
const text = (locator: Locator) => async () => ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();

const pages = appPages(rendererInChromium());

const run = (change: Partial<IndexProgressInfo>): IndexProgressInfo => ({ phase: 'indexing', found: 0, processed: 0, toProcess: 0, embedded: 0, failed: 0, indexed: 0, removed: 0, imagesPerSecond: 0, etaSeconds: null, ...change });

describe('an index run’s row', () => {
  it('counts the files a scan found in the right plural, after a colon', async () => {
    const { page, emit } = await pages.open(libraryFake());
    const row = page.getByRole('status', { name: 'Indexing' });
    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'running', progress: run({ phase: 'scanning', found: 1 }) }));
    await poll(text(row)).toBe('Indexing: looking for photos, 1 file found Pause Cancel');
    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'running', progress: run({ phase: 'scanning', found: 1331 }) }));
    await poll(text(row)).toBe('Indexing: looking for photos, 1,331 files found Pause Cancel');
  });

  it('says a run of deletions alone updates the library, not "0 of 0 files"', async () => {
    const { page, emit } = await pages.open(libraryFake());
    const row = page.getByRole('status', { name: 'Indexing' });
    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'running', progress: run({ phase: 'finishing', found: 40, removed: 3 }) }));
    await poll(text(row)).toBe('Indexing: updating the library… Pause Cancel');
  });

  it('offers no Resume while a paused job is cancelling', async () => {
    const fake = libraryFake();
    const paused: JobInfo = { id: 'index-1', kind: 'index', subject: null, state: 'paused', progress: run({ processed: 3, toProcess: 245 }), error: null, background: false };
    fake.overrides['jobs.cancel'] = () => ({ ok: true, value: paused });
    const { page, emit } = await pages.open(fake);
    const row = page.getByRole('status', { name: 'Indexing' });
    await emit(jobEvent(paused));
    await poll(text(row)).toBe('Indexing (paused) 3 of 245 files Resume Cancel');
    await row.getByRole('button', { name: 'Cancel indexing' }).click();
    await poll(text(row)).toBe('Indexing (paused) 3 of 245 files Cancelling…');
    expect(await row.getByRole('button', { name: 'Resume indexing' }).count()).toBe(0);
  });
});

describe('a search’s heading and what is said of it', () => {
  function searchFake(total: (query: string) => number) {
    const fake = libraryFake();
    fake.overrides['search.query'] = (params: CallParams<'search.query'>) => {
      const results = Array.from({ length: total(params.query) }, (_, i) => ({ id: i + 1, name: `IMG_${i + 1}.jpg`, folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 400, height: 300, format: 'jpeg', version: 1, score: 0.3 }));
      return { ok: true, value: { results, total: results.length, belowCutoff: 0, offset: 0, model: FAKE_MODEL, method: 'index', counted: false } };
    };
    fake.overrides['search.count'] = (params: CallParams<'search.count'>) => ({ ok: true, value: { total: total(params.query), belowCutoff: 0 } });
    return fake;
  }

  it('says "No photos contain the text …" in the heading as aloud, for a quoted search with no results', async () => {
    const { page } = await pages.open(searchFake(() => 0));
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    const heard = await listen(page);
    await page.getByRole('searchbox', { name: 'Search photos' }).fill('"lisboa"');
    await page.getByRole('heading', { level: 1, name: 'No photos contain the text “lisboa”' }).waitFor();
    await poll(heard).toEqual(['No photos contain the text “lisboa”']);
  });

  it('quotes a long query cut short, with an ellipsis, in the heading and aloud alike', async () => {
    const { page } = await pages.open(searchFake(() => 12));
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    const heard = await listen(page);
    const query = 'a red kite over the hills at dawn '.repeat(24).slice(0, 800).trim();
    await page.getByRole('searchbox', { name: 'Search photos' }).fill(query);
    const heading = page.getByRole('heading', { level: 1, name: /^12 photos match/ });
    await heading.waitFor();
    await poll(() => heard().then((said) => said.length)).toBe(1);
    const [said] = await heard();
    expect(said).toMatch(/^12 photos match “a red kite over the hills.*…”$/);
    expect(said!.length).toBeLessThan(120);
    expect(await text(heading)()).toBe(said);
  });
});

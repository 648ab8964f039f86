/**
 * The header's row per kind of work, built for real and driven in Chromium against a fake engine:
 * what an ended job asks of the person outlasts the runs the app starts by itself (Note [Ended
 * jobs that ask for something] in renderer/src/state/jobs.svelte.ts), and what a running index
 * job says as it finishes.
 */
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { IndexProgressInfo, JobInfo } from '../../preload/contract.js';
import { asksForSomething, hasEnded, wentWrong } from '../../renderer/src/state/jobs.svelte.js';
import { appPages, FAKE_MODEL, jobEvent, libraryFake, rendererInChromium } from './harness.js';
import { listen } from './listening.js';

const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });
/** An element's text with whitespace collapsed. */
const text = (locator: Locator) => async () => ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
const pages = appPages(rendererInChromium());

/** An index run at `processed` of `toProcess` photos, `failed` of them not indexed. */
const indexing = (processed: number, toProcess: number, failed = 0): IndexProgressInfo => ({
  phase: 'indexing',
  found: toProcess,
  processed,
  toProcess,
  embedded: processed - failed,
  failed,
  indexed: processed - failed,
  removed: 0,
  imagesPerSecond: 0,
  etaSeconds: null,
});

describe('what an ended job asks for', () => {
  it('keeps "Index the rest" through a run the folder watcher starts, beside it while it runs, until dismissed', async () => {
    const { page, emit } = await pages.open(libraryFake());
    const row = page.getByRole('status', { name: 'Indexing' });
    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'running', progress: indexing(3, 100) }));
    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'cancelled', progress: indexing(3, 100) }));
    const cancelled = 'Indexing cancelled: 3 of 100 files indexed. Index the rest Dismiss';
    await poll(text(row)).toBe(cancelled);

    await emit(jobEvent({ id: 'index-2', kind: 'index', background: true, state: 'running', progress: indexing(0, 1) }));
    await row.getByRole('progressbar', { name: 'Indexing progress' }).waitFor();
    expect(await text(row)()).toMatch(/^Indexing 0 of 1 file Pause Cancel/);
    expect(await text(row)()).toContain(cancelled);
    await emit(jobEvent({ id: 'index-2', kind: 'index', background: true, state: 'done', progress: indexing(1, 1) }));
    await poll(text(row)).toBe(cancelled);
    await page.waitForTimeout(200);
    expect(await text(row)()).toBe(cancelled);

    await row.getByRole('button', { name: 'Dismiss' }).click();
    await poll(() => row.count()).toBe(0);
  });

  it('keeps "See why" through background runs of its kind, not a failure; a run the person asks for takes their place', async () => {
    const { page, emit } = await pages.open(libraryFake());
    const indexRow = page.getByRole('status', { name: 'Indexing' });
    const tagRow = page.getByRole('status', { name: 'Tagging' });
    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'done', progress: indexing(40, 40, 2) }));
    await emit(jobEvent({ id: 'tag-1', kind: 'tag', state: 'failed', error: 'The model could not be loaded.' }));
    await poll(text(indexRow)).toBe('2 files could not be indexed. See why');
    await poll(text(tagRow)).toBe('Tagging stopped: The model could not be loaded. Dismiss');

    await emit(jobEvent({ id: 'index-2', kind: 'index', background: true, state: 'running' }));
    await emit(jobEvent({ id: 'index-2', kind: 'index', background: true, state: 'done', progress: indexing(1, 1) }));
    await emit(jobEvent({ id: 'tag-2', kind: 'tag', background: true, state: 'running' }));
    await emit(jobEvent({ id: 'tag-2', kind: 'tag', background: true, state: 'done' }));
    await page.waitForTimeout(200);
    expect(await text(indexRow)()).toBe('2 files could not be indexed. See why');
    // Tagging went on again: the failure gave way to it (failure-gives-way.test.ts).
    expect(await tagRow.count()).toBe(0);

    // A re-scan the person asked for does the work again in full: its own end says how things stand.
    await emit(jobEvent({ id: 'index-3', kind: 'index', state: 'running', progress: indexing(0, 5) }));
    await poll(text(indexRow)).toBe('Indexing 0 of 5 files Pause Cancel');
    await emit(jobEvent({ id: 'index-3', kind: 'index', state: 'done', progress: indexing(5, 5) }));
    await poll(() => indexRow.count()).toBe(0);
  });

  it('shows a failure that ended before the window opened, as the engine lists it (Note [Failures outlast their window] in main/jobs/registry.ts)', async () => {
    const fake = libraryFake();
    fake.status.jobs = [{ id: 'tag-4', kind: 'tag', subject: null, state: 'failed', error: 'The disk holding the library is full. Free some space.', background: true, progress: null }];
    const { page } = await pages.open(fake);
    const row = page.getByRole('status', { name: 'Tagging' });
    await poll(text(row)).toBe('Tagging stopped: The disk holding the library is full. Free some space. Dismiss');
    // Dismissed, it is forgotten by the engine too: a window opened later shows it no more.
    fake.overrides['jobs.dismiss'] = () => ({ ok: true, value: { dismissed: true } });
    await row.getByRole('button', { name: 'Dismiss' }).click();
    await poll(() => fake.callsOf('jobs.dismiss')).toEqual([{ jobId: 'tag-4' }]);
    await poll(() => row.count()).toBe(0);
  });

  it('names a stopped job once, where its message names it too (as the CLI needs it)', async () => {
    const fake = libraryFake();
    const error = 'Writing XMP sidecars stopped: the disk holding /p is full (3 sidecars written before it). Free some space and export again.';
    fake.status.jobs = [{ id: 'export-1', kind: 'export', subject: null, state: 'failed', error, background: false, progress: null }];
    const { page } = await pages.open(fake);
    const row = page.getByRole('status', { name: 'Writing XMP sidecars' });
    await poll(text(row)).toBe('Writing XMP sidecars stopped: the disk holding /p is full (3 sidecars written before it). Free some space and export again. Dismiss');
  });

  it('gives way to a background run that ends asking for something itself, the newer news', async () => {
    const { page, emit } = await pages.open(libraryFake());
    const row = page.getByRole('status', { name: 'Indexing' });
    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'cancelled', progress: indexing(3, 100) }));
    await poll(text(row)).toBe('Indexing cancelled: 3 of 100 files indexed. Index the rest Dismiss');
    await emit(jobEvent({ id: 'index-2', kind: 'index', background: true, state: 'running', progress: indexing(0, 1) }));
    await emit(jobEvent({ id: 'index-2', kind: 'index', background: true, state: 'done', progress: indexing(1, 1, 1) }));
    await poll(text(row)).toBe('1 file could not be indexed. See why');
  });
});

describe('a library folder an index run could not reach', () => {
  it('is said as the run ends, apart from files, with "See why", and kept through background runs (Note [A folder out of reach])', async () => {
    const { page, emit } = await pages.open(libraryFake());
    const row = page.getByRole('status', { name: 'Indexing' });
    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'done', progress: { ...indexing(40, 40, 2), unreachable: 1 } }));
    await poll(text(row)).toBe('2 files could not be indexed. 1 library folder could not be reached. See why');
    await emit(jobEvent({ id: 'index-2', kind: 'index', state: 'done', progress: { ...indexing(40, 40), unreachable: 2 } }));
    await poll(text(row)).toBe('2 library folders could not be reached. See why');
    await emit(jobEvent({ id: 'index-3', kind: 'index', background: true, state: 'done', progress: indexing(1, 1) }));
    await page.waitForTimeout(200);
    expect(await text(row)()).toBe('2 library folders could not be reached. See why');
  });
});

describe('what an index job passed over', () => {
  const NOT_INDEXED = '1,204 RAW files and 37 videos were not indexed: Lumen indexes JPEG, PNG, GIF, WebP, AVIF, HEIC and TIFF.';

  it('is said once as the job ends, beside its failures, and is no failure itself (Note [Nothing skipped silently])', async () => {
    const { page, emit } = await pages.open(libraryFake());
    const row = page.getByRole('status', { name: 'Indexing' });
    const passedOver = { raw: 1204, video: 37 };
    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'running', progress: { ...indexing(20, 40), passedOver } }));
    await poll(text(row)).toBe('Indexing 20 of 40 files Pause Cancel');
    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'done', progress: { ...indexing(40, 40), passedOver } }));
    await poll(text(row)).toBe(NOT_INDEXED);
    // Asking nothing of the person, it gives way to the next run, even one the app started by itself.
    await emit(jobEvent({ id: 'index-2', kind: 'index', background: true, state: 'running', progress: indexing(0, 1) }));
    await poll(text(row)).toBe('Indexing 0 of 1 file Pause Cancel');
    await emit(jobEvent({ id: 'index-3', kind: 'index', state: 'done', progress: { ...indexing(40, 40, 2), passedOver } }));
    await poll(text(row)).toBe(`2 files could not be indexed. See why ${NOT_INDEXED}`);
  });
});

describe('whether a job went wrong, and whether it asks for something', () => {
  const job = (state: JobInfo['state'], kind: 'index' | 'tag', extra: Partial<JobInfo> = {}): JobInfo =>
    ({ id: `${kind}-1`, kind, state, subject: null, error: null, background: false, progress: kind === 'index' ? indexing(1, 2) : null, ...extra }) as JobInfo;

  it('are one fact: an ended job asks for something when it went wrong, or when it is an index run cancelled', () => {
    const jobs = [
      job('failed', 'tag', { error: 'The model could not be loaded.' }),
      job('paused', 'index', { error: 'The disk is full.' }),
      job('paused', 'index'),
      job('done', 'index', { progress: indexing(2, 2, 1) }),
      job('done', 'index', { progress: { ...indexing(2, 2), passedOver: { raw: 3, video: 0 } } }),
      job('cancelled', 'index'),
      job('cancelled', 'tag'),
      job('running', 'index'),
    ];
    expect(jobs.map(wentWrong)).toEqual([true, true, false, true, false, false, false, false]);
    expect(jobs.map(asksForSomething)).toEqual([true, false, false, true, false, true, false, false]);
    for (const one of jobs) expect(asksForSomething(one)).toBe((hasEnded(one) && wentWrong(one)) || (one.kind === 'index' && one.state === 'cancelled'));
  });
});

describe('a running index job', () => {
  it('says it is finishing once its photos are done, with no rate or time left', async () => {
    const { page, emit } = await pages.open(libraryFake());
    const row = page.getByRole('status', { name: 'Indexing' });
    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'running', progress: { ...indexing(5, 10), imagesPerSecond: 12, etaSeconds: 1 } }));
    await poll(text(row)).toBe('Indexing 5 of 10 files · 12.0 files/s · about 1 s left Pause Cancel');
    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'running', progress: { ...indexing(10, 10), phase: 'finishing', imagesPerSecond: 12, etaSeconds: null } }));
    await poll(text(row)).toBe('Indexing 10 of 10 files · finishing… Pause Cancel');
  });
});

describe('a job started paused (Note [A pause outlasts the app])', () => {
  it('says it has not started yet, not that it is starting, until resumed', async () => {
    const { page, emit } = await pages.open(libraryFake());
    const row = page.getByRole('status', { name: 'Indexing' });
    await emit(jobEvent({ id: 'index-1', kind: 'index', background: true, state: 'paused' }));
    await poll(text(row)).toBe('Indexing (paused): not started yet Resume Cancel');
    await emit(jobEvent({ id: 'index-1', kind: 'index', background: true, state: 'running' }));
    await poll(text(row)).toBe('Indexing: starting… Pause Cancel');
  });
});

describe('cancelling an index job (Note [Cancelling shown at once])', () => {
  it('says "Cancelling…" at once and asks nothing more until the job has stopped', async () => {
    const fake = libraryFake();
    const running: JobInfo = { id: 'index-1', kind: 'index', subject: null, state: 'running', progress: indexing(0, 245), error: null, background: false };
    // The engine answers a cancel at once, the job still running: it stops at its next checkpoint.
    fake.overrides['jobs.cancel'] = () => ({ ok: true, value: running });
    const { page, emit } = await pages.open(fake);
    const row = page.getByRole('status', { name: 'Indexing' });
    await emit(jobEvent(running));
    await poll(text(row)).toBe('Indexing 0 of 245 files Pause Cancel');

    await row.getByRole('button', { name: 'Cancel' }).click();
    await poll(text(row)).toBe('Indexing 0 of 245 files Cancelling…');
    // Pause is no longer offered: a job cancelling has nothing left to pause.
    expect(await row.getByRole('button', { name: 'Pause' }).count()).toBe(0);
    expect(await row.getByRole('button', { name: 'Cancelling…' }).getAttribute('aria-disabled')).toBe('true');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Cancelling…');
    // Pressed anyway (aria-disabled, it stays pressable), it asks nothing of the engine.
    await row.getByRole('button', { name: 'Cancelling…' }).click({ force: true });
    // The job's progress goes on meanwhile; the row still says it is cancelling.
    await emit(jobEvent({ ...running, progress: indexing(3, 245) }));
    await poll(text(row)).toBe('Indexing 3 of 245 files Cancelling…');
    expect([fake.callsOf('jobs.pause'), fake.callsOf('jobs.cancel')]).toEqual([[], [{ jobId: 'index-1' }]]);

    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'cancelled', progress: indexing(3, 245) }));
    await poll(text(row)).toBe('Indexing cancelled: 3 of 245 files indexed. Index the rest Dismiss');
  });

  it('offers to start indexing, not "the rest", when it was cancelled before any photo was indexed', async () => {
    const fake = libraryFake();
    fake.overrides['library.index'] = () => ({ ok: true, value: { jobId: 'index-2' } });
    const { page, emit } = await pages.open(fake);
    const row = page.getByRole('status', { name: 'Indexing' });
    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'running', progress: indexing(0, 245) }));
    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'cancelled', progress: indexing(0, 245) }));
    await poll(text(row)).toBe('Indexing cancelled before any photo was indexed. Start indexing Dismiss');
    await row.getByRole('button', { name: 'Start indexing' }).click();
    await poll(() => fake.callsOf('library.index')).toEqual([{ retryFailed: false }]);
  });
});

describe('a job the app started by itself, then paused, resumed and cancelled by the person (Note [Background jobs])', () => {
  it('says what each press did, as for a job they asked for, and nothing of a run they left alone', async () => {
    const fake = libraryFake();
    const watcherRun: JobInfo = { id: 'index-1', kind: 'index', subject: null, state: 'running', progress: indexing(16, 58), error: null, background: true };
    // Acted on, it is the person's: the engine answers with it so (JobRegistry.actedOnByPerson).
    const theirs: JobInfo = { ...watcherRun, background: false };
    fake.overrides['jobs.pause'] = () => ({ ok: true, value: { ...theirs, state: 'paused' } });
    fake.overrides['jobs.resume'] = () => ({ ok: true, value: theirs });
    fake.overrides['jobs.cancel'] = () => ({ ok: true, value: { ...theirs, state: 'cancelled' } });
    const { page, emit } = await pages.open(fake);
    const heard = await listen(page);
    const row = page.getByRole('status', { name: 'Indexing' });
    await emit(jobEvent(watcherRun));
    await poll(text(row)).toBe('Indexing 16 of 58 files Pause Cancel');

    await row.getByRole('button', { name: 'Pause indexing' }).click();
    await poll(heard).toEqual(['Indexing paused.']);
    await row.getByRole('button', { name: 'Resume indexing' }).click();
    await poll(heard).toEqual(['Indexing paused.', 'Indexing resumed.']);
    // Focus goes on to "Index the rest", past the row's sentence: said, it is heard.
    await row.getByRole('button', { name: 'Cancel indexing' }).click();
    await poll(heard).toEqual(['Indexing paused.', 'Indexing resumed.', 'Indexing cancelled: 16 of 58 files indexed.']);

    // The watcher's next run is not the person's: it comes and goes unsaid.
    await emit(jobEvent({ id: 'index-2', kind: 'index', background: true, state: 'running', progress: indexing(0, 1) }));
    await emit(jobEvent({ id: 'index-2', kind: 'index', background: true, state: 'paused', progress: indexing(0, 1) }));
    await emit(jobEvent({ id: 'index-2', kind: 'index', background: true, state: 'running', progress: indexing(0, 1) }));
    await emit(jobEvent({ id: 'index-2', kind: 'index', background: true, state: 'done', progress: indexing(1, 1) }));
    await poll(text(row)).toBe('Indexing cancelled: 16 of 58 files indexed. Index the rest Dismiss');
    await page.waitForTimeout(300);
    expect(await heard()).toEqual(['Indexing paused.', 'Indexing resumed.', 'Indexing cancelled: 16 of 58 files indexed.']);
  });
});

describe('a search for duplicates', () => {
  it('shows in the header on other pages, with Cancel and no Pause, then what it found, until seen on its page', async () => {
    const fake = libraryFake();
    const photo = (id: number) => ({ id, name: `copy-${id}.jpg`, path: `/p/copy-${id}.jpg`, width: 800, height: 600, size: 1000 * id, capturedAt: null, camera: null, hasLocation: false, links: [] });
    const found = { model: FAKE_MODEL, threshold: 0.75, images: 4, groups: [1, 3].map((keep) => ({ keep, reason: 'the largest', similarity: null, photos: [photo(keep), photo(keep + 1)] })) };
    let answer = (_value: unknown) => {};
    fake.overrides['duplicates.find'] = (() => new Promise((resolve) => (answer = resolve))) as never;
    const { page, emit } = await pages.open(fake, { hash: '#/duplicates' });
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    const job = { id: 'duplicates-1', kind: 'duplicates' as const, subject: '0.75' };
    await emit(jobEvent({ ...job, state: 'running', progress: { phase: 'searching', done: 10, total: 31 } }));
    const row = page.getByRole('status', { name: 'Finding duplicates' });
    // Its own page shows it, and the header does not say it twice.
    await page.getByRole('group', { name: 'Finding duplicates' }).waitFor();
    expect(await row.count()).toBe(0);

    await page.evaluate(() => (location.hash = '#/library'));
    await poll(text(row)).toBe('Finding duplicates comparing photos: 10 of 31 Cancel');
    expect(await row.getByRole('button', { name: 'Pause' }).count()).toBe(0);
    await emit(jobEvent({ ...job, state: 'done', progress: { phase: 'choosing', done: 2, total: 2 } }));
    answer({ ok: true, value: found });
    await poll(text(row)).toBe('Found 2 groups of copies. See them Dismiss');
    await row.getByRole('link', { name: 'See them' }).click();
    await page.getByRole('heading', { level: 1, name: 'Duplicates' }).waitFor();
    // Seen there, it is gone from every page.
    await page.evaluate(() => (location.hash = '#/library'));
    await page.getByRole('heading', { level: 1, name: /^Library/ }).waitFor();
    await poll(() => row.count()).toBe(0);
  });
});

describe("focus after a job's row goes (Note [Focus after a job's row])", () => {
  /** The focused element, by its tag and accessible name or text. */
  const focused = (page: Awaited<ReturnType<typeof pages.open>>['page']) => page.evaluate(() => {
    const active = document.activeElement;
    return active ? `${active.tagName} ${active.getAttribute('aria-label') ?? active.textContent?.trim() ?? ''}` : '';
  });
  const NAMES = { tag: 'tagging', export: 'writing XMP sidecars', ocr: 'reading text in photos', duplicates: 'finding duplicates' } as const;

  for (const kind of ['tag', 'export', 'ocr', 'duplicates'] as const) {
    it(`goes to the Keyboard shortcuts button, not the "Library" link, when ${NAMES[kind]} is cancelled from the keyboard`, async () => {
      const fake = libraryFake();
      const running: JobInfo = { id: `${kind}-1`, kind, subject: null, state: 'running', progress: null, error: null, background: false };
      fake.overrides['jobs.cancel'] = () => ({ ok: true, value: { ...running, state: 'cancelled' } });
      const { page, emit } = await pages.open(fake);
      await emit(jobEvent(running));
      const cancel = page.getByRole('button', { name: `Cancel ${NAMES[kind]}` });
      await cancel.focus();
      await page.keyboard.press('Enter');
      await poll(() => cancel.count()).toBe(0);
      await poll(() => focused(page)).toBe('BUTTON Keyboard shortcuts');
      // It stays there: nothing later takes it on to the header's first control.
      await page.waitForTimeout(300);
      expect(await focused(page)).toBe('BUTTON Keyboard shortcuts');
    });
  }

  it('goes to "Index the rest" when an index run is cancelled, and to the Keyboard shortcuts button once that is dismissed', async () => {
    const fake = libraryFake();
    const running: JobInfo = { id: 'index-1', kind: 'index', subject: null, state: 'running', progress: indexing(3, 100), error: null, background: false };
    fake.overrides['jobs.cancel'] = () => ({ ok: true, value: { ...running, state: 'cancelled' } });
    const { page, emit } = await pages.open(fake);
    await emit(jobEvent(running));
    const row = page.getByRole('status', { name: 'Indexing' });
    await row.getByRole('button', { name: 'Cancel indexing' }).focus();
    await page.keyboard.press('Enter');
    await poll(() => focused(page)).toBe('BUTTON Index the rest');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('BUTTON Dismiss');
    await page.keyboard.press('Enter');
    await poll(() => focused(page)).toBe('BUTTON Keyboard shortcuts');
  });
});

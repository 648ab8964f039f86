/**
 * "Index the rest" refused (a read-only library, no model, the engine gone): the header says why
 * until it is dismissed or an index run's news says how things stand since (JobsStore.refusal in
 * renderer/src/state/jobs.svelte.ts), never for good on every screen.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { IndexProgressInfo } from '../../preload/contract.js';
import { appPages, jobEvent, libraryFake, rendererInChromium } from './harness.js';

const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });
const pages = appPages(rendererInChromium());

const READ_ONLY = 'The library is on a read-only disk: Lumen cannot write its index there.';
const indexing = (processed: number, toProcess: number): IndexProgressInfo => ({ phase: 'indexing', found: toProcess, processed, toProcess, embedded: processed, failed: 0, indexed: processed, removed: 0, imagesPerSecond: 0, etaSeconds: null });
/** The focused element, by its tag and accessible name or text. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const active = document.activeElement;
    return active ? `${active.tagName} ${active.getAttribute('aria-label') ?? active.textContent?.trim() ?? ''}` : '';
  });

/** The app with an index run cancelled at 3 of 100 files, and "Index the rest" pressed and refused. */
async function refused() {
  const fake = libraryFake();
  fake.overrides['library.index'] = () => ({ ok: false, error: { code: 'read-only', message: READ_ONLY } });
  const opened = await pages.open(fake);
  await opened.emit(jobEvent({ id: 'index-1', kind: 'index', state: 'cancelled', progress: indexing(3, 100) }));
  await opened.page.getByRole('status', { name: 'Indexing' }).getByRole('button', { name: 'Index the rest' }).click();
  const alert = opened.page.getByRole('alert').filter({ hasText: READ_ONLY });
  await alert.waitFor();
  return { ...opened, alert };
}

describe('"Index the rest" refused', () => {
  it('says why until the next news of an index run, a re-scan started once the cause is fixed', async () => {
    const { page, emit, alert } = await refused();
    // Another screen: it still says so.
    await page.evaluate(() => (location.hash = '#/settings'));
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    expect(await alert.count()).toBe(1);

    await emit(jobEvent({ id: 'index-2', kind: 'index', state: 'running', progress: indexing(0, 97) }));
    await poll(() => alert.count()).toBe(0);
    await emit(jobEvent({ id: 'index-2', kind: 'index', state: 'done', progress: indexing(97, 97) }));
    await poll(() => page.getByRole('status', { name: 'Indexing' }).count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('goes with the folder watcher’s run too, which says how indexing stands as well', async () => {
    const { emit, alert } = await refused();
    await emit(jobEvent({ id: 'index-2', kind: 'index', background: true, state: 'running', progress: indexing(0, 1) }));
    await poll(() => alert.count()).toBe(0);
  });

  it('stays through news of other kinds of work', async () => {
    const { page, emit, alert } = await refused();
    await emit(jobEvent({ id: 'tag-1', kind: 'tag', state: 'running' }));
    await page.getByRole('status', { name: 'Tagging' }).waitFor();
    expect(await alert.count()).toBe(1);
  });

  it('is dismissed from the keyboard, focus going on to the Keyboard shortcuts button, not to the header’s first link', async () => {
    const { page, alert } = await refused();
    const dismiss = alert.getByRole('button', { name: 'Dismiss' });
    await dismiss.focus();
    await page.keyboard.press('Enter');
    await poll(() => alert.count()).toBe(0);
    await poll(() => focused(page)).toBe('BUTTON Keyboard shortcuts');
    // The cancelled run still offers the rest, to try again.
    await page.getByRole('status', { name: 'Indexing' }).getByRole('button', { name: 'Index the rest' }).waitFor();
  });
});

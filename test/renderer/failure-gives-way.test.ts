/**
 * A failure in the header's row of its kind gives way to a job of its kind under way again, even
 * one the app started by itself (the engine restarting what a crash stopped), and stays while
 * nothing took its place (Note [Ended jobs that ask for something] in renderer/src/state/jobs.svelte.ts).
 */
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { appPages, jobEvent, libraryFake, rendererInChromium } from './harness.js';

const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });
/** An element's text with whitespace collapsed. */
const text = (locator: Locator) => async () => ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
const pages = appPages(rendererInChromium());

const CRASH = 'The photo engine stopped unexpectedly (exit code 1) while working on "reading text in photos". Try again: it restarts by itself.';

describe('a failed job and the next of its kind', () => {
  it('keeps the failure while nothing replaced it, and drops it as the engine starts that work again by itself', async () => {
    const { page, emit } = await pages.open(libraryFake());
    const row = page.getByRole('status', { name: 'Reading text in photos' });
    await emit(jobEvent({ id: 'ocr-1', kind: 'ocr', state: 'running' }));
    await emit(jobEvent({ id: 'ocr-1', kind: 'ocr', state: 'failed', error: CRASH }));
    const failed = `Reading text in photos stopped: ${CRASH} Dismiss`;
    await poll(text(row)).toBe(failed);

    // Work of another kind replaces nothing.
    await emit(jobEvent({ id: 'index-1', kind: 'index', background: true, state: 'running' }));
    await emit(jobEvent({ id: 'index-1', kind: 'index', background: true, state: 'done' }));
    await page.waitForTimeout(200);
    expect(await text(row)()).toBe(failed);

    // The restarted engine's own run: the reading goes on, and the failure is no news any more.
    await emit(jobEvent({ id: 'ocr-2', kind: 'ocr', background: true, state: 'running' }));
    await poll(text(row)).toBe('Reading text in photos: starting… Pause Cancel');
    await emit(jobEvent({ id: 'ocr-2', kind: 'ocr', background: true, state: 'done' }));
    await poll(() => row.count()).toBe(0);
  });
});

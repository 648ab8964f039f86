/**
 * Choices of where models run, made faster than they are saved (the arrow keys on the closed
 * select send one a press): only the latest says it is saving and what went wrong (Note [Latest
 * choice of a setting] in renderer/src/state/settings.svelte.ts).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { CallOutcome } from '../../preload/contract.js';
import { appPages, libraryFake, rendererInChromium } from './harness.js';

const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });
const pages = appPages(rendererInChromium());

/** The alert's text, whitespace collapsed. */
const alertText = (page: Page) => async () => ((await page.getByRole('alert').textContent()) ?? '').replace(/\s+/g, ' ').trim();
/** Lets the page take in what reached it: a task, then a frame and a task after it. */
const settled = (page: Page) => page.evaluate(() => new Promise((resolve) => setTimeout(() => requestAnimationFrame(() => setTimeout(resolve)))));

describe('choosing where models run, twice in quick succession', () => {
  it('shows neither the earlier choice’s refusal nor its end while the later one saves', async () => {
    const fake = libraryFake();
    fake.status.availableProviders = ['cpu', 'webgpu'];
    fake.status.providerChoices = ['auto', 'cpu', 'webgpu'];
    // Each answer waits for the test, which gives them out of order.
    const answers: Array<(outcome: CallOutcome<'settings.update'>) => void> = [];
    fake.overrides['settings.update'] = (() => new Promise((resolve) => answers.push(resolve))) as never;
    const { page } = await pages.open(fake, { hash: '#/settings' });
    const select = page.getByLabel('Run models on');
    const saving = page.locator('.saving[role="status"]');
    const alert = page.getByRole('alert');
    await select.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await poll(() => fake.callsOf('settings.update')).toEqual([{ provider: 'cpu' }, { provider: 'webgpu' }]);
    await poll(() => saving.textContent()).toBe('Saving…');

    // The first choice is refused while the second saves.
    answers[0]?.({ ok: false, error: { code: 'bad-input', message: 'CPU could not start.' } });
    await settled(page);
    expect(await saving.textContent()).toBe('Saving…');
    expect(await alert.count()).toBe(0);

    fake.status.settings = { ...fake.status.settings, provider: 'webgpu' };
    answers[1]?.({ ok: true, value: structuredClone(fake.status.settings) });
    await poll(() => saving.textContent()).toBe('');
    await settled(page);
    expect(await alert.count()).toBe(0);
    expect(await select.inputValue()).toBe('webgpu');
  });

  it('shows the later choice’s refusal, however the earlier one ended', async () => {
    const fake = libraryFake();
    fake.status.availableProviders = ['cpu', 'webgpu'];
    fake.status.providerChoices = ['auto', 'cpu', 'webgpu'];
    const answers: Array<(outcome: CallOutcome<'settings.update'>) => void> = [];
    fake.overrides['settings.update'] = (() => new Promise((resolve) => answers.push(resolve))) as never;
    const { page } = await pages.open(fake, { hash: '#/settings' });
    const select = page.getByLabel('Run models on');
    await select.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await poll(() => answers.length).toBe(2);

    answers[1]?.({ ok: false, error: { code: 'bad-input', message: 'WebGPU could not start on this computer.' } });
    await poll(alertText(page)).toBe('WebGPU could not start on this computer.');
    fake.status.settings = { ...fake.status.settings, provider: 'cpu' };
    answers[0]?.({ ok: true, value: structuredClone(fake.status.settings) });
    await poll(() => select.inputValue()).toBe('cpu');
    expect(await alertText(page)()).toBe('WebGPU could not start on this computer.');
    expect(await page.locator('.saving[role="status"]').textContent()).toBe('');
  });
});

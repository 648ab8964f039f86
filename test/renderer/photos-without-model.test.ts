/**
 * Note [Photos without a model] in renderer/src/views/LibraryView.svelte: a library whose model is
 * gone or damaged shows its photos, with the model's problem said above them, not the first run's
 * steps as if it had none. Built for real and driven in Chromium against a fake engine.
 */
import { describe, expect, it } from 'vitest';
import { appPages, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());

describe('a library whose model cannot be used', () => {
  it('shows its photos, says what is wrong with the model in the app’s words, and leads to Settings', async () => {
    const fake = libraryFake();
    fake.status.model = null;
    fake.status.modelProblem = { kind: 'missing', model: 'my-model', downloadable: false, message: 'The model my-model, which this library’s photos were embedded with, was in /media/ada/models/my-model, and that folder is gone.' };
    const { page, problems } = await pages.open(fake, { hash: '#/library' });
    const grid = page.getByRole('listbox', { name: 'Photos' });
    await expect.poll(() => grid.getByRole('option').count(), { timeout: 5000 }).toBe(3);
    const notice = page.getByRole('status').filter({ hasText: 'Searching needs a model' });
    await expect.poll(async () => (await notice.textContent())?.replace(/\s+/g, ' ')).toContain('The chosen model, my-model, is no longer installed. Import its folder again or choose another model in Settings. Your photos are all here.');
    expect(await page.getByRole('heading', { name: 'Find your photos by describing them' }).count()).toBe(0);
    await notice.getByRole('link', { name: 'Open Settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    expect(problems).toEqual([]);
  });
});

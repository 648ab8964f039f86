/**
 * Settings ▸ Installed models: each model has a Remove, asked twice, saying what it frees and that
 * the library keeps its embeddings (Note [Removing a model] in main/models/store.ts); the model in
 * use says why it cannot go. Focus goes to the next model's Remove, unless the person has moved it.
 * Built for real and driven in Chromium against a fake engine.
 */
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { FAKE_MODEL, appPages, libraryFake, rendererInChromium, type FakeLumen } from './harness.js';

const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });
const text = (locator: Locator) => async () => ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
/** What the element's aria-describedby names says. */
const described = (locator: Locator) => locator.evaluate((element) => document.getElementById(element.getAttribute('aria-describedby') ?? '')?.textContent?.trim());
const focusedName = (locator: Locator) => locator.page().evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent?.trim());

const pages = appPages(rendererInChromium());

/** The library's model in use, and two models imported beside it, one of which embedded the library before. */
function fakeWithModels(): FakeLumen {
  const fake = libraryFake();
  const dir = (id: string) => `/home/ada/.config/Lumen/models/${id}`;
  fake.listing.installed.push({ id: 'my-clip', dir: dir('my-clip'), bytes: 338_000_000, dim: 512, layout: 'immich' }, { id: 'other-clip', dir: dir('other-clip'), bytes: 1_470_000_000, dim: 512, layout: 'hf' });
  fake.status.library?.models.push({ model: 'my-clip', embedded: 1234, missing: 0 });
  fake.overrides['models.remove'] = ((params: { id: string }) => {
    const removed = fake.listing.installed.find((model) => model.id === params.id);
    fake.listing.installed = fake.listing.installed.filter((model) => model !== removed);
    return { ok: true, value: { id: params.id, bytes: removed?.bytes ?? 0 } };
  }) as never;
  return fake;
}

describe('Settings: removing an installed model', () => {
  it('asks, saying what it frees and that the embeddings stay; removes it, says so and moves focus to the next Remove', async () => {
    const fake = fakeWithModels();
    const { page } = await pages.open(fake, { hash: '#/settings' });
    const installed = page.getByRole('region', { name: 'Installed models' });
    const row = installed.locator('li[data-installed="my-clip"]');
    await row.getByRole('button', { name: 'Remove my-clip' }).click();
    const confirm = row.getByRole('button', { name: 'Remove', exact: true });
    expect(await described(confirm)).toBe('Remove my-clip? Its folder in Lumen’s data folder is deleted, freeing 338 MB; your photos are not touched. The library keeps its embeddings of 1,234 photos, so adding it again needs no re-indexing.');
    expect(fake.callsOf('models.remove')).toEqual([]);
    await confirm.click();

    await poll(text(installed.getByRole('status'))).toBe('Removed my-clip; 338 MB freed.');
    await poll(() => row.count()).toBe(0);
    expect(fake.callsOf('models.remove')).toEqual([{ id: 'my-clip' }]);
    await poll(() => focusedName(installed)).toBe('Remove other-clip');

    // The last one gone, focus goes to the one before it; no embeddings, none are spoken of.
    await installed.getByRole('button', { name: 'Remove other-clip' }).click();
    expect(await described(installed.getByRole('button', { name: 'Remove', exact: true }))).toBe('Remove other-clip? Its folder in Lumen’s data folder is deleted, freeing 1.47 GB; your photos are not touched.');
    await installed.getByRole('button', { name: 'Remove', exact: true }).click();
    await poll(text(installed.getByRole('status'))).toBe('Removed other-clip; 1.47 GB freed.');
    await poll(() => focusedName(installed)).toBe(`Remove ${FAKE_MODEL}`);
  });

  it('moves focus to the next model’s Remove by its name: one asking its question has its Keep focused', async () => {
    const fake = fakeWithModels();
    const { page } = await pages.open(fake, { hash: '#/settings' });
    const installed = page.getByRole('region', { name: 'Installed models' });
    await installed.getByRole('button', { name: 'Remove other-clip' }).click();
    const row = installed.locator('li[data-installed="my-clip"]');
    await row.getByRole('button', { name: 'Remove my-clip' }).click();
    await row.getByRole('button', { name: 'Remove', exact: true }).click();
    await poll(text(installed.getByRole('status'))).toBe('Removed my-clip; 338 MB freed.');
    await poll(() => page.evaluate(() => `${document.activeElement?.closest('[data-remove]')?.getAttribute('data-remove')}: ${document.activeElement?.textContent}`)).toBe('other-clip: Keep');
  });

  it('leaves focus where the person moved it while the removal was under way', async () => {
    const fake = fakeWithModels();
    const removal = fake.overrides['models.remove'] as (params: { id: string }) => never;
    let answer = () => {};
    fake.overrides['models.remove'] = ((params: { id: string }) => new Promise((resolve) => (answer = () => resolve(removal(params))))) as never;
    const { page } = await pages.open(fake, { hash: '#/settings' });
    const installed = page.getByRole('region', { name: 'Installed models' });
    await installed.getByRole('button', { name: 'Remove my-clip' }).click();
    await installed.getByRole('button', { name: 'Remove', exact: true }).click();
    await poll(() => fake.callsOf('models.remove').length).toBe(1);
    const importButton = installed.getByRole('button', { name: 'Import a model folder…' });
    await importButton.focus();
    answer();
    await poll(text(installed.getByRole('status'))).toBe('Removed my-clip; 338 MB freed.');
    await poll(() => installed.locator('li[data-installed="my-clip"]').count()).toBe(0);
    await page.waitForTimeout(100);
    expect(await focusedName(importButton)).toBe('Import a model folder…');
  });

  it('keeps the model in use: its Remove stays focusable, says why, and asks nothing', async () => {
    const fake = fakeWithModels();
    const { page } = await pages.open(fake, { hash: '#/settings' });
    const remove = page.getByRole('region', { name: 'Installed models' }).getByRole('button', { name: `Remove ${FAKE_MODEL}` });
    await poll(() => remove.getAttribute('aria-disabled')).toBe('true');
    expect(await described(remove)).toBe('In use: choose another model first to remove this one.');
    await remove.focus();
    expect(await focusedName(remove)).toBe(`Remove ${FAKE_MODEL}`);
    await page.keyboard.press('Enter');
    await remove.click({ force: true });
    await page.waitForTimeout(200);
    expect(await page.getByRole('button', { name: 'Keep' }).count()).toBe(0);
    expect(fake.callsOf('models.remove')).toEqual([]);
  });

  it('keeps the model the library is still searched with, saying until when', async () => {
    const fake = fakeWithModels();
    fake.status.library = { ...fake.status.library!, servingModel: 'my-clip' };
    const { page } = await pages.open(fake, { hash: '#/settings' });
    const remove = page.getByRole('region', { name: 'Installed models' }).getByRole('button', { name: 'Remove my-clip' });
    await poll(() => remove.getAttribute('aria-disabled')).toBe('true');
    expect(await described(remove)).toBe('Your photos are searched with it until the model in use has indexed them all.');
  });

  it('says why the engine refused, as an alert, and keeps the model listed', async () => {
    const fake = fakeWithModels();
    const refusal = 'The library is searched with my-clip until the model chosen now has indexed every photo: remove it once that indexing is done.';
    fake.overrides['models.remove'] = () => ({ ok: false, error: { code: 'bad-input', message: refusal } });
    const { page } = await pages.open(fake, { hash: '#/settings' });
    const installed = page.getByRole('region', { name: 'Installed models' });
    await installed.getByRole('button', { name: 'Remove my-clip' }).click();
    await installed.getByRole('button', { name: 'Remove', exact: true }).click();
    await poll(text(installed.getByRole('alert'))).toBe(refusal);
    expect(await installed.locator('li[data-installed="my-clip"]').count()).toBe(1);
    expect(await text(installed.getByRole('status'))()).toBe('');
  });
});

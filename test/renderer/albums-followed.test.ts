/**
 * An album changed in another window (Note [Albums followed] in main/engine/calls.ts), built for
 * real and driven in Chromium: two pages on one fake engine, which says each change of a saved
 * album to both as the engine does (`albums-changed`). The page showing the album follows it.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { CallName } from '../../preload/contract.js';
import { albumsFake } from './album-fake.js';
import { appPages, openApp, rendererInChromium, type AppPage } from './harness.js';

const renderer = rendererInChromium();
const pages = appPages(renderer);
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });

const CHANGES: readonly CallName[] = ['albums.save', 'albums.rename', 'albums.add', 'albums.remove', 'albums.delete'];

/** `albumsFake` with Trip (all three photos), and two pages on it, A and B, on Trip's page; each change B makes is said to both. */
async function twoWindows(): Promise<{ a: Page; b: Page; problemsOfB: () => string[]; closeB: () => Promise<void> }> {
  const fake = albumsFake({ Trip: [1, 2, 3] });
  const windows: AppPage[] = [];
  for (const name of CHANGES) {
    const answer = fake.overrides[name] as (params: never) => { ok: boolean };
    fake.overrides[name] = ((params: never) => {
      const outcome = answer(params);
      if (outcome.ok) for (const each of windows) void each.emit({ type: 'albums-changed' });
      return outcome;
    }) as never;
  }
  const a = await pages.open(fake, { hash: '#/albums?album=saved:1' });
  const b = await openApp(renderer.browser, renderer.origin, fake, { hash: '#/albums?album=saved:1' });
  windows.push(a, b);
  for (const { page } of windows) await page.getByRole('heading', { level: 1, name: 'Trip 3 photos' }).waitFor();
  return { a: a.page, b: b.page, problemsOfB: () => b.problems, closeB: b.close };
}

describe('an album changed in another window', () => {
  it('shows its new name, and its photos as they are now', async () => {
    const { a, b, problemsOfB, closeB } = await twoWindows();
    await b.getByRole('button', { name: 'Rename album' }).click();
    await b.getByRole('textbox', { name: 'Album name' }).fill('Lisbon');
    await b.keyboard.press('Enter');
    await poll(() => a.getByRole('heading', { level: 1 }).textContent()).toBe('Lisbon 3 photos');
    await poll(() => a.title()).toBe('Lisbon · Albums — Lumen');

    await b.getByRole('option', { name: /^a\.jpg/ }).click({ modifiers: ['Control'] });
    await b.getByRole('button', { name: 'Remove from album' }).click();
    await poll(() => a.getByRole('heading', { level: 1 }).textContent()).toBe('Lisbon 2 photos');
    await poll(() => a.getByRole('listbox', { name: 'Photos of Lisbon' }).getByRole('option').count()).toBe(2);
    await closeB();
    expect(problemsOfB()).toEqual([]);
  });

  it('says it is gone once it is deleted there, and offers no Rename or Delete', async () => {
    const { a, b, problemsOfB, closeB } = await twoWindows();
    await b.getByRole('button', { name: 'Delete this album' }).click();
    await b.getByRole('button', { name: 'Delete', exact: true }).click();
    await a.getByText('There is no such album any more: it was deleted, or its folder removed from the library.').waitFor();
    expect(await a.getByRole('button', { name: 'Rename album' }).count()).toBe(0);
    expect(await a.getByRole('button', { name: 'Delete this album' }).count()).toBe(0);
    await closeB();
    expect(problemsOfB()).toEqual([]);
  });
});

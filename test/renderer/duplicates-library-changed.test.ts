/**
 * The Duplicates screen against the library as it is: groups the library changed under go, a find
 * made while indexing says what it could not compare, and a copy alike only to another says so.
 */
import { describe, expect, it } from 'vitest';
import type { AppEvent } from '../../preload/contract.js';
import { appPages, FAKE_MODEL, jobEvent, libraryFake, rendererInChromium } from './harness.js';
import { listen } from './listening.js';

const pages = appPages(rendererInChromium());
const photo = (id: number) => ({ id, name: `copy-${id}.jpg`, path: `/p/copy-${id}.jpg`, width: 800, height: 600, size: 1000 * id, capturedAt: null, camera: null, hasLocation: false, links: [] });
const found = { model: FAKE_MODEL, threshold: 0.75, images: 3, groups: [{ keep: 1, reason: 'the largest', similarity: null, photos: [photo(1), photo(2), photo(3)] }] };
const LIBRARY_CHANGED: AppEvent = { type: 'library-changed' };
const OUTDATED = 'The library changed since the copies were found: find again.';

/** A fake whose engine keeps the find it made, as still describing the library until `outdate` is called (asked once as the screen opens, before any find). */
function keptFake() {
  const fake = libraryFake();
  let kept = false;
  let describes = true;
  fake.overrides['duplicates.find'] = () => {
    kept = true;
    return { ok: true, value: structuredClone(found) };
  };
  fake.overrides['duplicates.last'] = () => ({ ok: true, value: kept && describes ? { ...structuredClone(found), foundAt: Date.now(), movedToTrash: 0 } : null });
  return { fake, outdate: () => (describes = false), describeAgain: () => (describes = true) };
}
/** Asked whether the find still describes the library (the first ask is the screen's, as it opens). */
const asked = (fake: ReturnType<typeof libraryFake>) => fake.callsOf('duplicates.last').length - 1;

describe('duplicates and the library as it is now', () => {
  it('drops the groups the library changed under, says so, and moves none of them', async () => {
    const { fake, outdate } = keptFake();
    const { page, emit } = await pages.open(fake, { hash: '#/duplicates' });
    const main = page.getByRole('main');
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await main.getByText('2 marked for the trash').waitFor();

    // A change that leaves the find describing the library leaves it shown.
    await emit(LIBRARY_CHANGED);
    await expect.poll(() => asked(fake), { timeout: 5000 }).toBe(1);
    await page.waitForTimeout(100);
    expect(await main.getByRole('heading', { name: '1 group of copies' }).isVisible()).toBe(true);

    // One that does not, while the confirmation asks: it closes, the groups go, and that is said.
    const heard = await listen(page);
    await page.getByRole('button', { name: 'Move to trash…' }).click();
    await page.getByRole('dialog').waitFor();
    outdate();
    await emit(LIBRARY_CHANGED);
    await main.getByRole('heading', { name: OUTDATED }).waitFor();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await main.getByRole('region').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Move to trash…' }).count()).toBe(0);
    expect(await page.getByRole('checkbox').count()).toBe(0);
    await expect.poll(heard, { timeout: 5000 }).toContain(OUTDATED);
    // The button that opened the confirmation went with the groups: focus is on what the page says.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent?.trim()), { timeout: 5000 }).toBe(OUTDATED);
    expect(fake.callsOf('duplicates.trash')).toEqual([]);

    // A new find shows its groups again.
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await main.getByRole('heading', { name: '1 group of copies' }).waitFor();
    expect(await main.getByText(OUTDATED).count()).toBe(0);
  });

  it('asks about a change made while a find ran once that find is cancelled, the groups before it still shown', async () => {
    const { fake, outdate } = keptFake();
    const { page, emit } = await pages.open(fake, { hash: '#/duplicates' });
    const main = page.getByRole('main');
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await main.getByText('2 marked for the trash').waitFor();
    let cancel: () => void = () => {};
    fake.overrides['duplicates.find'] = () => new Promise((resolve) => (cancel = () => resolve({ ok: false, error: { code: 'cancelled', message: 'Cancelled.' } })));
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await expect.poll(() => fake.callsOf('duplicates.find').length, { timeout: 5000 }).toBe(2);
    outdate();
    await emit(LIBRARY_CHANGED);
    await page.waitForTimeout(200);
    cancel();
    await main.getByRole('heading', { name: OUTDATED }).waitFor();
    expect(await page.getByRole('checkbox').count()).toBe(0);
  });

  it('drops them when the library changed while another page showed (a folder removed in Settings)', async () => {
    const { fake, outdate } = keptFake();
    const { page, emit } = await pages.open(fake, { hash: '#/duplicates' });
    const main = page.getByRole('main');
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await main.getByText('2 marked for the trash').waitFor();
    await page.evaluate(() => (location.hash = '#/settings'));
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    outdate();
    await emit(LIBRARY_CHANGED);
    await expect.poll(() => asked(fake), { timeout: 5000 }).toBe(1);
    await page.evaluate(() => (location.hash = '#/duplicates'));
    await main.getByRole('heading', { name: OUTDATED }).waitFor();
    expect(await main.getByText(/marked for the trash/).count()).toBe(0);
  });

  it('asks about a change during a move once the move ends, when the engine counts the copies moved', async () => {
    const { fake, outdate, describeAgain } = keptFake();
    let release = () => {};
    fake.overrides['duplicates.trash'] = (() => new Promise((resolve) => (release = () => resolve({ ok: true, value: { trashed: ['/p/copy-2.jpg'], sidecars: [], skipped: [] } })))) as never;
    const { page, emit } = await pages.open(fake, { hash: '#/duplicates' });
    const main = page.getByRole('main');
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await page.getByRole('checkbox', { name: 'To the trash: copy-3.jpg' }).uncheck();
    await page.getByRole('button', { name: 'Move to trash…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Move to trash' }).click();
    await expect.poll(() => fake.callsOf('duplicates.trash').length).toBe(1);
    // The copy moving has left the library, and the engine has not counted it moved yet.
    outdate();
    await emit(LIBRARY_CHANGED);
    await page.waitForTimeout(100);
    expect(asked(fake)).toBe(0);
    describeAgain();
    release();
    await expect.poll(() => asked(fake), { timeout: 5000 }).toBe(1);
    await main.getByText(/Moved 1 file to the trash/).waitFor();
    await page.waitForTimeout(100);
    expect(await main.getByRole('region', { name: '2 copies of copy-1.jpg' }).isVisible()).toBe(true);
    expect(await main.getByText(OUTDATED).count()).toBe(0);
  });

  it('says a find made while indexing compares only the photos indexed so far', async () => {
    const { fake } = keptFake();
    const { page, emit } = await pages.open(fake, { hash: '#/duplicates' });
    const main = page.getByRole('main');
    const note = 'Indexing was under way: photos indexed since are not compared. Find again when it ends.';
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await main.getByText('2 marked for the trash').waitFor();
    expect(await main.getByText(note).count()).toBe(0);

    const heard = await listen(page);
    await emit(jobEvent({ id: 'index-1', kind: 'index', state: 'running' }));
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await main.getByText(note).waitFor();
    await expect.poll(heard, { timeout: 5000 }).toContain(`Finding duplicates finished: 1 group of copies. ${note}`);
  });

  it('says on a copy joined to the keep only through another why it is not marked', async () => {
    const fake = libraryFake();
    const group = { keep: 1, reason: 'the largest', similarity: 0.6, photos: [photo(1), photo(2), { ...photo(3), joinedThroughOthers: true as const }] };
    fake.overrides['duplicates.find'] = () => ({ ok: true, value: { ...found, groups: [group] } });
    const { page } = await pages.open(fake, { hash: '#/duplicates' });
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    const region = page.getByRole('region', { name: '3 copies of copy-1.jpg' });
    const words = 'Alike to another copy, not to the keep';
    await region.getByText(words, { exact: true }).waitFor();
    expect(await region.getByText(words).count()).toBe(1);
    await region.getByRole('button', { name: /^copy-3\.jpg, .*, alike to another copy, not to the keep$/ }).waitFor();
    const described = (box: ReturnType<typeof region.getByRole>) => box.evaluate((element) => document.getElementById(element.getAttribute('aria-describedby') ?? '')?.textContent);
    const apart = region.getByRole('checkbox', { name: 'To the trash: copy-3.jpg' });
    expect(await apart.isChecked()).toBe(false);
    expect(await described(apart)).toBe(words);
    expect(await region.getByRole('checkbox', { name: 'To the trash: copy-2.jpg' }).getAttribute('aria-describedby')).toBe(null);

    await region.getByRole('button', { name: 'Compare side by side' }).click();
    const compare = page.getByRole('dialog', { name: 'Compare 3 copies' });
    await compare.getByText(words, { exact: true }).waitFor();
    expect(await described(compare.getByRole('checkbox', { name: 'To the trash: copy-3.jpg' }))).toBe(words);
  });
});

/**
 * What the Tags, Templates and Albums pages say is about what they show: a tagging run is done
 * once its counts are read, a note about a tag given by hand is that tag's, the files writing
 * sidecars skipped are listed in a bounded place, and an album's page opens only its own photos.
 * Built for real and driven in Chromium against a fake engine.
 */
import { describe, expect, it } from 'vitest';
import type { CallOutcome, TagInfo } from '../../preload/contract.js';
import { albumsFake } from './album-fake.js';
import { appPages, FAKE_TIMELINE, jobEvent, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });

const tag = (name: string, photos: number): TagInfo => ({ name, enabled: true, inVocabulary: true, photos, confirmed: 0, rejected: 0, samples: [1] });

describe('the Tags page, after the tagging run it started', () => {
  it('does not say the run is done while the counts it shows could not be read again', async () => {
    const fake = libraryFake();
    const unreadable: CallOutcome<'tags.list'> = { ok: false, error: { code: 'storage', message: 'The library database could not be read: disk I/O error.' } };
    let listed: CallOutcome<'tags.list'> = { ok: true, value: [tag('beach', 1)] };
    fake.overrides['tags.list'] = () => listed;
    fake.overrides['tags.run'] = () => ({ ok: true, value: { jobId: 'tag-7' } });
    const { page, emit } = await pages.open(fake, { hash: '#/tags' });
    await page.getByRole('link', { name: 'beach, 1 photo' }).waitFor();
    await page.getByRole('button', { name: 'Run auto-tagging' }).click();
    await poll(() => fake.callsOf('tags.run').length).toBe(1);
    listed = unreadable;
    await emit(jobEvent({ id: 'tag-7', kind: 'tag', state: 'done' }));
    await page.getByRole('alert').filter({ hasText: 'disk I/O error' }).waitFor();
    expect(await page.getByText('Tagging done: the tags below are up to date.').count()).toBe(0);
    // Read again once the library can be, the counts are the run's.
    listed = { ok: true, value: [tag('beach', 5)] };
    await emit({ type: 'library-changed' });
    await page.getByRole('link', { name: 'beach, 5 photos' }).waitFor();
    await page.getByText('Tagging done: the tags below are up to date.').waitFor();
  });
});

describe('the template editor, opened on a tag given by hand', () => {
  it('says the tag has no prompts only while it is the one asked for: another tag opened takes its place, and the address', async () => {
    const fake = libraryFake();
    fake.overrides['vocabulary.get'] = () => ({ ok: true, value: { vocabulary: { templates: ['a photo of {}'], tags: [{ name: 'beach', prompts: ['beach'] }, { name: 'sea', prompts: ['sea'] }] }, isDefault: false } });
    const { page } = await pages.open(fake, { hash: '#/templates?tag=Beach%20Trip' });
    const note = page.getByRole('status').filter({ hasText: 'was given by hand' });
    await poll(() => note.textContent()).toContain('“Beach Trip” was given by hand');
    await page.getByRole('listbox', { name: 'Tags to edit' }).getByRole('option', { name: 'sea', exact: true }).click();
    await page.getByRole('region', { name: 'Tag sea' }).waitFor();
    await poll(() => page.evaluate(() => decodeURIComponent(location.hash))).toBe('#/templates?tag=sea');
    expect(await note.count()).toBe(0);
  });
});

describe('the files writing XMP sidecars skipped', () => {
  it('are listed in a bounded region that scrolls, reached by the keyboard and named, not over the whole page', async () => {
    const fake = libraryFake();
    fake.overrides['tags.list'] = () => ({ ok: true, value: [tag('beach', 3)] });
    fake.overrides['tags.photos'] = () => ({ ok: true, value: structuredClone(FAKE_TIMELINE) });
    // Each reason names its file, as the engine's do: one reason a file.
    const skipped = Array.from({ length: 300 }, (_, i) => ({ path: `/nas/trip/p${i + 1}.jpg`, reason: `cannot write p${i + 1}.jpg.xmp: Lumen has no permission to write in /nas/trip` }));
    fake.overrides['xmp.export'] = () => ({ ok: true, value: { style: 'jpg.xmp', written: 0, unchanged: 0, withoutTags: 0, skipped } });
    const { page } = await pages.open(fake, { hash: '#/tags?tag=beach' });
    await page.getByRole('button', { name: 'Write to XMP sidecars' }).click();
    await page.getByRole('button', { name: 'Write sidecars' }).click();
    await page.getByText('Why 300 files were skipped').click();
    const list = page.getByRole('list', { name: 'Files skipped, and why' });
    await list.waitFor();
    expect(await list.getByRole('listitem').count()).toBe(300);
    const { height, scrolls } = await list.evaluate((element) => ({ height: element.getBoundingClientRect().height, scrolls: element.scrollHeight > element.clientHeight }));
    expect(height).toBeLessThan(900 / 3);
    expect(scrolls).toBe(true);
    expect(await list.getAttribute('tabindex')).toBe('0');

    // The same in the selection's bar, which lies over the page.
    await page.getByRole('listbox', { name: 'Photos tagged beach' }).getByRole('option').first().click({ modifiers: ['Control'] });
    const bar = page.getByRole('group', { name: 'Selection' });
    await bar.getByRole('button', { name: 'Write to XMP sidecars' }).click();
    await bar.getByRole('button', { name: 'Write sidecars' }).click();
    await bar.getByText('Why 300 files were skipped').click();
    const barList = bar.getByRole('list', { name: 'Files skipped, and why' });
    await barList.waitFor();
    expect(await bar.evaluate((element) => element.getBoundingClientRect().height)).toBeLessThan(900 / 2);
  });
});

describe('an album’s page, opened on a photo not in the album', () => {
  it('shows it on its own, as the library does one not among its photos: no step leads from it into the album', async () => {
    const fake = albumsFake({ Trip: [1, 2] });
    const { page } = await pages.open(fake, { hash: '#/library?photo=3' });
    const viewer = page.getByRole('dialog');
    await poll(() => viewer.getByRole('button', { name: 'Next photo' }).getAttribute('aria-disabled')).toBe('false');
    // The address typed: c.jpg, first in the library, is not in Trip.
    await page.evaluate(() => (location.hash = '#/albums?album=saved:1&photo=3'));
    await page.getByRole('listbox', { name: 'Photos of Trip' }).getByRole('option').first().waitFor({ state: 'attached' });
    for (const step of ['Next photo', 'Previous photo']) await poll(() => viewer.getByRole('button', { name: step }).getAttribute('aria-disabled')).toBe('true');
    await page.keyboard.press('ArrowRight');
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => location.hash)).toBe('#/albums?album=saved:1&photo=3');
  });
});

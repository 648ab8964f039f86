/**
 * A tag's page whose last photo leaves while it is open, built for real and driven in Chromium
 * against a fake engine: the page under the viewer says nothing, and once the viewer closes it
 * says plainly that no photo has the tag any more, offers the way back to Tags, and nothing to do
 * with a tag that is no more.
 */
import { describe, expect, it } from 'vitest';
import type { LibraryTimeline, PhotoTagsInfo, TagInfo } from '../../preload/contract.js';
import { appPages, FAKE_TIMELINE, libraryFake, rendererInChromium } from './harness.js';
import { listen } from './listening.js';

const pages = appPages(rendererInChromium());
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });

/** A name that is markup, to be shown as text. */
const NAME = '<b>x</b>';

/** `libraryFake` whose b.jpg (id 2) has the tag `name`, given by hand and named by no prompt, until a verdict clears it. */
function handTagFake(name: string) {
  const fake = libraryFake();
  let tagged = true;
  const none: LibraryTimeline = { total: 0, ids: [], ratios: [], takenAt: [], names: [], folderIds: [], versions: [] };
  const ofPhoto = (photoId: number): PhotoTagsInfo => ({ photoId, tags: tagged && photoId === 2 ? [{ tag: name, source: 'person', score: null }] : [], rejected: [] });
  const info = (): TagInfo[] => (tagged ? [{ name, enabled: false, inVocabulary: false, photos: 1, confirmed: 1, rejected: 0, samples: [2] }] : []);
  fake.overrides['tags.list'] = () => ({ ok: true, value: info() });
  fake.overrides['tags.photos'] = () => ({ ok: true, value: tagged ? { ids: [2], ratios: [1], takenAt: [FAKE_TIMELINE.takenAt[1] as number], names: ['b.jpg'], folderIds: [1], versions: [2] } : none });
  fake.overrides['tags.ofPhoto'] = ({ id }: { id: number }) => ({ ok: true, value: ofPhoto(id) });
  fake.overrides['tags.verdict'] = ({ photoIds, verdict }: { photoIds: number[]; verdict: string }) => {
    const before = { confirmed: tagged ? photoIds.filter((id) => id === 2) : [], rejected: [] };
    if (verdict === 'clear') tagged = false;
    return { ok: true, value: { given: photoIds.length, photo: ofPhoto(photoIds[0] as number), before } };
  };
  fake.overrides['photos.details'] = ({ id }: { id: number }) => ({ ok: true, value: { id, name: 'b.jpg', folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 400, height: 300, format: 'jpeg', version: id, path: '/p/b.jpg', size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] } });
  return fake;
}

describe('a tag’s page whose last photo goes in the viewer opened from it', () => {
  it('says nothing under the viewer, then that no photo has the tag any more, with the way back to Tags and nothing to edit', async () => {
    const { page } = await pages.open(handTagFake(NAME), { hash: `#/tags?tag=${encodeURIComponent(NAME)}` });
    await page.getByRole('listbox', { name: `Photos tagged ${NAME}` }).getByRole('option', { name: /^b\.jpg/ }).click();
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    const heard = await listen(page);
    await viewer.getByRole('button', { name: `Remove tag ${NAME}` }).click();
    await poll(heard).toContain(`Removed the tag “${NAME}”.`);
    // The page has read that the tag is gone (its grid has left), and said nothing of it.
    await poll(() => page.evaluate(() => document.querySelector('main [role="listbox"]'))).toBeNull();
    await page.waitForTimeout(300);
    expect(await heard()).toEqual([`Removed the tag “${NAME}”.`]);

    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    const main = page.getByRole('main');
    await poll(heard).toEqual([`Removed the tag “${NAME}”.`, `No photo has “${NAME}” any more.`]);
    expect(await main.getByRole('heading', { level: 1 }).textContent().then((text) => text?.trim())).toBe(NAME);
    // Its photo gone with the grid, the viewer's place to give focus back to is the page's title.
    await poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    expect(await main.getByRole('link', { name: 'See all tags' }).getAttribute('href')).toBe('#/tags');
    expect(await main.getByRole('link', { name: 'Edit prompts' }).count()).toBe(0);
    expect(await main.getByRole('button', { name: 'Write to XMP sidecars' }).count()).toBe(0);
    await main.getByRole('link', { name: 'See all tags' }).click();
    await main.getByRole('heading', { level: 1, name: 'Tags' }).waitFor();
  });

  it('still says there is no such tag when the address names one that never had a photo, with the way back and nothing to edit', async () => {
    const fake = libraryFake();
    fake.overrides['tags.list'] = () => ({ ok: true, value: [] });
    fake.overrides['tags.photos'] = () => ({ ok: true, value: { total: 0, ids: [], ratios: [], takenAt: [], names: [], folderIds: [], versions: [] } });
    const { page } = await pages.open(fake, { hash: '#/tags?tag=nowhere' });
    await page.getByText('There is no tag “nowhere”: no photo has it, and your tags and prompts do not name it.').waitFor();
    expect(await page.getByRole('main').getByRole('link', { name: 'Edit prompts' }).count()).toBe(0);
    expect(await page.getByRole('main').getByRole('link', { name: 'See all tags' }).count()).toBe(1);
  });
});

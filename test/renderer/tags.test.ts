/** The Tags screen, built for real and driven in Chromium against a fake engine. */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { TagInfo } from '../../preload/contract.js';
import { appPages, contrastOf, FAKE_TIMELINE, libraryFake, rendererInChromium } from './harness.js';
import { heardWhen, listen, recordKeys, saidWhileTyping } from './listening.js';
import { verdictsFake } from './verdicts-fake.js';

const pages = appPages(rendererInChromium());

/** `verdictsFake` with the vocabulary's tag "sign" on every photo, the tagger's, c.jpg scored highest and a.jpg lowest. */
const signedFake = () => verdictsFake({ 3: [{ tag: 'sign', source: 'auto', score: 0.9 }], 2: [{ tag: 'sign', source: 'auto', score: 0.8 }], 1: [{ tag: 'sign', source: 'auto', score: 0.7 }] }, ['sign']);

/** A tag's page under the viewer (inert while it is open, so read from the page, not the accessibility tree): its title and its photos' names in order. */
const tagPage = (page: Page) =>
  page.evaluate(() => ({
    title: document.querySelector('main h1')?.textContent?.replace(/\s+/g, ' ').trim(),
    photos: [...document.querySelectorAll('main [role="option"]')].map((tile) => tile.getAttribute('aria-label')?.split(',')[0]),
  }));

describe('the list of tags', () => {
  it('shows the tags photos have as cards, and names those no photo has yet in one line', async () => {
    const tag = (name: string, photos: number, enabled = true): TagInfo => ({ name, enabled, inVocabulary: true, photos, confirmed: 0, rejected: 0, samples: photos ? [1] : [] });
    const fake = libraryFake();
    // In the vocabulary's order, as the engine lists them.
    fake.overrides['tags.list'] = () => ({ ok: true, value: [tag('snow', 0), { ...tag('beach', 3), confirmed: 2 }, tag('dog', 12), { ...tag('cat', 3, false), confirmed: 3 }, tag('boat', 0), tag('old', 0, false)] });
    const { page } = await pages.open(fake, { hash: '#/tags' });
    const cards = page.getByRole('list').first().getByRole('link');
    const names = () => cards.evaluateAll((links) => links.map((link) => link.getAttribute('aria-label')));
    // Most photos first, ties by name.
    await expect.poll(names).toEqual(['dog, 12 photos', 'beach, 3 photos', 'cat, 3 photos']);
    // What a card says besides its name and count is the link's description, in plain words, a line each.
    const described = await cards.evaluateAll((links) => links.map((link) => document.getElementById(link.getAttribute('aria-describedby') ?? '')?.innerText.split('\n')));
    expect(described).toEqual([undefined, ['2 tagged by you'], ['3 tagged by you', 'Lumen doesn’t add this tag']]);
    // The cards of a row are as tall as each other, whatever each says below its count.
    const boxes = await cards.evaluateAll((links) => links.map((link) => link.getBoundingClientRect()).map(({ top, height }) => ({ top, height })));
    expect(new Set(boxes.map(({ top }) => top)).size).toBe(1);
    expect(new Set(boxes.map(({ height }) => height)).size).toBe(1);
    // By name, on the person's choice.
    await page.getByRole('combobox', { name: 'Sort' }).selectOption({ label: 'Name' });
    await expect.poll(names).toEqual(['beach, 3 photos', 'cat, 3 photos', 'dog, 12 photos']);
    // Kept in the address: a reload shows the list as it was left.
    expect(page.url()).toMatch(/#\/tags\?sort=name$/);
    await page.reload();
    await expect.poll(names).toEqual(['beach, 3 photos', 'cat, 3 photos', 'dog, 12 photos']);
    expect(await page.getByRole('combobox', { name: 'Sort' }).inputValue()).toBe('name');
    // Not "No photos yet", the words of the notice of an empty library: these tags are on no photo.
    const empty = page.getByRole('region', { name: /^Not on any photo yet/ });
    expect(await empty.getByRole('heading', { level: 2 }).textContent()).toBe('Not on any photo yet 2 tags');
    // The tags on photos come first in the outline too, under a heading of their own, which names their list.
    expect(await page.getByRole('main').getByRole('heading').allTextContents()).toEqual(['Tags', 'On your photos', 'Not on any photo yet 2 tags']);
    expect(await page.getByRole('heading', { name: 'On your photos' }).evaluate((heading) => heading.tagName)).toBe('H2');
    expect(await page.getByRole('list', { name: 'On your photos' }).getByRole('link').count()).toBe(3);
    expect(await page.getByText('No photos yet').count()).toBe(0);
    expect(await empty.getByRole('link').evaluateAll((links) => links.map((link) => link.getAttribute('aria-label')))).toEqual(['boat, no photos', 'snow, no photos']);
    // A tag switched off that no photo has is not offered at all.
    expect(await page.getByRole('link', { name: /^old,/ }).count()).toBe(0);
    // The window's title names a tag's page, and the screen again after it.
    await cards.first().click();
    await expect.poll(() => page.title()).toBe('beach · Tags — Lumen');
    await page.goBack();
    await expect.poll(() => page.title()).toBe('Tags — Lumen');
  });

  it('says when the tagging run it started is done, however quick, once its counts are shown, and not for another run', async () => {
    const fake = libraryFake();
    let tagged = 1;
    let listed = Promise.resolve();
    fake.overrides['tags.list'] = () => listed.then(() => ({ ok: true as const, value: [{ name: 'beach', enabled: true, inVocabulary: true, photos: tagged, confirmed: 0, rejected: 0, samples: [1] }] }));
    fake.overrides['tags.run'] = () => ({ ok: true, value: { jobId: 'tag-7' } });
    const { page, emit } = await pages.open(fake, { hash: '#/tags' });
    const done = page.getByText('Tagging done: the tags below are up to date.');
    const tagging = (id: string, state: 'running' | 'done', background = false) => emit({ type: 'job', job: { id, kind: 'tag', subject: null, state, progress: null, error: null, background } });
    // The engine's own run after indexing is not this page's to report.
    await tagging('tag-6', 'running', true);
    await tagging('tag-6', 'done', true);
    await page.getByRole('button', { name: 'Run auto-tagging' }).click();
    await expect.poll(() => fake.callsOf('tags.run').length).toBe(1);
    await tagging('tag-7', 'running');
    await page.waitForTimeout(200);
    expect(await done.count()).toBe(0);
    // Done, its counts still being read: the list below is not up to date yet.
    let release = (): void => {};
    listed = new Promise((resolve) => (release = resolve));
    tagged = 5;
    await tagging('tag-7', 'done');
    await page.waitForTimeout(200);
    expect(await done.count()).toBe(0);
    release();
    await done.waitFor();
    await page.getByRole('link', { name: 'beach, 5 photos' }).waitFor();
  });

  it('says how writing a tag to XMP sidecars went on that tag’s page only, never as an error of the list', async () => {
    const tag = (name: string): TagInfo => ({ name, enabled: true, inVocabulary: true, photos: 2, confirmed: 0, rejected: 0, samples: [1] });
    const fake = libraryFake();
    fake.overrides['tags.list'] = () => ({ ok: true, value: [tag('beach'), tag('dog')] });
    fake.overrides['tags.photos'] = () => ({ ok: true, value: structuredClone(FAKE_TIMELINE) });
    fake.overrides['xmp.export'] = () => ({ ok: true, value: { style: 'jpg.xmp', written: 2, unchanged: 0, withoutTags: 0, skipped: [] } });
    const { page } = await pages.open(fake, { hash: '#/tags?tag=beach' });
    // It writes files beside the person's photos: it asks first, and writes nothing until told to.
    await page.getByRole('button', { name: 'Write to XMP sidecars' }).click();
    await page.getByText('Write every tag of these photos, “beach” among them, into an XMP sidecar beside each of the 3 photos, where other photo apps read them? The photos themselves are not changed.').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForTimeout(100);
    expect(fake.callsOf('xmp.export')).toEqual([]);
    await page.getByRole('button', { name: 'Write to XMP sidecars' }).click();
    await page.getByRole('button', { name: 'Write sidecars' }).click();
    const said = page.getByText(/^XMP sidecars: 2 written/);
    await said.waitFor();
    expect(await said.getAttribute('role')).toBe('status');
    await page.getByRole('link', { name: '← Tags' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tags' }).waitFor();
    expect(await said.count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.evaluate(() => (location.hash = '#/tags?tag=dog'));
    await page.getByRole('heading', { level: 1, name: /^dog/ }).waitFor();
    expect(await said.count()).toBe(0);
    // Its own page says it still.
    await page.evaluate(() => (location.hash = '#/tags?tag=beach'));
    await said.waitFor();
  });

  it('says why sidecars were skipped, by reason, the commonest first, on a tag’s page and for a selection', async () => {
    const fake = libraryFake();
    fake.overrides['tags.list'] = () => ({ ok: true, value: [{ name: 'beach', enabled: true, inVocabulary: true, photos: 2, confirmed: 0, rejected: 0, samples: [1] }] });
    fake.overrides['tags.photos'] = () => ({ ok: true, value: structuredClone(FAKE_TIMELINE) });
    const locked = Array.from({ length: 7 }, (_, i) => ({ path: `/nas/trip/p${i + 1}.jpg`, reason: 'Lumen has no permission to write in /nas/trip' }));
    const skipped = [{ path: '/home/ada/a.jpg', reason: 'its sidecar is not UTF-8' }, ...locked];
    fake.overrides['xmp.export'] = () => ({ ok: true, value: { written: 1, unchanged: 0, withoutTags: 0, skipped } });
    const { page } = await pages.open(fake, { hash: '#/tags?tag=beach' });
    await page.getByRole('button', { name: 'Write to XMP sidecars' }).click();
    await page.getByRole('button', { name: 'Write sidecars' }).click();
    const reasons = page.getByRole('group').filter({ hasText: 'Why 8 files were skipped' });
    await reasons.getByText('Why 8 files were skipped').click();
    expect(await reasons.getByRole('listitem').allTextContents()).toEqual([
      'Lumen has no permission to write in /nas/trip: p1.jpg, p2.jpg, p3.jpg, p4.jpg, p5.jpg and 2 more',
      'its sidecar is not UTF-8: a.jpg',
    ]);

    // The same for the photos selected.
    await page.getByRole('listbox', { name: 'Photos tagged beach' }).getByRole('option').first().click({ modifiers: ['Control'] });
    await page.getByRole('group', { name: 'Selection' }).getByRole('button', { name: 'Write to XMP sidecars' }).click();
    await page.getByRole('group', { name: 'Selection' }).getByText('Write their tags into an XMP sidecar beside the photo, where other photo apps read them? The photos themselves are not changed.').waitFor();
    await page.getByRole('group', { name: 'Selection' }).getByRole('button', { name: 'Write sidecars' }).click();
    await page.getByRole('group', { name: 'Selection' }).getByText('Why 8 files were skipped').waitFor();
  });
});

describe('the Tags page of a library with no photos yet', () => {
  it('keeps “Run auto-tagging” where the keyboard reaches it, saying why it does nothing, and runs nothing', async () => {
    const fake = libraryFake();
    fake.status.library = { ...fake.status.library!, photos: 0, images: 0 };
    const { page } = await pages.open(fake, { hash: '#/tags' });
    const run = page.getByRole('button', { name: 'Run auto-tagging' });
    // Disabled outright, it could not be focused, and its reason was never heard.
    await expect.poll(() => run.getAttribute('aria-disabled')).toBe('true');
    expect(await run.evaluate((button) => (button as HTMLButtonElement).disabled)).toBe(false);
    const reason = await run.evaluate((button) => document.getElementById(button.getAttribute('aria-describedby') ?? '')?.textContent);
    expect(reason).toMatch(/Lumen tags your photos as it indexes them/);
    await run.focus();
    expect(await run.evaluate((button) => document.activeElement === button)).toBe(true);
    await page.keyboard.press('Enter');
    await run.click({ force: true });
    // A round trip through the page: a call the presses made would have reached the fake engine by its end.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 100)));
    expect(fake.callsOf('tags.run')).toEqual([]);
  });
});

describe('a tag’s page', () => {
  it('gives focus back to its card in the list it was opened from, by “← Tags” or Back', async () => {
    const tag = (name: string, photos: number): TagInfo => ({ name, enabled: true, inVocabulary: true, photos, confirmed: 0, rejected: 0, samples: photos ? [1] : [] });
    const fake = libraryFake();
    fake.overrides['tags.list'] = () => ({ ok: true, value: [tag('beach', 3), tag('dog', 2), tag('snow', 0)] });
    fake.overrides['tags.photos'] = () => ({ ok: true, value: structuredClone(FAKE_TIMELINE) });
    const { page } = await pages.open(fake, { hash: '#/tags' });
    const focusedName = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent?.trim());
    await page.getByRole('link', { name: 'dog, 2 photos' }).click();
    await page.getByRole('heading', { level: 1, name: /^dog/ }).waitFor();
    await page.getByRole('link', { name: '← Tags' }).click();
    await expect.poll(focusedName, { timeout: 5000 }).toBe('dog, 2 photos');
    await page.getByRole('link', { name: 'snow, no photos' }).click();
    await page.getByRole('heading', { level: 1, name: /^snow/ }).waitFor();
    await page.goBack();
    await expect.poll(focusedName, { timeout: 5000 }).toBe('snow, no photos');
  });

  it('shows the tag asked for in other capitals as it is named, and says there is no tag of a name nothing has', async () => {
    const fake = libraryFake();
    fake.overrides['tags.list'] = () => ({ ok: true, value: [{ name: 'beach', enabled: true, inVocabulary: true, photos: 3, confirmed: 0, rejected: 0, samples: [1] }] });
    fake.overrides['tags.photos'] = ({ tag }: { tag: string }) => ({ ok: true, value: tag === 'beach' ? structuredClone(FAKE_TIMELINE) : { ...structuredClone(FAKE_TIMELINE), total: 0, ids: [], ratios: [], takenAt: [], names: [], folderIds: [], versions: [] } });
    const { page } = await pages.open(fake, { hash: '#/tags?tag=BEACH' });
    await page.getByRole('heading', { level: 1, name: /^beach/ }).waitFor({ timeout: 5000 });
    await expect.poll(() => page.evaluate(() => decodeURIComponent(location.hash))).toBe('#/tags?tag=beach');
    await page.getByRole('listbox', { name: 'Photos tagged beach' }).getByRole('option').first().waitFor();

    await page.evaluate(() => (location.hash = '#/tags?tag=nowhere'));
    await page.getByText('There is no tag “nowhere”: no photo has it, and your tags and prompts do not name it.').waitFor({ timeout: 5000 });
    expect(await page.getByRole('button', { name: 'Write to XMP sidecars' }).count()).toBe(0);
  });

  it('keeps its place, its focus and its selection when a tagging run ends and its photos load again', async () => {
    const fake = libraryFake();
    const ids = Array.from({ length: 600 }, (_, i) => i + 1);
    fake.overrides['tags.list'] = () => ({ ok: true, value: [{ name: 'beach', enabled: true, inVocabulary: true, photos: 600, confirmed: 0, rejected: 0, samples: [1] }] });
    fake.overrides['tags.photos'] = () => ({ ok: true, value: { ids, ratios: ids.map(() => 1.5), takenAt: ids.map((i) => Date.UTC(2024, 0, 1) - i * 3_600_000), names: ids.map((i) => `p${i}.jpg`), folderIds: ids.map(() => 1), versions: ids } });
    const { page, emit } = await pages.open(fake, { hash: '#/tags?tag=beach' });
    const grid = page.getByRole('listbox', { name: 'Photos tagged beach' });
    await grid.getByRole('option').first().click({ modifiers: ['Control'] });
    for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press(' ');
    const where = () => page.evaluate(() => ({ focus: document.activeElement?.getAttribute('aria-label')?.split(',')[0], scroll: document.querySelector<HTMLElement>('.scroller')?.scrollTop ?? 0 }));
    const before = await where();
    expect(before.scroll).toBeGreaterThan(0);
    await page.getByText('2 selected').waitFor();
    await emit({ type: 'job', job: { id: 'tag-1', kind: 'tag', subject: null, state: 'done', progress: null, error: null, background: false } });
    await expect.poll(() => fake.callsOf('tags.photos').length, { timeout: 5000 }).toBe(2);
    await page.waitForTimeout(300);
    expect(await where()).toEqual(before);
    await page.getByText('2 selected').waitFor();
  });
});

describe('a tag’s page and the list of tags, after a person’s verdicts', () => {
  it('follow a verdict given in the viewer opened from the page: a rejected photo leaves it, and the viewer steps on from its place', async () => {
    const fake = signedFake();
    const { page } = await pages.open(fake, { hash: '#/tags?tag=sign' });
    await expect.poll(() => tagPage(page), { timeout: 5000 }).toEqual({ title: 'sign 3 photos', photos: ['c.jpg', 'b.jpg', 'a.jpg'] });
    await page.getByRole('listbox', { name: 'Photos tagged sign' }).getByRole('option', { name: /^b\.jpg/ }).click();
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    await viewer.getByRole('button', { name: 'Reject sign' }).click();
    await viewer.getByRole('button', { name: 'Undo rejecting sign' }).waitFor();
    await expect.poll(() => tagPage(page), { timeout: 5000 }).toEqual({ title: 'sign 2 photos', photos: ['c.jpg', 'a.jpg'] });
    // Withdrawn, the verdict gives the photo back its place.
    await viewer.getByRole('button', { name: 'Undo rejecting sign' }).click();
    await expect.poll(() => tagPage(page), { timeout: 5000 }).toEqual({ title: 'sign 3 photos', photos: ['c.jpg', 'b.jpg', 'a.jpg'] });
    await viewer.getByRole('button', { name: 'Reject sign' }).click();
    await expect.poll(() => tagPage(page), { timeout: 5000 }).toEqual({ title: 'sign 2 photos', photos: ['c.jpg', 'a.jpg'] });
    // The viewer stays on the photo that left, and Next shows the one now in its place.
    await viewer.getByRole('button', { name: 'Next photo' }).click();
    const next = page.getByRole('dialog', { name: 'a.jpg' });
    // Confirmed, a photo keeps its place while the person works through the page (the engine would list it first).
    await next.getByRole('button', { name: 'Confirm sign' }).click();
    await next.getByRole('button', { name: 'Undo confirming sign' }).waitFor();
    await expect.poll(() => fake.callsOf('tags.photos').length, { timeout: 5000 }).toBe(5);
    expect(await tagPage(page)).toEqual({ title: 'sign 2 photos', photos: ['c.jpg', 'a.jpg'] });
    await next.getByRole('button', { name: 'Previous photo' }).click();
    await page.getByRole('dialog', { name: 'c.jpg' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });

    // The list of tags counts them too, without leaving the screen.
    await page.getByRole('link', { name: '← Tags' }).click();
    const card = page.getByRole('link', { name: /^sign,/ });
    await expect.poll(() => card.getAttribute('aria-label'), { timeout: 5000 }).toBe('sign, 2 photos');
    expect(await card.evaluate((link) => document.getElementById(link.getAttribute('aria-describedby') ?? '')?.innerText)).toBe('1 tagged by you');
  });

  it('read again once for a burst of verdicts, when they rest (Note [Verdicts reload once])', async () => {
    const fake = signedFake();
    const { page } = await pages.open(fake, { hash: '#/tags?tag=sign' });
    await expect.poll(() => tagPage(page), { timeout: 5000 }).toEqual({ title: 'sign 3 photos', photos: ['c.jpg', 'b.jpg', 'a.jpg'] });
    await page.getByRole('listbox', { name: 'Photos tagged sign' }).getByRole('option', { name: /^b\.jpg/ }).click();
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    await viewer.getByRole('button', { name: 'Reject sign' }).waitFor();
    await page.waitForTimeout(300);
    const [lists, photos] = [fake.callsOf('tags.list').length, fake.callsOf('tags.photos').length];
    await viewer.getByRole('button', { name: 'Reject sign' }).click();
    await viewer.getByRole('button', { name: 'Undo rejecting sign' }).click();
    await viewer.getByRole('button', { name: 'Confirm sign' }).click();
    await expect.poll(() => fake.callsOf('tags.verdict').length, { timeout: 5000 }).toBe(3);
    await expect.poll(() => tagPage(page), { timeout: 5000 }).toEqual({ title: 'sign 3 photos', photos: ['c.jpg', 'b.jpg', 'a.jpg'] });
    await page.waitForTimeout(800);
    // One each, or two where a busy machine held a click back past the rest: never one a verdict.
    for (const reads of [fake.callsOf('tags.list').length - lists, fake.callsOf('tags.photos').length - photos]) expect(reads).toBeOneOf([1, 2]);
  });

  it('follow a tag added to the photos selected on the page', async () => {
    const fake = signedFake();
    const { page } = await pages.open(fake, { hash: '#/tags?tag=sign' });
    const grid = page.getByRole('listbox', { name: 'Photos tagged sign' });
    const tag = async (name: string) => {
      await page.getByRole('button', { name: 'Add a tag…' }).click();
      await page.getByRole('textbox', { name: 'Tag to add' }).fill(name);
      await page.getByRole('button', { name: 'Add tag' }).click();
      await page.getByText(`Tagged 1 photo “${name}”.`).waitFor();
    };
    await grid.getByRole('option', { name: /^a\.jpg/ }).click({ modifiers: ['Control'] });
    await tag('sign');
    await tag('beach');
    await expect.poll(() => fake.callsOf('tags.photos').length, { timeout: 5000 }).toBe(2);
    expect(await tagPage(page)).toEqual({ title: 'sign 3 photos', photos: ['c.jpg', 'b.jpg', 'a.jpg'] });
    // The selection bar lies over the heading and its way back until the selection is cleared (Note [Selection over the heading]).
    await page.getByRole('button', { name: 'Clear selection' }).click();
    await page.getByRole('link', { name: '← Tags' }).click();
    await expect.poll(() => page.getByRole('link', { name: /^beach,/ }).getAttribute('aria-label'), { timeout: 5000 }).toBe('beach, 1 photo');
    const sign = page.getByRole('link', { name: 'sign, 3 photos' });
    await expect.poll(() => sign.evaluate((link) => document.getElementById(link.getAttribute('aria-describedby') ?? '')?.innerText), { timeout: 5000 }).toBe('1 tagged by you');
  });
});

describe('the library filtered by a tag, after a verdict on it', () => {
  /** `signedFake` whose timeline and search pass a tag filter as the engine does: the photos the tag's page shows. */
  function filteringFake() {
    const fake = signedFake();
    const tagged = (tag: string | undefined): number[] => (tag ? fake.photosShowing(tag.toLowerCase()) : FAKE_TIMELINE.ids);
    fake.overrides['photos.timeline'] = ({ filters }: { filters?: { tag?: string } }) => {
      const ids = FAKE_TIMELINE.ids.filter((id) => tagged(filters?.tag).includes(id));
      const pick = <T>(values: T[]) => ids.map((id) => values[FAKE_TIMELINE.ids.indexOf(id)] as T);
      return { ok: true, value: { total: ids.length, ids, ratios: pick(FAKE_TIMELINE.ratios), takenAt: pick(FAKE_TIMELINE.takenAt), names: pick(FAKE_TIMELINE.names), folderIds: pick(FAKE_TIMELINE.folderIds), versions: pick(FAKE_TIMELINE.versions) } };
    };
    fake.overrides['search.query'] = ({ options }: { options: { filters?: { tag?: string } } }) => {
      const hits = [1, 2, 3].filter((id) => tagged(options.filters?.tag).includes(id)).map((id) => ({ id, name: `${'abc'[id - 1]}.jpg`, folderId: 1, takenAt: Date.UTC(2024, 5, id), width: 400, height: 300, format: 'jpeg', version: id, score: 1 - id / 10 }));
      return { ok: true, value: { results: hits, total: hits.length, belowCutoff: 0, offset: 0, model: 'm', method: 'index', counted: true } };
    };
    return fake;
  }

  const names = (page: Page, grid: string) => page.evaluate((label) => [...document.querySelectorAll(`main [role="listbox"][aria-label="${label}"] [role="option"]`)].map((tile) => tile.getAttribute('aria-label')?.split(',')[0]), grid);

  for (const [what, hash, grid, before, after] of [
    ['photos', '#/library?tagged=Sign', 'Photos', ['c.jpg', 'b.jpg', 'a.jpg'], ['c.jpg', 'a.jpg']],
    ['search results', '#/library?q=street&tagged=Sign', 'Search results', ['a.jpg', 'b.jpg', 'c.jpg'], ['a.jpg', 'c.jpg']],
  ] as const) {
    it(`drops from its ${what} a photo rejected for the tag in the viewer, and the rest keep their order`, async () => {
      const { page } = await pages.open(filteringFake(), { hash });
      await expect.poll(() => names(page, grid), { timeout: 5000 }).toEqual(before);
      await page.getByRole('listbox', { name: grid }).getByRole('option', { name: /^b\.jpg/ }).click();
      const viewer = page.getByRole('dialog', { name: 'b.jpg' });
      await viewer.getByRole('button', { name: 'Reject sign' }).click();
      await viewer.getByRole('button', { name: 'Undo rejecting sign' }).waitFor();
      await expect.poll(() => names(page, grid), { timeout: 5000 }).toEqual(after);
      // A verdict on another tag changes nothing the filter passes.
      await viewer.getByRole('combobox', { name: 'Add a tag' }).fill('beach');
      await viewer.getByRole('button', { name: 'Add', exact: true }).click();
      await viewer.getByRole('button', { name: 'Remove tag beach' }).waitFor();
      await viewer.getByRole('button', { name: 'Undo rejecting sign' }).click();
      await expect.poll(() => names(page, grid), { timeout: 5000 }).toEqual(before);
    });
  }
});

describe('a photo’s tags in the viewer', () => {
  it('name what each undo does, and link each tag to its page', async () => {
    const fake = verdictsFake(
      {
        2: [
          { tag: 'beach', source: 'person', score: null },
          { tag: 'dog', source: 'auto', score: 0.6, rejected: true },
          { tag: 'sign', source: 'person', score: 0.8 },
          { tag: 'sky', source: 'auto', score: 0.7 },
        ],
      },
      ['dog', 'sign', 'sky'],
    );
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    const tags = page.getByRole('dialog', { name: 'b.jpg' }).getByRole('region', { name: 'Tags' });
    const buttons = () => tags.getByRole('button').evaluateAll((all) => all.map((button) => [button.getAttribute('aria-label'), button.textContent?.trim()]));
    await expect.poll(buttons, { timeout: 5000 }).toEqual([
      ['Remove tag beach', 'Remove'],
      ['Undo confirming sign', 'Undo'],
      ['Confirm sky', '✓'],
      ['Reject sky', '✕'],
      ['Undo rejecting dog', 'Undo'],
      [null, 'Add'],
    ]);
    expect(await tags.getByRole('listitem').allInnerTexts()).toEqual(['beach\nadded by you\nRemove', 'sign\n✓ confirmed\nUndo', 'sky\n✓\n✕']);
    expect(await tags.getByRole('link').evaluateAll((links) => links.map((link) => [link.textContent, link.getAttribute('href')]))).toEqual([
      ['beach', '#/tags?tag=beach'],
      ['sign', '#/tags?tag=sign'],
      ['sky', '#/tags?tag=sky'],
      ['dog', '#/tags?tag=dog'],
    ]);
    // Readable on the viewer, dark in the light theme too.
    expect(await contrastOf(tags.getByRole('link', { name: 'sign' }))).toBeGreaterThanOrEqual(4.5);
    await tags.getByRole('button', { name: 'Remove tag beach' }).click();
    await tags.getByRole('link', { name: 'beach' }).waitFor({ state: 'detached' });
    expect(fake.callsOf('tags.verdict')).toEqual([{ photoIds: [2], tag: 'beach', verdict: 'clear' }]);

    await tags.getByRole('link', { name: 'sign' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await expect.poll(() => page.evaluate(() => decodeURIComponent(location.hash))).toBe('#/tags?tag=sign');
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName + ' ' + document.activeElement?.textContent?.replace(/\s+/g, ' ').trim()), { timeout: 5000 }).toBe('H1 sign 1 photo');
  });
});

describe('a tag given by hand, in the template editor', () => {
  it('is not replaced by another tag: the editor says it has no prompts and offers to add it', async () => {
    const fake = libraryFake();
    fake.overrides['vocabulary.get'] = () => ({ ok: true, value: { vocabulary: { templates: ['a photo of {}'], tags: [{ name: 'beach', prompts: ['beach'] }] }, isDefault: false } });
    const { page } = await pages.open(fake, { hash: '#/templates?tag=Beach%20Trip' });
    const note = page.getByRole('status').filter({ hasText: 'was given by hand' });
    await expect.poll(() => note.textContent()).toContain('“Beach Trip” was given by hand: it has no prompts, so tagging never gives it.');
    await note.getByRole('button', { name: 'Add it to the vocabulary' }).click();
    await page.getByRole('region', { name: 'Tag Beach Trip' }).waitFor();
    expect(await page.getByRole('listbox', { name: 'Tags to edit' }).getByRole('option', { name: 'Beach Trip', exact: true }).getAttribute('aria-selected')).toBe('true');
    expect(await note.count()).toBe(0);
  });
});

describe('problems in the template editor', () => {
  it('describe the field they are about, which is marked invalid, and go with the problem', async () => {
    const fake = libraryFake();
    fake.overrides['vocabulary.get'] = () => ({ ok: true, value: { vocabulary: { templates: ['a photo of {}'], tags: [{ name: 'beach', prompts: ['beach'] }, { name: 'sea', prompts: ['sea'] }] }, isDefault: false } });
    const { page } = await pages.open(fake, { hash: '#/templates?tag=beach' });
    const form = page.getByRole('region', { name: 'Tag beach' });
    const name = form.getByRole('textbox', { name: 'Name' });
    const description = (field: typeof name) => field.evaluate((element) => document.getElementById(element.getAttribute('aria-describedby') ?? '')?.textContent?.trim() ?? null);
    expect(await name.getAttribute('aria-invalid')).toBeNull();
    await name.fill('Sea');
    await expect.poll(() => description(page.getByRole('region', { name: 'Tag Sea' }).getByRole('textbox', { name: 'Name' }))).toBe('Another tag is already called “sea”.');
    expect(await page.getByRole('region', { name: 'Tag Sea' }).getByRole('textbox', { name: 'Name' }).getAttribute('aria-invalid')).toBe('true');
    const templates = page.getByRole('textbox', { name: 'Templates', exact: true });
    await templates.fill('no slot here');
    await expect.poll(() => description(templates)).toMatch(/^Template 1 must contain \{\} exactly once/);
    expect(await templates.getAttribute('aria-invalid')).toBe('true');
    await templates.fill('a photo of {}');
    await expect.poll(() => templates.getAttribute('aria-invalid')).toBeNull();
  });

  it('are said once typing rests, in one sentence, and not as an alert at each key', async () => {
    const fake = libraryFake();
    fake.overrides['vocabulary.get'] = () => ({ ok: true, value: { vocabulary: { templates: ['a photo of {}'], tags: [{ name: 'beach', prompts: ['beach'] }] }, isDefault: false } });
    // Only problems are to be heard: a busy machine can hold a key back past the rest, where an
    // edit with none yet ("\n") asks for a preview, which would then be said too.
    fake.overrides['vocabulary.preview'] = () => new Promise(() => {});
    const { page } = await pages.open(fake, { hash: '#/templates?tag=beach' });
    const templates = page.getByRole('textbox', { name: 'Templates', exact: true });
    await templates.waitFor();
    await templates.focus();
    await page.keyboard.press('End');
    const heard = await listen(page);
    const keys = await recordKeys(page);
    await page.keyboard.type('\nno slot', { delay: 40 });
    await expect.poll(() => templates.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('alert').count()).toBe(0);
    await expect.poll(heard, { timeout: 5000 }).toEqual([expect.stringMatching(/^Template 2 must contain \{\} exactly once/)]);
    await page.waitForTimeout(1500);
    expect(saidWhileTyping(await heardWhen(page), await keys())).toEqual([]);
    expect(await heard()).toHaveLength(1);
  });
});

describe('the template editor’s list of tags', () => {
  it('scrolls to the tag shown, not the page, and puts the cursor in a new tag’s name', async () => {
    const fake = libraryFake();
    const tags = Array.from({ length: 60 }, (_, i) => ({ name: `tag ${i}`, prompts: [`tag ${i}`] }));
    fake.overrides['vocabulary.get'] = () => ({ ok: true, value: { vocabulary: { templates: ['a photo of {}'], tags }, isDefault: false } });
    const { page } = await pages.open(fake, { hash: '#/templates?tag=tag%2045' });
    const list = page.getByRole('listbox', { name: 'Tags to edit' });
    const inView = (name: string) =>
      list.evaluate((element, wanted) => {
        const button = [...element.querySelectorAll('[role="option"]')].find((each) => each.textContent?.trim() === wanted);
        const [outer, inner] = [element.getBoundingClientRect(), button!.getBoundingClientRect()];
        return inner.top >= outer.top && inner.bottom <= outer.bottom;
      }, name);
    await page.getByRole('region', { name: 'Tag tag 45' }).waitFor();
    await expect.poll(() => inView('tag 45')).toBe(true);
    expect(await page.evaluate(() => document.querySelector('main')?.scrollTop)).toBe(0);
    await page.getByRole('button', { name: 'Add a tag' }).click();
    const name = page.getByRole('region', { name: 'Tag new tag' }).getByRole('textbox', { name: 'Name' });
    await expect.poll(() => name.evaluate((element) => element === document.activeElement)).toBe(true);
    expect(await name.evaluate((element: HTMLInputElement) => element.value.slice(element.selectionStart ?? 0, element.selectionEnd ?? 0))).toBe('new tag');
    await expect.poll(() => inView('new tag')).toBe(true);
  });
});

describe('an unsaved draft of the templates', () => {
  it('comes back after a reload, is gone once discarded, and is kept aside over templates changed since, until brought back or let go', async () => {
    const fake = libraryFake();
    let vocabulary = { templates: ['a photo of {}'], tags: [{ name: 'beach', prompts: ['beach'] }] };
    fake.overrides['vocabulary.get'] = () => ({ ok: true, value: { vocabulary, isDefault: false } });
    const { page } = await pages.open(fake, { hash: '#/templates?tag=beach' });
    const name = () => page.getByRole('region', { name: /^Tag / }).getByRole('textbox', { name: 'Name' });
    await name().fill('sandy beach');
    await page.getByRole('region', { name: 'Tag sandy beach' }).waitFor();
    await page.reload();
    await expect.poll(() => name().inputValue()).toBe('sandy beach');
    await page.getByText('Your unsaved changes from before are back. Save them, or discard them for the saved templates.').waitFor();
    expect(await page.getByRole('button', { name: 'Save', exact: true }).isEnabled()).toBe(true);

    await page.getByRole('button', { name: 'Discard changes' }).click();
    await expect.poll(() => name().inputValue()).toBe('beach');
    await page.reload();
    await page.getByRole('region', { name: 'Tag beach' }).waitFor();
    expect(await page.getByText('Your unsaved changes from before').count()).toBe(0);

    // Drafted over templates that then changed elsewhere (the command line): saving it would undo that.
    await name().fill('sandy beach');
    await page.getByRole('region', { name: 'Tag sandy beach' }).waitFor();
    vocabulary = { ...vocabulary, templates: ['a picture of {}'] };
    await page.reload();
    const keptAside = 'Your unsaved changes from before are kept aside: the saved templates have changed since, and saving your changes would undo that.';
    await page.getByText(keptAside).waitFor();
    expect(await name().inputValue()).toBe('beach');
    expect(await page.getByRole('button', { name: 'Save', exact: true }).isEnabled()).toBe(false);
    // Kept aside, not lost: a reload offers it again.
    await page.reload();
    await page.getByText(keptAside).waitFor();
    await page.getByRole('button', { name: 'Bring back my changes' }).click();
    await expect.poll(() => name().inputValue()).toBe('sandy beach');
    await page.getByText('Your unsaved changes from before are back. Saving them replaces the templates saved since.').waitFor();
    expect(await page.getByRole('textbox', { name: 'Templates', exact: true }).inputValue()).toBe('a photo of {}');
    expect(await page.getByRole('button', { name: 'Save', exact: true }).isEnabled()).toBe(true);

    // Let go, it is gone for good.
    vocabulary = { ...vocabulary, templates: ['an image of {}'] };
    await page.reload();
    await page.getByText(keptAside).waitFor();
    await page.getByRole('button', { name: 'Let them go' }).click();
    expect(await page.getByText(keptAside).count()).toBe(0);
    await page.reload();
    await page.getByRole('region', { name: 'Tag beach' }).waitFor();
    expect(await page.getByText('Your unsaved changes from before').count()).toBe(0);
    expect(await page.getByRole('textbox', { name: 'Templates', exact: true }).inputValue()).toBe('an image of {}');
  });
});

describe('the templates read again on another visit', () => {
  it('keep the edits typed before they come, and show no form before the first read', async () => {
    const fake = libraryFake();
    const vocabulary = { templates: ['a photo of {}'], tags: [{ name: 'beach', prompts: ['beach'] }] };
    let answer = () => {};
    const answered = { ok: true as const, value: { vocabulary, isDefault: false } };
    fake.overrides['vocabulary.get'] = (() => new Promise((resolve) => (answer = () => resolve(answered)))) as never;
    const { page } = await pages.open(fake, { hash: '#/templates?tag=beach' });
    await expect.poll(() => fake.callsOf('vocabulary.get').length).toBe(1);
    await page.waitForTimeout(200);
    // Nothing to edit yet, and so nothing flagged: the form waits for the templates.
    expect(await page.getByRole('textbox', { name: 'Templates', exact: true }).count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);
    answer();
    const name = page.getByRole('region', { name: /^Tag / }).getByRole('textbox', { name: 'Name' });
    await expect.poll(() => name.inputValue()).toBe('beach');
    await page.evaluate(() => (location.hash = '#/library'));
    await page.getByRole('heading', { level: 1, name: /^Library/ }).waitFor();
    await page.evaluate(() => (location.hash = '#/templates?tag=beach'));
    await expect.poll(() => fake.callsOf('vocabulary.get').length).toBe(2);
    await name.fill('sandy beach');
    answer();
    await page.waitForTimeout(300);
    expect(await name.inputValue()).toBe('sandy beach');
    expect(await page.getByRole('button', { name: 'Save', exact: true }).getAttribute('aria-disabled')).toBe('false');
    // They were typed now, not brought back from before.
    expect(await page.getByText('Your unsaved changes from before').count()).toBe(0);
  });
});

describe('unsaved changes to the templates, when another vocabulary replaces the saved one', () => {
  it('are kept aside over an import, and brought back after a reload', async () => {
    const fake = libraryFake();
    let vocabulary = { templates: ['a photo of {}'], tags: [{ name: 'beach', prompts: ['beach'] }] };
    fake.overrides['vocabulary.get'] = () => ({ ok: true, value: { vocabulary, isDefault: false } });
    fake.overrides['vocabulary.import'] = () => {
      vocabulary = { templates: ['a picture of {}'], tags: [{ name: 'beach', prompts: ['beach'] }, { name: 'snow', prompts: ['snow'] }] };
      return { ok: true, value: { vocabulary, jobId: 'tag-2' } };
    };
    const { page } = await pages.open(fake, { hash: '#/templates?tag=beach' });
    const name = () => page.getByRole('region', { name: /^Tag / }).getByRole('textbox', { name: 'Name' });
    await name().fill('sandy beach');
    await page.getByRole('region', { name: 'Tag sandy beach' }).waitFor();
    await page.locator('input[type="file"]').setInputFiles({ name: 'theirs.json', mimeType: 'application/json', buffer: Buffer.from('{}') });
    await page.getByText('Imported theirs.json. Your unsaved changes are kept aside: bring them back over it, or let them go.').waitFor();
    expect(await page.getByRole('textbox', { name: 'Templates', exact: true }).inputValue()).toBe('a picture of {}');
    await page.reload();
    await page.getByText('Your unsaved changes from before are kept aside: the saved templates have changed since, and saving your changes would undo that.').waitFor();
    await page.getByRole('button', { name: 'Bring back my changes' }).click();
    await expect.poll(() => name().inputValue()).toBe('sandy beach');
  });

  it('keep them apart from the edits made since: a reload brings back both, bringing back swaps them, a discard drops only the edits', async () => {
    const fake = libraryFake();
    let vocabulary = { templates: ['a photo of {}'], tags: [{ name: 'beach', prompts: ['beach'] }] };
    fake.overrides['vocabulary.get'] = () => ({ ok: true, value: { vocabulary, isDefault: false } });
    fake.overrides['vocabulary.import'] = () => {
      vocabulary = { templates: ['a picture of {}'], tags: [{ name: 'beach', prompts: ['beach'] }] };
      return { ok: true, value: { vocabulary, jobId: 'tag-2' } };
    };
    const { page } = await pages.open(fake, { hash: '#/templates?tag=beach' });
    const name = () => page.getByRole('region', { name: /^Tag / }).getByRole('textbox', { name: 'Name' });
    const bringBack = page.getByRole('button', { name: 'Bring back my changes' });
    await name().fill('sandy beach');
    await page.getByRole('region', { name: 'Tag sandy beach' }).waitFor();
    await page.locator('input[type="file"]').setInputFiles({ name: 'theirs.json', mimeType: 'application/json', buffer: Buffer.from('{}') });
    await bringBack.waitFor();
    await name().fill('sunny beach');
    await page.getByRole('region', { name: 'Tag sunny beach' }).waitFor();

    await page.reload();
    await page.getByText('Your unsaved changes from before are back. Older ones are kept aside: the saved templates have changed since, and saving your changes would undo that.').waitFor();
    expect(await name().inputValue()).toBe('sunny beach');
    await bringBack.click();
    await expect.poll(() => name().inputValue()).toBe('sandy beach');
    await page.getByText('Your unsaved changes from before are back. The changes you made since are kept aside in their place. Saving them replaces the templates saved since.').waitFor();
    await bringBack.click();
    await expect.poll(() => name().inputValue()).toBe('sunny beach');

    await page.getByRole('button', { name: 'Discard changes' }).click();
    await expect.poll(() => name().inputValue()).toBe('beach');
    await page.reload();
    await page.getByText('Your unsaved changes from before are kept aside: the saved templates have changed since, and saving your changes would undo that.').waitFor();
    expect(await name().inputValue()).toBe('beach');
    await bringBack.click();
    await expect.poll(() => name().inputValue()).toBe('sandy beach');
  });
});

describe('the evaluation of the templates', () => {
  const report = { photos: 4, confirmed: 3, rejected: 1, accuracy: 0.75, precision: 0.75, recall: 1, top1: null, top5: null, perTag: { beach: { confirmed: 3, rejected: 1, recall: 1, precision: 0.75 } } };
  const evaluation = { edited: report, saved: report, singleTemplate: null, refinements: [], unmeasured: null };

  it('shows a refinement still in use when switching it off is refused, with why', async () => {
    const fake = libraryFake();
    fake.overrides['vocabulary.get'] = () => ({ ok: true, value: { vocabulary: { templates: ['a photo of {}'], tags: [{ name: 'beach', prompts: ['beach'] }] }, isDefault: false } });
    const refined = { tag: 'beach', status: 'refined' as const, reason: 'Your verdicts made it better.', confirmed: 12, rejected: 8, zeroShot: null, refined: null };
    fake.overrides['vocabulary.evaluate'] = () => ({ ok: true, value: { ...evaluation, refinements: [refined] } });
    const refused = 'Another Lumen process is writing this library (pid 4242).';
    fake.overrides['tags.setRefinement'] = () => ({ ok: false, error: { code: 'busy', message: refused } });
    const { page } = await pages.open(fake, { hash: '#/templates?tag=beach' });
    await page.getByRole('button', { name: 'Evaluate on your verdicts' }).click();
    const box = page.getByRole('region', { name: 'Evaluation on your verdicts' }).getByRole('checkbox', { name: 'Use the refined beach' });
    await box.click();
    await page.getByRole('alert').filter({ hasText: refused }).waitFor();
    await expect.poll(() => box.isChecked()).toBe(true);
    expect(fake.callsOf('tags.setRefinement')).toEqual([{ tag: 'beach', enabled: false }]);
  });

  it('drops an answer for a draft discarded meanwhile, and says when the draft has changed since it was measured', async () => {
    const fake = libraryFake();
    fake.overrides['vocabulary.get'] = () => ({ ok: true, value: { vocabulary: { templates: ['a photo of {}'], tags: [{ name: 'beach', prompts: ['beach'] }] }, isDefault: false } });
    let answer = () => {};
    fake.overrides['vocabulary.evaluate'] = (() => new Promise((resolve) => (answer = () => resolve({ ok: true, value: evaluation })))) as never;
    const { page } = await pages.open(fake, { hash: '#/templates?tag=beach' });
    const name = page.getByRole('region', { name: /^Tag / }).getByRole('textbox', { name: 'Name' });
    const panel = page.getByRole('region', { name: 'Evaluation on your verdicts' });
    await name.fill('sandy beach');
    await page.getByRole('button', { name: 'Evaluate on your verdicts' }).click();
    await page.getByRole('button', { name: 'Evaluating…' }).waitFor();
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await expect.poll(() => name.inputValue()).toBe('beach');
    answer();
    await page.waitForTimeout(200);
    expect(await panel.count()).toBe(0);
    await page.getByRole('button', { name: 'Evaluate on your verdicts' }).waitFor();

    await page.getByRole('button', { name: 'Evaluate on your verdicts' }).click();
    answer();
    await panel.waitFor();
    const stale = panel.getByText(/before your latest changes: evaluate again/);
    expect(await stale.count()).toBe(0);
    await name.fill('beach at dusk');
    await stale.waitFor();
    await name.fill('beach');
    await expect.poll(() => stale.count()).toBe(0);
  });
});

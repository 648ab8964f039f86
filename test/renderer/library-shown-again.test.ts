/**
 * The Library's grid and search results shown again after another page: they catch up with what
 * changed meanwhile (a photo deleted, a verdict or a tagging run on the tag they are filtered by),
 * and ask nothing when nothing did (Note [Results kept off screen] in
 * renderer/src/state/search.svelte.ts). Built for real and driven in Chromium against a fake engine.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { AppEvent, CallName, CallOutcome, CallParams, PhotoInfo, PhotoTagsInfo, TagInfo, Timeline } from '../../preload/contract.js';
import { appPages, FAKE_FOLDER, FAKE_MODEL, jobEvent, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });

/** `libraryFake` over photos `a.jpg` (id 1) to `c.jpg` (id 3) with the tags `start` gives them, answering as the engine does at each moment, verdicts included. */
function taggedLibrary(start: Record<number, string[]>) {
  const fake = libraryFake();
  const photos = new Map(Object.entries(start).map(([id, tags]) => [Number(id), { tags, rejected: [] as string[] }]));
  const nameOf = (id: number) => `${'abcdefghij'[id - 1]}.jpg`;
  const ids = (tag?: string) =>
    [...photos.keys()]
      .filter((id) => !tag?.trim() || photos.get(id)?.tags.includes(tag.trim().toLowerCase()))
      .sort((a, b) => b - a);
  const timeline = (of: number[]): Timeline => ({ ids: of, ratios: of.map(() => 1.5), takenAt: of.map((id) => Date.UTC(2024, 5, id)), names: of.map(nameOf), folderIds: of.map(() => 1), versions: of.map(() => 1) });
  const photo = (id: number): PhotoInfo => ({ id, name: nameOf(id), folderId: 1, takenAt: Date.UTC(2024, 5, id), width: 400, height: 300, format: 'jpeg', version: 1 });
  const tagsOf = (id: number): PhotoTagsInfo => ({ photoId: id, tags: (photos.get(id)?.tags ?? []).map((tag) => ({ tag, source: 'auto', score: 0.3 })), rejected: photos.get(id)?.rejected ?? [] });
  const answers: { [N in CallName]?: (params: CallParams<N>) => CallOutcome<N> } = {
    'photos.timeline': ({ filters }) => ({ ok: true, value: { total: ids(filters?.tag).length, ...timeline(ids(filters?.tag)) } }),
    'search.query': ({ options }) => ({ ok: true, value: { results: ids(options?.filters?.tag).map((id) => ({ ...photo(id), score: 0.5 })), total: ids(options?.filters?.tag).length, belowCutoff: 0, offset: 0, model: FAKE_MODEL, method: 'index', counted: true } }),
    'photos.get': ({ ids: asked }) => ({ ok: true, value: asked.filter((id) => photos.has(id)).map(photo) }),
    'tags.list': () => ({ ok: true, value: [...new Set([...photos.values()].flatMap((each) => each.tags))].map((name): TagInfo => ({ name, enabled: true, inVocabulary: true, photos: ids(name).length, confirmed: 0, rejected: 0, samples: ids(name).slice(0, 4) })) }),
    'tags.photos': ({ tag }) => ({ ok: true, value: timeline(ids(tag)) }),
    'tags.ofPhoto': ({ id }) => ({ ok: true, value: tagsOf(id) }),
    'tags.verdict': ({ photoIds, tag, verdict }) => {
      const before = { confirmed: [], rejected: photoIds.filter((id) => photos.get(id)?.rejected.includes(tag)) };
      for (const id of photoIds) {
        const each = photos.get(id);
        if (!each || verdict !== 'reject') continue;
        each.tags = each.tags.filter((name) => name !== tag);
        each.rejected.push(tag);
      }
      return { ok: true, value: { given: photoIds.length, photo: photoIds.length === 1 ? tagsOf(photoIds[0] as number) : null, before } };
    },
    'photos.details': ({ id }) => ({ ok: true, value: { ...photo(id), path: `${FAKE_FOLDER.path}/${nameOf(id)}`, size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] } }),
    'photos.text': () => ({ ok: true, value: { read: false, skipped: false, lines: [] } }),
  };
  Object.assign(fake.overrides, answers);
  return Object.assign(fake, {
    /** A photo deleted on disk (the test then says the library changed). */
    remove: (id: number) => photos.delete(id),
    /** A tagging run gives photo `id` the tag `tag` (the test then says the run is done). */
    tag: (id: number, tag: string) => photos.get(id)?.tags.push(tag),
  });
}

/** The names of the photos a grid shows, in order. */
const names = (page: Page, grid: string) => page.getByRole('listbox', { name: grid }).getByRole('option').evaluateAll((tiles) => tiles.map((tile) => tile.getAttribute('aria-label')?.split(',')[0]));

/** To the Tags page by the header's link, as a person leaves the library. */
async function toTags(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Tags', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Tags' }).waitFor();
}

/**
 * Back, step by step, to the library the test started on, after a while on the page: longer than
 * the library's changes take to rest (a second), so that what follows them has happened away.
 */
async function backToLibrary(page: Page): Promise<void> {
  await page.waitForTimeout(1500);
  for (let step = 0; step < 5 && !(await page.evaluate(() => location.hash.startsWith('#/library'))); step++) await page.goBack();
  expect(await page.evaluate(() => location.hash.startsWith('#/library'))).toBe(true);
}

const SHOWN = [
  ['photos', '#/library', 'Photos', 'photos.timeline'],
  ['search results', '#/library?q=sea', 'Search results', 'search.query'],
] as const;

describe('the library shown again after another page', () => {
  for (const [what, hash, grid, calls] of SHOWN) {
    it(`leaves out of its ${what} a photo deleted on disk meanwhile`, async () => {
      const fake = taggedLibrary({ 1: [], 2: [], 3: [] });
      const { page, emit } = await pages.open(fake, { hash });
      await poll(() => names(page, grid)).toEqual(['c.jpg', 'b.jpg', 'a.jpg']);
      await toTags(page);
      fake.remove(3);
      await emit({ type: 'library-changed' });
      await backToLibrary(page);
      await poll(() => names(page, grid)).toEqual(['b.jpg', 'a.jpg']);
    });

    it(`asks nothing again for its ${what} when nothing changed meanwhile`, async () => {
      const fake = taggedLibrary({ 1: [], 2: [], 3: [] });
      const { page } = await pages.open(fake, { hash });
      await poll(() => names(page, grid)).toEqual(['c.jpg', 'b.jpg', 'a.jpg']);
      const asked = fake.callsOf(calls).length;
      await toTags(page);
      await backToLibrary(page);
      await poll(() => names(page, grid)).toEqual(['c.jpg', 'b.jpg', 'a.jpg']);
      // Nothing to wait for but a question that must not come.
      await page.waitForTimeout(1500);
      expect(fake.callsOf(calls)).toHaveLength(asked);
    });
  }
});

describe('the library filtered by a tag, shown again after another page', () => {
  for (const [what, hash, grid] of [
    ['photos', '#/library?tagged=beach', 'Photos'],
    ['search results', '#/library?q=sea&tagged=beach', 'Search results'],
  ] as const) {
    it(`leaves out of its ${what} a photo rejected for the tag on the Tags page`, async () => {
      const fake = taggedLibrary({ 1: [], 2: ['beach'], 3: ['beach'] });
      const { page } = await pages.open(fake, { hash });
      await poll(() => names(page, grid)).toEqual(['c.jpg', 'b.jpg']);
      await toTags(page);
      await page.getByRole('link', { name: /^beach,/ }).click();
      await page.getByRole('listbox', { name: 'Photos tagged beach' }).getByRole('option', { name: /^b\.jpg/ }).click();
      const viewer = page.getByRole('dialog', { name: 'b.jpg' });
      await viewer.getByRole('button', { name: 'Reject beach' }).click();
      await viewer.getByRole('button', { name: 'Undo rejecting beach' }).waitFor();
      await page.keyboard.press('Escape');
      await viewer.waitFor({ state: 'detached' });
      await backToLibrary(page);
      await poll(() => names(page, grid)).toEqual(['c.jpg']);
    });

    it(`shows in its ${what} a photo a tagging run tagged meanwhile`, async () => {
      const fake = taggedLibrary({ 1: [], 2: ['beach'], 3: ['beach'] });
      const { page, emit } = await pages.open(fake, { hash });
      await poll(() => names(page, grid)).toEqual(['c.jpg', 'b.jpg']);
      await toTags(page);
      fake.tag(1, 'beach');
      const done: AppEvent = jobEvent({ id: 'tag-1', kind: 'tag', state: 'done', background: true });
      await emit(done);
      await backToLibrary(page);
      await poll(() => names(page, grid)).toEqual(['c.jpg', 'b.jpg', 'a.jpg']);
    });
  }
});

/**
 * What shows a tag's or an album's photos follows the library as it changes under it: a tagging
 * run that finishes (the library filtered by a tag, a search so filtered, the viewer's tags), a
 * photo deleted, moved or indexed (a tag's page, an album's page, their lists: Note [Pages follow
 * the library] in renderer/src/lib/follow-library.ts), a photo edited in place (the viewer's
 * text). Built for real and driven in Chromium against a fake engine.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { AlbumInfo, AppEvent, CallName, CallOutcome, CallParams, PhotoInfo, TagInfo, Timeline } from '../../preload/contract.js';
import { appPages, FAKE_FOLDER, FAKE_MODEL, jobEvent, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });

const FOLDER_ALBUM = 'folder:0123456789abcdef';

/**
 * `libraryFake` over photos that come and go, and tags that tagging runs give them, answering as
 * the engine does at each moment: the timeline and searches filtered by a tag, the tags' list and
 * pages, a photo's tags, and the folder's album.
 */
function changingLibrary(start: Record<number, string[]>) {
  const fake = libraryFake();
  /** Each photo's name `${letter}.jpg`, its tags, and its version; the newest (highest id) first. */
  const photos = new Map(Object.entries(start).map(([id, tags]) => [Number(id), { tags, version: 1 }]));
  const nameOf = (id: number) => `${'abcdefghij'[id - 1]}.jpg`;
  const ids = (tag?: string) =>
    [...photos.keys()]
      .filter((id) => !tag?.trim() || photos.get(id)?.tags.includes(tag.trim().toLowerCase()))
      .sort((a, b) => b - a);
  const timeline = (of: number[]): Timeline => ({ ids: of, ratios: of.map(() => 1.5), takenAt: of.map((id) => Date.UTC(2024, 5, id)), names: of.map(nameOf), folderIds: of.map(() => 1), versions: of.map((id) => photos.get(id)?.version ?? 1) });
  const photo = (id: number): PhotoInfo => ({ id, name: nameOf(id), folderId: 1, takenAt: Date.UTC(2024, 5, id), width: 400, height: 300, format: 'jpeg', version: photos.get(id)?.version ?? 1 });
  const tagNames = () => [...new Set([...photos.values()].flatMap((photo) => photo.tags))];
  const folder = (): AlbumInfo => ({ id: FOLDER_ALBUM, kind: 'folder', name: 'Pictures', album: FAKE_FOLDER.path, photos: photos.size, files: photos.size, tags: [], label: 'Pictures: (no common tags)', samples: ids().slice(0, 4) });
  const answers: { [N in CallName]?: (params: CallParams<N>) => CallOutcome<N> | Promise<CallOutcome<N>> } = {
    'photos.timeline': ({ filters }) => ({ ok: true, value: { total: ids(filters?.tag).length, ...timeline(ids(filters?.tag)) } }),
    'search.query': ({ options }) => ({ ok: true, value: { results: ids(options?.filters?.tag).map((id) => ({ ...photo(id), score: 0.5 })), total: ids(options?.filters?.tag).length, belowCutoff: 0, offset: 0, model: FAKE_MODEL, method: 'index', counted: true } }),
    'photos.get': ({ ids: asked }) => ({ ok: true, value: asked.filter((id) => photos.has(id)).map(photo) }),
    'tags.list': () => ({ ok: true, value: tagNames().map((name): TagInfo => ({ name, enabled: true, inVocabulary: true, photos: ids(name).length, confirmed: 0, rejected: 0, samples: ids(name).slice(0, 4) })) }),
    'tags.photos': ({ tag }) => ({ ok: true, value: timeline(ids(tag)) }),
    'tags.ofPhoto': ({ id }) => ({ ok: true, value: { photoId: id, tags: (photos.get(id)?.tags ?? []).map((tag) => ({ tag, source: 'auto', score: 0.3 })), rejected: [] } }),
    'albums.list': () => ({ ok: true, value: [folder()] }),
    'albums.photos': () => ({ ok: true, value: timeline(ids()) }),
    'photos.details': ({ id }) => ({ ok: true, value: { ...photo(id), path: `${FAKE_FOLDER.path}/${nameOf(id)}`, size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] } }),
    'photos.text': () => ({ ok: true, value: { read: false, skipped: false, lines: [] } }),
  };
  Object.assign(fake.overrides, answers);
  return Object.assign(fake, {
    photos,
    /** A photo indexed, untagged (the test then says what the engine says: the run's end, the library changed). */
    add: (id: number) => photos.set(id, { tags: [], version: 1 }),
    /** A photo deleted on disk. */
    remove: (id: number) => photos.delete(id),
    /** A tagging run gives photo `id` the tag `tag` (the test then says the run is done). */
    tag: (id: number, tag: string) => photos.get(id)?.tags.push(tag),
  });
}

/** The news of a run the app started by itself: the folder watcher's index run, or the tagging run after it. */
const ended = (kind: 'index' | 'tag', id: string): AppEvent => jobEvent({ id, kind, state: 'done', background: true });

/** The names of the photos a grid shows, in order. */
const names = (page: Page, grid: string) => page.getByRole('listbox', { name: grid }).getByRole('option').evaluateAll((tiles) => tiles.map((tile) => tile.getAttribute('aria-label')?.split(',')[0]));

const heading = (page: Page) => page.getByRole('heading', { level: 1 }).evaluate((h1) => h1.textContent?.replace(/\s+/g, ' ').trim());

describe('the library filtered by a tag, when a tagging run finishes', () => {
  for (const [what, hash, grid, calls] of [
    ['photos', '#/library?tagged=beach', 'Photos', 'photos.timeline'],
    ['search results', '#/library?q=sea&tagged=beach', 'Search results', 'search.query'],
  ] as const) {
    it(`shows in its ${what} the photos indexed since, once the tagging run after the index run has tagged them`, async () => {
      const fake = changingLibrary({ 1: [], 2: ['beach'], 3: ['beach'] });
      const { page, emit } = await pages.open(fake, { hash });
      await poll(() => names(page, grid)).toEqual(['c.jpg', 'b.jpg']);
      const asked = fake.callsOf(calls).length;
      // The index run ends first, the photo untagged yet: what shows is read again at its end, and the photo does not pass.
      fake.add(4);
      await emit(ended('index', 'index-1'));
      await poll(() => fake.callsOf(calls).length).toBe(asked + 1);
      fake.tag(4, 'beach');
      await emit(ended('tag', 'tag-1'));
      await poll(() => names(page, grid)).toEqual(['d.jpg', 'c.jpg', 'b.jpg']);
    });
  }

  it('shows them when the run finished while another screen showed', async () => {
    const fake = changingLibrary({ 1: [], 2: ['beach'], 3: ['beach'] });
    const { page, emit } = await pages.open(fake, { hash: '#/library?tagged=beach' });
    await poll(() => names(page, 'Photos')).toEqual(['c.jpg', 'b.jpg']);
    await page.getByRole('link', { name: 'Tags', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Tags' }).waitFor();
    fake.tag(1, 'beach');
    await emit(ended('tag', 'tag-1'));
    await page.goBack();
    await poll(() => names(page, 'Photos')).toEqual(['c.jpg', 'b.jpg', 'a.jpg']);
  });
});

describe('a tag’s page and the list of tags, when the library changes (Note [Pages follow the library])', () => {
  it('drop a photo deleted on disk, with its count and sample, and take in photos indexed and tagged', async () => {
    const fake = changingLibrary({ 1: [], 2: ['beach'], 3: ['beach'] });
    const { page, emit } = await pages.open(fake, { hash: '#/tags?tag=beach' });
    await poll(() => names(page, 'Photos tagged beach')).toEqual(['c.jpg', 'b.jpg']);
    expect(await heading(page)).toBe('beach 2 photos');
    fake.remove(3);
    await emit({ type: 'library-changed' });
    await poll(() => names(page, 'Photos tagged beach')).toEqual(['b.jpg']);
    expect(await heading(page)).toBe('beach 1 photo');

    await page.getByRole('link', { name: '← Tags' }).click();
    const card = page.getByRole('link', { name: /^beach,/ });
    await poll(() => card.getAttribute('aria-label')).toBe('beach, 1 photo');
    const samples = () => card.locator('img').evaluateAll((images) => images.map((image) => image.getAttribute('src')?.split('?')[0]));
    expect(await samples()).toEqual(['/photo/thumbnail/2']);
    fake.add(4);
    fake.tag(4, 'beach');
    await emit({ type: 'library-changed' });
    await poll(() => card.getAttribute('aria-label')).toBe('beach, 2 photos');
    expect(await samples()).toEqual(['/photo/thumbnail/4', '/photo/thumbnail/2']);
  });

  it('keeps the page’s place, its focus and its selection', async () => {
    const fake = changingLibrary(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [i + 1, ['beach']])));
    // Many photos, so that the page scrolls: ids past ten have no letter, and need none.
    for (let id = 11; id <= 600; id++) fake.photos.set(id, { tags: ['beach'], version: 1 });
    const { page, emit } = await pages.open(fake, { hash: '#/tags?tag=beach' });
    const grid = page.getByRole('listbox', { name: 'Photos tagged beach' });
    await grid.getByRole('option').first().click({ modifiers: ['Control'] });
    for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press(' ');
    await page.getByText('2 selected').waitFor();
    const where = () => page.evaluate(() => ({ focus: document.activeElement?.getAttribute('aria-label')?.split(',')[0], scroll: document.querySelector<HTMLElement>('.scroller')?.scrollTop ?? 0 }));
    const before = await where();
    expect(before.scroll).toBeGreaterThan(0);
    // The oldest photo, far below, deleted.
    fake.remove(1);
    await emit({ type: 'library-changed' });
    await poll(() => heading(page)).toBe('beach 599 photos');
    expect(await where()).toEqual(before);
    await page.getByText('2 selected').waitFor();
  });

  it('shows the newest read of the tag’s photos, never an older one that answers after it', async () => {
    const fake = changingLibrary({ 1: [], 2: ['beach'], 3: ['beach'] });
    const answer = fake.overrides['tags.photos'] as (params: CallParams<'tags.photos'>) => CallOutcome<'tags.photos'>;
    let held: (() => void) | null = null;
    let hold = false;
    fake.overrides['tags.photos'] = ((params: CallParams<'tags.photos'>) => {
      // Answered as the photos are now, handed back once released.
      const now = answer(params);
      return hold ? new Promise((resolve) => (held = () => resolve(now))) : now;
    }) as never;
    const { page, emit } = await pages.open(fake, { hash: '#/tags?tag=beach' });
    await poll(() => names(page, 'Photos tagged beach')).toEqual(['c.jpg', 'b.jpg']);
    hold = true;
    await emit({ type: 'library-changed' });
    await poll(() => held !== null).toBe(true);
    hold = false;
    // Read since, and answered first: c.jpg deleted.
    fake.remove(3);
    await emit(ended('tag', 'tag-1'));
    await poll(() => names(page, 'Photos tagged beach')).toEqual(['b.jpg']);
    (held as unknown as () => void)();
    // Nothing to wait for but the older answer's arrival, which must change nothing.
    await page.waitForTimeout(300);
    expect(await names(page, 'Photos tagged beach')).toEqual(['b.jpg']);
  });
});

describe('an album’s page and the list of albums, when the library changes (Note [Pages follow the library])', () => {
  it('take in photos indexed into the album’s folder and drop one deleted, with the count', async () => {
    const fake = changingLibrary({ 1: [], 2: [], 3: [] });
    const { page, emit } = await pages.open(fake, { hash: `#/albums?album=${FOLDER_ALBUM}` });
    await poll(() => names(page, 'Photos of Pictures')).toEqual(['c.jpg', 'b.jpg', 'a.jpg']);
    expect(await heading(page)).toBe('Pictures 3 photos');
    fake.add(4);
    await emit(ended('index', 'index-1'));
    await emit({ type: 'library-changed' });
    await poll(() => names(page, 'Photos of Pictures')).toEqual(['d.jpg', 'c.jpg', 'b.jpg', 'a.jpg']);
    expect(await heading(page)).toBe('Pictures 4 photos');
    fake.remove(2);
    await emit({ type: 'library-changed' });
    await poll(() => names(page, 'Photos of Pictures')).toEqual(['d.jpg', 'c.jpg', 'a.jpg']);
    expect(await heading(page)).toBe('Pictures 3 photos');

    await page.getByRole('link', { name: '← Albums' }).click();
    const card = page.getByRole('link', { name: /^Pictures,/ });
    await poll(() => card.getAttribute('aria-label')).toBe('Pictures, 3 photos');
    fake.remove(1);
    await emit({ type: 'library-changed' });
    await poll(() => card.getAttribute('aria-label')).toBe('Pictures, 2 photos');
  });
});

describe('the viewer, while a photo shows', () => {
  it('shows the tags a tagging run gave the photo, once the run is done', async () => {
    const fake = changingLibrary({ 1: [], 2: [], 3: [] });
    const { page, emit } = await pages.open(fake, { hash: '#/library?photo=1' });
    const viewer = page.getByRole('dialog', { name: 'a.jpg' });
    await viewer.getByText('No tags yet.').waitFor();
    fake.tag(1, 'beach');
    await emit(ended('tag', 'tag-1'));
    await viewer.getByRole('button', { name: 'Confirm beach' }).waitFor();
    expect(await viewer.getByText('No tags yet.').count()).toBe(0);
  });

  it('reads the photo’s text again when its file is edited in place, and only then', async () => {
    const fake = changingLibrary({ 1: [], 2: [], 3: [] });
    const before = [{ text: 'OPEN', confidence: 0.9, box: [0.25, 0.25, 0.5, 0.25] as [number, number, number, number] }];
    // Cropped in another app: the same photo, a new version, its words elsewhere.
    const after = [
      { text: 'OPEN', confidence: 0.9, box: [0.05, 0.05, 0.4, 0.2] as [number, number, number, number] },
      { text: 'DAILY', confidence: 0.9, box: [0.05, 0.5, 0.4, 0.2] as [number, number, number, number] },
    ];
    fake.overrides['photos.text'] = (({ id }: CallParams<'photos.text'>) => ({ ok: true, value: { read: true, skipped: false, lines: fake.photos.get(id)?.version === 2 ? after : before } })) as never;
    const { page, emit } = await pages.open(fake, { hash: '#/library' });
    // Opened from the grid, the preview is asked for at the grid's version at once, and loads once.
    await page.getByRole('option', { name: /^b\.jpg/ }).click();
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    const read = viewer.getByLabel('Text read in this photo');
    await poll(() => read.textContent()).toBe('OPEN');
    // Drawn once the picture has loaded.
    await poll(() => viewer.getByTestId('text-box').count()).toBe(1);
    // A change elsewhere in the library: the photo is as it was.
    const details = fake.callsOf('photos.details').length;
    await emit({ type: 'library-changed' });
    await poll(() => fake.callsOf('photos.details').length).toBeGreaterThan(details);
    (fake.photos.get(2) as { version: number }).version = 2;
    await emit({ type: 'library-changed' });
    await poll(() => read.textContent()).toBe('OPEN\nDAILY');
    await poll(() => viewer.getByTestId('text-box').count()).toBe(2);
    await poll(() => viewer.getByRole('img', { name: 'b.jpg' }).getAttribute('src')).toBe('/photo/preview/2?v=2');
    // Read once when it opened, and once for the new version: not again for the change that left it as it was.
    expect(fake.callsOf('photos.text')).toHaveLength(2);
  });
});

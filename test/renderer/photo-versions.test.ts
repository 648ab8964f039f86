/**
 * Note [Versions followed] in renderer/src/lib/photo-versions.ts: the lists that are
 * not read again when the library changes (search results, the viewer's similar photos, a tag's
 * photos, the tag and album cards' samples, duplicate groups, the template editor's preview) show
 * a photo edited in place anew, from the versions of their photos alone. Built for real and driven in Chromium against a fake
 * engine.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { AlbumInfo, CallParams, LumenApi, PhotoInfo, SearchHitInfo } from '../../preload/contract.js';
import { versionsNow } from '../../renderer/src/lib/photo-versions.js';
import { appPages, FAKE_MODEL, libraryFake, rendererInChromium, type FakeLumen } from './harness.js';

const pages = appPages(rendererInChromium());

const photo = (id: number, version: number): PhotoInfo => ({ id, name: `p${id}.jpg`, folderId: 1, takenAt: Date.UTC(2024, 0, id), width: 400, height: 300, format: 'jpeg', version });
const hit = (id: number, version: number): SearchHitInfo => ({ ...photo(id, version), score: 1 - id / 100 });

/** `libraryFake` whose photos are at the versions `versions` holds (each photo's id by default): set one, and say `library-changed`, to edit it in place. */
function editableFake(): { fake: FakeLumen; versions: Map<number, number> } {
  const fake = libraryFake();
  const versions = new Map<number, number>();
  const versionOf = (id: number) => versions.get(id) ?? id;
  fake.overrides['photos.get'] = (({ ids }: CallParams<'photos.get'>) => ({ ok: true, value: ids.map((id) => photo(id, versionOf(id))) })) as never;
  fake.overrides['photos.details'] = (({ id }: CallParams<'photos.details'>) => ({ ok: true, value: { ...photo(id, versionOf(id)), path: `/p/p${id}.jpg`, size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] } })) as never;
  return { fake, versions };
}

const sources = (page: Page, selector: string) => page.locator(selector).evaluateAll((images) => images.map((image) => image.getAttribute('src')));

describe('lists not read again show a photo edited in place anew (Note [Versions followed])', () => {
  it('search results on screen take the edited photo’s new version, asking for their versions and not searching again', async () => {
    const { fake, versions } = editableFake();
    fake.overrides['search.query'] = () => ({ ok: true, value: { results: [1, 2, 3].map((id) => hit(id, id)), total: 3, belowCutoff: 0, offset: 0, model: FAKE_MODEL, method: 'index', counted: true } });
    const { page, emit } = await pages.open(fake, { hash: '#/library?q=dogs' });
    const tiles = () => sources(page, '[role="listbox"] img[data-id]');
    await expect.poll(tiles).toEqual(['/photo/thumbnail/1?v=1', '/photo/thumbnail/2?v=2', '/photo/thumbnail/3?v=3']);

    versions.set(2, 7);
    await emit({ type: 'library-changed' });
    await expect.poll(tiles).toEqual(['/photo/thumbnail/1?v=1', '/photo/thumbnail/2?v=7', '/photo/thumbnail/3?v=3']);
    expect(fake.callsOf('search.query')).toHaveLength(1);
    // The versions of the photos shown, not the library's: its timeline is not on screen.
    expect(fake.callsOf('photos.get')).toEqual([{ ids: [1, 2, 3] }]);
    // Opened after the edit, the viewer asks for the preview at the new version.
    await page.getByRole('option', { name: /^p2\.jpg/ }).click();
    await expect.poll(() => page.getByRole('dialog', { name: 'p2.jpg' }).getByRole('img', { name: 'p2.jpg' }).getAttribute('src')).toBe('/photo/preview/2?v=7');
  });

  it('the viewer’s similar photos take an edited photo’s new version while it stays open', async () => {
    const { fake, versions } = editableFake();
    fake.overrides['search.similar'] = () => ({ ok: true, value: { results: [hit(3, 3), hit(1, 1)], total: 2, belowCutoff: 0, offset: 0, model: FAKE_MODEL, method: 'index', counted: true } });
    const { page, emit } = await pages.open(fake, { hash: '#/library?photo=2' });
    const strip = () => sources(page, '[aria-label="Similar photos"] img');
    await expect.poll(strip).toEqual(['/photo/thumbnail/3?v=3', '/photo/thumbnail/1?v=1']);

    versions.set(3, 8);
    await emit({ type: 'library-changed' });
    await expect.poll(strip).toEqual(['/photo/thumbnail/3?v=8', '/photo/thumbnail/1?v=1']);
    expect(fake.callsOf('search.similar')).toHaveLength(1);
  });

  it('the tag and album cards’ samples, and a tag’s photos, show an edited photo anew', async () => {
    const { fake, versions } = editableFake();
    fake.overrides['tags.list'] = () => ({ ok: true, value: [{ name: 'beach', enabled: true, inVocabulary: true, photos: 2, confirmed: 0, rejected: 0, samples: [1, 2] }] });
    fake.overrides['tags.photos'] = () => ({ ok: true, value: { ids: [1, 2], ratios: [1.5, 1.5], takenAt: [photo(1, 1).takenAt, photo(2, 2).takenAt], names: ['p1.jpg', 'p2.jpg'], folderIds: [1, 1], versions: [1, 2] } });
    const album: AlbumInfo = { id: 'saved:1', kind: 'saved', name: 'Trip', album: 'Trip', photos: 1, files: 1, tags: [], label: 'Trip: (no common tags)', samples: [3] };
    fake.overrides['albums.list'] = () => ({ ok: true, value: [album] });
    const { page, emit } = await pages.open(fake, { hash: '#/tags' });
    const samples = (card: string) => sources(page, `a[aria-label^="${card},"] img`);
    // The cards' lists name no versions: their URLs get them at the first change.
    await expect.poll(() => samples('beach')).toEqual(['/photo/thumbnail/1', '/photo/thumbnail/2']);
    versions.set(2, 12);
    await emit({ type: 'library-changed' });
    await expect.poll(() => samples('beach')).toEqual(['/photo/thumbnail/1?v=1', '/photo/thumbnail/2?v=12']);

    await page.evaluate(() => (location.hash = '#/tags?tag=beach'));
    const tiles = () => sources(page, '[role="listbox"] img[data-id]');
    await expect.poll(tiles).toEqual(['/photo/thumbnail/1?v=1', '/photo/thumbnail/2?v=12']);
    versions.set(1, 21);
    await emit({ type: 'library-changed' });
    await expect.poll(tiles).toEqual(['/photo/thumbnail/1?v=21', '/photo/thumbnail/2?v=12']);

    await page.evaluate(() => (location.hash = '#/albums'));
    await expect.poll(() => samples('Trip')).toEqual(['/photo/thumbnail/3']);
    versions.set(3, 13);
    await emit({ type: 'library-changed' });
    await expect.poll(() => samples('Trip')).toEqual(['/photo/thumbnail/3?v=13']);
  });

  it('the template editor’s preview shows an edited photo anew, without previewing again', async () => {
    const { fake, versions } = editableFake();
    fake.overrides['vocabulary.get'] = () => ({ ok: true, value: { vocabulary: { templates: ['a photo of {}'], tags: [{ name: 'beach', prompts: ['beach'] }] }, isDefault: false } });
    fake.overrides['vocabulary.preview'] = () => ({ ok: true, value: { tag: 'beach', photos: [photo(1, 1), photo(2, 2)], count: 2, gained: [photo(2, 2)], lost: [photo(3, 3)], gainedCount: 1, lostCount: 1, milliseconds: 5 } });
    const { page, emit } = await pages.open(fake, { hash: '#/templates?tag=beach' });
    const shown = async () => [...(await sources(page, '[aria-label="Photos that would get beach"] img[data-id]')), ...(await sources(page, 'ul[aria-label^="Photos beach would"] img'))];
    await expect.poll(shown, { timeout: 5000 }).toEqual(['/photo/thumbnail/1?v=1', '/photo/thumbnail/2?v=2', '/photo/thumbnail/2?v=2', '/photo/thumbnail/3?v=3']);
    const previews = fake.callsOf('vocabulary.preview').length;

    versions.set(2, 9);
    versions.set(3, 10);
    await emit({ type: 'library-changed' });
    await expect.poll(shown).toEqual(['/photo/thumbnail/1?v=1', '/photo/thumbnail/2?v=9', '/photo/thumbnail/2?v=9', '/photo/thumbnail/3?v=10']);
    expect(fake.callsOf('vocabulary.preview')).toHaveLength(previews);
  });

  it('duplicate groups and their comparison show an edited copy anew', async () => {
    const { fake, versions } = editableFake();
    const copy = (id: number) => ({ id, name: `copy-${id}.jpg`, path: `/p/copy-${id}.jpg`, width: 800, height: 600, size: 1000 * id, capturedAt: null, camera: null, hasLocation: false, links: [] });
    fake.overrides['duplicates.find'] = () => ({ ok: true, value: { model: FAKE_MODEL, threshold: 0.75, images: 2, groups: [{ keep: 1, reason: 'the largest', similarity: 1, photos: [copy(1), copy(2)] }] } });
    const { page, emit } = await pages.open(fake, { hash: '#/duplicates' });
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    const tiles = () => sources(page, '[aria-label="Copies"] img');
    await expect.poll(tiles).toEqual(['/photo/thumbnail/1', '/photo/thumbnail/2']);

    versions.set(2, 5);
    await emit({ type: 'library-changed' });
    await expect.poll(tiles).toEqual(['/photo/thumbnail/1?v=1', '/photo/thumbnail/2?v=5']);
    await page.getByRole('button', { name: 'Compare side by side' }).click();
    await expect.poll(() => sources(page, 'dialog img')).toEqual(['/photo/preview/1?v=1', '/photo/preview/2?v=5']);
    expect(fake.callsOf('duplicates.find')).toHaveLength(1);
  });
});

describe('versionsNow', () => {
  /** An engine whose photos are ids 1 to `photos`, each at version id + 1000, that records the ids of each `photos.get`. */
  function engine(photos: number, fail = false): { api: LumenApi; asked: number[][] } {
    const asked: number[][] = [];
    const call = async (_name: string, { ids }: CallParams<'photos.get'>) => {
      asked.push(ids);
      return fail ? { ok: false, error: { code: 'busy', message: 'Busy.' } } : { ok: true, value: ids.filter((id) => id <= photos).map((id) => photo(id, id + 1000)) };
    };
    return { api: { call } as unknown as LumenApi, asked };
  }

  it('asks for each photo once, 500 at a time as photos.get takes them, and leaves out those gone', async () => {
    const { api, asked } = engine(1100);
    const ids = Array.from({ length: 1200 }, (_, i) => i + 1);
    const versions = await versionsNow(api, [...ids, 5, 7]);
    expect(asked.map((call) => call.length)).toEqual([500, 500, 200]);
    expect(versions?.size).toBe(1100);
    expect(versions?.get(7)).toBe(1007);
    expect(versions?.has(1101)).toBe(false);
  });

  it('says nothing when the engine could not answer, and asks nothing for no photos', async () => {
    expect(await versionsNow(engine(3, true).api, [1, 2])).toBeNull();
    const { api, asked } = engine(3);
    expect(await versionsNow(api, [])).toEqual(new Map());
    expect(asked).toEqual([]);
  });
});

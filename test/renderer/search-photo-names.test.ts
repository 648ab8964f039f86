/**
 * The names of the photos searched like (`#17`: Find similar, or the address alone) are kept for
 * the headings and the title, the last KEPT_PHOTO_NAMES of them (renderer/src/state/search.svelte.ts):
 * a window searching like photo after photo does not keep every name for ever, and an older one
 * returned to is asked for again. Built for real and driven in Chromium against a fake engine.
 */
import { describe, expect, it } from 'vitest';
import { appPages, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 10_000, interval: 25 });

/** More than the 50 names kept (KEPT_PHOTO_NAMES). */
const SEARCHED = 60;

/** libraryFake, answering every search with photo 2, and naming photo `id` p`id`.jpg. */
function namingFake() {
  const fake = libraryFake();
  const hit = { id: 2, name: 'p2.jpg', folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 400, height: 300, format: 'jpeg', version: 2, score: 0.9 };
  fake.overrides['search.query'] = () => ({ ok: true, value: { results: [hit], total: 1, belowCutoff: 0, offset: 0, model: 'm', method: 'index', counted: true } });
  fake.overrides['photos.details'] = ({ id }: { id: number }) => ({ ok: true, value: { ...hit, id, name: `p${id}.jpg`, path: `/p/p${id}.jpg`, size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] } });
  return fake;
}

describe('the names of photos searched like', () => {
  it('are kept for the last searches only: an older one is asked for again, a recent one is not', { timeout: 120_000 }, async () => {
    const fake = namingFake();
    const { page } = await pages.open(fake, { hash: '#/library?q=%231' });
    const likeTo = async (id: number) => {
      await page.evaluate((to) => (location.hash = `#/library?q=%23${to}`), id);
      await poll(() => page.title()).toBe(`Like “p${id}.jpg” — Lumen`);
    };
    await poll(() => page.title()).toBe('Like “p1.jpg” — Lumen');
    for (let id = 2; id <= SEARCHED; id++) await likeTo(id);
    const askedFor = (id: number) => fake.callsOf('photos.details').filter((call) => call.id === id).length;
    expect(askedFor(1)).toBe(1);

    // A recent one is named from what is kept: its search asked (after where its name would be), its name not.
    const searches = fake.callsOf('search.query').length;
    await likeTo(SEARCHED - 1);
    await poll(() => fake.callsOf('search.query').length).toBeGreaterThan(searches);
    expect(askedFor(SEARCHED - 1)).toBe(1);
    // The first was let go: named all the same, asked for again.
    await likeTo(1);
    expect(askedFor(1)).toBe(2);
  });
});

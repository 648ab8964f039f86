/**
 * The viewer, built for real and driven in Chromium against a fake engine: a photo the library
 * no longer has (its file deleted, its folder removed, since it was shown).
 */
import { describe, expect, it } from 'vitest';
import { MAX_NAME } from '../../main/tags/vocabulary-rules.js';
import { MAX_ZOOM } from '../../renderer/src/lib/zoom.js';
import { albumsFake } from './album-fake.js';
import { appPages, contrastOf, FAKE_MODEL, FAKE_TIMELINE, libraryFake, rendererInChromium } from './harness.js';
import { listen } from './listening.js';

const pages = appPages(rendererInChromium());

describe('the viewer', () => {
  it('says once that a photo is no longer in the library, and offers nothing of it', async () => {
    const fake = libraryFake();
    const gone = { ok: false as const, error: { code: 'not-found', message: 'There is no photo #2 in the library.' } };
    fake.overrides['photos.details'] = () => gone;
    fake.overrides['photos.text'] = () => gone;
    fake.overrides['search.similar'] = () => gone;
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    const viewer = page.getByRole('dialog');
    await viewer.getByRole('heading', { name: 'Photo no longer in the library' }).waitFor();
    await expect.poll(() => viewer.getByRole('alert').allTextContents()).toEqual(['This photo is no longer in the library: its file was deleted or moved, or its folder was removed.']);
    for (const name of ['Find similar', 'Show in folder', 'Open with default app']) expect(await viewer.getByRole('button', { name }).count()).toBe(0);
    expect(await viewer.getByRole('img').count()).toBe(0);
    expect(await viewer.getByText('Looking…').count()).toBe(0);
    expect(fake.callsOf('photos.details')).toEqual([{ id: 2 }]);
  });

  it('names the other places the same file is at, which the grid shows as one photo (Note [One tile a picture])', async () => {
    const fake = libraryFake();
    const copies = ['/home/ada/Backup/b.jpg', '/home/ada/Old phone/b.jpg'];
    fake.overrides['photos.details'] = () => ({ ok: true, value: { id: 2, name: 'b.jpg', folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 400, height: 300, format: 'jpeg', version: 2, path: '/home/ada/Pictures/b.jpg', size: 1, capturedAt: null, camera: null, lens: null, location: null, copies } });
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    await viewer.getByText('Same file at 2 more places').waitFor();
    for (const copy of copies) await viewer.getByText(copy, { exact: true }).waitFor();
    expect(await viewer.getByRole('button', { name: /^Show all/ }).count()).toBe(0);
  });

  it('folds a long list of copies, so that the tags and adding one stay in view when the photo opens (Note [Copies folded])', async () => {
    const fake = libraryFake();
    // A wallpaper shipped at many sizes, one file: paths long enough to wrap in the panel.
    const copies = Array.from({ length: 11 }, (_, i) => `/usr/share/wallpapers/ColdRipple/contents/images/${1000 + i}x800.jpg`);
    fake.overrides['photos.details'] = () => ({ ok: true, value: { id: 2, name: 'b.jpg', folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 400, height: 300, format: 'jpeg', version: 2, path: '/usr/share/wallpapers/ColdRipple/contents/images/1280x800.jpg', size: 1, capturedAt: null, camera: 'OLYMPUS IMAGING CORP. E-M1', lens: null, location: null, copies } });
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    await page.setViewportSize({ width: 1280, height: 800 });
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    await viewer.getByText('Same file at 11 more places').waitFor();
    const addTag = viewer.getByLabel('Add a tag', { exact: true });
    await addTag.waitFor();
    const inView = async () => {
      const box = (await addTag.boundingBox())!;
      return box.y >= 0 && box.y + box.height <= 800;
    };
    await expect.poll(inView, { timeout: 5000 }).toBe(true);
    // The first two are shown, the rest behind one button that says how many there are.
    for (const copy of copies.slice(0, 2)) await viewer.getByText(copy, { exact: true }).waitFor();
    for (const copy of copies.slice(2)) expect(await viewer.getByText(copy, { exact: true }).isVisible()).toBe(false);
    const more = viewer.getByRole('button', { name: 'Show all 11' });
    expect(await more.getAttribute('aria-expanded')).toBe('false');
    await more.click();
    for (const copy of copies) await viewer.getByText(copy, { exact: true }).waitFor();
    const fewer = viewer.getByRole('button', { name: 'Show fewer' });
    expect(await fewer.getAttribute('aria-expanded')).toBe('true');
    await fewer.click();
    await viewer.getByText(copies[10]!, { exact: true }).waitFor({ state: 'hidden' });
  });

  it('lists three copies whole: a button to show one more path would save nothing', async () => {
    const fake = libraryFake();
    const copies = ['/a/b.jpg', '/c/b.jpg', '/d/b.jpg'];
    fake.overrides['photos.details'] = () => ({ ok: true, value: { id: 2, name: 'b.jpg', folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 400, height: 300, format: 'jpeg', version: 2, path: '/p/b.jpg', size: 1, capturedAt: null, camera: null, lens: null, location: null, copies } });
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    await viewer.getByText('Same file at 3 more places').waitFor();
    for (const copy of copies) await viewer.getByText(copy, { exact: true }).waitFor();
    expect(await viewer.getByRole('button', { name: /^Show all/ }).count()).toBe(0);
  });

  it('opens with the focus on a control that does something: Next at the first photo, Previous after it', async () => {
    const fake = libraryFake();
    fake.overrides['photos.details'] = ({ id }: { id: number }) => ({
      ok: true,
      value: { id, name: FAKE_TIMELINE.names[FAKE_TIMELINE.ids.indexOf(id)] as string, folderId: 1, takenAt: Date.UTC(2024, 5, id), width: 400, height: 300, format: 'jpeg', version: id, path: `/p/${id}.jpg`, size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] },
    });
    const { page } = await pages.open(fake, { hash: '#/library' });
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
    await page.getByRole('option', { name: /^c\.jpg/ }).click();
    await page.getByRole('dialog', { name: 'c.jpg' }).waitFor();
    await expect.poll(focused, { timeout: 5000 }).toBe('Next photo');
    await page.keyboard.press('Escape');
    await page.getByRole('option', { name: /^b\.jpg/ }).click();
    await page.getByRole('dialog', { name: 'b.jpg' }).waitFor();
    await expect.poll(focused, { timeout: 5000 }).toBe('Previous photo');
  });

  it('follows its photo while open: new details when its file is edited in place, gone when it is deleted or moved away', async () => {
    const fake = libraryFake();
    let width: number | null = 400;
    fake.overrides['photos.details'] = () =>
      width === null
        ? { ok: false, error: { code: 'not-found', message: 'There is no photo #2 in the library.' } }
        : { ok: true, value: { id: 2, name: 'b.jpg', folderId: 1, takenAt: Date.UTC(2024, 5, 2), width, height: 300, format: 'jpeg', version: 2, path: '/home/ada/Pictures/b.jpg', size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] } };
    const { page, emit } = await pages.open(fake, { hash: '#/library?photo=2' });
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    await viewer.getByText('400 × 300', { exact: false }).waitFor();
    width = 800;
    await emit({ type: 'library-changed' });
    await viewer.getByText('800 × 300', { exact: false }).waitFor();
    // A photo's id is its file's: renamed or moved, it is another photo, and this one has gone.
    width = null;
    await emit({ type: 'library-changed' });
    await page.getByRole('dialog').getByRole('heading', { name: 'Photo no longer in the library' }).waitFor();
  });

  it('shows a photo edited in place anew, in the grid and the open viewer, at its new version (Note [Photo versions])', async () => {
    const fake = libraryFake();
    // Rotated in another app: the same photo, a new image, another shape.
    let edited = false;
    const version = () => (edited ? 7 : 2);
    const [width, height] = [400, 300];
    fake.overrides['photos.timeline'] = () => ({ ok: true, value: { ...structuredClone(FAKE_TIMELINE), ratios: [1.5, edited ? height / width : width / height, 0.75], versions: [3, version(), 1] } });
    fake.overrides['photos.details'] = ({ id }: { id: number }) => ({
      ok: true,
      value: { id, name: FAKE_TIMELINE.names[FAKE_TIMELINE.ids.indexOf(id)] as string, folderId: 1, takenAt: Date.UTC(2024, 5, id), width: edited ? height : width, height: edited ? width : height, format: 'jpeg', version: id === 2 ? version() : id, path: `/p/${id}.jpg`, size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] },
    });
    const like = { id: 3, name: 'c.jpg', folderId: 1, takenAt: Date.UTC(2024, 5, 3), width, height, format: 'jpeg', version: 3, score: 0.9 };
    fake.overrides['search.similar'] = () => ({ ok: true, value: { results: [like], total: 1, belowCutoff: 0, offset: 0, model: FAKE_MODEL, method: 'index', counted: true } });
    const { page, emit } = await pages.open(fake, { hash: '#/library' });
    const asked: string[] = [];
    page.on('request', (request) => request.url().includes('/photo/') && asked.push(new URL(request.url()).pathname + new URL(request.url()).search));
    const tile = page.locator('img[data-id="2"]');
    await expect.poll(() => tile.getAttribute('src')).toBe('/photo/thumbnail/2?v=2');
    await page.getByRole('option', { name: /^b\.jpg/ }).click();
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    const preview = viewer.getByRole('img', { name: 'b.jpg' });
    await expect.poll(() => preview.getAttribute('src')).toBe('/photo/preview/2?v=2');
    await expect.poll(() => viewer.getByRole('region', { name: 'Similar photos' }).locator('img').getAttribute('src')).toBe('/photo/thumbnail/3?v=3');

    edited = true;
    await emit({ type: 'library-changed' });
    await expect.poll(() => tile.getAttribute('src'), { timeout: 5000 }).toBe('/photo/thumbnail/2?v=7');
    await expect.poll(() => preview.getAttribute('src')).toBe('/photo/preview/2?v=7');
    await expect.poll(() => asked).toEqual(expect.arrayContaining(['/photo/thumbnail/2?v=7', '/photo/preview/2?v=7']));
    // Opened from the grid, the viewer asked for the preview at the grid's version at once: never without one, never twice.
    expect(asked.filter((url) => url.startsWith('/photo/preview/'))).toEqual(['/photo/preview/2?v=2', '/photo/preview/2?v=7']);
  });
});

describe('the viewer on a photo that leaves the library', () => {
  it('steps on from the place the photo had: Next to the photo now in it, Previous to the one before', async () => {
    const fake = libraryFake();
    const names: Record<number, string> = { 1: 'a.jpg', 2: 'b.jpg', 3: 'c.jpg' };
    let removed = false;
    fake.overrides['photos.details'] = ({ id }: { id: number }) =>
      removed && id === 2
        ? { ok: false, error: { code: 'not-found', message: 'There is no photo #2 in the library.' } }
        : { ok: true, value: { id, name: names[id] as string, folderId: 1, takenAt: Date.UTC(2024, 5, id), width: 400, height: 300, format: 'jpeg', version: id, path: `/p/${names[id]}`, size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] } };
    fake.overrides['photos.timeline'] = () => ({ ok: true, value: removed ? { total: 2, ids: [3, 1], ratios: [1.5, 0.75], takenAt: [FAKE_TIMELINE.takenAt[0] as number, FAKE_TIMELINE.takenAt[2] as number], names: ['c.jpg', 'a.jpg'], folderIds: [1, 1], versions: [3, 1] } : structuredClone(FAKE_TIMELINE) });
    const { page, emit } = await pages.open(fake, { hash: '#/library' });
    await page.getByRole('option', { name: /^b\.jpg/ }).click();
    const viewer = page.getByRole('dialog');
    await viewer.getByRole('heading', { name: 'b.jpg' }).waitFor();
    removed = true;
    await emit({ type: 'library-changed' });
    await viewer.getByRole('heading', { name: 'Photo no longer in the library' }).waitFor();
    await expect.poll(() => fake.callsOf('photos.timeline').length, { timeout: 5000 }).toBeGreaterThan(1);
    const disabled = (name: string) => viewer.getByRole('button', { name }).getAttribute('aria-disabled');
    await expect.poll(async () => [await disabled('Previous photo'), await disabled('Next photo')], { timeout: 5000 }).toEqual(['false', 'false']);
    await page.keyboard.press('ArrowRight');
    await viewer.getByRole('heading', { name: 'a.jpg' }).waitFor();
    await page.keyboard.press('ArrowLeft');
    await viewer.getByRole('heading', { name: 'c.jpg' }).waitFor();
  });
});

/** The fake library's photos' details, each 4000 x 3000. */
const NAMES: Record<number, string> = { 1: 'a.jpg', 2: 'b.jpg', 3: 'c.jpg' };
const details = (id: number) => ({
  ok: true as const,
  value: { id, name: NAMES[id] as string, folderId: 1, takenAt: Date.UTC(2024, 5, id), width: 4000, height: 3000, format: 'jpeg', version: id, path: `/home/ada/Pictures/${NAMES[id]}`, size: 2_000_000, capturedAt: null, camera: null, lens: null, location: null, copies: [] },
});

describe('stepping on from a photo the library no longer has', () => {
  it('shows the next photo without the one before’s error, its details before its similar photos, and says its text cannot be had', async () => {
    const fake = libraryFake();
    const gone = { ok: false as const, error: { code: 'not-found', message: 'There is no photo #2 in the library.' } };
    fake.overrides['photos.details'] = ({ id }: { id: number }) => (id === 2 ? gone : details(id));
    const unreadable = 'The library database could not be read: disk I/O error.';
    fake.overrides['photos.text'] = ({ id }: { id: number }) => (id === 2 ? gone : { ok: false, error: { code: 'storage', message: unreadable } });
    // The similar photos' search, slow as the first after launch can be.
    fake.overrides['search.similar'] = (() => new Promise((resolve) => setTimeout(() => resolve(gone), 8000))) as never;
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    await page.getByRole('dialog').getByRole('heading', { name: 'Photo no longer in the library' }).waitFor();
    await page.keyboard.press('ArrowRight');
    const next = page.getByRole('dialog', { name: 'a.jpg' });
    await next.getByText('/home/ada/Pictures/a.jpg', { exact: true }).waitFor({ timeout: 3000 });
    await expect.poll(() => next.getByRole('alert').allTextContents(), { timeout: 3000 }).toContain(unreadable);
    expect((await next.getByRole('alert').allTextContents()).join(' ')).not.toMatch(/no longer in the library/);
    await next.getByText('Not available.', { exact: true }).waitFor({ timeout: 3000 });
    expect(await next.getByText('Looking…').count()).toBe(0);
  });
});

describe('reading a photo’s text', () => {
  it('leaves the next photo’s Read text free while the photo before’s is still read', async () => {
    const fake = libraryFake();
    fake.overrides['photos.details'] = ({ id }: { id: number }) => details(id);
    const none = { ok: true as const, value: { read: false, skipped: false, lines: [] } };
    const read = { ok: true as const, value: { read: true, skipped: false, lines: [] } };
    // The first photo's reading ends when the test says.
    let endReading = () => {};
    const reading = new Promise((resolve) => (endReading = () => resolve(read)));
    fake.overrides['photos.text'] = (({ id, read: now }: { id: number; read?: boolean }) => (now && id === 2 ? reading : now ? read : none)) as never;
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    const first = page.getByRole('dialog', { name: 'b.jpg' });
    await first.getByRole('button', { name: 'Read text' }).click();
    await expect.poll(() => first.getByRole('button', { name: 'Reading…' }).getAttribute('aria-disabled')).toBe('true');
    await page.keyboard.press('ArrowRight');
    const next = page.getByRole('dialog', { name: 'a.jpg' });
    const readNext = next.getByRole('button', { name: 'Read text' });
    await expect.poll(() => readNext.getAttribute('aria-disabled')).toBe('false');
    await readNext.click();
    await expect.poll(() => fake.callsOf('photos.text').filter((call) => call.read).map((call) => call.id)).toEqual([2, 1]);
    endReading();
  });

  it.each([
    { lines: [], said: 'No text found in this photo.' },
    { lines: ['OPEN'], said: 'Read 1 line of text.' },
    { lines: Array.from({ length: 1200 }, (_, i) => `LINE ${i + 1}`), said: 'Read 1,200 lines of text.' },
  ])('says what Read text found ($said) and leaves focus on the text’s title, not the viewer’s first control', async ({ lines, said }) => {
    const fake = libraryFake();
    fake.overrides['photos.details'] = ({ id }: { id: number }) => details(id);
    const box: [number, number, number, number] = [0, 0, 0.5, 0.1];
    fake.overrides['photos.text'] = (({ read }: { read?: boolean }) => ({ ok: true, value: { read: read === true, skipped: false, lines: read ? lines.map((text) => ({ text, confidence: 0.9, box })) : [] } })) as never;
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    const heard = await listen(page);
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    await viewer.getByRole('button', { name: 'Read text' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(heard).toContain(said);
    const focused = () => page.evaluate(() => document.activeElement?.textContent);
    await expect.poll(focused).toBe('Text in this photo');
    // It stays past the moment Note [Focus kept] would have moved a focus left to fall: a task later in the page.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
    expect(await focused()).toBe('Text in this photo');
  });
});

describe('a photo the viewer cannot show', () => {
  it('says why over the stage, and aloud, rather than stay blank, and shows the next photo as usual', async () => {
    const fake = libraryFake();
    fake.overrides['photos.details'] = ({ id }: { id: number }) => details(id);
    const opened = await pages.open(fake, { hash: '#/library' });
    const { page } = opened;
    // Its file moved or changed since it was indexed: the app's protocol answers 404 (main/app/photo-route.ts).
    await page.route('**/photo/preview/2*', (route) => void route.fulfill({ status: 404, contentType: 'text/plain', body: 'Not found' }));
    await page.getByRole('listbox', { name: 'Photos' }).getByRole('option').first().waitFor();
    const heard = await listen(page);
    await page.evaluate(() => (location.hash = '#/library?photo=2'));
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    const why = viewer.getByText(/^This photo cannot be shown: its file may have been moved, changed or made unreadable since it was indexed\./);
    await why.waitFor();
    await expect.poll(heard).toContainEqual(expect.stringMatching(/^This photo cannot be shown/));
    await page.keyboard.press('ArrowRight');
    const next = page.getByRole('dialog', { name: 'a.jpg' });
    await next.waitFor();
    await expect.poll(() => next.getByRole('img', { name: 'a.jpg' }).evaluate((image) => getComputedStyle(image).opacity)).toBe('1');
    expect(await why.count()).toBe(0);
    // The browser's own line for the refused load is the case under test, not a fault of the page.
    opened.problems.splice(0, Infinity, ...opened.problems.filter((problem) => !/Failed to load resource: the server responded with a status of 404/.test(problem)));
  });
});

describe('zooming in the viewer', () => {
  it('zooms with the buttons, the keys, the wheel and a double click, about the pointer, moves by dragging or the arrows, and shows the original', async () => {
    const fake = libraryFake();
    fake.overrides['photos.details'] = ({ id }: { id: number }) => details(id);
    fake.overrides['photos.text'] = () => ({ ok: true, value: { read: true, skipped: false, lines: [{ text: 'OPEN', confidence: 0.9, box: [0.25, 0.25, 0.5, 0.25] }] } });
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    const originals: string[] = [];
    page.on('request', (request) => request.url().includes('/photo/original/') && originals.push(new URL(request.url()).pathname));
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    const photo = viewer.getByRole('img', { name: 'b.jpg' });
    const box = viewer.getByTestId('text-box');
    await box.waitFor();
    const rect = async (locator: typeof photo) => (await locator.boundingBox())!;
    const fitted = await rect(photo);
    const fittedText = await rect(box);
    const zoomOut = viewer.getByRole('button', { name: 'Zoom out' });
    const fit = viewer.getByRole('button', { name: 'Fit to window' });
    const unavailable = async (button: typeof zoomOut) => (await button.getAttribute('aria-disabled')) === 'true';
    expect(await unavailable(zoomOut)).toBe(true);
    expect(await unavailable(fit)).toBe(true);

    await viewer.getByRole('button', { name: 'Zoom in' }).click();
    await expect.poll(async () => (await rect(photo)).width / fitted.width).toBeCloseTo(1.5, 2);
    // The text's box zooms with the photo.
    expect((await rect(box)).width / fittedText.width).toBeCloseTo(1.5, 2);
    expect(await unavailable(zoomOut)).toBe(false);
    await expect.poll(() => originals).toEqual(['/photo/original/2']);
    await page.keyboard.press('+');
    await expect.poll(async () => (await rect(photo)).width / fitted.width).toBeCloseTo(2.25, 2);

    // Zoomed in, the arrows move the photo, not to the next one; as far as its edges, no further.
    const before = await rect(photo);
    await page.keyboard.press('ArrowRight');
    await expect.poll(async () => (await rect(photo)).x).toBeLessThan(before.x - 10);
    for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowRight');
    const edge = await rect(photo);
    const stage = (await viewer.locator('.frame').boundingBox())!;
    expect(edge.x + edge.width).toBeGreaterThanOrEqual(stage.x + stage.width - 1);
    expect(await viewer.isVisible()).toBe(true);

    // Dragging moves it with the pointer.
    const centre = { x: stage.x + stage.width / 2, y: stage.y + stage.height / 2 };
    await page.mouse.move(centre.x, centre.y);
    await page.mouse.down();
    await page.mouse.move(centre.x + 120, centre.y + 5, { steps: 4 });
    await page.mouse.up();
    await expect.poll(async () => (await rect(photo)).x - edge.x).toBeCloseTo(120, 0);

    // Fitted again by its button, which then does nothing more but keeps focus, and the viewer its keys.
    await fit.click();
    await expect.poll(async () => (await rect(photo)).width).toBeCloseTo(fitted.width, 0);
    expect(await unavailable(fit)).toBe(true);
    await page.keyboard.press('+');
    await page.keyboard.press('0');
    await expect.poll(async () => (await rect(photo)).width).toBeCloseTo(fitted.width, 0);
    expect(await fit.evaluate((button) => button === document.activeElement)).toBe(true);
    await page.keyboard.press('ArrowRight');
    const next = page.getByRole('dialog', { name: 'a.jpg' });
    await next.waitFor();
    const nextPhoto = next.getByRole('img', { name: 'a.jpg' });
    await expect.poll(async () => (await rect(nextPhoto)).width).toBeCloseTo(fitted.width, 0);

    // The wheel zooms about the pointer: the point under it stays put.
    const corner = { x: fitted.x + fitted.width * 0.25, y: fitted.y + fitted.height * 0.25 };
    await page.mouse.move(corner.x, corner.y);
    await page.mouse.wheel(0, -300);
    await expect.poll(async () => (await rect(nextPhoto)).width).toBeGreaterThan(fitted.width * 1.2);
    const wheeled = await rect(nextPhoto);
    // The same share of the photo is under the pointer as before.
    expect((corner.x - wheeled.x) / wheeled.width).toBeCloseTo(0.25, 2);
    expect((corner.y - wheeled.y) / wheeled.height).toBeCloseTo(0.25, 2);

    // A double click fits a zoomed photo, and zooms a fitted one to its own size.
    await page.mouse.dblclick(centre.x, centre.y);
    await expect.poll(async () => (await rect(nextPhoto)).width).toBeCloseTo(fitted.width, 0);
    await page.mouse.dblclick(centre.x, centre.y);
    await expect.poll(async () => (await rect(nextPhoto)).width).toBeCloseTo(4000, -1);
    expect(await next.getByText('100%').count()).toBe(1);
    // After clicks on the photo, the keys still work: back to fit, and to the photo before.
    await page.keyboard.press('0');
    await expect.poll(async () => (await rect(nextPhoto)).width).toBeCloseTo(fitted.width, 0);
    await page.keyboard.press('ArrowLeft');
    await viewer.waitFor();
  });

  it('zooms a photo whose original the browser cannot draw (HEIC) no further than its preview allows, and never loads the original (Note [Zoom reaches the pixels])', async () => {
    const fake = libraryFake();
    // A 12,000 px square HEIC: twice its own pixels would be some forty times the fit, of the preview blown up.
    fake.overrides['photos.details'] = ({ id }: { id: number }) => ({ ok: true, value: { ...details(id).value, format: 'heic', width: 12_000, height: 12_000 } });
    fake.overrides['photos.text'] = () => ({ ok: true, value: { read: true, skipped: false, lines: [] } });
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    const originals: string[] = [];
    page.on('request', (request) => request.url().includes('/photo/original/') && originals.push(new URL(request.url()).pathname));
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    const photo = viewer.getByRole('img', { name: 'b.jpg' });
    // The level shows once both its width and its preview are known.
    await expect.poll(() => viewer.locator('.level').textContent()).toMatch(/%/);
    const fitted = (await photo.boundingBox())!.width;
    const zoomIn = viewer.getByRole('button', { name: 'Zoom in' });
    await zoomIn.click();
    for (let i = 0; i < 8; i++) await page.keyboard.press('+');
    await expect.poll(async () => (await photo.boundingBox())!.width / fitted).toBeCloseTo(MAX_ZOOM, 2);
    expect(await zoomIn.getAttribute('aria-disabled')).toBe('true');
    expect(originals).toEqual([]);
  });

  it('fits a photo smaller than the stage at 100%, centred, never enlarged, and zooms it in (Note [Fitted, never enlarged])', async () => {
    const fake = libraryFake();
    // Its original is 300 px square (the fake's preview, 1 px, says nothing of it).
    fake.overrides['photos.details'] = ({ id }: { id: number }) => ({ ok: true, value: { ...details(id).value, width: 300, height: 300 } });
    fake.overrides['photos.text'] = () => ({ ok: true, value: { read: true, skipped: false, lines: [] } });
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    const photo = viewer.getByRole('img', { name: 'b.jpg' });
    await viewer.getByText('100%').waitFor();
    const fitted = (await photo.boundingBox())!;
    expect([fitted.width, fitted.height]).toEqual([300, 300]);
    const stage = (await viewer.locator('.frame').boundingBox())!;
    expect(fitted.x + fitted.width / 2).toBeCloseTo(stage.x + stage.width / 2, 0);
    expect(fitted.y + fitted.height / 2).toBeCloseTo(stage.y + stage.height / 2, 0);
    await viewer.getByRole('button', { name: 'Zoom in' }).click();
    await viewer.getByText('150%').waitFor();
    await expect.poll(async () => (await photo.boundingBox())!.width).toBeCloseTo(450, 0);
  });

  it('keeps its zoom bar off the fitted photo in wide, square and narrow windows (Note [Zoom bar below the photo])', async () => {
    const fake = libraryFake();
    fake.overrides['photos.details'] = ({ id }: { id: number }) => details(id);
    fake.overrides['photos.text'] = () => ({ ok: true, value: { read: true, skipped: false, lines: [] } });
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    const photo = viewer.getByRole('img', { name: 'b.jpg' });
    const bar = viewer.getByRole('group', { name: 'Zoom' });
    await bar.waitFor();
    const fit = bar.getByRole('button', { name: 'Fit to window' });
    for (const [width, height] of [[1280, 800], [800, 600], [800, 700], [500, 800], [480, 700]] as const) {
      await page.setViewportSize({ width, height });
      // The photo, 4:3, fitted; the bar wholly below it and inside the window, its labels on one line (in a narrow window "Fit to window" wrapped out of its button).
      await expect.poll(async () => {
        const [picture, zoom, button] = [(await photo.boundingBox())!, (await bar.boundingBox())!, (await fit.evaluate((element) => ({ lines: element.scrollHeight > element.clientHeight + 1 })))];
        return { clear: zoom.y >= picture.y + picture.height - 0.5, inside: zoom.y + zoom.height <= height && zoom.x >= 0 && zoom.x + zoom.width <= width, fitted: picture.height > 100, wraps: button.lines };
      }, { timeout: 5000 }).toEqual({ clear: true, inside: true, fitted: true, wraps: false });
    }
  });

  it('keeps its keys when the button that had focus leaves the page (a similar photo opened)', async () => {
    const fake = libraryFake();
    fake.overrides['photos.details'] = ({ id }: { id: number }) => details(id);
    fake.overrides['photos.text'] = () => ({ ok: true, value: { read: true, skipped: false, lines: [] } });
    // Each photo's similar photos are the other two: the button clicked is gone from the next strip.
    fake.overrides['search.similar'] = ({ photoId }: { photoId: number }) => {
      const results = [1, 2, 3].filter((id) => id !== photoId).map((id) => ({ ...details(id).value, score: 0.9 }));
      return { ok: true, value: { results, total: 2, belowCutoff: 0, offset: 0, model: FAKE_MODEL, method: 'exact', counted: true } };
    };
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    const strip = page.getByRole('region', { name: 'Similar photos' });
    await strip.getByRole('button', { name: 'a.jpg' }).click();
    await page.getByRole('dialog', { name: 'a.jpg' }).waitFor();
    await strip.getByRole('button', { name: 'b.jpg' }).waitFor();
    // The strip's order, [a, c], is the viewer's now.
    await page.keyboard.press('ArrowRight');
    await page.getByRole('dialog', { name: 'c.jpg' }).waitFor();
  });
});

describe('the similar photos strip', () => {
  it('names each photo as the grid’s tiles do, its file name then its date, so that photos of one name are told apart', async () => {
    const fake = libraryFake();
    const days = [Date.UTC(2024, 0, 10, 12), Date.UTC(2024, 2, 5, 12), Date.UTC(2025, 6, 20, 12)];
    const shot = (i: number) => ({ id: 10 + i, name: 'screenshot.jpg', folderId: 1, takenAt: days[i] as number, width: 400, height: 300, format: 'jpeg', version: 1, score: 0.9 });
    fake.overrides['photos.details'] = ({ id }: { id: number }) => ({ ok: true, value: { id, name: 'b.jpg', folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 400, height: 300, format: 'jpeg', version: id, path: '/p/b.jpg', size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] } });
    fake.overrides['search.similar'] = () => ({ ok: true, value: { results: [0, 1, 2].map(shot), total: 3, belowCutoff: 0, offset: 0, model: FAKE_MODEL, method: 'index', counted: true } });
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    const strip = page.getByRole('region', { name: 'Similar photos' });
    const names = () => strip.getByRole('button').evaluateAll((buttons) => buttons.map((button) => button.getAttribute('aria-label')));
    const dated = await page.evaluate((times) => times.map((time) => `screenshot.jpg, ${new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date(time))}`), days);
    await expect.poll(names, { timeout: 5000 }).toEqual(dated);
    // The grid's own tile of a photo is named the same way.
    const tile = await page.getByRole('listbox', { name: 'Photos' }).getByRole('option').first().getAttribute('aria-label');
    expect(tile).toMatch(/^[^,]+\.jpg, .+\d/);
  });
});

describe('the similar photos strip while the next photo’s load (Note [Strip kept while it loads])', () => {
  it('says it is loading, opens none of the photo before’s meanwhile, and once the viewer closes shows no other photo’s', async () => {
    const fake = libraryFake();
    fake.overrides['photos.details'] = ({ id }: { id: number }) => details(id);
    fake.overrides['photos.text'] = () => ({ ok: true, value: { read: true, skipped: false, lines: [] } });
    // Each photo's similar photos are the other two; photo 1's and 3's come only when let go.
    const held = new Map<number, () => void>();
    fake.overrides['search.similar'] = (({ photoId }: { photoId: number }) => {
      const results = [1, 2, 3].filter((id) => id !== photoId).map((id) => ({ ...details(id).value, score: 0.9 }));
      const answer = { ok: true, value: { results, total: 2, belowCutoff: 0, offset: 0, model: FAKE_MODEL, method: 'exact', counted: true } };
      return photoId === 2 ? answer : new Promise((resolve) => held.set(photoId, () => resolve(answer)));
    }) as never;
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    const strip = page.getByRole('region', { name: 'Similar photos' });
    const names = () => strip.getByRole('button').evaluateAll((buttons) => buttons.map((button) => button.getAttribute('aria-label')?.split(',')[0]));
    await expect.poll(names, { timeout: 5000 }).toEqual(['a.jpg', 'c.jpg']);
    expect(await strip.getAttribute('aria-busy')).toBe('false');

    await strip.getByRole('button', { name: 'a.jpg' }).click();
    await page.getByRole('dialog', { name: 'a.jpg' }).getByText('/home/ada/Pictures/a.jpg', { exact: true }).waitFor();
    await expect.poll(() => strip.getAttribute('aria-busy'), { timeout: 5000 }).toBe('true');
    expect(await strip.getByRole('button', { name: 'c.jpg' }).getAttribute('aria-disabled')).toBe('true');
    // Photo 2's c.jpg, not a.jpg's: it opens nothing.
    await strip.getByRole('button', { name: 'c.jpg' }).click({ force: true });
    await page.waitForTimeout(300);
    expect(await page.getByRole('dialog', { name: 'a.jpg' }).count()).toBe(1);

    held.get(1)?.();
    await expect.poll(names, { timeout: 5000 }).toEqual(['b.jpg', 'c.jpg']);
    expect(await strip.getAttribute('aria-busy')).toBe('false');

    // Closed while c.jpg's are on their way, which then come: the next photo opened shows none of them.
    await strip.getByRole('button', { name: 'c.jpg' }).click();
    await page.getByRole('dialog', { name: 'c.jpg' }).getByText('/home/ada/Pictures/c.jpg', { exact: true }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    held.get(3)?.();
    await page.waitForTimeout(200);
    await page.evaluate(() => (location.hash = '#/library?photo=1'));
    await page.getByRole('dialog', { name: 'a.jpg' }).getByText('/home/ada/Pictures/a.jpg', { exact: true }).waitFor();
    await page.waitForTimeout(200);
    expect(await strip.count()).toBe(0);
    held.get(1)?.();
    await expect.poll(names, { timeout: 5000 }).toEqual(['b.jpg', 'c.jpg']);
  });
});

describe('finding similar photos from the viewer', () => {
  it('puts focus on the new results’ heading over search results too, not on a tile of the results it replaces', async () => {
    const fake = libraryFake();
    const hit = (id: number) => ({ id, name: `p${id}.jpg`, folderId: 1, takenAt: Date.UTC(2024, 5, id), width: 400, height: 300, format: 'jpeg', version: id, score: 0.9 });
    fake.overrides['photos.details'] = ({ id }: { id: number }) => ({ ok: true, value: { ...hit(id), path: `/p/p${id}.jpg`, size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] } });
    fake.overrides['search.query'] = ({ query }: { query: string }) => {
      const ids = query === 'dogs' ? [1, 2, 3] : [2, 4, 5];
      const answer = { ok: true as const, value: { results: ids.map(hit), total: 3, belowCutoff: 0, offset: 0, model: FAKE_MODEL, method: 'index' as const, counted: true } };
      return query === 'dogs' ? answer : new Promise((resolve) => setTimeout(() => resolve(answer), 300));
    };
    const { page } = await pages.open(fake, { hash: '#/library?q=dogs' });
    await page.getByRole('option', { name: /^p3\.jpg/ }).click();
    await page.getByRole('dialog', { name: 'p3.jpg' }).getByRole('button', { name: 'Find similar' }).click();
    const heading = page.getByRole('heading', { level: 1, name: '3 photos like “p3.jpg”' });
    await heading.waitFor();
    await page.waitForTimeout(300);
    expect(await heading.evaluate((element) => element === document.activeElement)).toBe(true);
  });

  it('leaves nothing behind for the next viewer: closed, it puts focus on the photo it showed last', async () => {
    const fake = libraryFake();
    const hit = (id: number) => ({ id, name: `p${id}.jpg`, folderId: 1, takenAt: Date.UTC(2024, 5, 30 - id), width: 400, height: 300, format: 'jpeg', version: id, score: 0.9 });
    fake.overrides['photos.details'] = ({ id }: { id: number }) => ({ ok: true, value: { ...hit(id), path: `/p/p${id}.jpg`, size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] } });
    fake.overrides['search.query'] = () => ({ ok: true, value: { results: [1, 2, 3, 4].map(hit), total: 4, belowCutoff: 0, offset: 0, model: FAKE_MODEL, method: 'index', counted: true } });
    const { page } = await pages.open(fake, { hash: '#/library' });
    await page.getByRole('listbox', { name: 'Photos' }).getByRole('option', { name: /^c\.jpg/ }).click();
    await page.getByRole('dialog', { name: 'p3.jpg' }).getByRole('button', { name: 'Find similar' }).click();
    const results = page.getByRole('listbox', { name: 'Search results' });
    await results.getByRole('option', { name: /^p1\.jpg/ }).click();
    await page.getByRole('dialog', { name: 'p1.jpg' }).waitFor();
    await page.keyboard.press('ArrowRight');
    await page.getByRole('dialog', { name: 'p2.jpg' }).waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label')?.split(',')[0]), { timeout: 5000 }).toBe('p2.jpg');
  });

  it('names the results after the photo, not its id, and puts focus on their heading', async () => {
    const fake = libraryFake();
    fake.overrides['photos.details'] = () => ({
      ok: true,
      value: { id: 2, name: 'b.jpg', folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 400, height: 300, format: 'jpeg', version: 2, path: '/home/ada/Pictures/b.jpg', size: 2_000, capturedAt: null, camera: null, lens: null, location: null, copies: [] },
    });
    const hit = (id: number, name: string) => ({ id, name, folderId: 1, takenAt: Date.UTC(2024, 5, id), width: 400, height: 300, format: 'jpeg', version: id, score: 0.9 });
    fake.overrides['search.query'] = () => ({ ok: true, value: { results: [hit(2, 'b.jpg'), hit(3, 'c.jpg')], total: 2, belowCutoff: 0, offset: 0, model: FAKE_MODEL, method: 'index', counted: true } });
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    await page.getByRole('dialog', { name: 'b.jpg' }).getByRole('button', { name: 'Find similar' }).click();
    const heading = page.getByRole('heading', { level: 1, name: '2 photos like “b.jpg”' });
    await heading.waitFor();
    await expect.poll(() => heading.evaluate((element) => element === document.activeElement)).toBe(true);
    expect(fake.callsOf('search.query').map((call) => call.query)).toEqual(['#2']);
    // The box shows the photo by name, as for a photo pasted, not its id; words typed replace it.
    const box = page.getByRole('searchbox', { name: 'Search photos' });
    expect(await box.inputValue()).toBe('');
    await page.getByRole('button', { name: 'Stop searching by b.jpg' }).waitFor();
    // After a reload too: the address says which photo the search was asked for by name.
    await page.reload();
    await page.getByRole('button', { name: 'Stop searching by b.jpg' }).waitFor();
    expect(await box.inputValue()).toBe('');
    await box.fill('leaf');
    await expect.poll(() => page.title()).toBe('“leaf” — Lumen');
    expect(await page.getByRole('button', { name: /^Stop searching by/ }).count()).toBe(0);
    // A #id typed is text, as typed.
    await box.fill('#2');
    await page.getByRole('heading', { level: 1, name: '2 photos like “b.jpg”' }).waitFor();
    expect(await box.inputValue()).toBe('#2');
    expect(await page.getByRole('button', { name: /^Stop searching by/ }).count()).toBe(0);
  });
});

describe('the viewer over another screen', () => {
  it('opens over an album, steps through it, and closes back to it with focus on the photo shown', async () => {
    const fake = albumsFake({ Trip: [1, 3] });
    const names: Record<number, string> = { 1: 'a.jpg', 3: 'c.jpg' };
    fake.overrides['photos.details'] = ({ id }: { id: number }) => ({ ok: true, value: { id, name: names[id] as string, folderId: 1, takenAt: Date.UTC(2024, 5, id), width: 400, height: 300, format: 'jpeg', version: id, path: `/p/${names[id]}`, size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] } });
    const { page } = await pages.open(fake, { hash: '#/albums?album=saved:1' });
    const album = page.getByRole('listbox', { name: 'Photos of Trip' });
    // By the keyboard: a click would open it too, and the Enter after it would press the viewer's Next.
    await album.getByRole('option', { name: /^c\.jpg/ }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'c.jpg' }).waitFor();
    const hash = () => page.evaluate(() => decodeURIComponent(location.hash));
    expect(await hash()).toBe('#/albums?album=saved:1&photo=3');
    // The window's title names the photo open, then the screen again.
    await expect.poll(() => page.title()).toBe('c.jpg — Lumen');
    await page.keyboard.press('ArrowRight');
    await page.getByRole('dialog', { name: 'a.jpg' }).waitFor();
    expect(await hash()).toBe('#/albums?album=saved:1&photo=1');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await hash()).toBe('#/albums?album=saved:1');
    await page.getByRole('heading', { level: 1, name: /^Trip/ }).waitFor();
    await expect.poll(() => page.title()).toBe('Trip · Albums — Lumen');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label')?.split(',')[0])).toBe('a.jpg');
    // The list of albums is the screen itself again.
    await page.evaluate(() => (location.hash = '#/albums'));
    await expect.poll(() => page.title()).toBe('Albums — Lumen');
  });

  it('takes back the step its opening made when it closes: Back then leaves the screen below', async () => {
    const fake = albumsFake({ Trip: [1, 3] });
    fake.overrides['photos.details'] = ({ id }: { id: number }) => ({ ok: true, value: { id, name: `${id}.jpg`, folderId: 1, takenAt: Date.UTC(2024, 5, id), width: 400, height: 300, format: 'jpeg', version: id, path: `/p/${id}.jpg`, size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] } });
    const { page } = await pages.open(fake, { hash: '#/albums' });
    const hash = () => page.evaluate(() => decodeURIComponent(location.hash));
    await page.getByRole('link', { name: /^Trip/ }).click();
    const album = page.getByRole('listbox', { name: 'Photos of Trip' });
    await album.getByRole('option').first().click();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('ArrowRight');
    // Escape twice before the step back is taken: one step.
    await page.evaluate(() => {
      for (let i = 0; i < 2; i++) window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }));
    });
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await expect.poll(hash).toBe('#/albums?album=saved:1');
    await page.waitForTimeout(100);
    expect(await hash()).toBe('#/albums?album=saved:1');
    await page.goBack();
    await expect.poll(hash).toBe('#/albums');

    // Opened by a link, it made no step: closing leaves the entry where it is.
    await page.evaluate(() => (location.hash = '#/albums?album=saved:1&photo=3'));
    await page.getByRole('dialog', { name: '3.jpg' }).waitFor();
    await page.getByRole('button', { name: 'Close the viewer' }).click();
    await expect.poll(hash).toBe('#/albums?album=saved:1');
    await page.goBack();
    await expect.poll(hash).toBe('#/albums');
  });

  it('closes the photo it closed last when it is opened again, or reached again by Forward', async () => {
    const fake = albumsFake({ Trip: [1, 3] });
    fake.overrides['photos.details'] = ({ id }: { id: number }) => ({ ok: true, value: { id, name: `${id}.jpg`, folderId: 1, takenAt: Date.UTC(2024, 5, id), width: 400, height: 300, format: 'jpeg', version: id, path: `/p/${id}.jpg`, size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] } });
    const { page } = await pages.open(fake, { hash: '#/albums?album=saved:1' });
    const hash = () => page.evaluate(() => decodeURIComponent(location.hash));
    const album = page.getByRole('listbox', { name: 'Photos of Trip' });
    await album.getByRole('option').first().click();
    for (const reopen of [() => page.keyboard.press('Enter'), () => page.keyboard.press('Enter'), () => page.goForward()]) {
      await reopen();
      await page.getByRole('dialog').waitFor();
      expect(await hash()).toMatch(/&photo=\d+$/);
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await expect.poll(hash).toBe('#/albums?album=saved:1');
    }
  });

  it('keeps a verdict answered after a step to the next photo on the photo it was given for', async () => {
    const fake = libraryFake();
    const names: Record<number, string> = { 1: 'a.jpg', 2: 'b.jpg', 3: 'c.jpg' };
    const tagOf: Record<number, string> = { 1: 'cat', 2: 'dog', 3: 'beach' };
    fake.overrides['photos.details'] = ({ id }: { id: number }) => ({ ok: true, value: { id, name: names[id] as string, folderId: 1, takenAt: Date.UTC(2024, 5, id), width: 400, height: 300, format: 'jpeg', version: id, path: `/p/${names[id]}`, size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] } });
    fake.overrides['tags.ofPhoto'] = ({ id }: { id: number }) => ({ ok: true, value: { photoId: id, tags: [{ tag: tagOf[id] as string, source: 'auto' as const, score: 0.5 }], rejected: [] } });
    fake.overrides['tags.list'] = () => ({ ok: true, value: [] });
    let answer: () => void = () => {};
    fake.overrides['tags.verdict'] = ({ photoIds, tag }: { photoIds: number[]; tag: string }) =>
      new Promise((resolve) => (answer = () => resolve({ ok: true, value: { given: photoIds.length, photo: { photoId: photoIds[0] as number, tags: [{ tag, source: 'person' as const, score: 0.5 }], rejected: [] }, before: { confirmed: [], rejected: [] } } })));
    const { page } = await pages.open(fake, { hash: '#/library?photo=3' });
    await page.getByRole('dialog', { name: 'c.jpg' }).getByRole('button', { name: 'Confirm beach' }).click();
    await page.keyboard.press('ArrowRight');
    const tags = page.getByRole('dialog', { name: 'b.jpg' }).getByRole('region', { name: 'Tags' });
    await tags.getByRole('button', { name: 'Confirm dog' }).waitFor();
    answer();
    await expect.poll(() => fake.callsOf('tags.verdict'), { timeout: 5000 }).toEqual([{ photoIds: [3], tag: 'beach', verdict: 'confirm' }]);
    await page.waitForTimeout(300);
    expect(await tags.getByRole('button').evaluateAll((buttons) => buttons.map((button) => button.getAttribute('aria-label') ?? button.textContent?.trim()))).toEqual(['Confirm dog', 'Reject dog', 'Add']);
  });

  it('leaves its photo and its zoom alone while the shortcuts panel over it has the keys', async () => {
    const fake = libraryFake();
    fake.overrides['photos.details'] = () => ({ ok: true, value: { id: 2, name: 'b.jpg', folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 4000, height: 3000, format: 'jpeg', version: 2, path: '/p/b.jpg', size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] } });
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    await viewer.getByRole('img', { name: 'b.jpg' }).waitFor();
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    for (const key of ['ArrowRight', 'ArrowLeft', '+']) await page.keyboard.press(key);
    await page.waitForTimeout(200);
    expect(new URL(page.url()).hash).toBe('#/library?photo=2');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor({ state: 'detached' });
    expect(await viewer.getByRole('button', { name: 'Fit to window' }).getAttribute('aria-disabled')).toBe('true');
  });

  it('keeps a name typed too long whole, to be refused with why on Add (viewer-tags-keys.test.ts), and Escape in the field clears the name before it closes the viewer', async () => {
    const fake = libraryFake();
    fake.overrides['tags.ofPhoto'] = () => ({ ok: true, value: { photoId: 2, tags: [], rejected: [] } });
    fake.overrides['tags.list'] = () => ({ ok: true, value: [] });
    fake.overrides['photos.details'] = () => ({ ok: true, value: { id: 2, name: 'b.jpg', folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 400, height: 300, format: 'jpeg', version: 2, path: '/p/b.jpg', size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] } });
    const { page } = await pages.open(fake, { hash: '#/library?photo=2' });
    const field = page.getByRole('dialog').getByRole('combobox', { name: 'Add a tag' });
    await field.fill('x'.repeat(MAX_NAME + 20));
    expect(await field.inputValue()).toHaveLength(MAX_NAME + 20);
    await page.keyboard.press('Escape');
    expect(await field.inputValue()).toBe('');
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
  });
});

describe('the viewer’s text in the light theme', () => {
  // The viewer is dark in either theme: the light theme's colours must not reach its text.
  const viewerFake = () => {
    const fake = libraryFake();
    fake.overrides['photos.details'] = () => ({ ok: true, value: { id: 2, name: 'b.jpg', folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 400, height: 300, format: 'jpeg', version: 2, path: '/p/b.jpg', size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] } });
    fake.overrides['photos.text'] = () => ({ ok: true, value: { read: false, skipped: false, lines: [] } });
    fake.overrides['tags.ofPhoto'] = () => ({ ok: true, value: { photoId: 2, tags: [], rejected: [] } });
    fake.overrides['tags.list'] = () => ({ ok: true, value: [] });
    return fake;
  };

  it('keeps the labels of hovered buttons readable', async () => {
    const { page } = await pages.open(viewerFake(), { hash: '#/library?photo=2', colorScheme: 'light' });
    const viewer = page.getByRole('dialog');
    for (const name of ['Find similar', 'Show in folder', 'Open with default app', 'Read text', 'Close the viewer']) {
      const button = viewer.getByRole('button', { name, exact: true });
      await button.hover();
      expect.soft(await contrastOf(button), name).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('says “No tags yet.” readably', async () => {
    const { page } = await pages.open(viewerFake(), { hash: '#/library?photo=2', colorScheme: 'light' });
    const none = page.getByRole('dialog').getByText('No tags yet.');
    await none.waitFor();
    expect(await contrastOf(none)).toBeGreaterThanOrEqual(4.5);
  });
});

/**
 * The viewer's text, read again as its photo is edited in place while it shows, and read by a
 * press of Read text: the newest read is what shows, and a read that succeeds takes back the error
 * a failed one showed, never the photo's own. Built for real and driven in Chromium against a fake engine.
 */
import { describe, expect, it } from 'vitest';
import type { CallOutcome, CallParams } from '../../preload/contract.js';
import { appPages, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });

const GONE = 'This photo is no longer in the library: its file was deleted or moved, or its folder was removed.';
const UNREADABLE = 'The library database could not be read: disk I/O error.';
const READ = { ok: true as const, value: { read: true, skipped: false, lines: [{ text: 'OPEN', confidence: 0.9, box: [0.25, 0.25, 0.5, 0.25] as [number, number, number, number] }] } };
const UNREAD = { ok: true as const, value: { read: false, skipped: false, lines: [] } };

type TextAnswer = (params: CallParams<'photos.text'>) => CallOutcome<'photos.text'> | Promise<CallOutcome<'photos.text'>>;

/** `libraryFake` whose photo b.jpg (id 2) is at `version`, gone while `gone`; its text as `text` answers. */
function editedFake(text: TextAnswer) {
  const fake = libraryFake();
  const photo = { version: 1, gone: false };
  fake.overrides['photos.details'] = (({ id }: CallParams<'photos.details'>) =>
    photo.gone
      ? { ok: false, error: { code: 'not-found', message: `There is no photo #${id} in the library.` } }
      : { ok: true, value: { id, name: 'b.jpg', folderId: 1, takenAt: Date.UTC(2024, 5, 2), width: 400, height: 300, format: 'jpeg', version: photo.version, path: '/home/ada/Pictures/b.jpg', size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] } }) as never;
  fake.overrides['photos.text'] = text as never;
  fake.overrides['tags.ofPhoto'] = (({ id }: CallParams<'tags.ofPhoto'>) => ({ ok: true, value: { photoId: id, tags: [], rejected: [] } })) as never;
  return Object.assign(fake, { photo });
}

/** A call's answers held until the test lets each go, in any order. */
function held() {
  const waiting: Array<() => void> = [];
  return {
    waiting,
    hold: <T>(answer: T) => new Promise<T>((resolve) => waiting.push(() => resolve(answer))),
  };
}

describe('the text of a photo edited in place while it shows', () => {
  it('takes back the error a failed read showed once a read succeeds', async () => {
    let answer: CallOutcome<'photos.text'> = READ;
    const fake = editedFake(() => answer);
    const { page, emit } = await pages.open(fake, { hash: '#/library?photo=2' });
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    await viewer.getByLabel('Text read in this photo').waitFor();
    answer = { ok: false, error: { code: 'storage', message: UNREADABLE } };
    fake.photo.version = 2;
    await emit({ type: 'library-changed' });
    await poll(() => viewer.getByRole('alert').allTextContents()).toEqual([UNREADABLE]);
    await viewer.getByText('Not available.', { exact: true }).waitFor();
    answer = READ;
    fake.photo.version = 3;
    await emit({ type: 'library-changed' });
    await viewer.getByLabel('Text read in this photo').waitFor();
    await poll(() => viewer.getByRole('alert').count()).toBe(0);
  });

  it('shows the text Read text read, not an older read that answers after it', async () => {
    const reread = held();
    const fake = editedFake(({ read }) => (read ? READ : fake.photo.version === 1 ? UNREAD : reread.hold(UNREAD)));
    const { page, emit } = await pages.open(fake, { hash: '#/library?photo=2' });
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    const readButton = viewer.getByRole('button', { name: 'Read text' });
    await readButton.waitFor();
    // Edited: its text is asked for again, and the answer is slow.
    fake.photo.version = 2;
    await emit({ type: 'library-changed' });
    await poll(() => reread.waiting.length).toBe(1);
    await readButton.click();
    await viewer.getByLabel('Text read in this photo').waitFor();
    reread.waiting[0]?.();
    // Nothing to wait for but the older answer's arrival, which must change nothing.
    await page.waitForTimeout(300);
    expect(await viewer.getByLabel('Text read in this photo').textContent()).toBe('OPEN');
    expect(await readButton.count()).toBe(0);
  });

  it('keeps saying the photo is gone when a read of its text begun before succeeds', async () => {
    const reread = held();
    const fake = editedFake(() => (fake.photo.version === 1 ? READ : reread.hold(READ)));
    const { page, emit } = await pages.open(fake, { hash: '#/library?photo=2' });
    const viewer = page.getByRole('dialog', { name: 'b.jpg' });
    await viewer.getByLabel('Text read in this photo').waitFor();
    fake.photo.version = 2;
    await emit({ type: 'library-changed' });
    await poll(() => reread.waiting.length).toBe(1);
    fake.photo.gone = true;
    await emit({ type: 'library-changed' });
    const gone = page.getByRole('dialog');
    await poll(() => gone.getByRole('alert').allTextContents()).toEqual([GONE]);
    reread.waiting[0]?.();
    await page.waitForTimeout(300);
    expect(await gone.getByRole('alert').allTextContents()).toEqual([GONE]);
  });
});

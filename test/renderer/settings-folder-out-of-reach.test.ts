/**
 * A library folder that cannot be read at all (its permissions changed, its drive gone) in
 * Settings › Photo folders: said apart, once, and not counted among the files that could not be
 * indexed (Note [A folder out of reach] in main/library/walk.ts), as the header says it apart.
 */
import { describe, expect, it } from 'vitest';
import type { FailureInfo } from '../../preload/contract.js';
import { appPages, jobEvent, libraryFake, rendererInChromium } from './harness.js';

const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });
const pages = appPages(rendererInChromium());

const LOCKED = '/mnt/archive/Locked';
const FOLDER_SAID = `The folder ${LOCKED} cannot be read: permission denied; its 12 photos are kept.`;
const FAILURES: FailureInfo[] = [
  { path: LOCKED, name: 'Locked', reason: 'unreadable', message: FOLDER_SAID },
  { path: '/home/ada/Pictures/broken.jpg', name: 'broken.jpg', reason: 'not-an-image', message: 'broken.jpg is not an image.' },
];

/** Settings over a library of two folders, one of which cannot be read, and one file that could not be indexed. */
function lockedFolderFake() {
  const fake = libraryFake();
  fake.status.library = {
    ...fake.status.library!,
    failed: 2,
    folders: [
      { id: 1, path: '/home/ada/Pictures', excludes: [] },
      { id: 2, path: LOCKED, excludes: [] },
    ],
  };
  fake.overrides['library.failures'] = () => ({ ok: true, value: structuredClone(FAILURES) });
  return fake;
}

describe('Settings › a library folder that cannot be read', () => {
  it('is said apart once, and only files are counted among the files that could not be indexed', async () => {
    const { page } = await pages.open(lockedFolderFake(), { hash: '#/settings' });
    const folders = page.getByRole('region', { name: 'Photo folders' });
    await folders.getByRole('heading', { name: 'Files that could not be indexed: 1', exact: true }).waitFor();
    const files = folders.getByRole('list', { name: 'Files that could not be indexed' });
    await poll(async () => (await files.getByRole('listitem').allTextContents()).map((item) => item.replace(/\s+/g, ' ').trim())).toEqual(['broken.jpg in /home/ada/Pictures is not an image.']);
    await folders.getByRole('heading', { name: 'Library folders that could not be reached: 1', exact: true }).waitFor();
    expect(await folders.getByText(FOLDER_SAID).count()).toBe(1);
    expect(await folders.getByText('Locked', { exact: true }).count()).toBe(0);
  });

  it('is what the header’s "See why" brings into view when no file failed', async () => {
    const fake = lockedFolderFake();
    fake.status.library = { ...fake.status.library!, failed: 1 };
    fake.overrides['library.failures'] = () => ({ ok: true, value: structuredClone(FAILURES.slice(0, 1)) });
    const { page, emit } = await pages.open(fake, { hash: '#/library' });
    const progress = { phase: 'indexing' as const, found: 3, processed: 3, toProcess: 3, embedded: 3, failed: 0, indexed: 3, removed: 0, imagesPerSecond: 1, etaSeconds: null, unreachable: 1 };
    await emit(jobEvent({ id: 'index-3', kind: 'index', state: 'done', progress }));
    await page.getByRole('status', { name: 'Indexing' }).getByRole('link', { name: 'See why' }).click();
    const heading = page.getByRole('heading', { name: 'Library folders that could not be reached: 1', exact: true });
    await poll(() => heading.evaluate((element) => element === document.activeElement)).toBe(true);
    await page.getByRole('heading', { name: 'Files that could not be indexed: none', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Try them again' }).count()).toBe(0);
  });
});

/**
 * Settings' photo folders as they follow what happened: an exclusion the engine refuses is the
 * field's problem, a failure fixed since is no longer counted (Note [Failures fixed since] in
 * renderer/src/state/jobs.svelte.ts), focus after a folder is removed goes to its neighbour, and an
 * index run that did not finish is said at the next launch. Built for real, driven in Chromium
 * against a fake engine.
 */
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { FailureInfo, IndexProgressInfo } from '../../preload/contract.js';
import { appPages, jobEvent, libraryFake, rendererInChromium, type FakeLumen } from './harness.js';

const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });
const text = (locator: Locator) => async () => ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
const hasFocus = (locator: Locator) => locator.evaluate((element) => element === document.activeElement);

const pages = appPages(rendererInChromium());
const open = (fake: FakeLumen) => pages.open(fake, { hash: '#/settings' });

const REFUSED = 'The exclusion "[bad" is not a pattern Lumen can read: its "[" is never closed by a "]" (write "\\[" for the character itself). Exclusions look like "**/Screenshots/**" or "*.gif".';

const progress = (failed: number): IndexProgressInfo => ({ phase: 'indexing', found: 2, processed: 2, toProcess: 2, embedded: 2 - failed, failed, indexed: 2 - failed, removed: 0, imagesPerSecond: 1, etaSeconds: null });

describe('Settings: a folder’s exclusions refused by the engine', () => {
  it('says why at the field, marks it invalid, moves focus there, and clears it as the field changes', async () => {
    const fake = libraryFake();
    fake.overrides['library.failures'] = () => ({ ok: true, value: [] });
    fake.overrides['library.setExcludes'] = () => ({ ok: false, error: { code: 'bad-input', message: REFUSED } });
    const { page } = await open(fake);
    const folders = page.getByRole('region', { name: 'Photo folders' });
    await page.getByRole('button', { name: 'Exclusions for /home/ada/Pictures', exact: true }).click();
    const field = page.getByLabel(/^Leave out/);
    await field.fill('[bad');
    await page.getByRole('button', { name: 'Save exclusions' }).click();
    await poll(() => page.locator('#excludes-1-problem').textContent()).toBe(REFUSED);
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.getAttribute('aria-describedby')).toBe('excludes-1-problem');
    await poll(() => hasFocus(field)).toBe(true);
    // The field's, not the whole section's.
    expect(await folders.getByRole('alert').count()).toBe(0);
    await field.press('End');
    await field.pressSequentially(']');
    await poll(() => page.locator('#excludes-1-problem').count()).toBe(0);
    expect(await field.getAttribute('aria-invalid')).toBe(null);
  });
});

describe('Settings: failures fixed after "Try them again"', () => {
  it('drops the retry’s count from the status line and the header once the folder watcher indexed a fixed file', async () => {
    const fake = libraryFake();
    const failure = (name: string): FailureInfo => ({ path: `/home/ada/Pictures/${name}`, name, reason: 'truncated', message: `${name} is truncated (an incomplete copy or download?).` });
    let failing = [failure('a.jpg'), failure('b.jpg')];
    fake.status.library = { ...fake.status.library!, failed: 2 };
    fake.overrides['library.failures'] = () => ({ ok: true, value: failing });
    fake.overrides['library.index'] = () => ({ ok: true, value: { jobId: 'index-2' } });
    const { page, emit } = await open(fake);
    const said = page.getByRole('region', { name: 'Photo folders' }).getByRole('status');
    const row = page.getByRole('status', { name: 'Indexing' });
    await page.getByRole('button', { name: 'Try them again' }).click();
    await emit(jobEvent({ id: 'index-2', kind: 'index', state: 'running', progress: progress(0) }));
    await emit(jobEvent({ id: 'index-2', kind: 'index', state: 'done', progress: progress(2) }));
    await poll(text(said)).toBe('Tried again: 2 files still could not be indexed.');
    await poll(text(row)).toContain('2 files could not be indexed.');

    // b.jpg fixed: the folder watcher's run indexes it and ends well.
    failing = [failure('a.jpg')];
    fake.status.library = { ...fake.status.library!, failed: 1 };
    await emit(jobEvent({ id: 'index-3', kind: 'index', state: 'running', background: true, progress: progress(0) }));
    await emit(jobEvent({ id: 'index-3', kind: 'index', state: 'done', background: true, progress: { ...progress(0), found: 1, processed: 1, toProcess: 1, embedded: 1, indexed: 1 } }));
    await page.getByRole('heading', { name: 'Files that could not be indexed: 1' }).waitFor();
    await poll(text(said)).toBe('');
    await poll(text(row)).toContain('1 file could not be indexed.');

    // The last one fixed too: nothing is left to see.
    failing = [];
    fake.status.library = { ...fake.status.library!, failed: 0 };
    await emit(jobEvent({ id: 'index-4', kind: 'index', state: 'running', background: true, progress: progress(0) }));
    await emit(jobEvent({ id: 'index-4', kind: 'index', state: 'done', background: true, progress: { ...progress(0), found: 1, processed: 1, toProcess: 1, embedded: 1, indexed: 1 } }));
    await page.getByRole('heading', { name: 'Files that could not be indexed: none' }).waitFor();
    await poll(() => row.getByText('could not be indexed').count()).toBe(0);
    expect(await row.getByRole('link', { name: 'See why' }).count()).toBe(0);
  });
});

describe('Settings: removing a folder', () => {
  it('hands focus to the folder that takes its place, the one before for the last, and "Add a folder…" when none is left', async () => {
    const fake = libraryFake();
    fake.overrides['library.failures'] = () => ({ ok: true, value: [] });
    const paths = ['/home/ada/Pictures', '/media/card/DCIM', '/srv/photos'];
    fake.status.library = { ...fake.status.library!, folders: paths.map((path, i) => ({ id: i + 1, path, excludes: [] })) };
    fake.overrides['library.removeFolder'] = (({ folderId }: { folderId: number }) => {
      fake.status.library = { ...fake.status.library!, folders: fake.status.library!.folders.filter((folder) => folder.id !== folderId) };
      return { ok: true, value: { removed: true } };
    }) as never;
    const { page } = await open(fake);
    const remove = async (path: string) => {
      await page.getByRole('button', { name: `Remove ${path}`, exact: true }).click();
      await page.getByRole('button', { name: 'Remove', exact: true }).click();
      await poll(() => page.getByRole('button', { name: `Remove ${path}`, exact: true }).count()).toBe(0);
    };
    const exclusions = (path: string) => page.getByRole('button', { name: `Exclusions for ${path}`, exact: true });

    await remove('/media/card/DCIM');
    await poll(() => hasFocus(exclusions('/srv/photos'))).toBe(true);
    await remove('/srv/photos');
    await poll(() => hasFocus(exclusions('/home/ada/Pictures'))).toBe(true);
    await remove('/home/ada/Pictures');
    await poll(() => hasFocus(page.getByRole('button', { name: 'Add a folder…' }))).toBe(true);
  });
});

describe('Settings: an index run that did not finish, at the next launch', () => {
  it('says so until a run completes, and "Index the rest" starts the index run Re-scan does', async () => {
    const fake = libraryFake();
    fake.overrides['library.failures'] = () => ({ ok: true, value: [] });
    fake.status.library = { ...fake.status.library!, unfinishedRun: true };
    fake.overrides['library.index'] = () => ({ ok: true, value: { jobId: 'index-7' } });
    const { page, emit } = await open(fake);
    const folders = page.getByRole('region', { name: 'Photo folders' });
    const line = folders.getByText('The last indexing run did not finish: the files it had not reached are not indexed yet.');
    await line.waitFor();
    await folders.getByRole('button', { name: 'Index the rest' }).click();
    await poll(() => fake.callsOf('library.index')).toEqual([{ retryFailed: false }]);
    await emit(jobEvent({ id: 'index-7', kind: 'index', state: 'running', progress: progress(0) }));
    // While the run goes on, its row says how far it is.
    await line.waitFor({ state: 'detached' });
    fake.status.library = { ...fake.status.library!, unfinishedRun: false };
    await emit(jobEvent({ id: 'index-7', kind: 'index', state: 'done', progress: progress(0) }));
    await poll(text(folders.getByRole('status'))).toBe('Re-scan done: 2 photos indexed.');
    expect(await line.count()).toBe(0);
    expect(await folders.getByRole('button', { name: 'Index the rest' }).count()).toBe(0);
  });
});

/**
 * Settings while another program indexes the library (Note [Another program indexing] in
 * main/engine/index-job.ts): the status's `writer` is named in place of "did not finish", with no
 * "Index the rest", and the line follows the status read again once that program is done. Built
 * for real, driven in Chromium against a fake engine.
 */
import { describe, expect, it } from 'vitest';
import { appPages, libraryFake, rendererInChromium } from './harness.js';

const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });
const pages = appPages(rendererInChromium());

describe('Settings: an index run going on in another program', () => {
  it('names the program indexing the library, offers nothing to press, and says how things stand once it is done', async () => {
    const fake = libraryFake();
    fake.overrides['library.failures'] = () => ({ ok: true, value: [] });
    // The run in the other program marks itself unfinished as it starts, as any run does.
    fake.status.library = { ...fake.status.library!, unfinishedRun: true };
    fake.status.writer = { pid: 20896, holder: '`lumen index`', doing: 'indexing', since: Date.UTC(2025, 0, 1) };
    const { page, emit } = await pages.open(fake, { hash: '#/settings' });
    const folders = page.getByRole('region', { name: 'Photo folders' });
    // The engine's backticks are for a terminal: the window names the program in words.
    const indexing = folders.getByText('Lumen’s command line (lumen index, process 20896) is indexing this library now: the files it has not reached yet are not counted until it has finished.');
    await indexing.waitFor();
    expect(await folders.getByText('did not finish').count()).toBe(0);
    expect(await folders.getByRole('button', { name: 'Index the rest' }).count()).toBe(0);

    // Killed before it finished: its run is unfinished now, and the rest is this app's to index.
    fake.status.writer = null;
    await emit({ type: 'library-changed' });
    await folders.getByText('The last indexing run did not finish: the files it had not reached are not indexed yet.').waitFor();
    await poll(() => indexing.count()).toBe(0);
    expect(await folders.getByRole('button', { name: 'Index the rest' }).count()).toBe(1);
  });
});

describe('the Library while another program indexes it', () => {
  it('says whose photos are still to come, until that program is done', async () => {
    const fake = libraryFake();
    fake.status.writer = { pid: 20896, holder: '`lumen index`', doing: 'indexing', since: Date.UTC(2025, 0, 1) };
    const { page, emit } = await pages.open(fake, { hash: '#/library' });
    const said = page.getByText('Lumen’s command line (lumen index, process 20896) is indexing this library: the photos it indexes show here once it has finished.');
    await said.waitFor();
    fake.status.writer = null;
    await emit({ type: 'library-changed' });
    await poll(() => said.count()).toBe(0);
  });

  it('says an empty library’s photos are still to come, not that none were found, until that program is done', async () => {
    const fake = libraryFake();
    fake.status.library = { ...fake.status.library!, photos: 0, images: 0 };
    fake.status.writer = { pid: 20896, holder: '`lumen index`', doing: 'indexing', since: Date.UTC(2025, 0, 1) };
    fake.overrides['photos.timeline'] = () => ({ ok: true, value: { total: 0, ids: [], ratios: [], takenAt: [], names: [], folderIds: [], versions: [] } });
    const { page, emit } = await pages.open(fake, { hash: '#/library' });
    await page.getByText('Lumen is indexing your folders in another program; photos show up here once it has finished.').waitFor();
    await page.getByRole('heading', { level: 2, name: 'Your photos will appear here' }).waitFor();
    expect(await page.getByRole('heading', { name: 'No photos found' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Add a folder…' }).count()).toBe(0);
    // Done, and it found nothing either.
    fake.status.writer = null;
    await emit({ type: 'library-changed' });
    await page.getByRole('heading', { level: 2, name: 'No photos found' }).waitFor();
  });
});

/**
 * What the contract's schemas would refuse in their own words ("Too big: expected array to have
 * <=100 items") the window checks first, and says in its own (Note [Limits the window checks] in
 * preload/limits.ts): exclusions, a vocabulary file, folders dropped on the window. The fake
 * engine answers these calls through the app's real router, so what the window sends passes the
 * same checks as in the app.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CallRouter, type CallHandlers } from '../../main/app/router.js';
import type { CallName, CallOutcome, CallResults } from '../../preload/contract.js';
import { appPages, libraryFake, rendererInChromium, type FakeLumen } from './harness.js';

const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });
const pages = appPages(rendererInChromium());

/** Answers `name` as the app does: the real router's checks, then `value`. */
function throughRouter<N extends CallName>(fake: FakeLumen, name: N, value: () => CallResults[N]): void {
  const router = new CallRouter({ [name]: async () => value() } as unknown as CallHandlers, ['app://lumen'], () => {});
  const sender = { url: 'app://lumen/index.html', isTopFrame: true, fromAppWindow: true };
  fake.overrides[name] = ((params: unknown) => router.handle(sender, { name, params })) as never;
}

/** The element `field`'s aria-describedby names, by its text. */
const description = (page: Page, id: string | null) => (id ? page.locator(`[id="${id}"]`).textContent() : null);

describe('exclusions over the limits of library.setExcludes', () => {
  async function openExclusions() {
    const fake = libraryFake();
    throughRouter(fake, 'library.setExcludes', () => fake.status.library!.folders[0]!);
    fake.overrides['library.index'] = () => ({ ok: true, value: { jobId: 'index-9' } });
    fake.overrides['library.failures'] = () => ({ ok: true, value: [] });
    const { page } = await pages.open(fake, { hash: '#/settings' });
    await page.getByRole('button', { name: 'Exclusions for /home/ada/Pictures', exact: true }).click();
    const field = page.getByRole('textbox', { name: /^Leave out/ });
    return { fake, page, field, save: page.getByRole('button', { name: 'Save exclusions' }) };
  }

  it('says there are too many, by the field, sends nothing, and saves once there are few enough', async () => {
    const { fake, page, field, save } = await openExclusions();
    const patterns = Array.from({ length: 103 }, (_, i) => `**/trip-${i + 1}/**`);
    // Blank lines are no patterns.
    await field.fill(['', ...patterns.slice(0, 50), '', ...patterns.slice(50)].join('\n'));
    const said = 'These are 103 patterns, and a folder can have at most 100: remove 3, or let one pattern cover several.';
    await poll(() => field.getAttribute('aria-invalid')).toBe('true');
    expect(await description(page, await field.getAttribute('aria-describedby'))).toBe(said);
    await page.getByText(said).waitFor();

    await save.click();
    // Focus goes to the field, which says what is wrong.
    await poll(() => field.evaluate((element) => element === document.activeElement)).toBe(true);
    expect(fake.callsOf('library.setExcludes')).toEqual([]);

    await field.fill(patterns.slice(0, 100).join('\n'));
    await poll(() => field.getAttribute('aria-invalid')).toBe(null);
    expect(await field.getAttribute('aria-describedby')).toBe(null);
    await save.click();
    await page.getByText('Saved. Re-scanning, to leave those files out…').waitFor();
    expect(fake.callsOf('library.setExcludes')).toEqual([{ folderId: 1, excludes: patterns.slice(0, 100) }]);
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('names the line that is too long, and takes one as long as the limit', async () => {
    const { fake, page, field, save } = await openExclusions();
    await field.fill(['*.gif', '', `**/${'a'.repeat(497)}`, `  ${'b'.repeat(501)}  `].join('\n'));
    const said = 'Line 4 is longer than 500 characters: shorten it.';
    await page.getByText(said).waitFor();
    expect(await description(page, await field.getAttribute('aria-describedby'))).toBe(said);
    await field.fill(['*.gif', `${'c'.repeat(501)}`, '*.png', `${'d'.repeat(600)}`].join('\n'));
    await page.getByText('Line 2 and 1 other line are longer than 500 characters: shorten them.').waitFor();
    await save.click();
    expect(fake.callsOf('library.setExcludes')).toEqual([]);

    // Spaces round a pattern are not part of it.
    await field.fill(['*.gif', `  ${'b'.repeat(500)}  `].join('\n'));
    await poll(() => field.getAttribute('aria-invalid')).toBe(null);
    await save.click();
    await page.getByText('Saved. Re-scanning, to leave those files out…').waitFor();
    expect(fake.callsOf('library.setExcludes')).toEqual([{ folderId: 1, excludes: ['*.gif', 'b'.repeat(500)] }]);
  });
});

describe('importing a vocabulary file', () => {
  const VOCABULARY = { vocabulary: { templates: ['a photo of {}'], tags: [{ name: 'beach', prompts: ['beach'] }] }, jobId: 'tag-2' };

  async function openTemplates() {
    const fake = libraryFake();
    fake.overrides['vocabulary.get'] = () => ({ ok: true, value: { vocabulary: VOCABULARY.vocabulary, isDefault: true } });
    throughRouter(fake, 'vocabulary.import', () => VOCABULARY);
    const { page } = await pages.open(fake, { hash: '#/templates' });
    await page.getByRole('heading', { level: 1, name: 'Templates' }).waitFor();
    /** Picks a file of `text`, padded with spaces to `length`, in Import… (made in the page: megabytes through the browser's protocol are slow). */
    const importFile = (name: string, text: string, length = text.length) =>
      page.evaluate(
        ([fileName, content, size]) => {
          const input = document.querySelector<HTMLInputElement>('input[type="file"]');
          if (!input) throw new Error('Import… has no file input');
          const data = new DataTransfer();
          data.items.add(new File([content.padEnd(size, ' ')], fileName, { type: 'application/json' }));
          input.files = data.files;
          input.dispatchEvent(new Event('change', { bubbles: true }));
        },
        [name, text, length] as const,
      );
    /** What the editor says went wrong with a file, by its name. */
    const refusal = (name: string) => () => page.getByRole('alert').filter({ hasText: name }).textContent();
    return { fake, page, importFile, refusal };
  }

  it('says an empty file is no vocabulary, as the engine says of one that is not JSON, and sends nothing', async () => {
    const { fake, importFile, refusal } = await openTemplates();
    await importFile('empty.json', '');
    await poll(refusal('empty.json')).toBe('empty.json is not a vocabulary exported from Lumen: it is empty.');
    expect(fake.callsOf('vocabulary.import')).toEqual([]);
  });

  it('says a file over the limit is too large without sending it, and imports one at the limit', async () => {
    const { fake, page, importFile, refusal } = await openTemplates();
    await importFile('huge.json', '', 5_000_001);
    await poll(refusal('huge.json')).toBe('huge.json is larger than 5 MB, the most Lumen imports as a vocabulary.');
    expect(fake.callsOf('vocabulary.import')).toEqual([]);

    const json = JSON.stringify(VOCABULARY.vocabulary);
    await importFile('padded.json', json, 5_000_000);
    await page.getByText('Imported padded.json.').waitFor();
    expect(fake.callsOf('vocabulary.import').map(({ json: sent }) => sent.length)).toEqual([5_000_000]);
  });

  it('says a file that cannot be read so, rather than nothing', async () => {
    const { fake, page, importFile, refusal } = await openTemplates();
    // As a file moved or deleted after it was chosen reads.
    await page.evaluate(() => {
      Blob.prototype.text = () => Promise.reject(new DOMException('A requested file or directory could not be found.', 'NotFoundError'));
    });
    await importFile('gone.json', '{}');
    await poll(refusal('gone.json')).toBe('gone.json could not be read: it may have been moved or changed since you chose it. Choose it again.');
    expect(fake.callsOf('vocabulary.import')).toEqual([]);
  });
});

describe('folders dropped on the window', () => {
  /** The app with `addDroppedFolders` (as the preload has it), answered through the router's dropped-folders check; `refuse` says why a folder is refused, or null. */
  async function openDropping(idOf = (i: number) => 10 + i, refuse: (path: string) => string | null = () => null): Promise<{ page: Page; dropped: number[] }> {
    const fake = libraryFake();
    const { page } = await pages.open(fake);
    const dropped: number[] = [];
    // The engine answers with every folder dropped, one the library holds already with its own id.
    const router = new CallRouter({} as CallHandlers, ['app://lumen'], () => {}, async (paths) => ({
      folders: paths.flatMap((path, i) => (refuse(path) === null ? [{ id: idOf(i), path, excludes: [] }] : [])),
      refused: paths.flatMap((path) => (refuse(path) === null ? [] : [{ path, reason: refuse(path) as string }])),
    }));
    await page.exposeBinding('__addDropped', (_source, count: number): Promise<CallOutcome<'library.addFromDialog'>> => {
      dropped.push(count);
      const paths = Array.from({ length: count }, (_, i) => `/home/ada/Pictures/trip-${i + 1}`);
      return router.handleDropped({ url: 'app://lumen/index.html', isTopFrame: true, fromAppWindow: true }, paths);
    });
    await page.addInitScript(() => {
      const win = window as unknown as { lumen: object; __addDropped(count: number): Promise<unknown> };
      win.lumen = Object.freeze({ ...win.lumen, addDroppedFolders: (files: readonly File[]) => win.__addDropped(files.length) });
    });
    await page.reload();
    await page.getByRole('listbox', { name: 'Photos' }).getByRole('option').first().waitFor();
    return { page, dropped };
  }

  /** Drops `count` folders on the window (a page cannot make a dropped folder: its entry says it is one). */
  const drop = (page: Page, count: number) =>
    page.evaluate((folders) => {
      DataTransferItem.prototype.webkitGetAsEntry = () => ({ isDirectory: true }) as FileSystemEntry;
      const data = new DataTransfer();
      for (let i = 1; i <= folders; i++) data.items.add(new File([], `trip-${i}`));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, count);

  it('says how many it takes at once when there are more, sending none, and adds as many as that', async () => {
    const { page, dropped } = await openDropping();
    await drop(page, 101);
    await page.getByRole('alert').filter({ hasText: 'Lumen adds at most 100 folders at a time, and these are 101: drop fewer, or drop the folder that holds them.' }).waitFor();
    expect(dropped).toEqual([]);

    await drop(page, 100);
    await page.getByText('Added 100 folders; indexing started.').waitFor();
    expect(dropped).toEqual([100]);
  });

  it('counts as added only the folders the library did not hold', async () => {
    // Folder 1 is the library's own (libraryFake's /home/ada/Pictures).
    const { page } = await openDropping((i) => (i === 0 ? 1 : 10 + i));
    await drop(page, 2);
    await page.getByText('Added 1 folder (1 was in the library already); indexing started.').waitFor();
    await drop(page, 1);
    await page.getByText('That folder is in the library already.').waitFor();
  });

  it('says the folders refused, and why, as an error beside those it added (Note [Some folders refused] in main/library/library.ts)', async () => {
    const { page } = await openDropping(undefined, (path) => (path.endsWith('trip-2') ? `${path} is a file, not a folder. Add the folder that contains your photos.` : null));
    await drop(page, 3);
    await page
      .getByRole('alert')
      .filter({ hasText: 'Added 2 folders; indexing started. Not added: /home/ada/Pictures/trip-2 is a file, not a folder. Add the folder that contains your photos.' })
      .waitFor();
  });
});

describe('a photo dropped or pasted to search by', () => {
  it('says an empty file has no picture in it, sending nothing', async () => {
    const fake = libraryFake();
    const { page } = await pages.open(fake, { hash: '#/library' });
    await page.evaluate(() => {
      const data = new DataTransfer();
      data.items.add(new File([], 'empty.jpg', { type: 'image/jpeg' }));
      window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data }));
    });
    await page.getByRole('alert').filter({ hasText: 'empty.jpg is empty: there is no picture in it to search by.' }).waitFor();
    expect(fake.callsOf('search.image')).toEqual([]);
  });
});

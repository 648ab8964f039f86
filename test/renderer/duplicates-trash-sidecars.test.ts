/** The confirmation before copies go to the trash: every file that will go, XMP sidecars too (Note [Sidecars go along] in main/duplicates/trash.ts), in words for one file or many. */
import { describe, expect, it } from 'vitest';
import type { DuplicatePhotoInfo } from '../../preload/contract.js';
import { appPages, FAKE_MODEL, libraryFake, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());

const photo = (id: number, sidecars?: string[]): DuplicatePhotoInfo => ({
  id,
  name: `copy-${id}.jpg`,
  path: `/p/copy-${id}.jpg`,
  width: 800,
  height: 600,
  size: 1000 * id,
  capturedAt: null,
  camera: null,
  hasLocation: false,
  links: [],
  ...(sidecars && { sidecars }),
});

async function confirmation(photos: DuplicatePhotoInfo[]) {
  const fake = libraryFake();
  fake.overrides['duplicates.find'] = () => ({ ok: true, value: { model: FAKE_MODEL, threshold: 0.75, images: photos.length, groups: [{ keep: 1, reason: 'the largest', similarity: null, photos }] } });
  const { page } = await pages.open(fake, { hash: '#/duplicates' });
  await page.getByRole('button', { name: 'Find duplicates' }).click();
  await page.getByRole('button', { name: 'Move to trash…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  const title = await dialog.getByRole('heading').textContent();
  const note = (await page.locator('#trash-note').textContent())?.replace(/\s+/g, ' ').trim();
  const listed = (await dialog.getByRole('list', { name: 'Files to move to the trash' }).getByRole('listitem').allTextContents()).map((item) => item.replace(/\s+/g, ' ').trim());
  return { title, note, listed };
}

describe('the confirmation before the trash', () => {
  it('counts and lists each copy’s XMP sidecars under it', async () => {
    const { title, listed } = await confirmation([photo(1, ['copy-1.jpg.xmp']), photo(2, ['copy-2.jpg.xmp']), photo(3), photo(4, ['copy-4.xmp', 'copy-4.jpg.xmp'])]);
    expect(title).toBe('Move 3 files and 3 XMP sidecars to the trash?');
    expect(listed).toEqual(['copy-2.jpg /p/copy-2.jpg and its XMP sidecar copy-2.jpg.xmp', 'copy-3.jpg /p/copy-3.jpg', 'copy-4.jpg /p/copy-4.jpg and its XMP sidecars copy-4.xmp, copy-4.jpg.xmp']);
  });

  it('speaks of one file as one', async () => {
    const { title, note } = await confirmation([photo(1), photo(2)]);
    expect(title).toBe('Move 1 file to the trash?');
    expect(note).toBe(
      "It goes to the system trash, where a file named like one there already may be given a new name: you can put it back from the trash until you empty it. A file's XMP sidecar goes with it. The copies you keep are not touched.",
    );
  });
});

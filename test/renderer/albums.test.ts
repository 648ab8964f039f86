/**
 * Saved albums a person manages, built for real and driven in Chromium against a fake engine
 * (album-fake.ts): renaming one from its page, adding a selection to one, and taking photos out.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { MAX_ALBUM_NAME } from '../../main/tags/album-rules.js';
import { MAX_NAME } from '../../main/tags/vocabulary-rules.js';
import { albumsFake, FOLDER_ALBUM } from './album-fake.js';
import { appPages, rendererInChromium } from './harness.js';

const pages = appPages(rendererInChromium());
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000, interval: 25 });

const focused = (page: Page) => page.evaluate(() => {
  const active = document.activeElement;
  return active ? `${active.tagName} ${active.getAttribute('aria-label') ?? active.textContent?.trim()}` : null;
});

/** Selects photos of a grid by file name, as Ctrl+click does. */
async function select(page: Page, ...names: string[]): Promise<void> {
  for (const name of names) await page.getByRole('option', { name: new RegExp(`^${name.replace('.', '\\.')}`) }).click({ modifiers: ['Control'] });
  await page.getByText(`${names.length} selected`).waitFor();
}

const gridNames = (page: Page, album: string) => page.getByRole('listbox', { name: `Photos of ${album}` }).getByRole('option').evaluateAll((tiles) => tiles.map((tile) => tile.getAttribute('aria-label')?.split(',')[0]));

describe('the list of albums', () => {
  it('says which tags describe an album as the cards show them: those a quarter or more of its photos share', async () => {
    const { page } = await pages.open(albumsFake({ Trip: [1, 2] }), { hash: '#/albums' });
    await page.getByRole('heading', { level: 1, name: 'Albums' }).waitFor();
    await page.getByText('Every folder of photos, and the selections you saved, described by the tags a quarter or more of their photos share.').waitFor();
  });

  it('gives focus back to the card of the album left, by “← Albums”', async () => {
    const fake = albumsFake({ Trip: [1, 2], Walks: [3] });
    const { page } = await pages.open(fake, { hash: '#/albums' });
    await page.getByRole('link', { name: /^Walks,/ }).click();
    await page.getByRole('heading', { level: 1, name: /^Walks/ }).waitFor();
    await page.getByRole('link', { name: '← Albums' }).click();
    await poll(() => focused(page)).toMatch(/^A Walks, /);
  });

  it('has “← Albums” and “← Tags” as wide as their words, not the row: a click beside them stays on the page', async () => {
    const fake = albumsFake({ Trip: [1, 2] });
    const { page } = await pages.open(fake, { hash: '#/albums' });
    await page.getByRole('link', { name: /^Trip,/ }).click();
    await page.getByRole('heading', { level: 1, name: /^Trip/ }).waitFor();
    const widthOf = (name: string) => page.getByRole('link', { name }).evaluate((link): [number, number] => [link.getBoundingClientRect().width, (link.parentElement as HTMLElement).getBoundingClientRect().width]);
    const [albums, albumsRow] = await widthOf('← Albums');
    expect(albums).toBeLessThan(albumsRow / 4);
    await page.evaluate(() => (location.hash = '#/tags?tag=beach'));
    await page.getByRole('heading', { level: 1, name: /^beach/ }).waitFor();
    const [tags, tagsRow] = await widthOf('← Tags');
    expect(tags).toBeLessThan(tagsRow / 4);
  });
});

describe('renaming a saved album', () => {
  it('turns the heading into a name field: Enter saves by the rules of a new name, Escape cancels', async () => {
    const fake = albumsFake({ Trip: [1, 2], Walks: [3] });
    const { page } = await pages.open(fake, { hash: '#/albums?album=saved:1' });
    const heading = page.getByRole('heading', { level: 1 });
    await heading.filter({ hasText: 'Trip' }).waitFor();
    const rename = page.getByRole('button', { name: 'Rename album' });

    // Escape gives the heading back, unchanged, and focus to the button.
    await rename.click();
    const field = page.getByRole('textbox', { name: 'Album name' });
    await poll(() => field.inputValue()).toBe('Trip');
    await poll(() => focused(page)).toBe('INPUT Album name');
    // The name comes selected: typing replaces it.
    await page.keyboard.type('Nowhere');
    expect(await field.inputValue()).toBe('Nowhere');
    await page.keyboard.press('Escape');
    await field.waitFor({ state: 'detached' });
    await poll(() => focused(page)).toBe('BUTTON Rename album');
    await heading.filter({ hasText: 'Trip' }).waitFor();
    expect(fake.callsOf('albums.rename')).toEqual([]);

    // Another album's name, in any case, is refused in words, and the field keeps what was typed.
    await rename.click();
    await field.fill('walks');
    await page.keyboard.press('Enter');
    await poll(() => page.getByRole('alert').allTextContents()).toEqual(['There is already an album called “Walks”. Choose another name.']);
    expect(await field.inputValue()).toBe('walks');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    // The reason goes as the name is changed: it was about the name typed before.
    await page.keyboard.type('ide');
    await poll(() => field.getAttribute('aria-invalid')).toBeNull();
    expect(await page.getByRole('alert').count()).toBe(0);
    // A blank name is not sent: Save, offered still, says why at the field, in the engine's words; Enter too.
    await field.fill('   ');
    const save = page.getByRole('button', { name: 'Save', exact: true });
    expect(await save.isDisabled()).toBe(false);
    await save.click();
    await poll(() => page.getByRole('alert').allTextContents()).toEqual(['Give the album a name.']);
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.evaluate((input) => document.getElementById(input.getAttribute('aria-describedby') ?? '')?.textContent)).toBe('Give the album a name.');
    await field.fill('');
    await poll(() => field.getAttribute('aria-invalid')).toBeNull();
    await page.keyboard.press('Enter');
    await poll(() => field.getAttribute('aria-invalid')).toBe('true');
    // While the field takes the heading's place, the page keeps a level-1 heading: the album's name.
    expect(await page.getByRole('heading', { level: 1 }).allTextContents()).toEqual(['Trip']);

    await field.fill('  Lisbon 2023 ');
    await page.keyboard.press('Enter');
    await field.waitFor({ state: 'detached' });
    await poll(() => focused(page)).toMatch(/^H1 Lisbon 2023/);
    expect(await page.getByRole('listbox', { name: 'Photos of Lisbon 2023' }).count()).toBe(1);
    expect(fake.callsOf('albums.rename')).toEqual([{ id: 'saved:1', name: 'walks' }, { id: 'saved:1', name: 'Lisbon 2023' }]);
    expect(fake.albums.get(1)?.name).toBe('Lisbon 2023');
    expect(await page.getByRole('alert').count()).toBe(0);

    // Its own name in another case is fine; the Save button saves too.
    await rename.click();
    await field.fill('LISBON 2023');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await heading.filter({ hasText: 'LISBON 2023' }).waitFor();
    // Back in the list, under its new name.
    await page.getByRole('link', { name: '← Albums' }).click();
    await page.getByRole('link', { name: /^LISBON 2023, 2 photos, saved$/ }).waitFor();
  });

  it('offers no renaming, deleting or taking out in a folder’s album', async () => {
    const fake = albumsFake({ Trip: [1] });
    const { page } = await pages.open(fake, { hash: `#/albums?album=${FOLDER_ALBUM}` });
    await page.getByRole('heading', { level: 1 }).filter({ hasText: 'Pictures' }).waitFor();
    await poll(() => gridNames(page, 'Pictures')).toEqual(['c.jpg', 'b.jpg', 'a.jpg']);
    await select(page, 'c.jpg');
    await page.getByRole('button', { name: 'Add to album…' }).waitFor();
    for (const name of ['Rename album', 'Delete this album', 'Remove from album']) expect(await page.getByRole('button', { name }).count()).toBe(0);
  });
});

describe('adding a selection to a saved album', () => {
  it('lists the saved albums by name, adds each photo once, and says what it did in the selection bar', async () => {
    const fake = albumsFake({ Walks: [], Trip: [1] });
    const { page } = await pages.open(fake, { hash: '#/library' });
    await select(page, 'a.jpg', 'b.jpg');
    // A group of buttons, each its own Tab stop: not a toolbar, whose name promises arrow keys between them.
    expect(await page.getByRole('toolbar').count()).toBe(0);
    // The bar's status line stands, empty, before it says anything, and only its text changes (Note [Status regions stay]).
    const said = page.getByRole('group', { name: 'Selection' }).getByRole('status');
    await poll(() => said.textContent()).toBe('');
    await said.evaluate((element) => element.setAttribute('data-test-stood', ''));
    const add = page.getByRole('button', { name: 'Add to album…' });
    await add.click();
    const choice = page.getByRole('combobox', { name: 'Saved album' });
    await poll(() => focused(page)).toBe('SELECT Saved album');
    expect(await choice.locator('option').allTextContents()).toEqual(['Trip', 'Walks']);
    await choice.selectOption({ label: 'Trip' });
    await page.getByRole('button', { name: 'Add to album', exact: true }).click();
    await poll(() => said.textContent()).toBe('Added 1 photo to “Trip”; 1 was in it already.');
    expect(await said.getAttribute('data-test-stood')).toBe('');
    // The field closes, and focus is back on the button that opened it; the selection stays.
    await choice.waitFor({ state: 'detached' });
    await poll(() => focused(page)).toBe('BUTTON Add to album…');
    expect([...(fake.albums.get(2)?.members ?? [])].sort()).toEqual([1, 2]);
    expect(fake.callsOf('albums.add')).toEqual([{ id: 'saved:2', photoIds: expect.arrayContaining([1, 2]) }]);
    // The names alone were asked for: no album was summarised to fill the list.
    expect(fake.callsOf('albums.list')).toEqual([]);

    // Again, Enter on the choice adding: nothing new, and it says so.
    await add.click();
    await choice.selectOption({ label: 'Trip' });
    await choice.press('Enter');
    await poll(() => said.textContent()).toBe('Those 2 photos are in “Trip” already.');
    expect(await said.getAttribute('data-test-stood')).toBe('');
    expect([...(fake.albums.get(2)?.members ?? [])].sort()).toEqual([1, 2]);

    // Escape closes the choice only.
    await add.click();
    await choice.waitFor();
    await page.keyboard.press('Escape');
    await choice.waitFor({ state: 'detached' });
    await page.getByText('2 selected').waitFor();
    await poll(() => focused(page)).toBe('BUTTON Add to album…');
  });

  it('says why a new album holds fewer photos than were selected, and forgets what it said once the selection is cleared', async () => {
    const fake = albumsFake({});
    // Two of the three selected files are identical copies: the album holds that photo once.
    fake.overrides['albums.save'] = ({ name }: { name: string }) => ({ ok: true, value: { id: 'saved:1', kind: 'saved', name, album: name, photos: 2, files: 2, tags: [], label: name, samples: [] } });
    const { page } = await pages.open(fake, { hash: '#/library' });
    await select(page, 'a.jpg', 'b.jpg', 'c.jpg');
    await page.getByRole('button', { name: 'Save as album…' }).click();
    await page.getByRole('textbox', { name: 'Album name' }).fill('Holiday');
    await page.keyboard.press('Enter');
    const said = page.getByRole('group', { name: 'Selection' }).getByRole('status');
    await poll(() => said.textContent()).toBe('Saved the album “Holiday” (2 photos: identical copies count once).');
    await page.getByRole('button', { name: 'Clear selection' }).click();
    await select(page, 'a.jpg');
    expect(await said.textContent()).toBe('');
  });

  it('saves once on two quick Enters, and says it saved', async () => {
    const fake = albumsFake({});
    const save = fake.overrides['albums.save'] as (params: { name: string; photoIds: number[] }) => unknown;
    // A large selection: the save takes a moment, and a second Enter comes meanwhile.
    fake.overrides['albums.save'] = ((params: { name: string; photoIds: number[] }) => new Promise((resolve) => setTimeout(() => resolve(save(params)), 300))) as never;
    const { page } = await pages.open(fake, { hash: '#/library' });
    await select(page, 'a.jpg', 'b.jpg');
    await page.getByRole('button', { name: 'Save as album…' }).click();
    await page.getByRole('textbox', { name: 'Album name' }).fill('Holiday');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    const said = page.getByRole('group', { name: 'Selection' }).getByRole('status');
    await poll(() => said.textContent()).toBe('Saved the album “Holiday” (2 photos).');
    await page.waitForTimeout(500);
    expect(fake.callsOf('albums.save')).toHaveLength(1);
    expect(await said.textContent()).toBe('Saved the album “Holiday” (2 photos).');
  });

  it('keeps a refused name in its field, which the reason describes, until it is changed', async () => {
    const fake = albumsFake({ Trip: [] });
    const { page } = await pages.open(fake, { hash: '#/library' });
    await select(page, 'a.jpg');
    await page.getByRole('button', { name: 'Save as album…' }).click();
    const field = page.getByRole('textbox', { name: 'Album name' });
    await field.fill('trip');
    await page.keyboard.press('Enter');
    await poll(() => field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.evaluate((element) => document.getElementById(element.getAttribute('aria-describedby') ?? '')?.textContent)).toBe('There is already an album called “Trip”. Choose another name.');
    await field.fill('trip 2');
    await poll(() => field.getAttribute('aria-invalid')).toBeNull();
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('says when the photos left the library meanwhile: nothing was added', async () => {
    const fake = albumsFake({ Trip: [1] });
    const { page } = await pages.open(fake, { hash: '#/library' });
    await select(page, 'c.jpg');
    const add = page.getByRole('button', { name: 'Add to album…' });
    const gone = fake.overrides['albums.add'];
    fake.overrides['albums.add'] = ((params: never) => {
      const answer = (gone as (p: never) => { ok: true; value: { added: number; already: number } })(params);
      return { ...answer, value: { ...answer.value, added: 0, already: 0 } };
    }) as never;
    await add.click();
    await page.getByRole('button', { name: 'Add to album', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Those photos are no longer in the library: nothing was added.' }).waitFor();
  });

  it('sends one add for the button pressed twice while the first is under way', async () => {
    const fake = albumsFake({ Trip: [1] });
    const { page } = await pages.open(fake, { hash: '#/library' });
    await select(page, 'c.jpg');
    const answer = fake.overrides['albums.add'] as (params: never) => unknown;
    let release: () => void = () => {};
    fake.overrides['albums.add'] = ((params: never) => new Promise((resolve) => (release = () => resolve(answer(params))))) as never;
    await page.getByRole('button', { name: 'Add to album…' }).click();
    await page.getByRole('button', { name: 'Add to album', exact: true }).click();
    await poll(() => fake.callsOf('albums.add').length).toBe(1);
    await page.keyboard.press('Enter');
    release();
    await page.getByRole('status').filter({ hasText: 'Added 1 photo to “Trip”.' }).waitFor();
    expect(fake.callsOf('albums.add')).toHaveLength(1);
  });

  it('with no saved album, says to save the selection as one', async () => {
    const fake = albumsFake({});
    const { page } = await pages.open(fake, { hash: '#/library' });
    await select(page, 'c.jpg');
    await page.getByRole('button', { name: 'Add to album…' }).click();
    await page.getByRole('status').filter({ hasText: 'There are no saved albums yet: save the selection as a new one.' }).waitFor();
    expect(await page.getByRole('combobox', { name: 'Saved album' }).count()).toBe(0);
  });
});

describe('taking photos out of a saved album', () => {
  it('takes the selection out at once, says the photos stay in the library, and offers the album itself nowhere to add to', async () => {
    const fake = albumsFake({ Trip: [1, 2, 3], Walks: [3] });
    const { page } = await pages.open(fake, { hash: '#/albums?album=saved:1' });
    await poll(() => gridNames(page, 'Trip')).toEqual(['c.jpg', 'b.jpg', 'a.jpg']);
    // What the page says stands, empty, before it says it (Note [Status regions stay]).
    const said = page.locator('header.set-top').getByRole('status');
    await poll(() => said.textContent()).toBe('');
    await said.evaluate((element) => element.setAttribute('data-test-stood', ''));
    await select(page, 'c.jpg', 'a.jpg');
    await page.getByRole('button', { name: 'Add to album…' }).click();
    expect(await page.getByRole('combobox', { name: 'Saved album' }).locator('option').allTextContents()).toEqual(['Walks']);
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'Remove from album' }).click();
    await poll(() => gridNames(page, 'Trip')).toEqual(['b.jpg']);
    await page.getByRole('status').filter({ hasText: 'Removed 2 photos from this album. They stay in the library.' }).waitFor();
    expect(await said.textContent()).toBe('Removed 2 photos from this album. They stay in the library.');
    expect(await said.getAttribute('data-test-stood')).toBe('');
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Trip 1 photo');
    expect(await page.getByRole('group', { name: 'Selection' }).count()).toBe(0);
    await poll(() => focused(page)).toMatch(/^H1 Trip/);
    expect(fake.callsOf('albums.remove')).toEqual([{ id: 'saved:1', photoIds: expect.arrayContaining([1, 3]) }]);
    expect([...(fake.albums.get(1)?.members ?? [])]).toEqual([2]);
    expect([...(fake.albums.get(2)?.members ?? [])]).toEqual([3]);

    // The last one out: the album stays, empty, and says how to fill it.
    await select(page, 'b.jpg');
    await page.getByRole('button', { name: 'Remove from album' }).click();
    await page.getByRole('status').filter({ hasText: 'Removed 1 photo from this album. It stays in the library.' }).waitFor();
    expect(await said.getAttribute('data-test-stood')).toBe('');
    // In one sentence, its punctuation not doubled after the button's ellipsis.
    await page.getByText('No photos in this album: select photos anywhere and choose Add to album…', { exact: true }).waitFor();
    expect(await page.getByRole('listbox', { name: 'Photos of Trip' }).count()).toBe(0);
  });
});

describe('name fields', () => {
  /** What the field's aria-describedby names says. */
  const described = (field: Locator) => field.evaluate((input) => document.getElementById(input.getAttribute('aria-describedby') ?? '')?.textContent);
  const tooLong = (length: number) => `An album's name has at most ${MAX_ALBUM_NAME} characters, and this one has ${length}: choose a shorter one.`;

  it('cut no album name short: one pasted too long is said at the field and not sent (Note [Limits the window checks])', async () => {
    const fake = albumsFake({ Trip: [1] });
    const { page } = await pages.open(fake, { hash: '#/albums?album=saved:1' });
    const field = page.getByRole('textbox', { name: 'Album name' });
    const paste = async (text: string) => {
      await field.fill('');
      await field.focus();
      await page.keyboard.insertText(text);
    };

    await page.getByRole('button', { name: 'Rename album' }).click();
    await paste('x'.repeat(248));
    expect(await field.inputValue()).toHaveLength(248);
    await page.keyboard.press('Enter');
    await poll(() => field.getAttribute('aria-invalid')).toBe('true');
    expect(await described(field)).toBe(tooLong(248));
    // A name that shows nothing is said so too, before it is sent.
    await paste('\u200b\u200b');
    await page.keyboard.press('Enter');
    await poll(() => described(field)).toBe('That name has only invisible characters: give the album a name that shows.');
    expect(fake.callsOf('albums.rename')).toEqual([]);
    await page.keyboard.press('Escape');

    await select(page, 'a.jpg');
    await page.getByRole('button', { name: 'Save as album…' }).click();
    await paste(` ${'y'.repeat(201)} `);
    expect(await field.inputValue()).toHaveLength(203);
    await page.keyboard.press('Enter');
    await poll(() => field.getAttribute('aria-invalid')).toBe('true');
    expect(await described(field)).toBe(tooLong(201));
    expect(fake.callsOf('albums.save')).toEqual([]);
    // As long as the engine takes is saved, the spaces round it left out.
    await paste(` ${'y'.repeat(MAX_ALBUM_NAME)} `);
    await page.keyboard.press('Enter');
    await page.getByText(`Saved the album “${'y'.repeat(MAX_ALBUM_NAME)}” (1 photo).`).waitFor();
    expect(fake.callsOf('albums.save')).toEqual([{ name: 'y'.repeat(MAX_ALBUM_NAME), photoIds: [1] }]);
  });

  it('take a tag’s name as long as the engine allows', async () => {
    const fake = albumsFake({});
    const { page } = await pages.open(fake, { hash: '#/library' });
    await select(page, 'a.jpg');
    await page.getByRole('button', { name: 'Add a tag…' }).click();
    const field = page.getByRole('textbox', { name: 'Tag to add' });
    await field.focus();
    await page.keyboard.insertText('x'.repeat(300));
    expect(await field.inputValue()).toHaveLength(MAX_NAME);
  });
});

describe('folder albums', () => {
  it('tells two folders of one name apart by as much of their paths as it takes', async () => {
    const fake = albumsFake({});
    const folder = (id: string, album: string) => ({ id, kind: 'folder' as const, name: 'Photos', album, photos: 1, files: 1, tags: [], label: 'Photos: (no common tags)', samples: [1] });
    fake.overrides['albums.list'] = () => ({ ok: true, value: [folder('folder:1', '/home/ana/Photos'), folder('folder:2', '/home/bo/Photos'), { ...folder('folder:3', '/home/ana/Trips'), name: 'Trips' }] });
    const { page } = await pages.open(fake, { hash: '#/albums' });
    const links = page.getByRole('list').getByRole('link');
    await poll(() => links.evaluateAll((all) => all.map((link) => [link.getAttribute('aria-label'), link.getAttribute('title')]))).toEqual([
      ['ana/Photos, 1 photo', '/home/ana/Photos'],
      ['bo/Photos, 1 photo', '/home/bo/Photos'],
      ['Trips, 1 photo', '/home/ana/Trips'],
    ]);
    await links.first().click();
    await page.getByRole('heading', { level: 1, name: /^ana\/Photos/ }).waitFor();
  });

  it('counts identical copies once and says how many files they are, in the Library heading’s words (Note [Folder albums count pictures])', async () => {
    const fake = albumsFake({});
    // The wallpapers' Autumn/contents/images: one file and eleven links to it.
    const autumn = { id: 'folder:1', kind: 'folder' as const, name: 'images', album: '/usr/share/wallpapers/Autumn/contents/images', photos: 1, files: 12, tags: [], label: 'images: (no common tags)', samples: [1] };
    fake.overrides['albums.list'] = () => ({ ok: true, value: [autumn] });
    fake.overrides['albums.photos'] = () => ({ ok: true, value: { ids: [1], ratios: [1.5], takenAt: [0], names: ['1280x1024.jpg'], folderIds: [1], versions: [0] } });
    const { page } = await pages.open(fake, { hash: '#/albums' });
    const card = page.getByRole('link', { name: 'images, 1 photo in 12 files' });
    await poll(() => card.locator('.files').getAttribute('title')).toBe('Identical copies of a photo count once: the viewer lists where its copies are.');
    expect(await card.innerText()).toContain('1 photo in 12 files');
    await card.click();
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('images 1 photo in 12 files');
  });

  it("shows each album's first photos on its card, and none for an empty album", async () => {
    const fake = albumsFake({ Trip: [3, 1], Empty: [] });
    const { page } = await pages.open(fake, { hash: '#/albums' });
    const links = page.getByRole('list').getByRole('link');
    const photos = () => links.evaluateAll((all) => all.map((link) => [link.getAttribute('aria-label'), [...link.querySelectorAll('img')].map((img) => img.getAttribute('src'))]));
    // What the card shows below its name and count is the link's description: its tags, or that it has none.
    const descriptions = () => links.evaluateAll((all) => all.map((link) => document.getElementById(link.getAttribute('aria-describedby') ?? '')?.textContent?.trim()));
    await poll(photos).toEqual([
      ['Empty, 0 photos, saved', []],
      ['Trip, 2 photos, saved', ['/photo/thumbnail/3', '/photo/thumbnail/1']],
      ['Pictures, 3 photos', ['/photo/thumbnail/3', '/photo/thumbnail/2', '/photo/thumbnail/1']],
    ]);
    expect(await descriptions()).toEqual(['No common tags', 'No common tags', 'No common tags']);
  });
});

describe('the list of albums', () => {
  it('lists the albums a person saved first, under their own heading, and the folders after, under theirs (Note [Your albums first])', async () => {
    // The engine lists its folders first, as it did when a new album ended up last.
    const fake = albumsFake({ 'Purple things': [1, 2], Beach: [3] });
    const { page } = await pages.open(fake, { hash: '#/albums' });
    const names = (region: string) => page.getByRole('region', { name: region }).getByRole('link').evaluateAll((links) => links.map((link) => link.getAttribute('aria-label')));
    await poll(() => names('Your albums')).toEqual(['Beach, 1 photo, saved', 'Purple things, 2 photos, saved']);
    expect(await names('Folders')).toEqual(['Pictures, 3 photos']);
    expect(await page.getByRole('heading', { level: 2 }).allTextContents()).toEqual(['Your albums', 'Folders']);
  });

  it('has no heading for a kind it has none of', async () => {
    const fake = albumsFake({});
    const { page } = await pages.open(fake, { hash: '#/albums' });
    await page.getByRole('region', { name: 'Folders' }).getByRole('link', { name: 'Pictures, 3 photos' }).waitFor();
    expect(await page.getByRole('heading', { level: 2 }).allTextContents()).toEqual(['Folders']);
  });
});

describe('how to make an album', () => {
  const hint = 'To make an album of your own, select photos in the Library, a search or an album (Ctrl+click them, or press Space on the photo in focus), then choose Save as album… in the bar that appears.';

  it('is said while no album is saved: at first, and again once the only one is deleted', async () => {
    const fake = albumsFake({ Trip: [1] });
    const { page } = await pages.open(fake, { hash: '#/albums' });
    await page.getByRole('link', { name: 'Trip, 1 photo, saved' }).waitFor();
    expect(await page.getByText(hint, { exact: true }).count()).toBe(0);
    await page.getByRole('link', { name: 'Trip, 1 photo, saved' }).click();
    await page.getByRole('button', { name: 'Delete this album' }).click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByText(hint, { exact: true }).waitFor();
    expect(await page.getByRole('region', { name: 'Your albums' }).count()).toBe(0);
    // Focus goes to the Albums heading; the app's announcer says what went.
    await poll(() => page.locator('p.sr-only[aria-live="polite"]').textContent()).toBe('Deleted the album “Trip”.');
  });

  it('stays on an album it could not delete, saying why', async () => {
    const fake = albumsFake({ Trip: [1] });
    const message = 'The library is on read-only media: it can be searched and browsed, not changed.';
    fake.overrides['albums.delete'] = () => ({ ok: false, error: { code: 'read-only', message } });
    const { page } = await pages.open(fake, { hash: '#/albums' });
    await page.getByRole('link', { name: 'Trip, 1 photo, saved' }).click();
    await page.getByRole('button', { name: 'Delete this album' }).click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: message }).waitFor();
    await page.waitForTimeout(300);
    expect(await page.getByRole('alert').filter({ hasText: message }).count()).toBe(1);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(/^Trip/);
  });

  it('names the Mac’s modifier on a Mac, as the shortcuts dialog does', async () => {
    const fake = albumsFake({});
    const { page } = await pages.open(fake, { hash: '#/albums' });
    await page.getByText(hint, { exact: true }).waitFor();
    await page.context().addInitScript(() => Object.defineProperty(navigator, 'userAgent', { get: () => 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0)' }));
    await page.reload();
    await page.getByText(hint.replace('Ctrl+click', '⌘click'), { exact: true }).waitFor();
  });
});

describe("an album's tags", () => {
  it("reads each as one chip, its share as the locale writes a percentage: “shop 33%” (Note [Percentages in the person's locale])", async () => {
    const fake = albumsFake({});
    const folder = { id: FOLDER_ALBUM, kind: 'folder' as const, name: 'Pictures', album: '/home/ada/Pictures', photos: 3, files: 3, samples: [1], label: 'Pictures: shop, beach' };
    fake.overrides['albums.list'] = () => ({ ok: true, value: [{ ...folder, tags: [{ tag: 'shop', photos: 1, share: 1 / 3, meanScore: 0.3 }, { tag: 'beach', photos: 3, share: 1, meanScore: 0.3 }] }] });
    const { page } = await pages.open(fake, { hash: '#/albums' });
    const card = page.getByRole('link', { name: 'Pictures, 3 photos' });
    const chips = () => card.locator('.badge').allInnerTexts();
    await poll(chips).toEqual(['shop 33%', 'beach 100%']);
    await card.click();
    await page.getByText('/home/ada/Pictures · shop 33%, beach 100%').waitFor();
  });
});

describe('an album never there', () => {
  it("says a folder's album gone with its folder as a deleted album's is said: in the page's status, not as an alert", async () => {
    const fake = albumsFake({});
    // The folder left the library: the engine lists its album no more, and has no photos for it.
    fake.overrides['albums.list'] = () => ({ ok: true, value: [] });
    fake.overrides['albums.photos'] = () => ({ ok: false, error: { code: 'not-found', message: 'That album is not in the library any more.' } });
    const { page } = await pages.open(fake, { hash: `#/albums?album=${FOLDER_ALBUM}` });
    await page.getByRole('status').filter({ hasText: 'There is no such album any more: it was deleted, or its folder removed from the library.' }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('says so for a link to no album, in words, not in the terms of the request', async () => {
    const fake = albumsFake({ Trip: [1] });
    fake.overrides['albums.photos'] = () => ({ ok: false, error: { code: 'bad-input', message: 'Invalid request for albums.photos: id: Invalid string' } });
    const { page } = await pages.open(fake, { hash: '#/albums?album=folder:nope' });
    await page.getByText('There is no such album any more').waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
  });
});

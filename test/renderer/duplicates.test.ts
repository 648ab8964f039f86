/** The Duplicates screen's choice of how alike copies must be, built for real and driven in Chromium against a fake engine. */
import { describe, expect, it } from 'vitest';
import type { CallParams } from '../../preload/contract.js';
import { appPages, FAKE_MODEL, jobEvent, libraryFake, rendererInChromium } from './harness.js';
import { listen } from './listening.js';

const pages = appPages(rendererInChromium());

describe('finding duplicates', () => {
  it('asks in words how alike copies must be, and sends the engine the threshold on its calibrated scale', async () => {
    const fake = libraryFake();
    fake.overrides['duplicates.find'] = (({ threshold }: CallParams<'duplicates.find'>) => ({ ok: true, value: { model: FAKE_MODEL, threshold: threshold ?? 0.75, images: 3, groups: [] } })) as never;
    const { page } = await pages.open(fake, { hash: '#/duplicates' });
    const likeness = page.getByRole('combobox', { name: /^Find/ });
    expect(await likeness.locator('option:checked').textContent()).toBe('Copies and edits (suggested)');
    const find = page.getByRole('button', { name: 'Find duplicates' });
    await find.click();
    await expect.poll(() => fake.callsOf('duplicates.find')).toEqual([{ threshold: 0.75 }]);
    for (const [label, threshold] of [['Re-saves and resized copies only', 1.25], ['Also crops and heavy edits', 0.5], ['Also other shots of the same scene', 0]] as const) {
      await likeness.selectOption({ label });
      await find.click();
      await expect.poll(() => fake.callsOf('duplicates.find').at(-1)).toEqual({ threshold });
    }
  });

  it('leaves the keys to the confirmation while it asks: no shortcut moves away beneath it, and Escape closes it', async () => {
    const fake = libraryFake();
    const photo = (id: number) => ({ id, name: `copy-${id}.jpg`, path: `/p/copy-${id}.jpg`, width: 800, height: 600, size: 1000 * id, capturedAt: null, camera: null, hasLocation: false, links: [] });
    fake.overrides['duplicates.find'] = () => ({ ok: true, value: { model: FAKE_MODEL, threshold: 0.75, images: 2, groups: [{ keep: 1, reason: 'the largest', similarity: null, photos: [photo(1), photo(2)] }] } });
    const { page } = await pages.open(fake, { hash: '#/duplicates' });
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await page.getByRole('button', { name: 'Move to trash…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    // What becomes of the files, and no more: a trash (the system's, preview mode's folder) renames a file whose name it holds already.
    expect((await page.locator('#trash-note').textContent())?.replace(/\s+/g, ' ').trim()).toBe(
      "It goes to the system trash, where a file named like one there already may be given a new name: you can put it back from the trash until you empty it. A file's XMP sidecar goes with it. The copies you keep are not touched.",
    );
    for (const key of ['Control+1', 'Control+,', '/', '?']) await page.keyboard.press(key);
    await page.waitForTimeout(100);
    expect(await page.evaluate(() => location.hash)).toBe('#/duplicates');
    expect(await dialog.isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => location.hash)).toBe('#/duplicates');
    await page.getByRole('button', { name: 'Move to trash…' }).waitFor();
  });

  it('stays open while the files move, as Cancel or Escape cannot call the move back, and says what it did', async () => {
    const fake = libraryFake();
    const photo = (id: number) => ({ id, name: `copy-${id}.jpg`, path: `/p/copy-${id}.jpg`, width: 800, height: 600, size: 1000 * id, capturedAt: null, camera: null, hasLocation: false, links: [] });
    fake.overrides['duplicates.find'] = () => ({ ok: true, value: { model: FAKE_MODEL, threshold: 0.75, images: 2, groups: [{ keep: 1, reason: 'the largest', similarity: null, photos: [photo(1), photo(2)] }] } });
    let release = () => {};
    fake.overrides['duplicates.trash'] = (() => new Promise((resolve) => (release = () => resolve({ ok: true, value: { trashed: ['/p/copy-2.jpg'], sidecars: [], skipped: [] } })))) as never;
    const { page } = await pages.open(fake, { hash: '#/duplicates' });
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await page.getByRole('button', { name: 'Move to trash…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Move to trash' }).click();
    await expect.poll(() => fake.callsOf('duplicates.trash').length).toBe(1);
    expect(await dialog.getByRole('button', { name: 'Cancel' }).isDisabled()).toBe(true);
    // Focus stays on the pressed button inside the modal (Note [Focus kept]), and Cancel does nothing meanwhile.
    await page.waitForTimeout(100);
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Moving…');
    await dialog.getByRole('button', { name: 'Cancel' }).click({ force: true });
    for (let i = 0; i < 3; i++) await page.keyboard.press('Escape');
    await page.waitForTimeout(200);
    expect(await dialog.isVisible()).toBe(true);
    release();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('main').getByText(/Moved 1 file to the trash/).waitFor();
    // The one group found is dealt with: not “no copies found”.
    await page.getByRole('main').getByRole('heading', { name: 'No copies left: 1 copy moved to the trash' }).waitFor();
    // Focus is on what is left, not back at the top of the page.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent?.trim()), { timeout: 5000 }).toBe('No copies left: 1 copy moved to the trash');
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('No copies left: 1 copy moved to the trash');
    // Said as it ended; another visit to the page shows it, and says it no more.
    const heard = await listen(page);
    await page.evaluate(() => (location.hash = '#/library'));
    await page.getByRole('heading', { level: 1, name: /^Library/ }).waitFor();
    await page.evaluate(() => (location.hash = '#/duplicates'));
    await page.getByRole('main').getByText(/Moved 1 file to the trash/).waitFor();
    await page.waitForTimeout(300);
    expect((await heard()).filter((text) => text.startsWith('Moved'))).toEqual([]);
  });

  it('tells copies that share a file name apart by their folders, says why a copy cannot be marked, and what became of a moved keep', async () => {
    const fake = libraryFake();
    const photo = (id: number, path: string) => ({ id, name: path.split('/').pop() as string, path, width: 800, height: 600, size: 1000 * id, capturedAt: null, camera: null, hasLocation: false, links: [] });
    const photos = [photo(1, '/home/ada/phone/2023/IMG_0001.jpg'), photo(2, '/home/ada/camera/2023/IMG_0001.jpg'), photo(3, '/home/ada/camera/2023/other.jpg')];
    fake.overrides['duplicates.find'] = () => ({ ok: true, value: { model: FAKE_MODEL, threshold: 0.75, images: 3, groups: [{ keep: 1, reason: 'largest (800 × 600)', similarity: null, photos }] } });
    fake.overrides['duplicates.trash'] = (() => ({ ok: true, value: { trashed: ['/home/ada/phone/2023/IMG_0001.jpg'], sidecars: [], skipped: [] } })) as never;
    const { page } = await pages.open(fake, { hash: '#/duplicates' });
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    const group = page.getByRole('region', { name: '3 copies of IMG_0001.jpg' });
    const marks = group.getByRole('checkbox');
    const names = () => marks.evaluateAll((boxes) => boxes.map((box) => box.getAttribute('aria-label')));
    await expect.poll(names, { timeout: 5000 }).toEqual(['To the trash: IMG_0001.jpg in phone/2023', 'To the trash: IMG_0001.jpg in camera/2023', 'To the trash: other.jpg']);

    // The keep is the one copy left unmarked: its box says why it cannot be marked.
    const keepMark = group.getByRole('checkbox', { name: 'To the trash: IMG_0001.jpg in phone/2023' });
    expect(await keepMark.isDisabled()).toBe(true);
    const why = await keepMark.evaluate((box) => document.getElementById(box.getAttribute('aria-describedby') ?? '')?.textContent);
    expect(why).toBe('Keep at least one copy: unmark another first');

    // Marked after all, the keep's tile says both.
    await group.getByRole('checkbox', { name: 'To the trash: other.jpg' }).uncheck();
    await keepMark.check();
    await group.getByRole('button', { name: /^IMG_0001\.jpg in phone\/2023, .*, suggested keep, marked for the trash$/ }).waitFor();

    await page.getByRole('button', { name: 'Move to trash…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Move to trash' }).click();
    // The copies left no longer share a name, and the reason given for the keep that went is not shown for another.
    const left = page.getByRole('region', { name: '2 copies of IMG_0001.jpg' });
    await left.getByText('The copy Lumen suggested keeping went to the trash; keep whichever of these you like.').waitFor();
    expect(await left.getByText(/largest \(800 × 600\)/).count()).toBe(0);
    expect(await left.getByRole('checkbox').evaluateAll((boxes) => boxes.map((box) => box.getAttribute('aria-label')))).toEqual(['To the trash: IMG_0001.jpg', 'To the trash: other.jpg']);
    // What the move did is said, not only shown.
    await expect.poll(() => page.locator('p.sr-only[aria-live="polite"]').textContent(), { timeout: 5000 }).toBe('Moved 1 file to the trash.');
  });

  it('shows the links to a file, never marks that file for the trash, and says why (Note [One file, many paths])', async () => {
    const fake = libraryFake();
    const photo = (id: number, path: string, links: string[] = []) => ({ id, name: path.split('/').pop() as string, path, width: 800, height: 600, size: 1000, capturedAt: null, camera: null, hasLocation: false, links });
    // The copy kept is the smaller one, not the file the links lead to.
    const photos = [photo(1, '/p/large.jpg'), photo(2, '/p/real.jpg', ['/p/a-link.jpg', '/p/b-link.jpg']), photo(3, '/p/other.jpg')];
    fake.overrides['duplicates.find'] = () => ({ ok: true, value: { model: FAKE_MODEL, threshold: 0.75, images: 3, groups: [{ keep: 1, reason: 'largest', similarity: null, photos }] } });
    const { page } = await pages.open(fake, { hash: '#/duplicates' });
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    const group = page.getByRole('region', { name: '3 copies of large.jpg' });
    await group.getByText('2 links to this file').waitFor();
    await group.getByRole('button', { name: /^real\.jpg, no date, .*, 2 links to this file$/ }).waitFor();
    const linked = group.getByRole('checkbox', { name: 'To the trash: real.jpg' });
    expect(await linked.isChecked()).toBe(false);
    expect(await linked.isDisabled()).toBe(true);
    const why = await linked.evaluate((box) => document.getElementById(box.getAttribute('aria-describedby') ?? '')?.textContent);
    expect(why).toBe('Links in your library lead to this file: moving it would break them');
    expect(await group.getByRole('checkbox', { name: 'To the trash: other.jpg' }).isChecked()).toBe(true);
  });

  it('shows a move that left files where they were as a warning, and one that moved every file as done', async () => {
    const fake = libraryFake();
    const photo = (id: number) => ({ id, name: `copy-${id}.jpg`, path: `/p/copy-${id}.jpg`, width: 800, height: 600, size: 1000 * id, capturedAt: null, camera: null, hasLocation: false, links: [] });
    fake.overrides['duplicates.find'] = () => ({ ok: true, value: { model: FAKE_MODEL, threshold: 0.75, images: 3, groups: [{ keep: 1, reason: 'the largest', similarity: null, photos: [photo(1), photo(2), photo(3)] }] } });
    const refused = { trashed: [], sidecars: [], skipped: [2, 3].map((id) => ({ path: `/p/copy-${id}.jpg`, reason: 'it is not a regular file' })) };
    let outcome: { trashed: string[]; sidecars: string[]; skipped: Array<{ path: string; reason: string }> } = refused;
    fake.overrides['duplicates.trash'] = (() => ({ ok: true, value: outcome })) as never;
    const { page } = await pages.open(fake, { hash: '#/duplicates' });
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    const move = async () => {
      await page.getByRole('button', { name: 'Move to trash…' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Move to trash' }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });
    };
    /** The box's edge colour, and the theme's colours of warnings and of success, as the page computes them. */
    const tone = (box: ReturnType<typeof page.getByText>) =>
      box.locator('..').evaluate((element) => {
        const colour = (name: string) => {
          const probe = element.appendChild(document.createElement('span'));
          probe.style.color = `var(${name})`;
          const value = getComputedStyle(probe).color;
          probe.remove();
          return value;
        };
        const edge = getComputedStyle(element).borderLeftColor;
        return edge === colour('--warn') ? 'warning' : edge === colour('--ok') ? 'success' : edge;
      });
    await move();
    const nothingMoved = page.getByRole('main').getByText(/^No file was moved to the trash\. 2 files not moved:$/);
    await nothingMoved.waitFor();
    expect(await tone(nothingMoved)).toBe('warning');
    await expect.poll(() => page.locator('p.sr-only[aria-live="polite"]').textContent(), { timeout: 5000 }).toBe('No file was moved to the trash. 2 files not moved.');
    outcome = { trashed: ['/p/copy-2.jpg'], sidecars: [], skipped: [refused.skipped[1] as { path: string; reason: string }] };
    await move();
    const partly = page.getByRole('main').getByText(/^Moved 1 file to the trash\. 1 file not moved/);
    await partly.waitFor();
    expect(await tone(partly)).toBe('warning');
    outcome = { trashed: ['/p/copy-3.jpg'], sidecars: [], skipped: [] };
    await move();
    const all = page.getByRole('main').getByText(/^Moved 1 file to the trash\.$/);
    await all.waitFor();
    expect(await tone(all)).toBe('success');
  });

  it('names groups whose copies share a name by the folder of the copy kept, and leaves names that differ as they are', async () => {
    const fake = libraryFake();
    const photo = (id: number, path: string) => ({ id, name: path.split('/').pop() as string, path, width: 1280, height: 1024, size: 1000, capturedAt: null, camera: null, hasLocation: false, links: [] });
    const kde = (id: number, design: string) => photo(id, `/usr/share/wallpapers/${design}/contents/images/1280x1024.jpg`);
    const group = (photos: ReturnType<typeof photo>[]) => ({ keep: (photos[0] as { id: number }).id, reason: 'the largest', similarity: null, photos });
    const groups = [group([kde(1, 'Autumn'), kde(2, 'Autumn')]), group([kde(3, 'Summer'), kde(4, 'Summer')]), group([photo(5, '/p/a/beach.jpg'), photo(6, '/p/b/beach.jpg')])];
    fake.overrides['duplicates.find'] = () => ({ ok: true, value: { model: FAKE_MODEL, threshold: 0.75, images: 6, groups } });
    const { page } = await pages.open(fake, { hash: '#/duplicates' });
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await page.getByRole('region', { name: '2 copies of beach.jpg' }).waitFor();
    const names = await page.getByRole('main').getByRole('region').evaluateAll((regions) => regions.map((region) => document.getElementById(region.getAttribute('aria-labelledby') ?? '')?.textContent));
    expect(names).toEqual(['2 copies of 1280x1024.jpg in Autumn', '2 copies of 1280x1024.jpg in Summer', '2 copies of beach.jpg']);
  });

  it('draws thousands of groups a hundred at a time, all of them marked, and a new find from its first again', async () => {
    const fake = libraryFake();
    const photo = (id: number) => ({ id, name: `copy-${id}.jpg`, path: `/p/copy-${id}.jpg`, width: 800, height: 600, size: 1000, capturedAt: null, camera: null, hasLocation: false, links: [] });
    const groups = (count: number) => Array.from({ length: count }, (_, i) => ({ keep: 2 * i + 1, reason: 'the largest', similarity: null, photos: [photo(2 * i + 1), photo(2 * i + 2)] }));
    let found = 2500;
    fake.overrides['duplicates.find'] = () => ({ ok: true, value: { model: FAKE_MODEL, threshold: 0.75, images: 2 * found, groups: groups(found) } });
    const { page } = await pages.open(fake, { hash: '#/duplicates' });
    const main = page.getByRole('main');
    const drawn = () => main.getByRole('region', { name: /^2 copies of / }).count();
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await main.getByText('2,500 marked for the trash').waitFor();
    expect(await drawn()).toBe(100);
    await page.getByRole('button', { name: 'Show 100 more of 2,500 groups' }).click();
    await main.getByRole('region', { name: '2 copies of copy-399.jpg' }).waitFor();
    expect(await drawn()).toBe(200);
    // The confirmation lists every file to go, a step at a time too.
    await page.getByRole('button', { name: 'Move to trash…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Move 2,500 files to the trash?' });
    const listed = () => confirm.getByRole('list', { name: 'Files to move to the trash' }).getByRole('listitem').count();
    await confirm.waitFor();
    expect(await listed()).toBe(200);
    await confirm.getByRole('button', { name: 'Show 200 more of 2,500 files' }).click();
    await expect.poll(listed).toBe(400);
    await confirm.getByRole('button', { name: 'Cancel' }).click();

    found = 150;
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await main.getByText('150 marked for the trash').waitFor();
    expect(await drawn()).toBe(100);
    await page.getByRole('button', { name: 'Show 50 more of 150 groups' }).click();
    await main.getByRole('region', { name: '2 copies of copy-299.jpg' }).waitFor();
    expect(await page.getByRole('button', { name: /^Show \d+ more/ }).count()).toBe(0);
  });

  it('shows the engine’s last find in a window opened after it, saying when it was found, with the suggested copies marked', async () => {
    const fake = libraryFake();
    const photo = (id: number) => ({ id, name: `copy-${id}.jpg`, path: `/p/copy-${id}.jpg`, width: 800, height: 600, size: 1000 * id, capturedAt: null, camera: null, hasLocation: false, links: [] });
    const foundAt = Date.now() - 12 * 60_000 - 5_000;
    fake.overrides['duplicates.last'] = () => ({ ok: true, value: { model: FAKE_MODEL, threshold: 0.75, images: 3, groups: [{ keep: 1, reason: 'the largest', similarity: null, photos: [photo(1), photo(2), photo(3)] }], foundAt, movedToTrash: 0 } });
    fake.overrides['duplicates.find'] = () => ({ ok: true, value: { model: FAKE_MODEL, threshold: 0.75, images: 3, groups: [{ keep: 1, reason: 'the largest', similarity: null, photos: [photo(1), photo(2)] }] } });
    const { page } = await pages.open(fake, { hash: '#/duplicates' });
    const main = page.getByRole('main');
    await main.getByRole('heading', { name: '1 group of copies' }).waitFor();
    const when = main.getByText(/^Found 12 minutes ago, at /);
    await when.waitFor();
    expect(await when.locator('time').getAttribute('datetime')).toBe(new Date(foundAt).toISOString());
    await main.getByText('2 marked for the trash').waitFor();
    expect(await page.getByRole('checkbox', { name: 'To the trash: copy-1.jpg' }).isChecked()).toBe(false);
    expect(await page.getByRole('button', { name: 'Find duplicates' }).isVisible()).toBe(true);
    expect(fake.callsOf('duplicates.last')).toEqual([{}]);

    // Moving between pages keeps the window's marks: the engine is not asked again.
    await page.getByRole('checkbox', { name: 'To the trash: copy-3.jpg' }).uncheck();
    await page.evaluate(() => (location.hash = '#/library'));
    await page.getByRole('heading', { level: 1, name: /^Library/ }).waitFor();
    await page.evaluate(() => (location.hash = '#/duplicates'));
    await main.getByText('1 marked for the trash').waitFor();
    expect(fake.callsOf('duplicates.last')).toEqual([{}]);

    // A find of its own is this window's, and fresh: it does not say when.
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await main.getByText('1 marked for the trash').waitFor();
    await expect.poll(() => main.getByText(/^Found /).count(), { timeout: 5000 }).toBe(0);
  });

  it('shows the likeness a find was made at: the engine’s kept one, and its own when the screen opens again', async () => {
    const fake = libraryFake();
    const photo = (id: number) => ({ id, name: `copy-${id}.jpg`, path: `/p/copy-${id}.jpg`, width: 800, height: 600, size: 1000 * id, capturedAt: null, camera: null, hasLocation: false, links: [] });
    const groups = [{ keep: 1, reason: 'the largest', similarity: null, photos: [photo(1), photo(2)] }];
    fake.overrides['duplicates.last'] = () => ({ ok: true, value: { model: FAKE_MODEL, threshold: 1.25, images: 2, groups, foundAt: Date.now() - 60_000, movedToTrash: 0 } });
    fake.overrides['duplicates.find'] = ({ threshold }: { threshold?: number }) => ({ ok: true, value: { model: FAKE_MODEL, threshold: threshold ?? 0.75, images: 2, groups } });
    const { page } = await pages.open(fake, { hash: '#/duplicates' });
    const likeness = page.getByRole('combobox', { name: 'Find' });
    await page.getByRole('main').getByText(/^Found /).waitFor();
    await expect.poll(() => likeness.evaluate((select: HTMLSelectElement) => select.selectedOptions[0]?.textContent)).toBe('Re-saves and resized copies only');
    await likeness.selectOption({ label: 'Also crops and heavy edits' });
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await expect.poll(() => page.getByRole('main').getByText(/^Found /).count(), { timeout: 5000 }).toBe(0);
    await page.evaluate(() => (location.hash = '#/library'));
    await page.getByRole('heading', { level: 1, name: /^Library/ }).waitFor();
    await page.evaluate(() => (location.hash = '#/duplicates'));
    await page.getByRole('region', { name: '2 copies of copy-1.jpg' }).waitFor();
    expect(await likeness.evaluate((select: HTMLSelectElement) => select.selectedOptions[0]?.textContent)).toBe('Also crops and heavy edits');
  });

  it('offers a kept find made at a threshold it does not list (`lumen duplicates --threshold 0.9`) as it was, not as the suggestion', async () => {
    const fake = libraryFake();
    const photo = (id: number) => ({ id, name: `copy-${id}.jpg`, path: `/p/copy-${id}.jpg`, width: 800, height: 600, size: 1000 * id, capturedAt: null, camera: null, hasLocation: false, links: [] });
    const groups = [{ keep: 1, reason: 'the largest', similarity: null, photos: [photo(1), photo(2)] }];
    fake.overrides['duplicates.last'] = () => ({ ok: true, value: { model: FAKE_MODEL, threshold: 0.9, images: 2, groups, foundAt: Date.now() - 60_000, movedToTrash: 0 } });
    fake.overrides['duplicates.find'] = ({ threshold }: { threshold?: number }) => ({ ok: true, value: { model: FAKE_MODEL, threshold: threshold ?? 0.75, images: 2, groups } });
    const { page } = await pages.open(fake, { hash: '#/duplicates' });
    const likeness = page.getByRole('combobox', { name: 'Find' });
    await page.getByRole('main').getByText(/^Found /).waitFor();
    await expect.poll(() => likeness.evaluate((select: HTMLSelectElement) => select.selectedOptions[0]?.textContent)).toBe('As last found (0.9 on the scale from −1 to 2)');
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await expect.poll(() => fake.callsOf('duplicates.find')).toEqual([{ threshold: 0.9 }]);
    // A find at a listed likeness leaves the list as it is.
    await likeness.selectOption({ label: 'Copies and edits (suggested)' });
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await expect.poll(() => likeness.locator('option').allTextContents()).toEqual(['Re-saves and resized copies only', 'Copies and edits (suggested)', 'Also crops and heavy edits', 'Also other shots of the same scene']);
  });

  it('says the copies of the engine’s last find went to the trash, when none is left, not that none was found', async () => {
    const fake = libraryFake();
    fake.overrides['duplicates.last'] = () => ({ ok: true, value: { model: FAKE_MODEL, threshold: 0.75, images: 23, groups: [], foundAt: Date.now() - 60_000, movedToTrash: 22 } });
    const { page } = await pages.open(fake, { hash: '#/duplicates' });
    await page.getByRole('main').getByRole('heading', { name: 'No copies left: 22 copies moved to the trash' }).waitFor();
    expect(await page.getByText(/No copies found/).count()).toBe(0);
  });

  it('shows the find another window asked for when it ends, in place of the older one shown, and nothing when the engine keeps none', async () => {
    const fake = libraryFake();
    const photo = (id: number) => ({ id, name: `copy-${id}.jpg`, path: `/p/copy-${id}.jpg`, width: 800, height: 600, size: 1000 * id, capturedAt: null, camera: null, hasLocation: false, links: [] });
    const kept = (ids: number[], foundAt: number) => ({ model: FAKE_MODEL, threshold: 0.75, images: 6, groups: [{ keep: ids[0] as number, reason: 'the largest', similarity: null, photos: ids.map(photo) }], foundAt, movedToTrash: 0 });
    let last: ReturnType<typeof kept> | null = null;
    fake.overrides['duplicates.last'] = () => ({ ok: true, value: last });
    const { page, emit } = await pages.open(fake, { hash: '#/duplicates' });
    const main = page.getByRole('main');
    await expect.poll(() => fake.callsOf('duplicates.last').length, { timeout: 5000 }).toBe(1);
    await page.getByRole('button', { name: 'Find duplicates' }).waitFor();
    expect(await main.getByRole('heading', { level: 2 }).count()).toBe(0);

    last = kept([1, 2], Date.now() - 3 * 3_600_000);
    await emit(jobEvent({ id: 'duplicates-1', kind: 'duplicates', state: 'done' }));
    await main.getByRole('heading', { name: '1 group of copies' }).waitFor();
    await main.getByText(/^Found 3 hours ago, at /).waitFor();
    last = kept([4, 5, 6], Date.now() - 30_000);
    await emit(jobEvent({ id: 'duplicates-2', kind: 'duplicates', state: 'done' }));
    await main.getByText(/^Found just now, at /).waitFor();
    await main.getByText('2 marked for the trash').waitFor();
    await main.getByRole('region', { name: '3 copies of copy-4.jpg' }).waitFor();
  });

  it('says each copy is loading in the comparison until its preview arrives', async () => {
    const fake = libraryFake();
    const photo = (id: number) => ({ id, name: `copy-${id}.jpg`, path: `/p/copy-${id}.jpg`, width: 800, height: 600, size: 1000 * id, capturedAt: null, camera: null, hasLocation: false, links: [] });
    fake.overrides['duplicates.find'] = () => ({ ok: true, value: { model: FAKE_MODEL, threshold: 0.75, images: 2, groups: [{ keep: 1, reason: 'the largest', similarity: null, photos: [photo(1), photo(2)] }] } });
    const { page } = await pages.open(fake, { hash: '#/duplicates' });
    const held: Array<() => Promise<void>> = [];
    await page.route('**/photo/preview/**', (route) => void held.push(() => route.continue()));
    await page.getByRole('button', { name: 'Find duplicates' }).click();
    await page.getByRole('button', { name: 'Compare side by side' }).click();
    const dialog = page.getByRole('dialog');
    const busy = () => dialog.locator('[aria-busy="true"]').count();
    await expect.poll(() => held.length, { timeout: 5000 }).toBe(2);
    expect(await busy()).toBe(2);
    expect(await dialog.getByText('Loading…').count()).toBe(2);
    // Each shimmers as the grid's tiles do (app.css).
    const shimmering = () => dialog.locator('[aria-busy]').evaluateAll((frames) => frames.map((frame) => getComputedStyle(frame).backgroundImage.startsWith('linear-gradient')));
    expect(await shimmering()).toEqual([true, true]);
    await (held.shift() as () => Promise<void>)();
    await expect.poll(busy, { timeout: 5000 }).toBe(1);
    await (held.shift() as () => Promise<void>)();
    await expect.poll(busy, { timeout: 5000 }).toBe(0);
    expect(await dialog.getByText('Loading…').count()).toBe(0);
    expect(await shimmering()).toEqual([false, false]);
    expect(await dialog.getByRole('img', { name: 'copy-2.jpg' }).isVisible()).toBe(true);
  });
});

/**
 * Editing tags in the template editor, built for real and driven in Chromium against a fake
 * engine: deleting a tag and undoing it, the address following the tag shown, a new tag's prompt
 * following its name, and what a screen reader hears of the live preview.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { CallParams, VocabularyInfo } from '../../preload/contract.js';
import { appPages, rendererInChromium, type FakeLumen } from './harness.js';
import { heardWhen, listen, recordKeys, saidWhileTyping } from './listening.js';
import { vocabularyFake } from './vocabulary-fake.js';

const pages = appPages(rendererInChromium());
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 5000 });

const editorFake = (vocabulary: VocabularyInfo): FakeLumen => vocabularyFake(vocabulary).fake;

const party: VocabularyInfo = {
  templates: ['a photo of {}'],
  tags: [
    { name: 'wedding', prompts: ['wedding', 'bride'] },
    { name: 'birthday', prompts: ['birthday cake'] },
    { name: 'party', prompts: ['party'] },
  ],
};

const tagList = (page: Page) => page.getByRole('listbox', { name: 'Tags to edit' });
const listed = (page: Page) => tagList(page).getByRole('option').allTextContents().then((names) => names.map((name) => name.trim()));
const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.closest('label')?.textContent?.trim() ?? document.activeElement?.textContent?.trim() ?? null);
/** What the window's polite live region says now (App.svelte). */
const announced = (page: Page) => page.locator('p.sr-only[aria-live="polite"]').textContent().then((text) => text?.trim() ?? '');

describe('deleting a tag in the template editor', () => {
  it('moves focus to the next tag’s name, never onto another Delete, and can be undone until the next edit', async () => {
    const { page } = await pages.open(editorFake(party), { hash: '#/templates?tag=wedding' });
    await page.getByRole('region', { name: 'Tag wedding' }).waitFor();
    await page.getByRole('button', { name: 'Delete wedding' }).focus();
    await page.keyboard.press('Enter');
    await poll(() => listed(page)).toEqual(['birthday', 'party']);
    await poll(() => focused(page)).toBe('Name');
    expect(await page.getByRole('region', { name: 'Tag birthday' }).getByRole('textbox', { name: 'Name' }).evaluate((field) => field === document.activeElement)).toBe(true);
    // The way back is said with it: Undo is not where focus went.
    await poll(() => announced(page)).toBe('Deleted “wedding”. Undo is below the list of tags.');
    // A second Enter, as a double press: nothing else is deleted.
    await page.keyboard.press('Enter');
    await page.waitForTimeout(200);
    expect(await listed(page)).toEqual(['birthday', 'party']);

    // Undo puts it back where it was, as saved: no change left to save.
    const undo = page.getByRole('button', { name: 'Undo deleting wedding' });
    expect(await undo.evaluate((button) => button.parentElement?.textContent?.replace(/\s+/g, ' ').trim())).toBe('Deleted “wedding”. Undo');
    await undo.click();
    await poll(() => listed(page)).toEqual(['wedding', 'birthday', 'party']);
    await poll(() => announced(page)).toBe('Put back “wedding”.');
    await poll(() => focused(page)).toBe('Name');
    expect(await page.getByRole('region', { name: 'Tag wedding' }).getByRole('textbox', { name: 'Name' }).inputValue()).toBe('wedding');
    expect(await page.getByRole('textbox', { name: 'Prompts for wedding' }).inputValue()).toBe('wedding\nbride');
    expect(await page.getByRole('button', { name: 'Save', exact: true }).isEnabled()).toBe(false);
    expect(await undo.count()).toBe(0);

    // The last in the list deleted, the one before it is shown. An edit after it ends the offer to undo.
    await tagList(page).getByRole('option', { name: 'party', exact: true }).click();
    await page.getByRole('button', { name: 'Delete party' }).click();
    await poll(() => focused(page)).toBe('Name');
    expect(await page.getByRole('region', { name: 'Tag birthday' }).getByRole('textbox', { name: 'Name' }).evaluate((field) => field === document.activeElement)).toBe(true);
    await page.getByRole('button', { name: 'Undo deleting party' }).waitFor();
    await page.getByRole('textbox', { name: 'Prompts for birthday' }).fill('birthday cake\ncandles');
    await poll(() => page.getByRole('button', { name: 'Undo deleting party' }).count()).toBe(0);
  });

  it('puts focus on Add a tag when the last tag is deleted', async () => {
    const { page } = await pages.open(editorFake({ templates: ['a photo of {}'], tags: [{ name: 'beach', prompts: ['beach'] }] }), { hash: '#/templates?tag=beach' });
    await page.getByRole('button', { name: 'Delete beach' }).click();
    await poll(() => focused(page)).toBe('Add a tag');
    await page.getByRole('button', { name: 'Undo deleting beach' }).click();
    await poll(() => listed(page)).toEqual(['beach']);
  });
});

describe('the template editor’s address', () => {
  it('names the tag shown, renamed or after a delete, so a saved change is never taken for a tag given by hand', async () => {
    const fake = editorFake(party);
    const { page } = await pages.open(fake, { hash: '#/templates?tag=birthday' });
    const tagInAddress = () => page.evaluate(() => new URLSearchParams(location.hash.split('?')[1] ?? '').get('tag'));
    await page.getByRole('region', { name: 'Tag birthday' }).getByRole('textbox', { name: 'Name' }).fill('birthday party');
    await poll(tagInAddress).toBe('birthday party');
    const heard = await listen(page);
    // Said in a status line that stood, empty, before it (Note [Status regions stay]).
    const line = await page.locator('.top p[role="status"]').elementHandle();
    expect(await line?.textContent()).toBe('');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved. Your photos are being tagged again with it.').waitFor();
    expect(await heard()).toContain('Saved. Your photos are being tagged again with it.');
    expect(await line?.textContent()).toBe('Saved. Your photos are being tagged again with it.');
    expect(fake.callsOf('vocabulary.save').at(-1)?.renames).toEqual([{ from: 'birthday', to: 'birthday party' }]);
    // Saved, Save has nothing left to do but keeps focus (Note [Focus kept]), and a second press saves nothing.
    expect(await page.getByRole('button', { name: 'Save', exact: true }).isEnabled()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Save');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(100);
    expect(fake.callsOf('vocabulary.save')).toHaveLength(1);
    expect(await page.getByText('was given by hand').count()).toBe(0);

    await page.getByRole('button', { name: 'Delete birthday party' }).click();
    await poll(tagInAddress).toBe('party');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved. Your photos are being tagged again with it.').waitFor();
    expect(await page.getByText('was given by hand').count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Tag party' }).count()).toBe(1);

    // Chosen in the list, the tag shown comes back on a reload.
    await tagList(page).getByRole('option', { name: 'wedding', exact: true }).click();
    await poll(tagInAddress).toBe('wedding');
    await page.reload();
    await page.getByRole('region', { name: 'Tag wedding' }).waitFor();
    expect(await page.getByText('was given by hand').count()).toBe(0);
  });
});

describe('a tag added in the template editor', () => {
  it('looks for what its name says: its prompt follows its name until the prompts are edited', async () => {
    const fake = editorFake({ templates: ['a photo of {}'], tags: [{ name: 'beach', prompts: ['beach'] }] });
    const { page } = await pages.open(fake, { hash: '#/templates?tag=beach' });
    await page.getByRole('region', { name: 'Tag beach' }).waitFor();
    await page.getByRole('button', { name: 'Add a tag' }).click();
    await poll(() => focused(page)).toBe('Name');
    await page.keyboard.type('lighthouse');
    await poll(() => page.getByRole('textbox', { name: 'Prompts for lighthouse' }).inputValue()).toBe('lighthouse');
    // Emptied and typed again, the name still leads.
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('light house');
    await poll(() => page.getByRole('textbox', { name: 'Prompts for light house' }).inputValue()).toBe('light house');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved. Your photos are being tagged again with it.').waitFor();
    expect(fake.callsOf('vocabulary.save').at(-1)?.vocabulary.tags).toEqual([
      { name: 'beach', prompts: ['beach'] },
      { name: 'light house', prompts: ['light house'] },
    ]);

    // Prompts of the person's own are theirs: the name no longer changes them.
    await page.getByRole('button', { name: 'Add a tag' }).click();
    await page.keyboard.type('tower');
    await page.getByRole('textbox', { name: 'Prompts for tower' }).fill('stone tower');
    await page.getByRole('region', { name: 'Tag tower' }).getByRole('textbox', { name: 'Name' }).fill('keep');
    await page.getByRole('region', { name: 'Tag keep' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Prompts for keep' }).inputValue()).toBe('stone tower');
    // Nor does a saved tag's rename change what it looks for.
    await tagList(page).getByRole('option', { name: 'beach', exact: true }).click();
    await page.getByRole('region', { name: 'Tag beach' }).getByRole('textbox', { name: 'Name' }).fill('seaside');
    await page.getByRole('region', { name: 'Tag seaside' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Prompts for seaside' }).inputValue()).toBe('beach');
  });

  it('goes with Discard, which shows the tag shown before it again, not the last of the list', async () => {
    const fake = editorFake(party);
    const { page } = await pages.open(fake, { hash: '#/templates?tag=wedding' });
    await page.getByRole('region', { name: 'Tag wedding' }).waitFor();
    await page.getByRole('button', { name: 'Add a tag' }).click();
    await page.getByRole('region', { name: 'Tag new tag' }).waitFor();
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await page.getByRole('region', { name: 'Tag wedding' }).waitFor();
    await poll(() => page.evaluate(() => decodeURIComponent(location.hash))).toBe('#/templates?tag=wedding');
    // A saved tag renamed is shown again by its saved name.
    await tagList(page).getByRole('option', { name: 'birthday', exact: true }).click();
    await page.getByRole('region', { name: 'Tag birthday' }).getByRole('textbox', { name: 'Name' }).fill('cake');
    await page.getByRole('region', { name: 'Tag cake' }).waitFor();
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await page.getByRole('region', { name: 'Tag birthday' }).waitFor();
  });
});

describe('the template editor’s live preview', () => {
  it('shows the count as the prompt is typed, and says it once typing pauses, not again for the same words', async () => {
    const fake = editorFake({ templates: ['a photo of {}'], tags: [{ name: 'shop', prompts: ['shop'] }] });
    fake.overrides['vocabulary.preview'] = ((params: CallParams<'vocabulary.preview'>) => {
      const count = params.vocabulary.tags[0]!.prompts.join('\n').length;
      return { ok: true, value: { tag: params.tag, photos: [], count, gained: [], lost: [], gainedCount: count, lostCount: 0, milliseconds: 1 } };
    }) as never;
    const { page } = await pages.open(fake, { hash: '#/templates?tag=shop' });
    const heard = await listen(page);
    const shown = page.getByRole('region', { name: 'Preview' }).locator('p').first();
    await poll(() => shown.textContent()).toMatch(/^\s*4 photos would get shop/);
    // The count the screen opens with is not news: nothing is said without an edit.
    await page.waitForTimeout(1500);
    expect(await heard()).toEqual([]);

    const prompts = page.getByRole('textbox', { name: 'Prompts for shop' });
    await prompts.focus();
    await page.keyboard.press('End');
    const keys = await recordKeys(page);
    await page.keyboard.type('\ngrocery store', { delay: 220 });
    // On screen at once…
    await poll(() => shown.textContent()).toMatch(/^\s*18 photos would get shop/);
    // …said once, after the pause: a key that a busy machine holds back past it lets the count so far be said then.
    const final = '18 photos would get shop — 18 more than saved';
    await poll(async () => (await heard()).at(-1)).toBe(final);
    const said = await heardWhen(page);
    expect(saidWhileTyping(said, await keys())).toEqual([]);
    expect(said.filter((each) => each.text === final)).toHaveLength(1);
    const before = said.length;

    // Typed and taken back: the same words are not said again.
    await page.keyboard.type('s');
    await page.keyboard.press('Backspace');
    await page.waitForTimeout(1600);
    expect(await heard()).toHaveLength(before);
  });
});

/** A vocabulary of `count` tags, named `tag 1`… with `first` first. */
const manyTags = (count: number, first = 'beach'): VocabularyInfo => ({
  templates: ['a photo of {}'],
  tags: [{ name: first, prompts: [first] }, ...Array.from({ length: count - 1 }, (_, i) => ({ name: `tag ${i + 2}`, prompts: [`thing ${i + 2}`] }))],
});
/** Whether an element's top is in the window. */
const topInView = (page: Page, locator: ReturnType<Page['locator']>) => locator.evaluate((element) => { const top = element.getBoundingClientRect().top; return top >= 0 && top < window.innerHeight; });

describe('the evaluation on your verdicts', () => {
  it('is brought into view and said when it ends, says how rough few verdicts are, and folds the tags without verdicts into one line', async () => {
    const vocabulary = manyTags(104);
    const fake = editorFake(vocabulary);
    const report = { photos: 2, confirmed: 2, rejected: 0, accuracy: 1, precision: 1, recall: 1, top1: 1, top5: 1, perTag: { beach: { confirmed: 2, rejected: 0, recall: 1, precision: 1 } } };
    const reason = (confirmed: number) => `refining needs at least 5 confirmed and 5 rejected photos (there are ${confirmed} and 0)`;
    const refinements = vocabulary.tags.map((tag, i) => ({ tag: tag.name, status: 'zero-shot' as const, reason: reason(i === 0 ? 2 : 0), confirmed: i === 0 ? 2 : 0, rejected: 0, zeroShot: null, refined: null }));
    fake.overrides['vocabulary.evaluate'] = () => ({ ok: true, value: { edited: report, saved: report, singleTemplate: { template: 'a photo of {}', report }, refinements, unmeasured: null } });
    const { page } = await pages.open(fake, { hash: '#/templates?tag=beach' });
    await page.setViewportSize({ width: 800, height: 600 });
    await page.getByRole('region', { name: 'Tag beach' }).waitFor();
    await page.getByRole('button', { name: 'Evaluate on your verdicts' }).click();

    const panel = page.getByRole('region', { name: 'Evaluation on your verdicts' });
    const heading = panel.getByRole('heading', { name: 'Evaluation on your verdicts' });
    await poll(() => heading.evaluate((element) => element === document.activeElement)).toBe(true);
    expect(await topInView(page, heading)).toBe(true);
    await poll(() => announced(page)).toMatch(/^Evaluated on 2 verdicts: .*Based on only 2 verdicts/);
    await panel.getByText('Based on only 2 verdicts: the figures are rough. Confirm or reject the tags of more photos (20 verdicts or more) for figures you can trust.').waitFor();
    // The tag with verdicts keeps its row; the 103 without are one line.
    const rows = panel.getByRole('list', { name: 'Tags learned from your verdicts' }).getByRole('listitem');
    expect(await rows.allTextContents().then((texts) => texts.map((text) => text.replace(/\s+/g, ' ').trim()))).toEqual([`beach zero-shot ${reason(2)}`]);
    await panel.getByText('103 other tags have no verdicts yet: each needs at least 5 confirmed and 5 rejected photos to be refined.').waitFor();
  });

  it('keeps the row of a tag given a verdict since its refinement was stored, which still counts none', async () => {
    const vocabulary = manyTags(4);
    const fake = editorFake(vocabulary);
    // "tag 2" was just rejected on a photo: the evaluation counts it; the next tagging run has yet to store its refinement.
    const report = { photos: 1, confirmed: 0, rejected: 1, accuracy: 1, precision: null, recall: null, top1: null, top5: null, perTag: { 'tag 2': { confirmed: 0, rejected: 1, recall: null, precision: null } } };
    const refinements = vocabulary.tags.map((tag) => ({ tag: tag.name, status: 'zero-shot' as const, reason: 'refining needs at least 5 confirmed and 5 rejected photos (there are 0 and 0)', confirmed: 0, rejected: 0, zeroShot: null, refined: null }));
    fake.overrides['vocabulary.evaluate'] = () => ({ ok: true, value: { edited: report, saved: report, singleTemplate: null, refinements, unmeasured: null } });
    const { page } = await pages.open(fake, { hash: '#/templates' });
    await page.getByRole('button', { name: 'Evaluate on your verdicts' }).click();
    const panel = page.getByRole('region', { name: 'Evaluation on your verdicts' });
    const rows = panel.getByRole('list', { name: 'Tags learned from your verdicts' }).getByRole('listitem');
    await poll(() => rows.allTextContents().then((texts) => texts.map((text) => text.replace(/\s+/g, ' ').trim()))).toEqual(['tag 2 zero-shot refining needs at least 5 confirmed and 5 rejected photos (there are 0 and 0)']);
    await panel.getByText('3 other tags have no verdicts yet: each needs at least 5 confirmed and 5 rejected photos to be refined.').waitFor();
  });
});

describe('the template editor in a narrow window', () => {
  it('brings the form of the tag chosen into view when the columns stack', async () => {
    const { page } = await pages.open(editorFake(manyTags(40)), { hash: '#/templates' });
    await page.setViewportSize({ width: 800, height: 600 });
    await page.getByRole('region', { name: 'Tag beach' }).waitFor();
    // Chosen in the list.
    await tagList(page).getByRole('option', { name: 'tag 7', exact: true }).click();
    const form = page.getByRole('region', { name: 'Tag tag 7' });
    await form.waitFor();
    await poll(() => topInView(page, form)).toBe(true);
    // From the keyboard: the list goes out of sight as the form comes, and focus goes with the view, to the tag's name.
    await page.evaluate(() => window.scrollTo(0, 0));
    await tagList(page).getByRole('option', { name: 'tag 7', exact: true }).focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const next = page.getByRole('region', { name: 'Tag tag 8' });
    await next.waitFor();
    await poll(() => focused(page)).toBe('Name');
    await poll(() => topInView(page, next)).toBe(true);
    // Arriving from a tag's page (Edit prompts).
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.goto(page.url().replace(/#.*$/, '#/tags'));
    await page.goto(page.url().replace(/#.*$/, '#/templates?tag=tag%2030'));
    const asked = page.getByRole('region', { name: 'Tag tag 30' });
    await asked.waitFor();
    await poll(() => topInView(page, asked)).toBe(true);
  });
});

describe('the preview of a tag not saved yet', () => {
  it('has nothing saved to compare with', async () => {
    const fake = editorFake({ templates: ['a photo of {}'], tags: [{ name: 'shop', prompts: ['shop'] }] });
    fake.overrides['vocabulary.preview'] = ((params: CallParams<'vocabulary.preview'>) => {
      const count = params.tag === 'shop' ? 4 : 13;
      return { ok: true, value: { tag: params.tag, photos: [], count, gained: [], lost: [], gainedCount: params.tag === 'shop' ? 0 : count, lostCount: 0, milliseconds: 1 } };
    }) as never;
    const { page } = await pages.open(fake, { hash: '#/templates?tag=shop' });
    const shown = page.getByRole('region', { name: 'Preview' }).locator('p').first();
    const text = () => shown.textContent().then((said) => said?.replace(/\s+/g, ' ').trim());
    await poll(text).toBe('4 photos would get shop — the same as saved');
    await page.getByRole('button', { name: 'Add a tag' }).click();
    await poll(text).toBe('13 photos would get new tag');
    const heard = await listen(page);
    await page.getByRole('region', { name: 'Tag new tag' }).getByRole('textbox', { name: 'Name' }).fill('evening');
    await poll(text).toBe('13 photos would get evening');
    await poll(async () => (await heard()).at(-1)).toBe('13 photos would get evening');
  });
});

describe('the template editor from the keyboard', () => {
  it('has the list of tags as one Tab stop, moved in with the arrows, Home and End, a tag chosen with Enter or Space, and its Name two Tabs on', async () => {
    const { page } = await pages.open(editorFake(manyTags(40)), { hash: '#/templates?tag=beach' });
    await page.getByRole('region', { name: 'Tag beach' }).waitFor();
    const list = tagList(page);
    const option = (name: string) => list.getByRole('option', { name, exact: true });
    const focusedOption = () => page.evaluate(() => (document.activeElement?.getAttribute('role') === 'option' ? document.activeElement.textContent?.trim() : null));
    const chosen = () => list.locator('[role="option"][aria-selected="true"]').allTextContents().then((names) => names.map((name) => name.trim()));
    // From Add a tag, above it, Tab lands on the tag shown: the list's one Tab stop.
    await page.getByRole('button', { name: 'Add a tag' }).focus();
    await page.keyboard.press('Tab');
    await poll(focusedOption).toBe('beach');
    expect(await list.locator('[role="option"][tabindex="0"]').count()).toBe(1);

    // The arrows move among the tags without choosing one; Home and End go to either end.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await poll(focusedOption).toBe('tag 3');
    expect(await chosen()).toEqual(['beach']);
    await page.keyboard.press('End');
    await poll(focusedOption).toBe('tag 40');
    await page.keyboard.press('ArrowDown');
    await poll(focusedOption).toBe('tag 40');
    await page.keyboard.press('Home');
    await poll(focusedOption).toBe('beach');
    await page.keyboard.press('ArrowUp');
    await poll(focusedOption).toBe('beach');

    // Enter chooses: its form shows, focus stays in the list, and Tab reaches its Name in two presses at most.
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const form = page.getByRole('region', { name: 'Tag tag 5' });
    await form.waitFor();
    expect(await chosen()).toEqual(['tag 5']);
    expect(await focusedOption()).toBe('tag 5');
    const name = form.getByRole('textbox', { name: 'Name' });
    const onName = () => name.evaluate((field) => field === document.activeElement);
    let tabs = 0;
    while (tabs < 2 && !(await onName())) {
      await page.keyboard.press('Tab');
      tabs++;
    }
    expect(await onName()).toBe(true);

    // Back into the list, the tab stop is the tag chosen; Space chooses too.
    await page.keyboard.press('Shift+Tab');
    await poll(focusedOption).toBe('tag 5');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press(' ');
    await page.getByRole('region', { name: 'Tag tag 4' }).waitFor();
    expect(await chosen()).toEqual(['tag 4']);
    expect(await option('tag 4').getAttribute('tabindex')).toBe('0');

    // With a deleted tag's Undo below the list, Name is two Tabs on.
    await page.getByRole('button', { name: 'Delete tag 4' }).click();
    await page.getByRole('button', { name: 'Undo deleting tag 4' }).waitFor();
    await option('tag 5').focus();
    tabs = 0;
    const onNameOf = () => page.getByRole('region', { name: 'Tag tag 5' }).getByRole('textbox', { name: 'Name' }).evaluate((field) => field === document.activeElement);
    while (tabs < 2 && !(await onNameOf())) {
      await page.keyboard.press('Tab');
      tabs++;
    }
    expect(await onNameOf()).toBe(true);
  });

  it('moves to the tag whose name begins with the letters typed, a letter again stepping on, without choosing it', async () => {
    const vocabulary = { templates: ['a photo of {}'], tags: ['beach', 'birthday', 'Boat', 'snow', 'sunset', 'waterfall'].map((name) => ({ name, prompts: [name] })) };
    const { page } = await pages.open(editorFake(vocabulary), { hash: '#/templates?tag=beach' });
    await page.getByRole('region', { name: 'Tag beach' }).waitFor();
    const focusedOption = () => page.evaluate(() => (document.activeElement?.getAttribute('role') === 'option' ? document.activeElement.textContent?.trim() : null));
    await tagList(page).getByRole('option', { name: 'beach', exact: true }).focus();
    await page.keyboard.press('w');
    await poll(focusedOption).toBe('waterfall');
    // Letters in quick succession name one tag, after a pause a new one; the case of its name does not matter.
    await page.waitForTimeout(800);
    await page.keyboard.type('su');
    await poll(focusedOption).toBe('sunset');
    await page.waitForTimeout(800);
    // One letter again and again steps through the tags it begins, round to the first.
    for (const expected of ['beach', 'birthday', 'Boat', 'beach']) {
      await page.keyboard.press('b');
      await poll(focusedOption).toBe(expected);
    }
    // A letter no tag begins with leaves focus where it is; none of this chose a tag.
    await page.waitForTimeout(800);
    await page.keyboard.press('q');
    await page.waitForTimeout(100);
    expect(await focusedOption()).toBe('beach');
    await page.getByRole('region', { name: 'Tag beach' }).waitFor();
  });
});

describe('a tag’s threshold', () => {
  it('is said once, as the slider’s value: the number beside it is no live region', async () => {
    const { page } = await pages.open(editorFake(party), { hash: '#/templates?tag=wedding' });
    const form = page.getByRole('region', { name: 'Tag wedding' });
    const slider = form.getByRole('slider', { name: 'Threshold for wedding' });
    await slider.waitFor();
    expect(await form.getByRole('status').count()).toBe(0);
    expect(await slider.getAttribute('aria-valuetext')).toBe('0.10');
    await slider.focus();
    await page.keyboard.press('ArrowRight');
    await poll(() => slider.getAttribute('aria-valuetext')).toBe('0.11');
    expect(await form.getByText('0.11', { exact: true }).count()).toBe(1);
    expect(await form.getByRole('status').count()).toBe(0);
  });
});

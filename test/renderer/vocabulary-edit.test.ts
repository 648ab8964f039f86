/** The template editor's state: validation as the person types, and the diff against the saved vocabulary. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../main/core/errors.js';
import { parseVocabulary } from '../../main/tags/vocabulary.js';
import { changes, fromLines, isChanged, problems, toLines, type Problem } from '../../renderer/src/lib/vocabulary-edit.js';
import type { VocabularyInfo } from '../../preload/contract.js';
import { fuzz } from '../helpers/fuzz.js';

const saved: VocabularyInfo = {
  templates: ['a photo of a {}.', 'a picture of a {}.'],
  tags: [
    { name: 'dog', prompts: ['dog', 'puppy'] },
    { name: 'beach', prompts: ['beach'], threshold: 0.2 },
  ],
};

describe('the template editor', () => {
  it('accepts a valid vocabulary', () => {
    expect(problems(saved)).toEqual([]);
  });

  it('says when a draft has more prompts to embed than tagging may take, as the engine does', () => {
    const prompts = Array.from({ length: 100 }, (_, i) => `thing ${i}`);
    const draft: VocabularyInfo = { templates: Array.from({ length: 100 }, (_, i) => `photo ${i} of {}`), tags: Array.from({ length: 6 }, (_, i) => ({ name: `tag ${i}`, prompts })) };
    expect(problems(draft)).toEqual([{ field: 'templates', message: expect.stringMatching(/^There are 60,000 prompts to embed.*at most 50,000/) }]);
    expect(() => parseVocabulary(draft)).toThrow(/has 60,000 prompts to embed/);
    expect(problems({ ...draft, tags: draft.tags.slice(0, 5) })).toEqual([]);
  });

  it('says where a draft is wrong, as the person types', () => {
    const draft: VocabularyInfo = {
      templates: ['a photo of a dog', 'a {} and a {}', ''],
      tags: [
        { name: 'dog', prompts: [] },
        { name: 'Dog', prompts: ['a {} here'] },
        { name: 'a|b', prompts: ['x'], templates: ['no slot'], threshold: 1.5 },
        { name: ' ', prompts: ['x'] },
      ],
    };
    const found = problems(draft);
    expect(found.filter((p) => p.field === 'templates').map((p) => p.message)).toEqual([
      expect.stringMatching(/^Template 1 must contain \{\} exactly once/),
      expect.stringMatching(/^Template 2 must contain \{\} exactly once/),
      expect.stringMatching(/^Template 3 is empty/),
    ]);
    const of = (tag: number) => found.filter((p) => typeof p.field === 'object' && p.field.tag === tag).map((p) => [(p.field as { part: string }).part, p.message]);
    // Each of two tags of one name is told of the other, the one being edited whichever it is.
    expect(of(0)).toEqual([
      ['name', 'Another tag is already called “Dog”.'],
      ['prompts', expect.stringMatching(/at least one prompt/)],
    ]);
    expect(of(1)).toEqual([
      ['name', 'Another tag is already called “dog”.'],
      ['prompts', 'Prompt 1 contains {}: that belongs in templates.'],
    ]);
    expect(of(2).map(([part]) => part)).toEqual(['name', 'templates', 'threshold']);
    expect(of(3)).toEqual([['name', 'The tag needs a name.']]);
  });

  it('tells two tags whose names differ only in Unicode form of each other, as the engine refuses them (Note [One name, one tag])', () => {
    const composed = { name: 'caf\u00e9', prompts: ['a café'] };
    const decomposed = { name: 'cafe\u0301', prompts: ['a café'] };
    const names = (draft: VocabularyInfo) => problems(draft).filter((p) => typeof p.field === 'object' && p.field.part === 'name').map((p) => p.message);
    expect(names({ ...saved, tags: [composed, decomposed] })).toEqual(['Another tag is already called “cafe\u0301”.', 'Another tag is already called “caf\u00e9”.']);
    expect(() => parseVocabulary({ ...saved, tags: [composed, decomposed] })).toThrow(UserError);
  });

  it('holds the engine’s limits on list sizes and lengths, numbered as the editor numbers', () => {
    const numbered = (n: number) => Array.from({ length: n }, (_, i) => `a photo of a {} (${i + 1})`);
    const messages = (draft: VocabularyInfo) => problems(draft).map((p) => [typeof p.field === 'object' ? `${p.field.tag}.${p.field.part}` : p.field, p.message]);
    expect(messages({ ...saved, templates: numbered(200) })).toEqual([['templates', 'Templates 101–200: there can be at most 100 templates; remove 100.']]);
    expect(messages({ ...saved, templates: numbered(101) })).toEqual([['templates', 'Template 101: there can be at most 100 templates; remove one.']]);
    expect(messages({ ...saved, templates: numbered(100) })).toEqual([]);
    const dog = (change: Partial<VocabularyInfo['tags'][number]>) => ({ ...saved, tags: [{ ...saved.tags[0]!, ...change }] });
    expect(messages(dog({ prompts: Array.from({ length: 101 }, (_, i) => `dog ${i + 1}`) }))).toEqual([['0.prompts', 'Prompt 101: there can be at most 100 prompts; remove one.']]);
    expect(messages(dog({ templates: numbered(102) }))).toEqual([['0.templates', 'Templates 101–102: there can be at most 100 templates; remove 2.']]);
    expect(messages(dog({ prompts: ['dog', 'x'.repeat(1001)] }))).toEqual([['0.prompts', 'Prompt 2 is longer than 1000 characters.']]);
    expect(messages(dog({ name: 'n'.repeat(101) }))).toEqual([['0.name', 'The name is longer than 100 characters.']]);
    const tags = (n: number) => ({ ...saved, tags: Array.from({ length: n }, (_, i) => ({ name: `tag ${i + 1}`, prompts: [`thing ${i + 1}`] })) });
    expect(messages(tags(5000))).toEqual([]);
    expect(messages(tags(5001))).toEqual([['5000.name', 'Tag 5001: there can be at most 5000 tags; remove one.']]);
  });

  it('refuses characters the engine refuses: C0 and C1 controls, and what XML cannot hold', () => {
    const draft: VocabularyInfo = {
      templates: ['a photo of a {}\u0085', 'a {}\tphoto'],
      tags: [{ name: 'café\u009f', prompts: ['dog\uffff', 'cat\ud800', 'ok'], templates: ['a {}\u0080'] }],
    };
    expect(problems(draft).map((p: Problem) => p.message)).toEqual([
      'Template 1 contains a control or invisible character (U+0085): remove it.',
      'Template 2 contains a control or invisible character (U+0009): remove it.',
      'The name contains a control or invisible character (U+009F): remove it.',
      'Prompt 1 contains a control or invisible character (U+FFFF): remove it.',
      'Prompt 2 contains a control or invisible character (U+D800): remove it.',
      'Template 1 contains a control or invisible character (U+0080): remove it.',
    ]);
  });

  it('lets through exactly what the engine accepts, for any draft the editor can hold', () => {
    // Lines as fromLines leaves them (trimmed, none empty); a name as typed.
    const piece = fc.constantFrom('a', 'dog', ' ', '{}', '{', '|', 'É', '\t', '\u0000', '\u007f', '\u0085', '\u009f', '\u00a0', '\ufffe', '\uffff', '\ud800', 'x'.repeat(600), 'n'.repeat(60));
    const text = fc.array(piece, { minLength: 1, maxLength: 4 }).map((pieces) => pieces.join(''));
    const line = text.map((value) => value.trim()).filter(Boolean);
    const lines = fc.oneof(
      { weight: 5, arbitrary: fc.array(line, { minLength: 0, maxLength: 3 }) },
      { weight: 1, arbitrary: fc.integer({ min: 99, max: 102 }).map((n) => Array.from({ length: n }, (_, i) => `a {} ${i}`)) },
    );
    const tag = fc.record({ name: text, prompts: lines, templates: fc.option(lines.filter((list) => list.length > 0), { nil: undefined }), threshold: fc.option(fc.double({ min: -0.5, max: 1.5 }), { nil: undefined }) });
    const draft = fc.record({ templates: lines, tags: fc.array(tag, { maxLength: 3 }) }).map((value): VocabularyInfo => ({
      templates: value.templates,
      // Optional fields the editor leaves out rather than sets to undefined.
      tags: value.tags.map(({ templates, threshold, ...rest }) => ({ ...rest, ...(templates ? { templates } : {}), ...(threshold === undefined ? {} : { threshold }) })),
    }));
    const engineAccepts = (value: VocabularyInfo) => {
      try {
        parseVocabulary(value);
        return true;
      } catch (error) {
        if (error instanceof UserError) return false;
        throw error;
      }
    };
    let accepted = 0;
    fc.assert(
      fc.property(draft, (value) => {
        const editorAccepts = problems(value).length === 0;
        expect(editorAccepts, JSON.stringify(problems(value))).toBe(engineAccepts(value));
        if (editorAccepts) accepted++;
      }),
      fuzz(400),
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it('knows what changed against the saved vocabulary', () => {
    expect(isChanged(saved, structuredClone(saved))).toBe(false);
    const draft = structuredClone(saved);
    draft.tags[0]!.prompts.push('hound');
    draft.tags.splice(1, 1);
    draft.tags.push({ name: 'cat', prompts: ['cat'] });
    expect(changes(saved, draft)).toEqual({ added: ['cat'], removed: ['beach'], renamed: [], changed: ['dog'], templates: false });
    expect(isChanged(saved, draft)).toBe(true);
    expect(changes(saved, { ...saved, templates: ['{}'] }).templates).toBe(true);
  });

  it('tells a renamed tag from one removed and another added, by each draft tag’s saved name', () => {
    const draft = structuredClone(saved);
    draft.tags[0]!.name = 'hound ';
    draft.tags[0]!.prompts.push('hound');
    const origins = ['dog', 'beach'];
    expect(changes(saved, draft, origins)).toEqual({ added: [], removed: [], renamed: [{ from: 'dog', to: 'hound' }], changed: ['hound '], templates: false });
    // Verdicts are stored under the exact name, so a change of case is a rename too.
    const recased = structuredClone(saved);
    recased.tags[1]!.name = 'Beach';
    expect(changes(saved, recased, origins).renamed).toEqual([{ from: 'beach', to: 'Beach' }]);
    expect(isChanged(saved, recased, origins)).toBe(true);
    // Swapped names, and a tag renamed onto a deleted one's name.
    const swapped = structuredClone(saved);
    [swapped.tags[0]!.name, swapped.tags[1]!.name] = ['beach', 'dog'];
    expect(changes(saved, swapped, origins)).toMatchObject({ added: [], removed: [], renamed: [{ from: 'dog', to: 'beach' }, { from: 'beach', to: 'dog' }] });
    const onto: VocabularyInfo = { ...saved, tags: [{ ...saved.tags[0]!, name: 'beach' }] };
    expect(changes(saved, onto, ['dog'])).toMatchObject({ added: [], removed: ['beach'], renamed: [{ from: 'dog', to: 'beach' }] });
    // A tag added in the draft under a removed tag's name is new: the old one's verdicts stay.
    const replaced: VocabularyInfo = { ...saved, tags: [saved.tags[0]!, { name: 'beach', prompts: ['sand'] }] };
    expect(changes(saved, replaced, ['dog', null])).toMatchObject({ added: ['beach'], removed: ['beach'], renamed: [] });
    // Renamed back: no change at all.
    expect(isChanged(saved, structuredClone(saved), origins)).toBe(false);
  });

  it('edits lists as lines', () => {
    expect(fromLines(' dog \n\n puppy\n')).toEqual(['dog', 'puppy']);
    expect(toLines(['a', 'b'])).toBe('a\nb');
  });
});

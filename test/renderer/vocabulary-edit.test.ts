/** The template editor's state: validation as the person types, and the diff against the saved vocabulary. */
import { describe, expect, it } from 'vitest';
import { changes, fromLines, isChanged, problems, toLines } from '../../renderer/src/lib/vocabulary-edit.js';
import type { VocabularyInfo } from '../../preload/contract.js';

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
    expect(of(0)).toEqual([['prompts', expect.stringMatching(/at least one prompt/)]]);
    expect(of(1)).toEqual([
      ['name', 'Another tag is already called “Dog”.'],
      ['prompts', 'Prompt 1 contains {}: that belongs in templates.'],
    ]);
    expect(of(2).map(([part]) => part)).toEqual(['name', 'templates', 'threshold']);
    expect(of(3)).toEqual([['name', 'The tag needs a name.']]);
  });

  it('knows what changed against the saved vocabulary', () => {
    expect(isChanged(saved, structuredClone(saved))).toBe(false);
    const draft = structuredClone(saved);
    draft.tags[0]!.prompts.push('hound');
    draft.tags.splice(1, 1);
    draft.tags.push({ name: 'cat', prompts: ['cat'] });
    expect(changes(saved, draft)).toEqual({ added: ['cat'], removed: ['beach'], changed: ['dog'], templates: false });
    expect(isChanged(saved, draft)).toBe(true);
    expect(changes(saved, { ...saved, templates: ['{}'] }).templates).toBe(true);
  });

  it('edits lists as lines', () => {
    expect(fromLines(' dog \n\n puppy\n')).toEqual(['dog', 'puppy']);
    expect(toLines(['a', 'b'])).toBe('a\nb');
  });
});

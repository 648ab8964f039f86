/**
 * The editor's evaluation of a draft that renames a tag: its verdicts count for the new name, as
 * saving would move them (Note [Verdicts under new names] in main/tags/renamed-verdicts.ts), so a
 * rename alone changes no figure and is never said to leave its verdicts on a tag the draft lacks.
 */
import { describe, expect, it } from 'vitest';
import { SHAPES_VOCABULARY as VOCABULARY, taggedShapesLibrary } from '../helpers/library.js';

/** The shapes vocabulary with `from` called `to`, nothing else changed. */
const renamed = (from: string, to: string) => ({ ...VOCABULARY, tags: VOCABULARY.tags.map((tag) => (tag.name === from ? { ...tag, name: to } : tag)) });

describe('the app’s evaluation of a draft with a renamed tag', () => {
  const library = taggedShapesLibrary();

  it('measures the renamed tag on its verdicts, as the saved one, in a row of its new name', async () => {
    const stars = (await library.calls['tags.photos']({ tag: 'star' })).ids;
    await library.calls['tags.verdict']({ photoIds: stars.slice(0, 2), tag: 'star', verdict: 'confirm' });
    await library.calls['tags.verdict']({ photoIds: stars.slice(2, 3), tag: 'star', verdict: 'reject' });
    const evaluation = await library.calls['vocabulary.evaluate']({ vocabulary: renamed('star', 'asterisk'), renames: [{ from: 'star', to: 'asterisk' }] });
    expect(evaluation.edited.confirmed + evaluation.edited.rejected).toBe(3);
    expect({ ...evaluation.edited, perTag: undefined }).toEqual({ ...evaluation.saved, perTag: undefined });
    expect(Object.keys(evaluation.edited.perTag)).toEqual(['asterisk']);
    expect(evaluation.saved.perTag).toEqual(evaluation.edited.perTag);
    expect(evaluation.unmeasured).toBeNull();
  });

  it('does not count the verdicts of a tag renamed away for a new tag given its name', async () => {
    const vocabulary = { ...renamed('star', 'asterisk'), tags: [...renamed('star', 'asterisk').tags, { name: 'star', prompts: ['star'] }] };
    const evaluation = await library.calls['vocabulary.evaluate']({ vocabulary, renames: [{ from: 'star', to: 'asterisk' }] });
    expect(Object.keys(evaluation.edited.perTag)).toEqual(['asterisk']);
  });

  it('counts a photo with verdicts on a tag deleted and on the tag renamed to its name once, by the renamed one, as saving keeps it', async () => {
    const stars = (await library.calls['tags.photos']({ tag: 'star' })).ids;
    // stars[0] was confirmed a star above; it is now also said to be no circle.
    await library.calls['tags.verdict']({ photoIds: stars.slice(0, 1), tag: 'circle', verdict: 'reject' });
    const vocabulary = { ...VOCABULARY, tags: VOCABULARY.tags.filter((tag) => tag.name !== 'circle').map((tag) => (tag.name === 'star' ? { ...tag, name: 'circle' } : tag)) };
    const evaluation = await library.calls['vocabulary.evaluate']({ vocabulary, renames: [{ from: 'star', to: 'circle' }] });
    expect(evaluation.edited.perTag['circle']).toMatchObject({ confirmed: 2, rejected: 1 });
    expect(evaluation.edited.confirmed + evaluation.edited.rejected).toBe(3);
  });
});

/**
 * The editor's evaluation when it measured none of the person's verdicts: it says why, as the CLI
 * does (Note [Verdicts not measured]), through the engine's call table over a real Engine.
 */
import { describe, expect, it } from 'vitest';
import { SHAPES_VOCABULARY as VOCABULARY, taggedShapesLibrary } from '../helpers/library.js';

describe('the app’s evaluation of verdicts it cannot measure', () => {
  const library = taggedShapesLibrary();

  it('says there are no verdicts yet only when there are none', async () => {
    const evaluation = await library.calls['vocabulary.evaluate']({ vocabulary: VOCABULARY });
    expect(evaluation.unmeasured).toBe('No confirmed or rejected tags yet. Confirm or reject tags in the viewer, then evaluate again.');
  });

  it('names the tags the verdicts are on when the vocabulary has none of them', async () => {
    const ids = (await library.calls['tags.photos']({ tag: 'star' })).ids.slice(0, 3);
    await library.calls['tags.verdict']({ photoIds: ids, tag: 'everything', verdict: 'add' });
    await library.calls['tags.verdict']({ photoIds: ids.slice(0, 1), tag: 'bulkadded', verdict: 'add' });
    const evaluation = await library.calls['vocabulary.evaluate']({ vocabulary: VOCABULARY });
    expect(evaluation.edited.confirmed + evaluation.edited.rejected).toBe(0);
    expect(evaluation.unmeasured).toMatch(/^None of the library’s 4 confirmed or rejected tags are tags of this vocabulary: they are on (“everything”, “bulkadded”|“bulkadded”, “everything”)\. Add those tags to the vocabulary to measure them\.$/);
  });

  it('says nothing of the kind once verdicts are measured', async () => {
    const [star] = (await library.calls['tags.photos']({ tag: 'star' })).ids;
    await library.calls['tags.verdict']({ photoIds: [star as number], tag: 'star', verdict: 'confirm' });
    expect((await library.calls['vocabulary.evaluate']({ vocabulary: VOCABULARY })).unmeasured).toBeNull();
  });
});

/**
 * `tags.verdict` through the engine's call table over a real Engine says which of the photos the
 * person had confirmed the tag on or rejected it on, read as the verdict is given, so that its Undo
 * gives each back what it had (Note [Undo a verdict on a selection] in
 * renderer/src/components/selection-verdict.ts).
 */
import { describe, expect, it } from 'vitest';
import { taggedShapesLibrary } from '../helpers/library.js';

describe('tags.verdict, what the photos had', () => {
  const library = taggedShapesLibrary();

  it('names the photos confirmed, added by hand and rejected before it, in any capitals, and none the tagger’s alone', async () => {
    const [confirmed, rejected, tagger, added] = (await library.calls['tags.photos']({ tag: 'star' })).ids as [number, number, number, number];
    expect((await library.calls['tags.verdict']({ photoIds: [confirmed], tag: 'star', verdict: 'confirm' })).before).toEqual({ confirmed: [], rejected: [] });
    await library.calls['tags.verdict']({ photoIds: [rejected], tag: 'star', verdict: 'reject' });
    expect((await library.calls['tags.verdict']({ photoIds: [confirmed, rejected, tagger], tag: 'STAR', verdict: 'reject' })).before).toEqual({ confirmed: [confirmed], rejected: [rejected] });

    await library.calls['tags.verdict']({ photoIds: [added], tag: 'Holiday', verdict: 'add' });
    expect((await library.calls['tags.verdict']({ photoIds: [added, tagger], tag: 'holiday', verdict: 'add' })).before).toEqual({ confirmed: [added], rejected: [] });
  });
});

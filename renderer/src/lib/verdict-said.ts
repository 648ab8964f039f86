/** A verdict on one of a photo's tags (components/viewer/PhotoTags.svelte). */
export type TagVerdict = 'confirm' | 'reject' | 'clear' | 'add';

/**
 * What a screen reader hears once a verdict on a photo's tag is given: the button pressed changes
 * or goes with it (Note [Focus after a verdict]), which alone says nothing of what happened.
 * `before` is what the tag was: rejected, or added by the person (no score of the tagger's).
 */
export function verdictSaid(tag: string, verdict: TagVerdict, before: { rejected: boolean; added: boolean }): string {
  const name = `“${tag}”`;
  // Confirmed by typing its name in "Add a tag" while it was under "Not this": the rejection is undone too.
  if (verdict === 'confirm') return before.rejected ? `Confirmed ${name} (it was rejected).` : `Confirmed ${name}.`;
  if (verdict === 'reject') return `Rejected ${name}: it is under Not this.`;
  if (verdict === 'add') return `Added the tag ${name}.`;
  if (before.rejected) return `No longer rejected: ${name}.`;
  return before.added ? `Removed the tag ${name}.` : `No longer confirmed: ${name}.`;
}

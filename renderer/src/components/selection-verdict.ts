/**
 * Note [Undo a verdict on a selection]: "Add a tag…" on thousands of selected photos, or "Remove
 * tag" on a tag's page, could be taken back only in the viewer, one photo at a time. So each
 * offers Undo. The engine says what the photos had as it gives the verdict (`before`): Undo
 * withdraws the verdict from those that had none, so the tagger decides the tag again, and gives
 * back the one each other photo had, confirmed or rejected; clearing them all would have wiped
 * out verdicts the person gave before. As with Undo taking photos out of an album (Note [Undo
 * taking photos out] in views/AlbumsView.svelte), it goes with the next thing done.
 */
import type { LumenApi } from '../lib/api.js';

/** A verdict given on selected photos, and what they had before it: what its Undo gives back. */
export interface SelectionVerdict {
  tag: string;
  verdict: 'add' | 'reject';
  photoIds: readonly number[];
  before: { confirmed: readonly number[]; rejected: readonly number[] };
}

type Done<T> = { ok: true; value: T } | { ok: false; message: string };

/** Gives `verdict` on `photoIds`, with what they had (Note [Undo a verdict on a selection]). */
export async function giveOnSelection(api: LumenApi, photoIds: number[], tag: string, verdict: SelectionVerdict['verdict']): Promise<Done<SelectionVerdict & { given: number }>> {
  const outcome = await api.call('tags.verdict', { photoIds, tag, verdict });
  if (!outcome.ok) return { ok: false, message: outcome.error.message };
  return { ok: true, value: { tag, verdict, photoIds, before: outcome.value.before, given: outcome.value.given } };
}

/** The verdicts that put each photo back as it was: none where it had none, else its own; not the one it has again already. */
export function undoSteps(done: SelectionVerdict): Array<{ verdict: 'clear' | 'confirm' | 'reject'; photoIds: number[] }> {
  const { confirmed, rejected } = done.before;
  const had = new Set([...confirmed, ...rejected]);
  const steps = [
    { verdict: 'clear' as const, photoIds: done.photoIds.filter((id) => !had.has(id)) },
    { verdict: 'confirm' as const, photoIds: done.verdict === 'add' ? [] : [...confirmed] },
    { verdict: 'reject' as const, photoIds: done.verdict === 'reject' ? [] : [...rejected] },
  ];
  return steps.filter((step) => step.photoIds.length > 0);
}

/** Undoes `done` (Note [Undo a verdict on a selection]); the first refusal stops it, and says why. */
export async function undoOnSelection(api: LumenApi, done: SelectionVerdict): Promise<Done<null>> {
  for (const step of undoSteps(done)) {
    const outcome = await api.call('tags.verdict', { photoIds: step.photoIds, tag: done.tag, verdict: step.verdict });
    if (!outcome.ok) return { ok: false, message: outcome.error.message };
  }
  return { ok: true, value: null };
}

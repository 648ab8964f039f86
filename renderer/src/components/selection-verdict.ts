/**
 * Note [Undo a verdict on a selection]: "Add a tag…" on thousands of selected photos, or "Remove
 * tag" on a tag's page, could be taken back only in the viewer, one photo at a time. So each
 * offers Undo. What the photos had is read first (`tags.verdictsOf`): Undo withdraws the verdict
 * from those that had none, so the tagger decides the tag again, and gives back the one each
 * other photo had, confirmed or rejected; clearing them all would have wiped out verdicts the
 * person gave before. As with Undo taking photos out of an album (Note [Undo taking photos out]
 * in views/AlbumsView.svelte), it goes with the next thing done; and where what they had could
 * not be read, the verdict is still given, with no Undo rather than one that would wipe those out.
 */
import type { LumenApi } from '../lib/api.js';

/** A verdict given on selected photos, and what they had before it (null: unread), what its Undo gives back. */
export interface SelectionVerdict {
  tag: string;
  verdict: 'add' | 'reject';
  photoIds: readonly number[];
  before: { confirmed: readonly number[]; rejected: readonly number[] } | null;
}

/** A verdict whose Undo is offered: what the photos had is known. */
export type UndoableVerdict = SelectionVerdict & { before: NonNullable<SelectionVerdict['before']> };

export const canUndo = (done: SelectionVerdict | null | undefined): done is UndoableVerdict => !!done?.before;

type Done<T> = { ok: true; value: T } | { ok: false; message: string };

/** Gives `verdict` on `photoIds`, having read what they had (Note [Undo a verdict on a selection]). */
export async function giveOnSelection(api: LumenApi, photoIds: number[], tag: string, verdict: SelectionVerdict['verdict']): Promise<Done<SelectionVerdict & { given: number }>> {
  const before = await api.call('tags.verdictsOf', { photoIds, tag });
  const outcome = await api.call('tags.verdict', { photoIds, tag, verdict });
  if (!outcome.ok) return { ok: false, message: outcome.error.message };
  return { ok: true, value: { tag, verdict, photoIds, before: before.ok ? before.value : null, given: outcome.value.given } };
}

/** The verdicts that put each photo back as it was: none where it had none, else its own; not the one it has again already. */
export function undoSteps(done: UndoableVerdict): Array<{ verdict: 'clear' | 'confirm' | 'reject'; photoIds: number[] }> {
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
export async function undoOnSelection(api: LumenApi, done: UndoableVerdict): Promise<Done<null>> {
  for (const step of undoSteps(done)) {
    const outcome = await api.call('tags.verdict', { photoIds: step.photoIds, tag: done.tag, verdict: step.verdict });
    if (!outcome.ok) return { ok: false, message: outcome.error.message };
  }
  return { ok: true, value: null };
}

/**
 * How a vocabulary and the assignment rule do on the tags a person confirmed (positives) and
 * rejected (negatives): decisions, precision and recall, and where confirmed tags rank. Any
 * vocabulary can be measured, so the template editor compares an edit with the saved one.
 */
import type { Storage } from '../storage/storage.js';
import type { TagRename } from '../storage/tag-store.js';
import { verdictsAfterRenames } from './renamed-verdicts.js';
import type { Tagger } from './tagger.js';
import type { Vocabulary } from './vocabulary.js';
import { tagNameKey } from './vocabulary-rules.js';

export interface LabelledTagReport {
  confirmed: number;
  rejected: number;
  /** Confirmed pairs the rule assigns. */
  recall: number | null;
  /** Of the labelled pairs the rule assigns, the fraction confirmed. */
  precision: number | null;
}

export interface LabelledReport {
  model: string;
  /** Photos with at least one confirmed or rejected tag in the vocabulary. */
  photos: number;
  confirmed: number;
  rejected: number;
  /** Labelled pairs the rule decides as the person did. */
  accuracy: number | null;
  precision: number | null;
  recall: number | null;
  /** Of confirmed tags: the fraction that is the photo's highest-scoring tag, and among its five highest. */
  top1: number | null;
  top5: number | null;
  perTag: Record<string, LabelledTagReport>;
}

const ratio = (count: number, total: number) => (total > 0 ? count / total : null);

/** `renames`: the tags `vocabulary` renames from the saved one, whose verdicts count for the new name (Note [Verdicts under new names]). */
export async function evaluateLabelled(storage: Storage, tagger: Tagger, vocabulary: Vocabulary, signal?: AbortSignal, renames: readonly TagRename[] = []): Promise<LabelledReport> {
  // Zero-shot: a refined tag measured on the verdicts it was fitted on would look better than it is
  // (its cross-validated figures are in the refinement reports).
  const prepared = await tagger.prepare(vocabulary, signal, undefined, { persist: false, refine: false });
  // A verdict is on the tag of its name, whatever its case or Unicode form (Note [One name, one tag]).
  const index = new Map(prepared.tags.map((tag, i) => [tagNameKey(tag.name), i]));
  const labelled = verdictsAfterRenames(storage.tags.labelled(), renames).filter((row) => index.has(tagNameKey(row.tag)));
  const imageIds = [...new Set(labelled.map((row) => row.imageId))];
  const decisions = new Map((await tagger.decideImages(prepared, imageIds)).map((decision) => [decision.imageId, decision]));
  const perTag: Record<string, { confirmed: number; rejected: number; tp: number; fp: number }> = {};
  const totals = { tp: 0, fp: 0, correct: 0, confirmed: 0, rejected: 0, top1: 0, top5: 0 };
  for (const row of labelled) {
    const decision = decisions.get(row.imageId);
    if (!decision) continue;
    const t = index.get(tagNameKey(row.tag)) as number;
    const entry = (perTag[(prepared.tags[t] as { name: string }).name] ??= { confirmed: 0, rejected: 0, tp: 0, fp: 0 });
    const assigned = decision.assigned.includes(t);
    if (row.rejected) {
      totals.rejected++;
      entry.rejected++;
      if (assigned) {
        totals.fp++;
        entry.fp++;
      } else totals.correct++;
      continue;
    }
    totals.confirmed++;
    entry.confirmed++;
    let higher = 0;
    for (let other = 0; other < prepared.tags.length; other++) if ((decision.cosines[other] as number) > (decision.cosines[t] as number)) higher++;
    if (higher === 0) totals.top1++;
    if (higher < 5) totals.top5++;
    if (assigned) {
      totals.tp++;
      entry.tp++;
      totals.correct++;
    }
  }
  return {
    model: prepared.model.id,
    photos: new Set(labelled.filter((row) => decisions.has(row.imageId)).map((row) => row.imageId)).size,
    confirmed: totals.confirmed,
    rejected: totals.rejected,
    accuracy: ratio(totals.correct, totals.confirmed + totals.rejected),
    precision: ratio(totals.tp, totals.tp + totals.fp),
    recall: ratio(totals.tp, totals.confirmed),
    top1: ratio(totals.top1, totals.confirmed),
    top5: ratio(totals.top5, totals.confirmed),
    perTag: Object.fromEntries(
      Object.entries(perTag).map(([tag, e]) => [tag, { confirmed: e.confirmed, rejected: e.rejected, recall: ratio(e.tp, e.confirmed), precision: ratio(e.tp, e.tp + e.fp) }]),
    ),
  };
}

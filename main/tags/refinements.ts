/**
 * Refined tags in a library (Note [Refined tags] in refine.ts): fitted from the person's verdicts
 * per model, stored, refitted when what they were fitted on changes, and used in place of the
 * text embedding unless the person set the tag back to zero-shot.
 *
 * Note [Refinement freshness]: a refinement's fingerprint covers the model, its logit scale, the
 * tag's prompts (ensemble key) and threshold, the other tags and the background (the softmax it
 * was fitted against) and the verdicts. `refineTags` compares fingerprints and refits only what
 * changed, so calling it before every tagging run and every evaluation costs two queries when
 * nothing did. Each refinement is written on its own as soon as it is fitted, so a cancelled
 * call keeps what it finished. A model switch finds no rows for the new model and fits afresh from the same
 * verdicts; the old model's rows stay for a switch back.
 */
import { createHash } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { throwIfAborted } from '../core/errors.js';
import type { EmbeddingStore } from '../storage/embedding-store.js';
import type { RefinementStore, Verdict } from '../storage/refinement-store.js';
import { PRIOR_VERDICTS, refineTag, type Refinement } from './refine.js';
import { MIN_VERDICTS } from './refine-rules.js';

export interface TagForRefinement {
  /** The vocabulary's spelling (verdicts are stored under it). */
  name: string;
  /** Key of the tag's text ensemble (ResolvedTag.key). */
  key: string;
  threshold: number;
  /** The zero-shot (text ensemble) embedding. */
  vector: Float32Array;
}

export interface RefinementContext {
  model: string;
  /** The model's logit scale (ModelSpec.logitScale). */
  scale: number;
  /** The enabled tags, with their zero-shot embeddings. */
  tags: readonly TagForRefinement[];
  background: { key: string; vector: Float32Array };
}

/** What to score a refined tag with: the vector, and a cache key of its own (for ScoreCache and run fingerprints). */
export interface RefinedVector {
  vector: Float32Array;
  key: string;
}

export type RefinementStatus = 'refined' | 'zero-shot' | 'switched-off';

export interface RefinementReport extends Omit<Refinement, 'vector'> {
  tag: string;
  model: string;
  /** 'switched-off': refinement would be used, but the person chose zero-shot. */
  status: RefinementStatus;
}

type StoredReport = Omit<Refinement, 'vector'>;

/** Bumped whenever the fitting or its stored report changes, so stored refinements are refitted (report 2: reasons that repeat neither the status nor the figures). */
const METHOD = `logistic-prior-${PRIOR_VERDICTS}-min-${MIN_VERDICTS}-report-2`;

export class TagRefinements {
  constructor(
    readonly store: RefinementStore,
    private readonly embeddings: EmbeddingStore,
  ) {}

  /**
   * Brings the refinements of `context.model` up to date with the verdicts (Note [Refinement
   * freshness]) and returns the vectors to score with, by tag name, plus every enabled tag's
   * report and the tags refitted now.
   */
  async refineTags(context: RefinementContext, signal?: AbortSignal): Promise<{ inUse: Map<string, RefinedVector>; reports: RefinementReport[]; refitted: string[] }> {
    const verdicts = new Map<string, Verdict[]>();
    for (const verdict of this.store.verdicts(context.model)) {
      const list = verdicts.get(verdict.tag);
      if (list) list.push(verdict);
      else verdicts.set(verdict.tag, [verdict]);
    }
    const stored = new Map(this.store.forModel(context.model).map((row) => [row.tag, row]));
    const names = new Set(context.tags.map((tag) => tag.name));
    for (const tag of stored.keys()) if (!names.has(tag)) this.store.remove(context.model, tag);
    const refitted: string[] = [];
    for (const tag of context.tags) {
      const own = verdicts.get(tag.name) ?? [];
      const fingerprint = fingerprintOf(context, tag, own);
      if (stored.get(tag.name)?.fingerprint === fingerprint) continue;
      throwIfAborted(signal);
      const { vector, ...report } = this.fit(context, tag, own);
      const row = { tag: tag.name, fingerprint, vector, report: JSON.stringify(report) };
      this.store.save(context.model, row);
      stored.set(tag.name, row);
      refitted.push(tag.name);
      // A fit over many verdicts takes up to a second: let other work in between tags.
      await yieldToEventLoop();
    }
    const off = this.store.offTags();
    const inUse = new Map<string, RefinedVector>();
    const reports: RefinementReport[] = [];
    for (const tag of context.tags) {
      const row = stored.get(tag.name);
      if (!row) continue;
      if (row.vector && !off.has(tag.name)) inUse.set(tag.name, { vector: row.vector, key: keyOf(row.fingerprint) });
      reports.push(reportOf(context.model, row.tag, row.vector !== null, off.has(tag.name), row.report));
    }
    return { inUse, reports, refitted };
  }

  private fit(context: RefinementContext, tag: TagForRefinement, verdicts: readonly Verdict[]): Refinement {
    const load = (rejected: boolean) =>
      verdicts.filter((verdict) => verdict.rejected === rejected).flatMap((verdict) => {
        const vector = this.embeddings.vector(context.model, verdict.imageId);
        return vector && vector.length === tag.vector.length ? [vector] : [];
      });
    const others = [...context.tags.filter((other) => other.name !== tag.name).map((other) => other.vector), context.background.vector];
    return refineTag({ text: tag.vector, others, scale: context.scale, threshold: tag.threshold, confirmed: load(false), rejected: load(true) });
  }

  /** The refined vector in use for `tag` with `model` (as the last `refineTags` left it), or undefined: score with the text embedding. */
  refinedVectorFor(model: string, tag: string): RefinedVector | undefined {
    const row = this.store.refinement(model, tag);
    if (!row?.vector || this.store.isOff(tag)) return undefined;
    return { vector: row.vector, key: keyOf(row.fingerprint) };
  }

  /** Every stored report of `model` (for the evaluation view), by tag. */
  reports(model: string): RefinementReport[] {
    const off = this.store.offTags();
    return this.store.forModel(model).map((row) => reportOf(model, row.tag, row.vector !== null, off.has(row.tag), row.report));
  }

  /** The person's switch: false sets `tag` back to zero-shot for every model, true allows its refinement again. */
  setRefinementEnabled(tag: string, enabled: boolean): void {
    this.store.setOff(tag, !enabled);
  }
}

function fingerprintOf(context: RefinementContext, tag: TagForRefinement, verdicts: readonly Verdict[]): string {
  const others = [...context.tags.filter((other) => other.name !== tag.name).map((other) => other.key), context.background.key].sort();
  const canonical = JSON.stringify({ method: METHOD, model: context.model, scale: context.scale, key: tag.key, threshold: tag.threshold, others, verdicts: verdicts.map((v) => [v.imageId, v.rejected]) });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

function keyOf(fingerprint: string): string {
  return `refined-${fingerprint}`;
}

function reportOf(model: string, tag: string, hasVector: boolean, off: boolean, json: string): RefinementReport {
  const report = JSON.parse(json) as StoredReport;
  const status: RefinementStatus = !hasVector ? 'zero-shot' : off ? 'switched-off' : 'refined';
  return { ...report, tag, model, status };
}

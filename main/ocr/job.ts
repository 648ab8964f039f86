/**
 * OCR over many photos as a job: in the background after indexing (gated, see gate.ts), or over
 * the photos a person picked (gated, or every one read when they ask for all).
 *
 * Note [OCR progress is stored]: each photo's result (its text, "skipped by gate X" or "failed:
 * why") is written as soon as it is known, so a cancelled or crashed run resumes with the next
 * photo, and a second run over the same library does nothing. A photo whose file cannot be read
 * or decoded is recorded as failed with the reason and not retried by the background job (a
 * person's explicit run retries it); anything else that goes wrong stops the job.
 */
import { isUserError, messageOf } from '../core/errors.js';
import { PhotoFileError, type FileProblem } from '../core/photo-file.js';
import { RateMeter, type JobControl } from '../jobs/job.js';
import type { OcrStore, OcrTarget } from '../storage/ocr-store.js';
import type { TextGate } from './gate.js';
import { OcrModel } from './ocr.js';

export interface OcrProgress {
  total: number;
  done: number;
  /** Photos read in full (with or without text found). */
  read: number;
  withText: number;
  skipped: number;
  failed: number;
  perSecond: number;
  etaSeconds: number | null;
}

export interface OcrSummary {
  read: number;
  withText: number;
  skipped: number;
  /**
   * Photos not read, and why; `outOfReach` when the file could not be reached now (its drive not
   * mounted, a share down, deleted since the last scan), which is not recorded: the next run
   * tries it again. Otherwise it is the file's own defect, recorded.
   */
  failed: Array<{ path: string; message: string; outOfReach: boolean }>;
}

export interface OcrJobOptions {
  store: OcrStore;
  ocr: OcrModel;
  control?: JobControl;
  onProgress?: (progress: OcrProgress) => void;
}

const PAGE = 256;
/** Why a photo cannot be read now that may pass: it is then tried again by the next run. */
const PASSING_PROBLEMS = new Set<FileProblem>(['missing', 'denied', 'unreadable']);

/** Reads every photo that has no result of this OCR version yet, skipping those `gate` turns away. */
export async function ocrPending(gate: TextGate, options: OcrJobOptions): Promise<OcrSummary> {
  const { store } = options;
  let total = store.pendingCount(OcrModel.VERSION, gate.id);
  async function* pages(): AsyncGenerator<OcrTarget> {
    let after = 0;
    let seen = 0;
    for (;;) {
      // Photos indexed while the run reads come in its later pages: counted as each page is
      // fetched, so that the progress never says more read than there are (154 of 39 photos).
      total = seen + store.pendingCount(OcrModel.VERSION, gate.id, after);
      const page = store.pending(OcrModel.VERSION, gate.id, after, PAGE);
      if (page.length === 0) return;
      yield* page;
      seen += page.length;
      after = (page.at(-1) as OcrTarget).imageId;
    }
  }
  return runOcr(pages(), () => total, gate, options);
}

/**
 * Reads the photos a person picked (a folder, a selection). With `gate` null every one is read,
 * whatever a gate said before; with a gate, those it turns away are skipped as in the background.
 * Photos that already have this OCR version's answer (for that gate) are left as they are.
 */
export async function ocrSelected(targets: readonly OcrTarget[], gate: TextGate | null, options: OcrJobOptions): Promise<OcrSummary> {
  const todo = targets.filter((target) => {
    const state = options.store.state(target.imageId);
    if (state?.version !== OcrModel.VERSION) return true;
    return !(state.status === 'read' || (gate !== null && (state.status === 'failed' || state.gate === gate.id)));
  });
  return runOcr(todo, () => todo.length, gate, options);
}

async function runOcr(targets: Iterable<OcrTarget> | AsyncIterable<OcrTarget>, totalNow: () => number, gate: TextGate | null, options: OcrJobOptions): Promise<OcrSummary> {
  const { store, ocr, control } = options;
  const summary: OcrSummary = { read: 0, withText: 0, skipped: 0, failed: [] };
  const meter = control?.rateMeter() ?? new RateMeter();
  let done = 0;
  const report = (): void => {
    meter.record(done);
    const total = totalNow();
    options.onProgress?.({
      total,
      done,
      read: summary.read,
      withText: summary.withText,
      skipped: summary.skipped,
      failed: summary.failed.length,
      perSecond: meter.perSecond,
      etaSeconds: meter.eta(total - done),
    });
  };
  report();
  for await (const target of targets) {
    await control?.checkpoint();
    // Its folder removed or re-scanned since the run began: not read at all, as its result would be
    // dropped (a folder removed during a long run left hours of reading for nothing).
    if (!store.inLibrary(target.imageId)) {
      done++;
      report();
      continue;
    }
    try {
      const decision = gate ? await gate.decide(target) : null;
      await control?.checkpoint();
      // A photo that left the library meanwhile is counted as nothing (Note [Read while it left] in ocr-store.ts).
      if (gate && decision && !decision.pass) {
        if (store.saveSkipped(target.imageId, OcrModel.VERSION, { id: gate.id, score: decision.score })) summary.skipped++;
      } else {
        const { lines } = await ocr.recognize(target.path, control?.signal);
        if (store.saveRead(target.imageId, OcrModel.VERSION, lines, gate && decision ? { id: gate.id, score: decision.score } : null)) {
          summary.read++;
          if (lines.length > 0) summary.withText++;
        }
      }
    } catch (error) {
      if (!isUserError(error) || (error.code !== 'image-unreadable' && error.code !== 'image-undecodable')) throw error;
      // A photo out of reach for now (its drive not mounted, a share down) is listed, not recorded:
      // recorded, it would never be read again once back, unchanged. Its own defects are recorded
      // and listed, unless it left the library meanwhile.
      const outOfReach = error instanceof PhotoFileError && PASSING_PROBLEMS.has(error.problem);
      if (outOfReach || store.saveFailed(target.imageId, OcrModel.VERSION, messageOf(error))) summary.failed.push({ path: target.path, message: messageOf(error), outOfReach });
    }
    done++;
    report();
  }
  return summary;
}

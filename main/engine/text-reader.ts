/**
 * Text in photos for the engine: the OCR model (loaded on first need, kept warm, disposed with
 * the engine), which photos a request names, the work of an OCR job, and one photo's text.
 *
 * Note [Reading text as jobs]: reading runs as jobs of kind `ocr`. The library's photos not read
 * yet, past the detector gate (Note [Detector gate]), is the job the app starts by itself after
 * each index job (Note [Reading in the background] in reading-job.ts) and the one `lumen ocr` runs
 * with no argument; asked again while it runs, the request joins it. Reading named folders or
 * photos, or everything past the gate (`all`), is a job of its own (its subject names what it
 * reads) and may run beside the library's: both store each photo's result as they go, and a
 * photo read by one is not read again by the other once stored (Note [OCR progress is stored]).
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { checkPhotoFile, PhotoFileError } from '../core/photo-file.js';
import { JobControl, type Job } from '../jobs/job.js';
import type { Library } from '../library/library.js';
import type { Logger, ProviderPreference } from '../models/session.js';
import type { OcrJobOptions, OcrProgress, OcrSummary } from '../ocr/job.js';
import type { OcrModel } from '../ocr/ocr.js';
import type { OcrTarget, StoredLine } from '../storage/ocr-store.js';

export interface ReadTextRequest {
  /**
   * What to read: photo ids (`12`, `#12`) and paths of folders or photos in the library. None:
   * the whole library.
   */
  photos?: ReadonlyArray<number | string>;
  /** Read every photo named, past the gate (a photo already read is left as it is). */
  all?: boolean;
}

export interface PhotoText {
  lines: StoredLine[];
  /** Whether the photo was read (false: no text is known, the gate skipped it or it was never read). */
  read: boolean;
  /** Not read because a quick look found no text in it (Note [Detector gate] in main/ocr): reading it is a choice. */
  skipped: boolean;
}

/** An OCR job (its progress has no phases; the registry's jobs may have). */
export type OcrJob = Job<OcrProgress & { phase?: string }>;

/** What a request reads: null for the library's photos not read yet; `subject` names the job. */
export interface TextTargets {
  targets: OcrTarget[] | null;
  subject: string | null;
}

/** The OCR code, loaded with libvips on first need (Note [Cold start] in main/cli/index.ts). */
async function ocrCode() {
  const [{ OcrModel }, { DetectorGate }, { ocrPending, ocrSelected }] = await Promise.all([import('../ocr/ocr.js'), import('../ocr/gate.js'), import('../ocr/job.js')]);
  return { OcrModel, DetectorGate, ocrPending, ocrSelected };
}

export class TextReader {
  private model: Promise<OcrModel> | null = null;

  constructor(
    private readonly provider: () => Promise<ProviderPreference>,
    private readonly log: Logger,
  ) {}

  /** The OCR model, loaded on first need with the engine's provider. */
  load(): Promise<OcrModel> {
    if (!this.model) {
      const loading = Promise.all([this.provider(), ocrCode()]).then(([provider, { OcrModel }]) => OcrModel.load({ provider, log: this.log }));
      loading.catch(() => {
        if (this.model === loading) this.model = null;
      });
      this.model = loading;
    }
    return this.model;
  }

  /** The photos a request names, checked now, so a mistake is reported before any job starts. */
  targets(library: Library, request: ReadTextRequest): TextTargets {
    const store = library.storage.ocr;
    const named = request.photos ?? [];
    if (named.length === 0) {
      if (!request.all) return { targets: null, subject: null };
      return { targets: unique(library.folders().flatMap((folder) => store.targetsUnder(folder.path))), subject: 'all' };
    }
    const targets = named.flatMap((reference) => {
      const text = String(reference).trim();
      const isId = typeof reference === 'number' || text.startsWith('#') || (/^\d+$/.test(text) && !existsSync(text));
      if (isId) return [library.resolvePhoto(text)];
      const resolved = path.resolve(text);
      const found = store.targetsUnder(resolved);
      if (found.length === 0) {
        const what = existsSync(resolved) && statSync(resolved).isDirectory() ? 'has no photos in the library' : 'is not a photo in the library';
        throw new UserError('not-found', `${text} ${what}. Add its folder first (\`lumen index FOLDER\`), then read its text.`);
      }
      return found;
    });
    const subject = named.map((reference) => (typeof reference === 'number' ? `#${reference}` : reference)).join(', ');
    return { targets: unique(targets), subject: `${request.all ? 'all of ' : ''}${subject}` };
  }

  /** Whether the library has photos not read yet, past the gate: what its own job reads (Note [Reading in the background] in reading-job.ts). */
  async hasUnread(library: Library): Promise<boolean> {
    const { OcrModel, DetectorGate } = await ocrCode();
    return library.storage.ocr.pendingCount(OcrModel.VERSION, DetectorGate.idFor()) > 0;
  }

  /** The body of an OCR job over `targets` (see TextTargets). */
  async run(library: Library, targets: OcrTarget[] | null, all: boolean, job: OcrJob): Promise<OcrSummary> {
    const { DetectorGate, ocrPending, ocrSelected } = await ocrCode();
    // Asked again with nothing new (`lumen ocr` once more), the model need not load.
    if (targets === null && !(await this.hasUnread(library))) return { read: 0, withText: 0, skipped: 0, failed: [] };
    const ocr = await this.load();
    const options: OcrJobOptions = { store: library.storage.ocr, ocr, control: job, onProgress: (progress) => job.report(progress) };
    if (targets === null) return ocrPending(new DetectorGate(ocr), options);
    return ocrSelected(targets, all ? null : new DetectorGate(ocr), options);
  }

  /** A photo's text; with `read`, a photo not read yet is read first (past the gate). */
  async photoText(library: Library, reference: number | string, read: boolean, signal?: AbortSignal): Promise<PhotoText> {
    const { imageId, path: file } = library.resolvePhoto(reference);
    const store = library.storage.ocr;
    const status = store.state(imageId)?.status;
    const known = status === 'read';
    if (known || !read) return { lines: store.lines(imageId), read: known, skipped: status === 'skipped' };
    // A photo gone since it was indexed is the library's to catch up on, not the person's typo (exit status 2): said so.
    await checkPhotoFile(file).catch((error: unknown) => {
      if (error instanceof PhotoFileError && error.problem === 'missing') {
        throw new UserError('image-unreadable', `${error.message} It was moved or deleted since it was indexed; a re-scan of its folder brings the library up to date.`, { cause: error });
      }
      throw error;
    });
    const { ocrSelected } = await ocrCode();
    const control = new JobControl();
    // The engine's signal outlives every read: a listener left on it per read would pile up.
    const stop = () => control.cancel();
    signal?.addEventListener('abort', stop, { once: true });
    const summary = await ocrSelected([{ imageId, path: file }], null, { store, ocr: await this.load(), control }).finally(() => signal?.removeEventListener('abort', stop));
    const failure = summary.failed[0];
    if (failure) throw new UserError('image-undecodable', failure.message);
    // Read by a job meanwhile, it is not read again; gone from the library, it has no state (Note [Read while it left] in ocr-store.ts).
    if (store.state(imageId)?.status !== 'read') throw new UserError('not-found', `${path.basename(file)} left the library while its text was being read (its folder was re-scanned, excluded or removed).`);
    return { lines: store.lines(imageId), read: true, skipped: false };
  }

  /** Disposes the model (the engine closes); jobs that used it have ended. */
  async dispose(): Promise<void> {
    const model = this.model;
    this.model = null;
    await (await model?.catch(() => null))?.dispose();
  }
}

function unique(targets: readonly OcrTarget[]): OcrTarget[] {
  return [...new Map(targets.map((target) => [target.imageId, target])).values()];
}

/**
 * Reading text in photos as the engine offers it: the OCR job (Note [Reading text as jobs] in
 * text-reader.ts), the app's reading after its index and tag jobs, and one photo's text. Composed
 * once by the Engine, whose library, models and jobs it works with.
 *
 * Note [Reading in the background]: in the app (`watch`), each index job that completes starts
 * the OCR job over the photos not read yet (Note [Reading text as jobs]), so text is read after
 * embedding, never before, and a photo already read is not read again. Only after the last of a
 * run of index jobs, and only when a photo is left to read: most runs bring none (a photo
 * deleted, one read already), and a job that reads nothing still starts and ends in the window.
 * And after tagging, which an index run that changed photos starts as it ends: the two at once
 * shared the cores, and with the run's failures crowded the window's header past what it shows.
 */
import { UserError } from '../core/errors.js';
import type { JobRegistry, JobStart, Running } from '../jobs/registry.js';
import type { Library } from '../library/library.js';
import type { Logger, ProviderPreference } from '../models/session.js';
import type { OcrSummary } from '../ocr/job.js';
import { TextReader, type OcrJob, type PhotoText, type ReadTextRequest } from './text-reader.js';

/** What reading text needs of the engine. */
export interface ReadingHost {
  readonly jobs: JobRegistry;
  /** The folders are watched (the app): reading follows index and tag jobs, and a change of models. */
  readonly watch: boolean;
  /** The provider the OCR model loads with (the engine's setting). */
  provider(): Promise<ProviderPreference>;
  /** Where "provider X could not start, trying the next" goes. */
  readonly logProbe: Logger;
  closing(): boolean;
  /** Runs `work` as the library's writer saying what it does, a backup after it when due. */
  writing<R>(doing: string, work: () => Promise<R>): Promise<R>;
  library(): Library;
  /** The library, claimed for writing (Note [One writer] in storage/writer-lock.ts). */
  writable(doing: string): Library;
  /** Runs a call on the models outside a job (Note [Models changed under work] in engine.ts). */
  onModels<T>(work: () => Promise<T>): Promise<T>;
  /** How work the engine starts by itself starts (Note [A pause outlasts the app] in kept-pauses.ts). */
  asLeft(kind: string, how: JobStart): JobStart;
}

export class Reading {
  private readonly reader: TextReader;
  /** The text-reading job was stopped paused by the person: the next one starts paused (Note [Started paused] in jobs/registry.ts). */
  private leftPaused = false;
  /** Stops the reads of a photo's text outside a job as the engine closes. */
  private readonly reads = new AbortController();

  constructor(private readonly host: ReadingHost) {
    this.reader = new TextReader(() => host.provider(), host.logProbe);
  }

  /** Reads text in photos as a job (Note [Reading text as jobs]). */
  read(request: ReadTextRequest = {}, how: JobStart = {}): Running<OcrSummary> {
    const { host } = this;
    if (host.closing()) throw new UserError('cancelled', 'Lumen is closing.');
    const { targets, subject } = this.reader.targets(host.library(), request);
    return host.jobs.start('ocr', (job: OcrJob) => host.writing('reading text in', () => this.reader.run(host.library(), targets, request.all === true, job)), subject, how);
  }

  /** Reads the photos left to read, once no index or tag job runs (Note [Reading in the background]). */
  inBackground(): void {
    const { host } = this;
    const due = () => !host.closing() && !host.jobs.running('index') && !host.jobs.running('tag');
    if (!due()) return;
    // A job's failures are its own; one before it (the library closed meanwhile) leaves the photos to the next run.
    void this.reader
      .hasUnread(host.library())
      .then((unread) => {
        if (!unread || !due()) return;
        this.read({}, host.asLeft('ocr', { background: true, paused: this.leftPaused })).done.catch(() => {});
        this.leftPaused = false;
      })
      .catch(() => {});
  }

  /**
   * Starts again the job a change of models stopped as `stopped` (Note [Models changed under work]
   * in engine.ts), in the background in the app. It waits for indexing to end when both start
   * again: it comes back paused then too.
   */
  startAgain(stopped: JobStart): void {
    this.leftPaused ||= stopped.paused === true;
    if (this.host.watch) this.inBackground();
  }

  /**
   * A photo's text (by id or path); with `read`, a photo not read yet is read first. A read is
   * no job, so the engine stops it as it closes (`stopReads`) and waits for it: it would store its
   * text into a closed library.
   */
  async photoText(photo: number | string, options: { read?: boolean; signal?: AbortSignal } = {}): Promise<PhotoText> {
    const { host } = this;
    if (options.read !== true) return this.reader.photoText(host.library(), photo, false);
    const signal = options.signal ? AbortSignal.any([options.signal, this.reads.signal]) : this.reads.signal;
    return host.onModels(() => this.reader.photoText(host.writable('reading text in'), photo, true, signal));
  }

  /** Stops the reads of a photo's text under way (the engine closes). */
  stopReads(): void {
    this.reads.abort();
  }

  /** Lets go of the OCR model, loaded again on next need (the engine closes, or the provider changed); jobs that used it have ended. */
  unloadModel(): Promise<void> {
    return this.reader.dispose();
  }
}

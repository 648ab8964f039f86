/**
 * The index job as the engine runs it: asked for by a person, by the watcher (Note [Re-scan where
 * it changed] in library/scope.ts) or by the catch-up at launch, each pass taking what was asked
 * before it (IndexAsks), and tagging and reading text after it in the app. Composed once by the
 * Engine, whose library, models and jobs it works with.
 */
import { isUserError, throwIfAborted } from '../core/errors.js';
import type { Job } from '../jobs/job.js';
import type { JobRegistry, JobStart, Running } from '../jobs/registry.js';
import type { IndexProgress, IndexSummary } from '../library/indexer.js';
import { IndexJobFigures } from '../library/job-figures.js';
import type { Library } from '../library/library.js';
import type { WantedScope } from '../library/scope.js';
import type { ClipModel } from '../models/clip.js';
import type { FolderRow } from '../storage/library-store.js';
import { WriterBusy, type WriterInfo } from '../storage/writer-lock.js';
import type { ModelProblem } from '../../preload/contract.js';
import { IndexAsks } from './index-asks.js';
import type { LibraryAccess } from './library-access.js';
import type { LibraryChanges } from './library-changes.js';

/** Why an index run stops that a person can fix and then resume (Note [Stuck runs] in engine.ts); `busy` ends by itself (Note [Another program indexing]). */
const STUCK = new Set(['disk-full', 'storage', 'busy', 'read-only']);

/** What a run waiting for another program says it does about it (Note [Another program indexing]). */
const GOES_ON = 'this run goes on by itself once it has finished';
const GOES_ON_WHEN_CLOSED = 'this run goes on by itself once it is closed';

export interface IndexRequest {
  batchSize?: number | undefined;
  /** Tries every failed file again, not only those that changed. */
  retryFailed?: boolean | undefined;
  /** Folders just added: taken out again if the model fails on their first photos. */
  newFolders?: readonly FolderRow[];
}

/** What the index job needs of the engine. */
export interface IndexingHost {
  readonly jobs: JobRegistry;
  /** The app's engine: a run stuck on something a person can fix pauses (Note [Stuck runs] in engine.ts). */
  readonly app: boolean;
  /** The folders are watched (the app): the catch-up runs, and tagging and reading text follow a run. */
  readonly watch: boolean;
  readonly access: Pick<LibraryAccess, 'isWriter' | 'becomeWriterWhenFree' | 'otherWriter'>;
  /** Says when the library's photos changed (Note [Photos as they index]). */
  readonly changes: Pick<LibraryChanges, 'stored' | 'now'>;
  closing(): boolean;
  /** Runs `work` as the library's writer saying what it does, a backup after it when due. */
  writing<R>(doing: string, work: () => Promise<R>): Promise<R>;
  hasLibrary(): boolean;
  library(): Library;
  /** The library, claimed for writing (Note [One writer] in storage/writer-lock.ts). */
  writable(doing: string): Library;
  indexingModel(): Promise<ClipModel>;
  /** Why no model can index `library` now; null when one can. */
  indexingProblem(library: Library): Promise<ModelProblem | null>;
  /** How work the engine starts by itself starts (Note [A pause outlasts the app] in kept-pauses.ts). */
  asLeft(kind: string, how: JobStart): JobStart;
  /** Whether tagging is behind the photos or the vocabulary (Note [Tagging catches up]). */
  tagsBehind(): Promise<boolean>;
  /** Tags the library in the background, as an index run that leaves tagging behind ends. */
  tagInBackground(): void;
  /** Reads text in the photos not read yet, when nothing runs before it (Note [Reading in the background] in reading-job.ts). */
  readTextInBackground(): void;
}

export class Indexing {
  /** What the index job's next pass is to do. */
  private readonly indexAsks = new IndexAsks();
  /** Whether a run of this engine has walked every folder (Note [Catch up at launch]). */
  private walkedEverything = false;
  /** The catch-up waits for this engine to become the library's writer (Note [Catch up at launch]). */
  private catchUpWhenWriter = false;

  constructor(private readonly host: IndexingHost) {}

  /**
   * Note [Another program indexing]: the app opened while `lumen index` indexed the same library
   * said that the last run "did not finish" and offered "Index the rest", which paused at once
   * asking the person to try again later, and stayed paused after that program was done. The
   * status names the other program writing the library (`writer`), so Settings says it is
   * indexing now; the engine then waits to become the writer (Note [Becoming the writer] in
   * library-access.ts) and says the library changed when it is done, so the window reads the
   * status again. An index run that meets it waits for it too, paused with a message that says
   * so, and goes on by itself; a pause the person asked for stays theirs until they resume
   * (Note [A pause outlasts the app] in kept-pauses.ts). Other stuck runs still wait for Resume
   * (Note [Stuck runs] in engine.ts): nothing tells the engine that a disk has room again.
   */
  otherWriter(): WriterInfo | null {
    const writer = this.host.access.otherWriter();
    if (writer) this.host.access.becomeWriterWhenFree(this.writerGone);
    return writer;
  }

  /**
   * The window reads the library (and the status) again once the other program is done (Note
   * [Another program indexing]); not while it goes on (this engine cannot write the data folder),
   * where reading the status again would only wait for it again, and again.
   */
  private readonly writerGone = (): void => {
    if (this.host.access.otherWriter() === null) this.host.changes.now();
  };

  /**
   * Brings the index of every folder up to date, as a job. Asked again while it runs, the job
   * goes once more over what was asked meanwhile when it is done (a folder added is indexed too).
   */
  index(request: IndexRequest = {}, how: JobStart = {}): Running<IndexSummary> {
    return this.within(request, 'everything', how);
  }

  /**
   * Note [Catch up at launch]: the watcher sees only what changes while the app runs. What changed
   * while it was closed (or while another program held the library), and what an unfinished run
   * left, is found by one whole re-scan, which the app asks for once its first screen and search
   * are ready (engine-service.ts). Unchanged files cost a stat each and the image tower is loaded
   * only for new ones. Nothing starts when a run of this launch has walked everything already
   * (a person who cancelled it meant it), or without a model to index with (the app asks for
   * one); while another program writes the library, it waits until this engine is the writer,
   * which it becomes as soon as that program is done (Note [Becoming the writer] in library-access.ts).
   * Tagging left behind follows its run (Note [Tagging catches up]).
   */
  async catchUp(): Promise<void> {
    const { host } = this;
    if (!host.watch || host.closing() || this.walkedEverything || !host.hasLibrary()) return;
    const library = host.library();
    this.catchUpWhenWriter = !host.access.isWriter;
    // Opened again as the writer, it catches up (libraryOpened); the window reads the library again.
    if (this.catchUpWhenWriter) host.access.becomeWriterWhenFree(this.writerGone);
    if (this.catchUpWhenWriter || library.folders().length === 0) return;
    if ((await host.indexingProblem(library)) || this.walkedEverything || host.closing()) return;
    // Its failures are the job's, shown as any run's.
    this.index({}, { background: true }).done.catch(() => {});
  }

  /**
   * Note [A new model indexes]: switching models in Settings changed only which model the next
   * run embeds with; nothing ran, so searches stayed on the old model until a re-scan or the next
   * launch, though the promise is that a switch re-embeds in the background while the old model
   * keeps serving. In the app the switch starts that run (a run under way starts again with the
   * new model instead, Note [Models changed under work] in engine.ts), where a model to index with
   * loads and this engine writes the library; otherwise the catch-up's rules (Note [Catch up at
   * launch]) apply.
   */
  async forNewModel(): Promise<void> {
    const { host } = this;
    if (!host.watch || host.closing() || !host.hasLibrary() || !host.access.isWriter) return;
    const library = host.library();
    if (library.folders().length === 0 || (await host.indexingProblem(library)) || host.closing()) return;
    this.index({}, { background: true }).done.catch(() => {});
  }

  /** The library was opened: as its writer now, the catch-up that waited for that runs (Note [Catch up at launch]). */
  libraryOpened(): void {
    if (this.catchUpWhenWriter && this.host.access.isWriter) setImmediate(() => void this.catchUp().catch(() => {}));
  }

  /** Brings the index of `scope` up to date, as the index job (Note [Re-scan where it changed]). */
  within(request: IndexRequest, scope: WantedScope, how: JobStart = {}): Running<IndexSummary> {
    this.indexAsks.ask(scope, { retryFailed: request.retryFailed, byPerson: how.background !== true, newFolders: request.newFolders });
    return this.startJob(request, how);
  }

  private startJob(request: IndexRequest, how: JobStart): Running<IndexSummary> {
    const { host } = this;
    const running = host.jobs.start(
      'index',
      async (job: Job<IndexProgress>) => {
        // The whole job's figures, over its passes and the runs again after it got stuck (Note [A job of several passes]).
        const figures = new IndexJobFigures();
        for (;;) {
          try {
            return await host.writing('indexing', () => this.run(job, request, figures));
          } catch (error) {
            if (!host.app || !isUserError(error) || !STUCK.has(error.code)) throw error;
            if (error instanceof WriterBusy) await this.untilWriterGone(job, error);
            else await job.waitForPerson(error.message);
          }
        }
      },
      null,
      host.asLeft('index', how),
    );
    void running.done.then(
      () => {
        // Asked for while the job was finishing, after its last look: run now, not at the next change,
        // and as the person's own if one asked (Note [Background jobs]).
        if (!host.closing() && this.indexAsks.waiting && !host.jobs.running('index')) this.startJob({}, { background: !this.indexAsks.askedByPerson });
        if (host.watch) host.readTextInBackground();
      },
      () => {},
    );
    return running;
  }

  /** Whether tagging is behind (Note [Tagging catches up]); a look that fails leaves it to tagging, whose job says why. */
  private tagsBehind(): Promise<boolean> {
    return this.host.tagsBehind().catch(() => true);
  }

  /** Waits, paused, until the program writing the library is done, then goes on (Note [Another program indexing]). */
  private async untilWriterGone(job: Job<IndexProgress>, busy: WriterBusy): Promise<void> {
    // Held paused by the person (started so: Note [Started paused] in jobs/registry.ts), it waits for their Resume, with no reason of its own.
    if (job.isPaused && job.error === null) return job.checkpoint();
    let waiting = true;
    // Paused with its reason before it listens: a wait that ends at once resumes it.
    const waited = job.waitForPerson(new WriterBusy(busy.holder, GOES_ON, GOES_ON_WHEN_CLOSED).message);
    this.host.access.becomeWriterWhenFree(this.writerGone);
    // Resumed or cancelled meanwhile, it is on its way already.
    this.host.access.becomeWriterWhenFree(() => {
      if (waiting) job.resume();
    });
    try {
      await waited;
    } finally {
      waiting = false;
    }
  }

  /**
   * Note [Nothing to tag]: the photos a run stored can leave before it ends (their folder removed
   * from another window as they were indexed). Tagging after it would then fail, saying the library
   * has nothing indexed, as if the run had gone wrong: with no photo left embedded, none starts.
   *
   * Note [Tagging catches up]: in the app, tagging followed only a run that changed photos, so
   * tagging cut short by a quit, or a vocabulary imported by `lumen vocabulary --import` while the
   * app was closed, was never done: the catch-up at launch (Note [Catch up at launch]) changed no
   * photo. So every run in the app, the catch-up's too, ends by asking the tagger whether it is
   * behind (Tagger.behind: never tagged with this model, photos embedded past its last run, another
   * vocabulary), which reads the database and embeds nothing; a library tagged up to date starts
   * no tagging at launch. The CLI tags only when asked: `lumen tag` takes up where a run stopped.
   */
  private async run(job: Job<IndexProgress>, request: IndexRequest, figures: IndexJobFigures): Promise<IndexSummary> {
    const { host } = this;
    const model = await host.indexingModel();
    const library = host.writable('indexing');
    // The folders new to the pass under way; what is asked meanwhile waits for the next pass.
    let newFolders: FolderRow[] = [];
    try {
      for (;;) {
        const pass = this.indexAsks.take();
        const { scope, retryFailed } = pass;
        newFolders = pass.newFolders;
        if (scope === 'everything') this.walkedEverything = true;
        const summary = await library
          .index(model, {
            control: job,
            onProgress: (progress) => job.report(figures.ofJob(progress)),
            onPassedOver: (file, kind) => figures.passedOverFile(file, kind),
            onStored: () => host.changes.stored(),
            batchSize: request.batchSize,
            retryFailed,
            within: scope === 'everything' ? undefined : scope,
          })
          .catch((error: unknown) => {
            // Still to do, by a retry or the next run, unless the person stopped it.
            if (!isUserError(error) || error.code !== 'cancelled') this.indexAsks.giveBack(pass);
            throw error;
          });
        // Indexed: no folder of this pass is new any more, whatever comes now (a model that fails takes new folders out).
        newFolders = [];
        // A cancel that came as the pass finished (no checkpoint there) is still the person's: no tagging after it.
        throwIfAborted(job.signal);
        const jobSoFar = figures.passDone(summary, new Set(library.storage.library.failures().map((failure) => failure.path)));
        if (!this.indexAsks.waiting) {
          // What the job says as it ends, and answers with (Note [A job of several passes]).
          job.report(jobSoFar);
          // In the app, new photos are tagged as soon as they are indexed (Note [Nothing to tag]), and
          // tagging left behind is caught up (Note [Tagging catches up]).
          if (host.watch && library.storage.embeddings.count(model.id) > 0 && (figures.photosChanged || (await this.tagsBehind()))) {
            // A cancel that came during the look is the person's too.
            throwIfAborted(job.signal);
            host.tagInBackground();
          }
          return figures.summary;
        }
      }
    } catch (error) {
      if (isUserError(error) && error.code === 'model-invalid') {
        const present = new Set(library.folders().map((folder) => folder.id));
        for (const folder of [...newFolders, ...this.indexAsks.takeNew()]) if (present.has(folder.id)) await library.removeFolder(folder.id);
      } else this.indexAsks.keepNew(newFolders);
      throw error;
    } finally {
      host.changes.now();
    }
  }
}

/**
 * The engine: one object that owns a data folder (settings, models, the library, search, tags
 * and jobs) and that both the CLI and the app's utility process build, each a thin adapter over
 * it. It never imports Electron or the CLI (enforced by lint).
 *
 * Note [Lazy start]: nothing is opened until a call needs it, so `models list` on a new data
 * folder creates no library and `search` pays only for what it uses. A library is created only
 * by adding a folder; every other call on a data folder without one says how to start (Note [No
 * library yet] in no-library.ts), except the app's reads, answered as of a library without
 * photos (Note [Before a library] in calls.ts).
 *
 * Note [Stuck runs]: in the app, an index run (index-job.ts) stopped by something a person can
 * fix (a full disk, a disk that cannot be written, another program writing the library) is not
 * failed but paused, with the reason as its message; Resume runs it again, keeping everything
 * stored before; one stopped by another program writing the library goes on by itself once that
 * program is done (Note [Another program indexing] in index-job.ts). The CLI has nobody to press
 * Resume: it exits with the message.
 */
import path from 'node:path';
import type { AppEvent, EngineStatus, EvaluationInfo, FailureInfo, JobInfo, LibraryInfo, SettingsInfo } from '../../preload/contract.js';
import { UserError } from '../core/errors.js';
import { SettingsFile } from '../core/settings.js';
import { graphsDir } from '../core/paths.js';
import type { Job } from '../jobs/job.js';
import { Foreground } from '../jobs/foreground.js';
import { JobRegistry, type JobSnapshot, type JobStart, type Running } from '../jobs/registry.js';
import { decodingInIndexingWords, failureWords } from '../library/failures.js';
import type { IndexSummary } from '../library/indexer.js';
import { Library, type FoldersAdded, type PhotoImageKind } from '../library/library.js';
import { FolderWatcher } from '../library/watcher.js';
import type { EmbedBenchOptions, EmbedBenchReport } from '../models/benchmark.js';
import type { ClipModel } from '../models/clip.js';
import type { ImageSource } from '../models/preprocess.js';
import type { OcrSummary } from '../ocr/job.js';
import type { FolderRow } from '../storage/library-store.js';
import type { TagRename } from '../storage/tag-store.js';
import { PROVIDERS, usableProviders, type SessionPlan } from '../models/session.js';
import { ModelStore, type RemovedModel } from '../models/store.js';
import type { SearchOptionsInput } from '../search/options.js';
import type { QueryRules } from '../search/query.js';
import { LaterPages } from '../search/later-pages.js';
import { PhotoSearch, type SearchPage } from '../search/search.js';
import { evaluateRetrieval, evaluateZeroShot, scoreWithModel, Tags, type TagProgress, type TagSummary, type Verdict, type VerdictsHeld, type XmpExportOptions, type XmpExportSummary } from '../tags/index.js';
import { findTag, loadDefaultVocabulary, parseVocabulary, readVocabularyFile, withTemplates, type ResolvedTag, type Vocabulary } from '../tags/vocabulary.js';
import { exportRequestKey } from '../tags/xmp-export.js';
import type { TakeOptions } from '../storage/writer-lock.js';
import { Indexing, type IndexRequest } from './index-job.js';
import { KeptPauses } from './kept-pauses.js';
import { LibraryAccess } from './library-access.js';
import { LibraryChanges } from './library-changes.js';
import { noLibraryError } from './no-library.js';
import { ModelHost, parseProvider, type ModelOverrides } from './model-host.js';
import { NearDuplicates } from './near-duplicates.js';
import { Reading } from './reading-job.js';
import { evaluation } from './tag-info.js';
import type { PhotoText, ReadTextRequest } from './text-reader.js';

export interface EngineOptions extends ModelOverrides {
  dataDir: string;
  /** Events for the app (job progress, library changes). */
  onEvent?: (event: AppEvent) => void;
  log?: (message: string) => void;
  /** Where "provider X could not start, trying the next" goes (default `log`). */
  logProviderProbe?: (message: string) => void;
  /** Folder holding `vocabulary/default.json` (the packaged app passes `process.resourcesPath`). */
  resourcesDir?: string;
  /** better-sqlite3 addon built for this runtime (the app passes Electron's; see Note [Two ABIs]). */
  sqliteBinding?: string | undefined;
  /** Watch the library's folders and re-scan on changes (the app; the CLI runs once and exits). */
  watch?: boolean;
  /**
   * The app's engine: the library's writer whenever no other program is (Note [Becoming the
   * writer] in library-access.ts), and index runs that get stuck pause (Note [Stuck runs]).
   */
  app?: boolean;
  /** Back up the person's own data at most this often (Note [Backups] in storage/backups.ts; default daily). */
  backupIntervalMs?: number;
}

/** The jobs that run models (Note [Models changed under work]). */
const MODEL_WORK = ['index', 'tag', 'duplicates', 'ocr'];

export class Engine {
  readonly dataDir: string;
  readonly jobs: JobRegistry;
  /** Searches and previews go before background work (Note [Searches first]). */
  readonly foreground = new Foreground();
  /** Near-duplicates: found as a job, the groups found last, copies moved to the trash. */
  readonly duplicates: NearDuplicates;
  private readonly modelStore: ModelStore;
  private readonly settings: SettingsFile;
  private readonly models: ModelHost;
  private readonly emit: (event: AppEvent) => void;
  /** Says when the library's photos changed (Note [Photos as they index]). */
  private readonly libraryChanges: LibraryChanges;
  private readonly access: LibraryAccess;
  /** Whether the person left work paused, kept for the next launch (Note [A pause outlasts the app] in kept-pauses.ts). */
  private readonly pauses: KeptPauses;
  /** The index job, and the catch-up at launch (Note [Catch up at launch] in index-job.ts). */
  private readonly indexing: Indexing;
  private tagging: Tags | null = null;
  private watcher: FolderWatcher | null = null;
  /** The OCR job, the app's reading after its other jobs (Note [Reading in the background] in reading-job.ts), a photo's text. */
  private readonly reading: Reading;
  /** Rankings kept for a search's later pages, one set per open library (Note [Later pages] in search/later-pages.ts). */
  private readonly laterPages = new WeakMap<Library, LaterPages>();
  private closing = false;

  constructor(private readonly options: EngineOptions) {
    this.dataDir = path.resolve(options.dataDir);
    this.emit = options.onEvent ?? (() => {});
    this.libraryChanges = new LibraryChanges((event) => this.emit(event));
    this.jobs = new JobRegistry(
      (job) => {
        this.pauses.keep(job.kind);
        this.emit({ type: 'job', job: job as JobInfo });
      },
      undefined,
      () => this.foreground.idle(),
    );
    this.modelStore = new ModelStore(this.dataDir);
    this.settings = new SettingsFile(this.dataDir);
    const log = options.log ?? (() => {});
    this.models = new ModelHost(
      this.modelStore,
      this.settings,
      options,
      { log, logProbe: options.logProviderProbe ?? log },
      { dir: graphsDir(this.dataDir), mayWrite: () => this.access.isWriter },
      options.app === true,
      // Tagging's scores and drafts kept in memory came from the vectors forgotten.
      () => (this.tagging = null),
    );
    this.reading = new Reading({
      jobs: this.jobs,
      watch: options.watch === true,
      provider: () => this.models.provider(),
      logProbe: options.logProviderProbe ?? log,
      closing: () => this.closing,
      writing: (doing, work) => this.writing(doing, work),
      library: () => this.library(),
      writable: (doing) => this.writable(doing),
      onModels: (work) => this.onModels(work),
      asLeft: (kind, how) => this.pauses.asLeft(kind, how),
    });
    this.access = new LibraryAccess({
      dataDir: this.dataDir,
      nativeBinding: options.sqliteBinding,
      claimWhenFree: options.app ? 'the app' : undefined,
      backupIntervalMs: options.backupIntervalMs,
      log,
      onOpen: () => {
        this.tagging = null;
        this.watchFolders();
        this.indexing.libraryOpened();
      },
      onRestored: () => {
        if (options.app) setImmediate(() => this.index({}, { background: true }));
      },
    });
    this.pauses = new KeptPauses({ jobs: this.jobs, access: this.access, closing: () => this.closing, log });
    this.indexing = new Indexing({
      jobs: this.jobs,
      app: options.app === true,
      watch: options.watch === true,
      access: this.access,
      changes: this.libraryChanges,
      closing: () => this.closing,
      writing: (doing, work) => this.writing(doing, work),
      hasLibrary: () => this.hasLibrary(),
      library: () => this.library(),
      writable: (doing) => this.writable(doing),
      indexingModel: () => this.indexingModel(),
      indexingProblem: (library) => this.models.indexingProblem(library),
      asLeft: (kind, how) => this.pauses.asLeft(kind, how),
      tagsBehind: () => this.tags().tagger.behind(),
      tagInBackground: () => this.tagLibrary({}, { background: true }),
      readTextInBackground: () => this.reading.inBackground(),
    });
    this.duplicates = new NearDuplicates({
      jobs: this.jobs,
      writing: (doing, work) => this.writing(doing, work),
      hasLibrary: () => this.hasLibrary(),
      library: () => this.library(),
      writable: (doing) => this.writable(doing),
      // It embeds no text (Note [Work without text] in models/fingerprint.ts).
      searchModel: () => this.models.forImages(this.libraryIfAny()),
      rescan: () => this.index(),
    });
  }

  // ---- the library ---------------------------------------------------------------------------

  hasLibrary(): boolean {
    return this.access.exists();
  }

  /** The library of the data folder, opened on first use (read-only unless this engine writes). */
  library(): Library {
    this.requireLibrary();
    return this.access.library();
  }

  private requireLibrary(): void {
    if (!this.hasLibrary()) {
      throw noLibraryError(this.dataDir);
    }
  }

  /** The library to change, as its one writer (Note [One writer] in storage/writer-lock.ts). */
  private writable(doing: string, options: { create?: boolean } = {}): Library {
    if (!options.create) this.requireLibrary();
    return this.access.writable(doing);
  }

  /**
   * Makes this engine the library's writer before a command that writes starts, as `holder`
   * ("`lumen index`"): a second writer is named the holder, and this one waits with `wait`.
   */
  async claimWriter(holder: string, doing: string, options: Omit<TakeOptions, 'nativeBinding'> & { creates?: boolean } = {}): Promise<void> {
    const { creates, ...take } = options;
    // The claim makes the data folder: work that needs a library (all but a first index run), or
    // a `--model` naming no model, is refused first, leaving none behind (in a folder of photos
    // given as --data by mistake, say).
    if (!creates) this.requireLibrary();
    await this.models.checkOverride();
    return this.access.claim(holder, doing, take);
  }

  /** Keeps the watcher on the library's folders (Note [Watch, then re-scan]). */
  private watchFolders(): void {
    const library = this.access.current;
    if (!this.options.watch || !library) return;
    this.watcher ??= new FolderWatcher((changed) => this.indexing.within({}, changed, { background: true }), this.options.log ?? (() => {}), this.dataDir, { onLookedOver: () => this.libraryChanges.now() });
    this.watcher.sync(library.folders());
  }

  private libraryIfAny(): Library | null {
    return this.hasLibrary() ? this.library() : null;
  }

  /** The model new photos are embedded with (Note [Which model] in model-host.ts). */
  indexingModel(): Promise<ClipModel> {
    return this.models.forIndexing(this.libraryIfAny());
  }

  /** The model searches and tags run on. */
  searchModel(): Promise<ClipModel> {
    return this.models.forSearch(this.libraryIfAny());
  }

  /**
   * Note [Status starts no tower]: `lumen status` starts both towers to say where each runs. The
   * app asks for the status at launch, and starting a tower takes seconds of this process's only
   * thread (onnxruntime creates sessions synchronously): its status names the towers running.
   * Nor does it wait for a tower starting: tagging starts the text tower as a first index run
   * ends, and every status the window asked meanwhile (the count of files that failed, which
   * "See why" leads to) waited 5-10 s for it on a busy machine.
   */
  async status(): Promise<EngineStatus> {
    const settings = await this.settings.read();
    const library = this.libraryIfAny();
    let model: EngineStatus['model'] = null;
    // Note [A model that cannot run] in model-host.ts: the towers the CLI's status names start in the check.
    const modelProblem = await this.models.indexingProblem(library, { startTowers: !this.options.app });
    if (modelProblem === null) {
      const loaded = await this.indexingModel();
      const providers = this.options.app ? loaded.startedProviders() : await loaded.providers();
      model = { id: loaded.id, dir: loaded.spec.dir, dim: loaded.dim, layout: loaded.spec.layout, providers };
    }
    return {
      dataDir: this.dataDir,
      settings,
      model,
      modelProblem,
      availableProviders: [...usableProviders()],
      providerChoices: [...PROVIDERS],
      library: library && (await this.libraryInfo(library)),
      // Failures are listed too, for a window opened since (Note [Failures outlast their window] in jobs/registry.ts).
      jobs: [...this.jobs.failures(), ...this.jobs.list()] as JobInfo[],
      restored: this.access.restored,
      writer: this.indexing.otherWriter(),
    };
  }

  private async libraryInfo(library: Library): Promise<LibraryInfo> {
    const status = library.status();
    const serving = status.models.find((entry) => entry.model === status.servingModel);
    let index: LibraryInfo['index'] = null;
    if (serving) {
      const vectors = await library.vectorIndex(serving.model, library.storage.embeddings.dimension(serving.model));
      index = { model: serving.model, health: vectors.health, vectors: vectors.size, embeddings: serving.embedded };
    }
    const folders = status.folders.map((folder) => ({ ...folder, lookedOver: this.watcher?.lookedOver(folder.id) ?? null }));
    return { ...status, folders, index, lastBackupAt: library.storage.backups.newest()?.at ?? null };
  }

  // ---- models and settings -------------------------------------------------------------------

  get modelsDir(): string {
    return this.modelStore.root;
  }

  async listModels() {
    const listing = await this.modelStore.list();
    return {
      installed: listing.installed.map(({ id, dir, bytes, dim, layout }) => ({ id, dir, bytes, dim, layout })),
      broken: listing.broken,
      catalogue: listing.catalogue,
      downloading: this.jobs.list().filter((job) => job.kind === 'download').map((job) => job.subject as string),
    };
  }

  downloadModel(id: string): Running<string> {
    return this.jobs.start('download', (job) => this.modelStore.download(id, { signal: job.signal, onProgress: (progress) => job.report({ phase: 'downloading', ...progress }) }), id);
  }

  cancelDownload(id: string): { cancelled: boolean } {
    const job = this.jobs.running('download', id);
    job?.cancel();
    return { cancelled: job !== null };
  }

  async importModel(dir: string, name?: string): Promise<{ id: string; dir: string }> {
    const installed = await this.modelStore.import(dir, name);
    return { id: path.basename(installed), dir: installed };
  }

  /**
   * Removes an installed model, unless the library works with it now; `embeddings`: the library's
   * made with it, which stay (Note [Removing a model] in models/store.ts). As a change of the
   * models: no search loads it between the check and the deletion, and a copy loaded from its
   * folder goes, the jobs that may hold it (one begun before the library's switch to another model
   * ended) stopped first and started again (Note [Models changed under work]).
   */
  async removeModel(id: string): Promise<RemovedModel & { embeddings: number }> {
    const library = this.libraryIfAny();
    let stopped: JobSnapshot[] = [];
    try {
      const removed = await this.models.change(async () => {
        const inUse = { indexing: await this.models.indexingReference(library), searching: library?.servingModelReference() ?? null };
        return this.modelStore.remove(id, inUse, async (dir) => {
          if (this.models.holds(dir)) stopped = await this.stopModelWork(() => this.models.letGo(dir));
        });
      });
      return { ...removed, embeddings: library?.storage.embeddings.count(id) ?? 0 };
    } finally {
      this.startModelWorkAgain(stopped);
    }
  }

  /** Changes the model (an installed model's id, or null for the default) or the provider. */
  async updateSettings(change: { model?: string | null | undefined; provider?: string | undefined }): Promise<SettingsInfo> {
    if (change.provider !== undefined) parseProvider(change.provider);
    if (change.model) {
      const { installed } = await this.modelStore.list();
      if (!installed.some((model) => model.id === change.model)) {
        throw new UserError('not-found', `No installed model is called "${change.model}". Download or import it first.`);
      }
    }
    const indexedWith = await this.models.indexingReference(this.libraryIfAny());
    const next = await this.settings.update(Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined)) as Partial<SettingsInfo>);
    // Note [Models changed under work]: work under way holds the models it started with, and a
    // model let go under it would never answer. Calls outside jobs (searches, "photos like
    // this", a tag's preview, the template editor's evaluation, a photo's "Read text") are short: they finish first, on the models
    // they began with, while those asked meanwhile wait and then run on the new ones (freed under
    // them, they failed as if the model were broken). Jobs run for hours: they stop (at their
    // next checkpoint, keeping what they did), the models go, and they start again with the new
    // ones. A find of near-duplicates starts again at its threshold once the models are gone, and
    // its callers get the new groups (NearDuplicates.find): each is told so in the turn it is
    // stopped in, before it can end.
    const stopped = await this.models.change(async () => {
      const cancelled = await this.stopModelWork(() => this.models.unload());
      if (change.provider !== undefined) await this.reading.unloadModel();
      return cancelled;
    });
    const indexingAgain = this.startModelWorkAgain(stopped);
    // Loading the new model takes a while: the window has its answer first.
    if (!indexingAgain && (await this.models.indexingReference(this.libraryIfAny())) !== indexedWith) void this.indexing.forNewModel().catch(() => {});
    // Note [Settings followed]: a model or provider chosen in one window was shown as before in
    // the others (the old model "in use", the old provider selected) until they were reloaded.
    // Every window is told, the one that chose too, once the models are changed (told before, a
    // window loaded the new model only for the change to let it go), and reads the status again.
    this.emit({ type: 'settings-changed' });
    return next;
  }

  /**
   * Within a change of the models (`models.change`): stops the jobs on them, has `letGo` let
   * models go once they have ended, and gives the jobs stopped, for `startModelWorkAgain`; a find
   * of near-duplicates starts again by itself (Note [Models changed under work]).
   */
  private stopModelWork(letGo: () => Promise<void>): Promise<JobSnapshot[]> {
    const finds = this.duplicates.running();
    const modelsGone = this.jobs.cancelKinds(MODEL_WORK).then(async (cancelled) => {
      await letGo();
      return cancelled;
    });
    this.duplicates.restartAfter(finds, modelsGone);
    return modelsGone;
  }

  /** Starts the jobs `stopModelWork` stopped again, on the models there are now; whether indexing is one. */
  private startModelWorkAgain(stopped: readonly JobSnapshot[]): boolean {
    // Each starts again as it was asked for: paused if the person had paused it (not one paused
    // by itself, stuck: Note [Stuck runs]), and in the background if nobody asked for it.
    const again = (kind: string): JobStart | null => {
      const old = stopped.find((job) => job.kind === kind);
      return old ? { background: old.background, paused: old.state === 'paused' && old.error === null } : null;
    };
    const indexAgain = again('index');
    const tagAgain = again('tag');
    const readingAgain = again('ocr');
    if (indexAgain) this.index({}, indexAgain).done.catch(() => {});
    if (tagAgain) this.tagLibrary({}, tagAgain);
    if (readingAgain) this.reading.startAgain(readingAgain);
    return indexAgain !== null;
  }

  // ---- folders and indexing -------------------------------------------------------------------

  /**
   * Adds folders and starts indexing them. The model is loaded first, so a missing or broken
   * model adds nothing; a model that fails on the first photos takes the new folders out again.
   * Folders refused are answered with why, the others added (Note [Some folders refused] in library.ts).
   */
  async addFolders(paths: readonly string[], excludes: readonly string[] | null = null, request: IndexRequest = {}): Promise<FoldersAdded & { indexing: Running<IndexSummary> }> {
    await this.indexingModel();
    const library = this.writable('changing', { create: true });
    const before = library.folders();
    const { folders, refused } = await library.addFolders(paths, excludes);
    this.watchFolders();
    this.libraryChanges.now();
    // Folders taken in by one added (Note [Folders inside folders]) are gone now: their photos are
    // the library's, held by a folder that is then no new one, to be taken out again should the
    // model fail on its photos. Told from what the add did, not by comparing paths again.
    const after = new Set(library.folders().map((folder) => folder.id));
    const tookIn = before.some((old) => !after.has(old.id));
    const newFolders = tookIn ? [] : folders.filter((folder) => !before.some((old) => old.id === folder.id));
    return { folders, refused, indexing: this.index({ ...request, newFolders }) };
  }

  /** Brings the index of every folder up to date, as the index job (Indexing.index). */
  index(request: IndexRequest = {}, how: JobStart = {}): Running<IndexSummary> {
    return this.indexing.index(request, how);
  }

  /** The app's re-scan after launch (Note [Catch up at launch] in index-job.ts). */
  catchUp(): Promise<void> {
    return this.indexing.catchUp();
  }

  async removeFolder(folderId: number): Promise<void> {
    // The window and the watcher follow as soon as the folder is gone, not once its photos are forgotten (Note [Removed a slice at a time]).
    await this.writable('changing').removeFolder(folderId, () => {
      this.watchFolders();
      this.libraryChanges.now();
    });
  }

  async setExcludes(folderId: number, excludes: readonly string[]): Promise<FolderRow> {
    const folder = await this.writable('changing').setExcludes(folderId, excludes);
    this.watchFolders();
    return folder;
  }

  failures(): FailureInfo[] {
    return this.library()
      .storage.library.failures()
      .map((failure) => ({ ...failure, ...failureWords(failure), name: path.basename(failure.path) }));
  }

  // ---- photos and search ----------------------------------------------------------------------

  photoFile(photoId: number, kind: PhotoImageKind, options?: { remake?: boolean }): Promise<string> {
    return this.library().photoImage(photoId, kind, options);
  }

  private async searcher(): Promise<PhotoSearch> {
    const library = this.library();
    if (!library.servingModel() && !this.options.model) throw new UserError('not-found', this.nothingIndexedYet(library));
    // The text tower is checked only for a query with a description (Note [Work without text] in models/fingerprint.ts).
    const model = await this.models.forImages(library);
    let laterPages = this.laterPages.get(library);
    if (!laterPages) this.laterPages.set(library, (laterPages = new LaterPages()));
    return new PhotoSearch(library, model, laterPages, () => this.models.checked(library, model));
  }

  /**
   * Why a library with no photo indexed yet cannot be searched, as a person acts on it: the first
   * run's first search, typed while its first photos index, was told to add a folder.
   */
  private nothingIndexedYet(library: Library): string {
    const indexing = this.jobs.list().find((job) => job.kind === 'index' && (job.state === 'running' || job.state === 'paused'));
    if (indexing?.state === 'running') return 'No photo is indexed yet: results come as indexing goes on.';
    if (indexing) return 'No photo is indexed yet, and indexing is paused: resume it to search.';
    if (library.folders().length > 0) return "No photo in the library's folders is indexed yet. Let indexing run first.";
    return 'The library has no indexed photos yet. Add a folder and let it index first.';
  }

  /**
   * Note [Warm start]: the app's engine process starts the text tower's graph as it starts, on
   * the graph's own thread, and calls `warmUp` soon after (Note [Photos first] in
   * engine-service.ts), so that the first search finds the library open, its index mapped and
   * the text tower loaded while the person is still typing. Both do nothing without a library,
   * and a failure here is left for the first real call to report. `startTextModel` returns how
   * the text tower started, which the app records for its next launch (Note [Text tower first]
   * in engine-process.ts).
   */
  async startTextModel(): Promise<SessionPlan | null> {
    if (!this.hasLibrary()) return null;
    const model = await this.searchModel();
    return model.startedTextSessionPlan();
  }

  async warmUp(): Promise<void> {
    if (!this.hasLibrary()) return;
    const library = this.library();
    const model = await this.searchModel();
    await Promise.all([model.loadTextTower(), library.vectorIndex(model.id, model.dim)]);
  }

  /** Runs an interactive call (Note [Searches first] in foreground.ts) on the models. */
  private interactive<T>(work: () => Promise<T>): Promise<T> {
    return this.onModels(() => this.foreground.interactive(work));
  }

  /** Runs a call on the models outside a job (Note [Models changed under work]): refused once the engine closes, waited for as it closes. */
  private onModels<T>(work: () => Promise<T>): Promise<T> {
    const refused = () => Promise.reject(new UserError('cancelled', 'Lumen is closing.'));
    if (this.closing) return refused();
    // Held back by a change of the models, it may find the engine closing by the time it starts: refused then.
    return this.models.using(() => (this.closing ? refused() : work()));
  }

  async search(query: string, options?: SearchOptionsInput, signal?: AbortSignal, rules?: QueryRules): Promise<SearchPage> {
    return this.interactive(async () => (await this.searcher()).search(query, options, signal, rules));
  }

  /** Photos like a library photo (its id) or like an image (a file, or the bytes of one). */
  async similar(target: number | ImageSource, options?: SearchOptionsInput, signal?: AbortSignal): Promise<SearchPage> {
    return this.interactive(async () => (await this.searcher()).similar(target, options, signal));
  }

  // ---- text in photos -------------------------------------------------------------------------

  /** Reads text in photos as a job (Reading.read). */
  readText(request: ReadTextRequest = {}, how: JobStart = {}): Running<OcrSummary> {
    return this.reading.read(request, how);
  }

  /** A photo's text (by id or path); with `read`, a photo not read yet is read first (Reading.photoText). */
  photoText(photo: number | string, options: { read?: boolean; signal?: AbortSignal } = {}): Promise<PhotoText> {
    return this.reading.photoText(photo, options);
  }

  // ---- tags -----------------------------------------------------------------------------------

  /** Tagging over the library (vocabulary, verdicts, albums, evaluation), on the search model. */
  tags(): Tags {
    this.tagging ??= new Tags(this.library(), () => this.searchModel(), this.options.resourcesDir);
    return this.tagging;
  }

  /** Tags over the library to change, as its writer (Note [One writer] in storage/writer-lock.ts). */
  tagsToChange(): Tags {
    this.writable('changing');
    return this.tags();
  }

  /** Changes the saved albums, as the library's writer, and tells every window (Note [Albums followed] in calls.ts). */
  changeAlbums<T>(change: (tags: Tags) => T): T {
    const changed = change(this.tagsToChange());
    this.emit({ type: 'albums-changed' });
    return changed;
  }

  /** A vocabulary file, else the library's vocabulary, else the built-in one. */
  async vocabulary(file?: string): Promise<Vocabulary> {
    if (file) return readVocabularyFile(file);
    return this.hasLibrary() ? this.tags().vocabulary.get() : loadDefaultVocabulary(this.options.resourcesDir);
  }

  /** Refused before a library exists, as a call (Note [No library yet]), not as a job that fails at once. */
  tagLibrary(options: { full?: boolean } = {}, how: JobStart = {}): Running<TagSummary> {
    this.requireLibrary();
    const running = this.jobs.startAgain('tag', (job: Job<TagProgress>) => this.writing('tagging', () => this.tags().tagger.run(job, (progress) => job.report(progress), options)), null, this.pauses.asLeft('tag', how));
    // Reading waited for it (Note [Reading in the background] in reading-job.ts).
    const readAfter = () => this.options.watch && this.reading.inBackground();
    void running.done.then(readAfter, readAfter);
    return running;
  }

  /** The vocabulary and whether it is still the built-in one (which it is before a library: Note [Before a library] in calls.ts). */
  async vocabularyInfo(): Promise<{ vocabulary: Vocabulary; isDefault: boolean }> {
    if (!this.hasLibrary()) return { vocabulary: await this.vocabulary(), isDefault: true };
    return { vocabulary: await this.tags().vocabulary.get(), isDefault: !this.tags().vocabulary.isCustom() };
  }

  /**
   * Saves a vocabulary (or the built-in one, with null) with the tags renamed in it (Note
   * [Renamed tags] in tags/library-vocabulary.ts), and tags the library with it.
   */
  async saveVocabulary(vocabulary: unknown, renames: readonly TagRename[] = [], basedOn?: unknown): Promise<{ vocabulary: Vocabulary; jobId: string }> {
    const tags = this.tagsToChange();
    const saved = vocabulary === null ? await tags.vocabulary.reset() : await tags.vocabulary.save(vocabulary, renames, basedOn);
    return { vocabulary: saved, jobId: this.tagLibrary().job.id };
  }

  /** Puts an imported vocabulary in place of the person's (Note [Tags back to their names] in tags/library-vocabulary.ts), and tags the library with it. */
  async importVocabulary(vocabulary: unknown): Promise<{ vocabulary: Vocabulary; jobId: string }> {
    const saved = await this.tagsToChange().vocabulary.replace(vocabulary);
    return { vocabulary: saved, jobId: this.tagLibrary().job.id };
  }

  /** What a tag of an edited vocabulary, with the tags renamed in it, would show (Note [Live preview]). */
  async previewTag(draft: unknown, tag: string, renames: readonly TagRename[] = []) {
    const edited = parseVocabulary(draft, 'The edited vocabulary');
    return this.interactive(async () => this.tags().previewer.preview(edited, await this.tags().vocabulary.get(), tag, renames));
  }

  /** The template editor's evaluation of an edited vocabulary, with the tags renamed in it, on the models outside a job (Note [Models changed under work]). */
  async evaluateVocabulary(draft: unknown, renames: readonly TagRename[] = []): Promise<EvaluationInfo> {
    return this.onModels(async () => evaluation(this.tags(), draft, (await this.searchModel()).id, renames));
  }

  /** A person's verdict on photos, all or none: confirm, reject, clear, or add (a tag outside the vocabulary too). */
  async giveVerdict(photoIds: readonly number[], tag: string, verdict: Verdict): Promise<VerdictsHeld> {
    return this.tagsToChange().verdicts.give(photoIds, tag, verdict);
  }

  /**
   * Each tag's refinement from the person's verdicts (Note [Refined tags]), fitted now where
   * anything it depends on changed: the cross-validated figures and whether it is in use.
   */
  async refinementReports() {
    const tags = this.tags();
    const prepared = await tags.tagger.prepare(await tags.vocabulary.get());
    return tags.refinements.reports(prepared.model.id);
  }

  /** Switches a tag's refinement on or off, and tags the library again with it (`retag`: not where the switch changes no score, a tag with no refinement). */
  async setRefinement(tag: string, enabled: boolean, { retag = true } = {}) {
    const tags = this.tagsToChange();
    const known = findTag(await tags.vocabulary.get(), tag);
    if (!known) throw new UserError('not-found', `There is no tag "${tag}" in the vocabulary. Check the spelling (see \`vocabulary\`).`);
    tag = known.name;
    tags.refinements.setRefinementEnabled(tag, enabled);
    if (retag) this.tagLibrary();
    return tags.refinements.reports((await this.searchModel()).id);
  }

  /**
   * Writes tags into XMP sidecars, as a job.
   *
   * Note [Exports in turn]: each export is a job of its own, its subject what it writes
   * (exportRequestKey). Asked again for the same photos and style while that one waits or runs,
   * the request joins it. Asked for anything else (another tag's page, a selection), it waits for
   * the exports before it, then writes what it was asked and answers with its own counts: joined
   * to the running export, it would be dropped and answered with that one's figures; run beside
   * it, two jobs could rewrite one sidecar at once.
   */
  exportXmp(options: Omit<XmpExportOptions, 'control' | 'onProgress'> = {}): Running<XmpExportSummary> {
    return this.jobs.startInTurn(
      'export',
      (job: Job<TagProgress>) => this.writing('writing XMP sidecars for', () => this.tags().exportXmp({ ...options, control: job, onProgress: (progress) => job.report(progress) })),
      exportRequestKey(options),
    );
  }

  /** A job's body, as the library's writer saying what it does; a backup follows when due (Note [Backups]). */
  private async writing<R>(doing: string, work: () => Promise<R>): Promise<R> {
    this.writable(doing);
    const done = this.access.jobWriting(doing);
    try {
      const result = await work();
      await this.access.backupIfDue();
      return result;
    } finally {
      done();
    }
  }

  // ---- measuring models and vocabularies (no library needed) ----------------------------------

  async evaluateZeroShot(folder: string, options: { vocabularyFile?: string; templates?: string[]; signal?: AbortSignal; onProgress?: (p: { done: number; total: number }) => void } = {}) {
    let vocabulary = await this.vocabulary(options.vocabularyFile);
    if (options.templates) vocabulary = withTemplates(vocabulary, options.templates);
    return evaluateZeroShot(await this.searchModel(), vocabulary, folder, options);
  }

  async evaluateRetrieval(captionsFile: string, signal?: AbortSignal) {
    return evaluateRetrieval(await this.searchModel(), captionsFile, { signal });
  }

  /** Raw cosines, probabilities and assigned tags of image files against a vocabulary. */
  async scoreImages(files: readonly string[], options: { vocabularyFile?: string; signal?: AbortSignal } = {}) {
    const vocabulary = await this.vocabulary(options.vocabularyFile);
    const model = await this.searchModel();
    const vectors = await this.embedImages(files, options.signal);
    const cached = this.hasLibrary() ? (m: ClipModel, tags: ResolvedTag[]) => this.tags().tagger.embedTags(m, tags, options.signal) : undefined;
    return { model: model.id, ...(await scoreWithModel(model, vocabulary, vectors, options.signal, cached)) };
  }

  /** Unit embeddings of image files with the search model; the first file that fails stops it, named. */
  async embedImages(files: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const results = await (await this.models.forImages(this.libraryIfAny())).embedImageList(files, { signal });
    return results.map((result, i) => {
      if ('error' in result) throw decodingInIndexingWords(files[i] as string, result.error);
      return result.vector;
    });
  }

  async embedTexts(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    return (await this.searchModel()).embedTexts(texts, signal);
  }

  /** Embedding throughput of the model in use (or `--model`), per provider and batch size. */
  async benchmarkEmbedding(options: Omit<EmbedBenchOptions, 'modelDir'>): Promise<EmbedBenchReport> {
    const { benchmarkEmbedding } = await import('../models/benchmark.js');
    return benchmarkEmbedding({ ...options, modelDir: (await this.searchModel()).spec.dir });
  }

  async dispose(): Promise<void> {
    this.closing = true;
    this.libraryChanges.cancel();
    this.watcher?.close();
    this.watcher = null;
    // Work asked for from now on (what a job starts as it ends too) starts cancelled.
    await this.jobs.stopAll();
    this.reading.stopReads();
    // The models go once the calls on them under way end: the reads stopped, the searches answered.
    await this.models.change(async () => {
      await this.models.unload();
      await this.reading.unloadModel();
    });
    this.tagging = null;
    await this.access.close();
  }
}

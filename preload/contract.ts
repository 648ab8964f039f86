/**
 * The one contract between the renderer and the app: every call the renderer may make, with the
 * schema its parameters are validated against (in the main process, and again in the engine
 * process that answers most of them), the type of its result, and the events the app pushes.
 *
 * Note [No paths from the renderer]: no call takes a file-system path. Folders and model folders
 * are chosen in the main process's native dialogs; photos, folders and jobs are named by opaque
 * ids or keys (a search narrowed to a folder too: `within`, not the CLI's `folder`); a photo to
 * search by is sent as its bytes.
 */
import { z } from 'zod';
import type { PassedOver } from '../main/library/photo-kinds.js';
import { searchFiltersSchema, searchOptionsSchema, type PhotoFormat } from '../main/search/options.js';
import { MAX_ALBUM_NAME } from '../main/tags/album-rules.js';
import { MAX_TAGS } from '../main/tags/vocabulary-rules.js';
import { MAX_EXCLUSION_CHARS, MAX_EXCLUSIONS, MAX_QUERY_IMAGE_BYTES, MAX_VOCABULARY_CHARS } from './limits.js';

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const modelId = z.string().min(1).max(200);
const jobId = z.string().min(1).max(100);
const globs = z.array(z.string().min(1).max(MAX_EXCLUSION_CHARS)).max(MAX_EXCLUSIONS);

/**
 * A vocabulary as the template editor sends it: checked here for shape and size only; the engine
 * checks it fully (templates, names, duplicates) and says what is wrong where.
 */
const text = z.string().max(1000);
const vocabularyPayload = z
  .object({
    description: z.string().max(10_000).optional(),
    templates: z.array(text).max(100),
    background: z.array(text).max(100).optional(),
    tags: z
      .array(
        z
          .object({
            name: z.string().max(200),
            prompts: z.array(text).max(100),
            templates: z.array(text).max(100).optional(),
            threshold: z.number().min(0).max(1).optional(),
            enabled: z.boolean().optional(),
          })
          .strict(),
      )
      .max(5000),
  })
  .strict();
/** Search filters and options as the renderer may send them (Note [No paths from the renderer]). */
const appSearchFilters = searchFiltersSchema.refine((filters) => filters.folder === undefined, { message: 'a folder is named by its key (within), not by its path', path: ['folder'] });
const appSearchOptions = searchOptionsSchema.extend({ filters: appSearchFilters.default({}) });
const tagName = z.string().min(1).max(200);
const albumId = z.string().regex(/^(folder:[0-9a-f]{16}|saved:\d{1,15})$/);
const albumName = z.string().min(1).max(MAX_ALBUM_NAME);
/** Photos chosen in the window: up to every photo of the largest library the app is made for (Select all). */
export const MAX_SELECTED = 1_000_000;
const selectedIds = z.array(id).min(1).max(MAX_SELECTED);

export const callSchemas = {
  'app.status': z.object({}).strict(),
  'models.list': z.object({}).strict(),
  'models.download': z.object({ id: modelId }).strict(),
  'models.cancelDownload': z.object({ id: modelId }).strict(),
  /** Opens a folder picker in the main process, then checks and installs the chosen folder. */
  'models.importFromDialog': z.object({}).strict(),
  /** Deletes an installed model's folder in the data folder; refused for the one in use (Note [Removing a model] in main/models/store.ts). */
  'models.remove': z.object({ id: modelId }).strict(),
  /** `model`: an installed model's id (null: the default). */
  'settings.update': z.object({ model: modelId.nullable().optional(), provider: z.string().min(1).max(20).optional() }).strict(),
  /** Opens a folder picker in the main process and adds the chosen folders it may, answering the others with why; indexing starts. */
  'library.addFromDialog': z.object({ excludes: globs.optional() }).strict(),
  'library.removeFolder': z.object({ folderId: id }).strict(),
  'library.setExcludes': z.object({ folderId: id, excludes: globs }).strict(),
  /** Brings the index up to date (a re-scan); `retryFailed` tries every failed file again. */
  'library.index': z.object({ retryFailed: z.boolean().optional() }).strict(),
  'library.failures': z.object({}).strict(),
  /** Starts reading text in the library's photos not read yet (`all`: past the detector gate too). */
  'library.readText': z.object({ all: z.boolean().optional() }).strict(),
  /** How many photos have been read, have text, were skipped by the gate or failed. */
  'library.textStatus': z.object({}).strict(),
  'jobs.pause': z.object({ jobId }).strict(),
  'jobs.resume': z.object({ jobId }).strict(),
  'jobs.cancel': z.object({ jobId }).strict(),
  /** Forgets an ended job's failure, read: a window opened later shows it no more (Note [Failures outlast their window]). */
  'jobs.dismiss': z.object({ jobId }).strict(),
  /**
   * Every photo (or those that pass `filters`), newest first, as columns (the grid lays out 100k
   * photos from this); with `first`, only the newest `first` of them (Note [First screen first] in
   * renderer/src/state/library.svelte.ts).
   */
  'photos.timeline': z.object({ filters: appSearchFilters.optional(), first: z.number().int().min(1).max(10_000).optional() }).strict(),
  /** Tiles of some photos (the grid asks for the ones in view). */
  'photos.get': z.object({ ids: z.array(id).min(1).max(500) }).strict(),
  'photos.details': z.object({ id }).strict(),
  /** The folders the library's photos are in, for the Folder filter. */
  'photos.folders': z.object({}).strict(),
  /** The cameras the library's photos were taken with, for the Camera filter. */
  'photos.cameras': z.object({}).strict(),
  /** The file types the library's photos are in, for the File type filter. */
  'photos.formats': z.object({}).strict(),
  /** The text read in a photo; with `read`, a photo not read yet is read first. */
  'photos.text': z.object({ id, read: z.boolean().optional() }).strict(),
  /** Shows the photo in the system's file manager (main process). */
  'photos.reveal': z.object({ id }).strict(),
  /** Opens the photo with the system's default app (main process). */
  'photos.open': z.object({ id }).strict(),
  'search.query': z.object({ query: z.string().min(1).max(2000), options: appSearchOptions.optional() }).strict(),
  /** How many photos a query's pages hold, when its page came back uncounted (Note [Page before count] in main/search/search.ts). */
  'search.count': z.object({ query: z.string().min(1).max(2000), options: appSearchOptions.optional() }).strict(),
  'search.similar': z.object({ photoId: id, options: appSearchOptions.optional() }).strict(),
  'tags.list': z.object({}).strict(),
  /** The photos showing a tag, best first. */
  'tags.photos': z.object({ tag: tagName }).strict(),
  /** Tags the library (only new photos unless `full`). */
  'tags.run': z.object({ full: z.boolean().optional() }).strict(),
  'tags.ofPhoto': z.object({ id }).strict(),
  /** A person's say on photos: confirm, reject, withdraw the verdict, or add a tag by hand (any name). */
  'tags.verdict': z.object({ photoIds: selectedIds, tag: tagName, verdict: z.enum(['confirm', 'reject', 'clear', 'add']) }).strict(),
  /** Uses or stops using a tag's refinement from the person's verdicts. */
  'tags.setRefinement': z.object({ tag: tagName, enabled: z.boolean() }).strict(),
  'vocabulary.get': z.object({}).strict(),
  /**
   * Saves the vocabulary; tagging starts again with it. `renames`: the tags renamed in the
   * editor, whose verdicts move to the new name (Note [Renamed tags] in main/tags/library-vocabulary.ts).
   * `basedOn`: the saved vocabulary the edit began from; a save over one changed since is refused
   * (Note [Saved over a change] in the same file).
   */
  'vocabulary.save': z.object({ vocabulary: vocabularyPayload, renames: z.array(z.object({ from: tagName, to: tagName }).strict()).max(MAX_TAGS).optional(), basedOn: vocabularyPayload.optional() }).strict(),
  'vocabulary.reset': z.object({}).strict(),
  /** A vocabulary file's text, read by the page from a file the person picked. */
  'vocabulary.import': z.object({ json: z.string().min(1).max(MAX_VOCABULARY_CHARS) }).strict(),
  'vocabulary.export': z.object({}).strict(),
  /**
   * What a tag of an edited (unsaved) vocabulary would show, against the saved one; with the tags
   * renamed in it, as saving it would say them, a renamed tag is compared with itself as saved.
   */
  'vocabulary.preview': z.object({ vocabulary: vocabularyPayload, tag: tagName, renames: z.array(z.object({ from: tagName, to: tagName }).strict()).max(MAX_TAGS).optional() }).strict(),
  /**
   * An edited vocabulary against the saved one on the person's confirmed and rejected tags; with
   * the tags renamed in it, as the preview takes them, whose verdicts count for the new name.
   */
  'vocabulary.evaluate': z.object({ vocabulary: vocabularyPayload, renames: z.array(z.object({ from: tagName, to: tagName }).strict()).max(MAX_TAGS).optional() }).strict(),
  'albums.list': z.object({}).strict(),
  /** The saved albums' ids and names alone, for a list to pick from: no folder is summarised. */
  'albums.names': z.object({}).strict(),
  'albums.photos': z.object({ id: albumId }).strict(),
  'albums.save': z.object({ name: albumName, photoIds: selectedIds }).strict(),
  /** Only a saved album; the name by the same rules as a new album's (its own in another case is fine). */
  'albums.rename': z.object({ id: albumId, name: albumName }).strict(),
  /** Adds photos to a saved album, each photo once. */
  'albums.add': z.object({ id: albumId, photoIds: selectedIds }).strict(),
  /** Takes photos out of a saved album; they stay in the library. */
  'albums.remove': z.object({ id: albumId, photoIds: selectedIds }).strict(),
  'albums.delete': z.object({ id: albumId }).strict(),
  /** Writes tags to XMP sidecars: of every photo, of a tag's photos, or of some photos. */
  'xmp.export': z.object({ tag: tagName.optional(), photoIds: selectedIds.optional(), style: z.enum(['jpg.xmp', 'xmp']).optional() }).strict(),
  'search.image': z.object({ bytes: z.instanceof(Uint8Array).refine((b) => b.byteLength > 0 && b.byteLength <= MAX_QUERY_IMAGE_BYTES, `must be a photo of at most ${MAX_QUERY_IMAGE_BYTES / 1_000_000} MB`), options: appSearchOptions.optional() }).strict(),
  /** Finds near-duplicate groups as a job (its progress comes as job events); answers when it is done. */
  'duplicates.find': z.object({ threshold: z.number().min(-1).max(2).optional() }).strict(),
  /** The groups found last, as they stand after the moves since; null once the library changed otherwise (Note [Last duplicates kept] in main/duplicates/last-find.ts). */
  'duplicates.last': z.object({}).strict(),
  /** Moves these copies (of the groups found last) to the system trash (main process; Note [Copies named by id]). */
  'duplicates.trash': z.object({ photoIds: selectedIds }).strict(),
} as const;

export type CallName = keyof typeof callSchemas;
export type CallParams<N extends CallName> = z.input<(typeof callSchemas)[N]>;

export interface CatalogueModel {
  id: string;
  name: string;
  repo: string;
  layout: 'immich' | 'hf';
  approxBytes: number;
  quality: string;
  languages: string;
  licence: string;
  dynamicBatch: boolean;
  installed: boolean;
}

export interface InstalledModelInfo {
  id: string;
  dir: string;
  /** What its folder holds on disk, which removing it frees. */
  bytes: number;
  dim: number;
  layout: 'immich' | 'hf';
}

export interface ModelsListing {
  installed: InstalledModelInfo[];
  broken: Array<{ id: string; dir: string; bytes: number; reason: string }>;
  catalogue: CatalogueModel[];
  downloading: string[];
}

export interface SettingsInfo {
  model: string | null;
  provider: string;
}

export interface FolderInfo {
  id: number;
  path: string;
  excludes: string[];
  /** Why the app looks the folder over every few minutes rather than watch it (Note [Looked over where not watched] in main/library/watcher.ts); null while watched, and where nothing watches (the CLI). */
  lookedOver?: string | null;
}

/** What adding folders did: the folders added (those in the library already among them), and each refused with why (Note [Some folders refused] in main/library/library.ts). */
export interface FoldersAddedInfo {
  folders: FolderInfo[];
  refused: Array<{ path: string; reason: string }>;
}

export interface ModelInfo {
  id: string;
  dir: string;
  dim: number;
  layout: 'immich' | 'hf';
  /** Where each tower runs; null for one the app has not started yet (Note [Status starts no tower] in engine.ts). */
  providers: { image: string | null; text: string | null };
}

export interface LibraryInfo {
  photos: number;
  images: number;
  failed: number;
  folders: FolderInfo[];
  /** The model whose embeddings cover the library and serve searches. */
  servingModel: string | null;
  models: Array<{ model: string; embedded: number; missing: number }>;
  /** An index run started and did not finish (stopped, or its process ended): the files it had not reached are not in `missing`. */
  unfinishedRun: boolean;
  index: { model: string; health: 'ready' | 'rebuilding' | 'empty'; vectors: number; embeddings: number } | null;
  /** When the newest backup of the person's own data was made (ms since the epoch; Note [Backups] in main/storage/backups.ts); null before the first. */
  lastBackupAt: number | null;
}

/**
 * Why no model is ready: none is installed, several are and none is chosen, the chosen one
 * (`model`) is not installed any more (`downloadable`: a catalogue model, which a download brings
 * back; else one imported, which its folder imported again does), or it does not load (`message`
 * says why, in the engine's words, which name the CLI's commands; the app words all but the last itself).
 */
export type ModelProblem = { kind: 'none-installed' | 'choose-one' | 'unusable'; message: string } | { kind: 'missing'; model: string; downloadable: boolean; message: string };

/**
 * A damaged library the engine replaced as it opened it, in this run (Note [Salvage first] in
 * main/storage/backups.ts): the kinds of the person's own data taken from the backup made at
 * `backupAt` (changes to them made since may be lost), and those lost, neither read from the
 * damaged file nor in a backup. Both empty: all of it still read from the damaged file.
 */
export interface LibraryRestored {
  /** When the backup it was restored from was made (ms since the epoch); null where there was none. */
  backupAt: number | null;
  fromBackup: RestoredKind[];
  lost: RestoredKind[];
}

/** The kinds of the person's own data a backup keeps (BackupCounts in main/storage/backups.ts). */
export type RestoredKind = 'folders' | 'verdicts' | 'vocabularies' | 'zeroShotTags' | 'albums' | 'albumPhotos';

/** The engine's state: one shape for the app and `lumen status --json`. */
export interface EngineStatus {
  dataDir: string;
  settings: SettingsInfo;
  /** The model new photos are embedded with, or null with `modelProblem` saying why. */
  model: ModelInfo | null;
  modelProblem: ModelProblem | null;
  /** Execution providers installed that can start on this computer (Note [No GPU, no noise] in main/models/session.ts). */
  availableProviders: string[];
  providerChoices: string[];
  /** Null before the first folder is added. */
  library: LibraryInfo | null;
  jobs: JobInfo[];
  /** The library was damaged and restored as this engine opened it, for the window to say so; null when it was not. */
  restored: LibraryRestored | null;
  /** The other Lumen process writing the library now, as it says; null when none is (Note [Another program indexing] in main/engine/index-job.ts). */
  writer: OtherWriterInfo | null;
}

/** A Lumen process holding the library's writer lock (Note [One writer] in main/storage/writer-lock.ts). */
export interface OtherWriterInfo {
  pid: number;
  /** Which program: "the app", "`lumen index`". */
  holder: string;
  /** What it does, to finish "is … this library": "indexing", "tagging", or "using" between jobs. */
  doing: string;
  /** Since when it holds the library (ms since the epoch). */
  since: number;
}

export interface DownloadProgressInfo {
  file: string;
  /** 0-based index of `file` among the `fileCount` files being downloaded. */
  fileIndex: number;
  fileCount: number;
  /** Bytes done / total over all files. */
  bytesDone: number;
  bytesTotal: number;
  /** Network rate, moving average over the last few seconds. */
  bytesPerSecond: number;
  etaSeconds: number | null;
}

/**
 * An index job's progress. Its counts are the whole job's, over every pass it made (asked again
 * while it ran, it goes over the library once more); `phase`, `found`, the rate and the time left
 * are the pass under way's. See Note [A job of several passes] in main/library/job-figures.ts.
 */
export interface IndexProgressInfo {
  phase: 'scanning' | 'indexing' | 'finishing';
  found: number;
  processed: number;
  toProcess: number;
  embedded: number;
  failed: number;
  /** Files written to the library so far, copies included: the photos a run indexed. */
  indexed: number;
  /** Files the library forgot (deleted, or excluded since): known once the run finishes. */
  removed: number;
  /**
   * Files of kinds Lumen does not index (camera RAW, videos) that the job passed over, per kind,
   * each once: no failures (Note [Nothing skipped silently] in main/library/scan.ts). None when absent.
   */
  passedOver?: PassedOver;
  /** Library folders the run could not open at all (moved, deleted, a drive unplugged), which Settings lists: no files, so not among `failed`. None when absent. */
  unreachable?: number;
  imagesPerSecond: number;
  etaSeconds: number | null;
}

export interface TagProgressInfo {
  phase: 'embedding-tags' | 'scoring' | 'exporting';
  done: number;
  total: number;
  perSecond: number;
  etaSeconds: number | null;
}

export interface DuplicateProgressInfo {
  phase: 'calibrating' | 'searching' | 'choosing';
  done: number;
  total: number;
}

export interface OcrProgressInfo {
  total: number;
  done: number;
  /** Photos read in full (with or without text found). */
  read: number;
  withText: number;
  /** Photos the detector gate judged to have no text. */
  skipped: number;
  failed: number;
  perSecond: number;
  etaSeconds: number | null;
}

/** A line of text read in a photo; `box` is [x, y, width, height] as fractions of the upright photo. */
export interface TextLineInfo {
  text: string;
  confidence: number;
  box: [number, number, number, number];
}

export interface PhotoTextInfo {
  lines: TextLineInfo[];
  /** False when the photo has not been read (or the gate skipped it): no text is known. */
  read: boolean;
  /** Not read because a quick look found no text in it. */
  skipped: boolean;
}

export interface TextStatusInfo {
  read: number;
  withText: number;
  skipped: number;
  failed: number;
}

export type JobState = 'running' | 'paused' | 'done' | 'failed' | 'cancelled';

interface JobBase {
  id: string;
  /** What it works on when several can run at once (the model a download fetches). */
  subject: string | null;
  state: JobState;
  /** Why it failed, or why it paused by itself (a full disk: Resume runs it again), for a person. */
  error: string | null;
  /**
   * Started by the app itself, not asked for by the person (the folder watcher's run after a
   * file changed): the window says only what goes wrong in it, and leaves what earlier jobs ask
   * for in place. The engine marks so the watcher's re-scans, the catch-up at launch, and the
   * tagging and text reading it starts after indexing; a job turns false (a new snapshot says so)
   * once the person asks for what it does, as a re-scan asked for while the watcher's runs joins
   * it. See Note [Background jobs] in main/jobs/registry.ts.
   */
  background: boolean;
}

export type JobInfo =
  | (JobBase & { kind: 'index'; progress: IndexProgressInfo | null })
  | (JobBase & { kind: 'download'; progress: DownloadProgressInfo | null })
  | (JobBase & { kind: 'tag' | 'export'; progress: TagProgressInfo | null })
  | (JobBase & { kind: 'duplicates'; progress: DuplicateProgressInfo | null })
  | (JobBase & { kind: 'ocr'; progress: OcrProgressInfo | null });

export interface FailureInfo {
  path: string;
  name: string;
  reason: string;
  /** Why, in the app's words: a sentence that starts with the name. */
  message: string;
  /** The decoder's own words, where it gave some: a detail, never part of `message` (Note [Decoder's words apart] in main/library/failures.ts). */
  detail?: string;
}

export interface Timeline {
  /** Photo ids, newest first. */
  ids: number[];
  /** Width / height of each, for the justified layout. */
  ratios: number[];
  /** Capture time (else file time) of each, ms: clock readings encoded as UTC (Note [Dates as the clock showed] in main/library/decode.ts). */
  takenAt: number[];
  /** File name of each. */
  names: string[];
  /** Library folder of each (FolderInfo.id): what tells photos of one name apart (Note [Photos told apart by folder] in renderer/src/lib/photo-label.ts). */
  folderIds: number[];
  /** Version of each, part of its images' URLs (Note [Photo versions] in main/app/photo-route.ts). */
  versions: number[];
}

/** The library's timeline, or its first photos, with the count of all of them. */
export interface LibraryTimeline extends Timeline {
  /** Photos there are in all (more than `ids` holds when the first ones were asked for). */
  total: number;
}

/** A photo as the grid and results show it. */
export interface PhotoInfo {
  id: number;
  name: string;
  folderId: number;
  takenAt: number;
  width: number;
  height: number;
  format: string;
  /** The image its file shows, which changes when the file is edited in place: part of its images' URLs (Note [Photo versions] in main/app/photo-route.ts). */
  version: number;
}

/**
 * A folder to narrow the library to (the search filter `within`): a library folder (depth 0) or
 * one below it that holds photos, or folders of photos, each after the folder it is in.
 */
export interface FolderChoice {
  /** How the filter names it (never by its path). */
  key: string;
  /** The keys of folders below it that hold the same photos, not listed apart (Note [Folders worth choosing] in main/engine/photo-info.ts). */
  alike: string[];
  path: string;
  /** Folders between it and its library folder, plus one (0 for the library folder itself). */
  depth: number;
  /** Photos in it and its subfolders. */
  photos: number;
}

/** A file type the File type filter offers (main/engine/photo-info.ts, formatChoices): one the library has photos in. */
export interface FormatChoice {
  format: PhotoFormat;
  photos: number;
}

/** A camera the Camera filter offers (main/engine/photo-info.ts, cameraChoices). */
export interface CameraChoice {
  /** As the viewer names it: typed in the filter, it finds the camera's photos. */
  name: string;
  /** Photos taken with it. */
  photos: number;
}

export interface PhotoDetails extends PhotoInfo {
  /** Where it is on disk, to show (never sent back). */
  path: string;
  size: number;
  capturedAt: number | null;
  camera: string | null;
  lens: string | null;
  location: { latitude: number; longitude: number } | null;
  /** Where the same picture's other files are (byte-identical copies), to show. */
  copies: string[];
}

export interface SearchHitInfo extends PhotoInfo {
  score: number;
}

export interface SearchPageInfo {
  results: SearchHitInfo[];
  /** Results that passed the cutoff and filters. */
  total: number;
  /** Photos the relevance cutoff left out: all of them once counted, else at least this many. */
  belowCutoff: number;
  offset: number;
  model: string;
  method: 'index' | 'exact';
  /** Whether `total` and `belowCutoff` are exact; when not, `total` is the results found so far and `search.count` counts them all. */
  counted: boolean;
  /** The query's descriptions longer than the model reads, each as the part of it read; absent when it read them whole. */
  cutShort?: string[];
}

export interface SearchCountInfo {
  total: number;
  belowCutoff: number;
}

export interface TagInfo {
  name: string;
  /** In the vocabulary and switched on (tagging gives it). */
  enabled: boolean;
  inVocabulary: boolean;
  photos: number;
  confirmed: number;
  rejected: number;
  /** A few of its best photos. */
  samples: number[];
}

export interface PhotoTagInfo {
  tag: string;
  source: 'auto' | 'person';
  /** The tagger's probability; null for a tag the person added that it never scored. */
  score: number | null;
}

export interface PhotoTagsInfo {
  photoId: number;
  tags: PhotoTagInfo[];
  rejected: string[];
}

export type VocabularyInfo = z.infer<typeof vocabularyPayload>;

export interface TagPreviewInfo {
  tag: string;
  photos: PhotoInfo[];
  count: number;
  gained: PhotoInfo[];
  lost: PhotoInfo[];
  gainedCount: number;
  lostCount: number;
  milliseconds: number;
}

export interface LabelledReportInfo {
  photos: number;
  confirmed: number;
  rejected: number;
  accuracy: number | null;
  precision: number | null;
  recall: number | null;
  top1: number | null;
  top5: number | null;
  perTag: Record<string, { confirmed: number; rejected: number; recall: number | null; precision: number | null }>;
}

export interface RefinementInfo {
  tag: string;
  status: 'refined' | 'zero-shot' | 'switched-off';
  reason: string;
  confirmed: number;
  rejected: number;
  zeroShot: { precision: number | null; recall: number | null } | null;
  refined: { precision: number | null; recall: number | null } | null;
}

export interface EvaluationInfo {
  edited: LabelledReportInfo;
  saved: LabelledReportInfo;
  /** The edited vocabulary with only its first template, against the ensemble of all. */
  singleTemplate: { template: string; report: LabelledReportInfo } | null;
  refinements: RefinementInfo[];
  /** Why the edited vocabulary measured none of the verdicts, when it measured none (Note [Verdicts not measured]). */
  unmeasured: string | null;
}

export interface AlbumInfo {
  id: string;
  kind: 'folder' | 'saved';
  name: string;
  /** The folder (for a folder album). */
  album: string;
  /** Its pictures: identical copies are one photo (Note [Folder albums count pictures] in main/storage/photo-store.ts). */
  photos: number;
  /** The files they are: more than `photos` where a folder holds identical copies. */
  files: number;
  tags: Array<{ tag: string; photos: number; share: number; meanScore: number }>;
  label: string;
  /** The album's first photos, to show on its card. */
  samples: number[];
}

/** A saved album to pick from a list. */
export type AlbumName = Pick<AlbumInfo, 'id' | 'name'>;

export interface XmpExportInfo {
  written: number;
  unchanged: number;
  /** Photos with no tags and no sidecar, which got none. */
  withoutTags: number;
  skipped: Array<{ path: string; reason: string }>;
}

/** A copy in a near-duplicate group, with what tells copies apart. */
export interface DuplicatePhotoInfo {
  id: number;
  name: string;
  /** Where it is on disk, to show (never sent back). */
  path: string;
  width: number;
  height: number;
  size: number;
  capturedAt: number | null;
  camera: string | null;
  hasLocation: boolean;
  /** Other paths in the library to this very file (Note [One file, many paths] in main/duplicates/same-file.ts), to show: it is never moved to the trash. */
  links: string[];
  /** The names of its XMP sidecars, which go to the trash with it (Note [Sidecars go along] in main/duplicates/trash.ts); none where absent. */
  sidecars?: string[];
  /** Joined to the suggested keep only through other copies: shown, not marked for the trash at first (Note [Marked only beside the keep] in main/duplicates/grouping.ts). */
  joinedThroughOthers?: true;
}

export interface DuplicateGroupInfo {
  /** The photo suggested to keep, and why. */
  keep: number;
  reason: string;
  /** The weakest likeness inside the group on the calibrated scale (1: a typical edited copy); null for byte-identical copies. */
  similarity: number | null;
  /** The one to keep first. */
  photos: DuplicatePhotoInfo[];
}

export interface DuplicatesInfo {
  model: string;
  threshold: number;
  /** Photos compared. */
  images: number;
  groups: DuplicateGroupInfo[];
}

/** The groups the engine found last, less the copies moved to the trash since, with when they were found. */
export interface LastDuplicatesInfo extends DuplicatesInfo {
  /** When that find ended, in milliseconds since the epoch. */
  foundAt: number;
  /** Copies of its groups moved to the trash through the app since. */
  movedToTrash: number;
}

export interface DuplicateTrashInfo {
  /** Paths of the files now in the system trash. */
  trashed: string[];
  /** Their XMP sidecars, moved with them (Note [Sidecars go along] in main/duplicates/trash.ts). */
  sidecars: string[];
  /** Chosen files left where they are, with why. */
  skipped: Array<{ path: string; reason: string }>;
}

export interface CallResults {
  'app.status': EngineStatus;
  'models.list': ModelsListing;
  'models.download': { dir: string };
  'models.cancelDownload': { cancelled: boolean };
  'models.importFromDialog': { id: string; dir: string } | null;
  /** The model removed, and the bytes its folder held. */
  'models.remove': { id: string; bytes: number };
  'settings.update': SettingsInfo;
  /** Null when the person picked nothing. */
  'library.addFromDialog': FoldersAddedInfo | null;
  'library.removeFolder': { removed: boolean };
  'library.setExcludes': FolderInfo;
  'library.index': { jobId: string };
  'library.failures': FailureInfo[];
  'library.readText': { jobId: string };
  'library.textStatus': TextStatusInfo;
  'jobs.pause': JobInfo;
  'jobs.resume': JobInfo;
  'jobs.cancel': JobInfo;
  'jobs.dismiss': { dismissed: boolean };
  'photos.timeline': LibraryTimeline;
  'photos.get': PhotoInfo[];
  'photos.details': PhotoDetails;
  'photos.folders': FolderChoice[];
  'photos.cameras': CameraChoice[];
  'photos.formats': FormatChoice[];
  'photos.text': PhotoTextInfo;
  'photos.reveal': { shown: boolean };
  'photos.open': { opened: boolean };
  'tags.list': TagInfo[];
  'tags.photos': Timeline;
  'tags.run': { jobId: string };
  'tags.ofPhoto': PhotoTagsInfo;
  /**
   * How many photos the verdict was given on; the photo's tags when it was one (the viewer's); and
   * `before`, those of the photos that had the tag confirmed (or added) by the person and those it
   * was rejected on, read as it was given: what its Undo gives back.
   */
  'tags.verdict': { given: number; photo: PhotoTagsInfo | null; before: { confirmed: number[]; rejected: number[] } };
  'tags.setRefinement': RefinementInfo[];
  'vocabulary.get': { vocabulary: VocabularyInfo; isDefault: boolean };
  'vocabulary.save': { vocabulary: VocabularyInfo; jobId: string };
  'vocabulary.reset': { vocabulary: VocabularyInfo; jobId: string };
  'vocabulary.import': { vocabulary: VocabularyInfo; jobId: string };
  'vocabulary.export': { json: string };
  'vocabulary.preview': TagPreviewInfo;
  'vocabulary.evaluate': EvaluationInfo;
  'albums.list': AlbumInfo[];
  'albums.names': AlbumName[];
  'albums.photos': Timeline;
  'albums.save': AlbumInfo;
  'albums.rename': AlbumInfo;
  /** Photos counted as an album counts them, by image: two copies of a photo are one. */
  'albums.add': { album: AlbumInfo; added: number; already: number };
  'albums.remove': { album: AlbumInfo; removed: number };
  'albums.delete': { deleted: boolean };
  'xmp.export': XmpExportInfo;
  'search.query': SearchPageInfo;
  'search.count': SearchCountInfo;
  'search.similar': SearchPageInfo;
  'search.image': SearchPageInfo;
  'duplicates.find': DuplicatesInfo;
  'duplicates.last': LastDuplicatesInfo | null;
  'duplicates.trash': DuplicateTrashInfo;
}

export type AppEvent =
  | { type: 'job'; job: JobInfo }
  /** Photos were added, changed or removed, or folders came or went: the grid and the status should refresh. */
  | { type: 'library-changed' }
  /** An index run under way stored more photos: the grid may show them (Note [Photos as they index]). */
  | { type: 'photos-stored' }
  /** A saved album was saved, renamed, added to, taken from or deleted, in any window: every window's albums follow (Note [Albums followed] in main/engine/calls.ts). */
  | { type: 'albums-changed' }
  /** The model or provider chosen changed, in any window: every window reads the status and models again (Note [Settings followed] in main/engine/engine.ts). */
  | { type: 'settings-changed' };

/**
 * Note [Events are checked]: events come from the engine process; the main process checks each
 * against this schema before relaying it to windows, and drops (and logs) anything else.
 */
export const eventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('job'),
    job: z.object({
      id: z.string(),
      kind: z.enum(['index', 'download', 'tag', 'export', 'duplicates', 'ocr']),
      subject: z.string().nullable(),
      state: z.enum(['running', 'paused', 'done', 'failed', 'cancelled']),
      error: z.string().nullable(),
      progress: z.record(z.string(), z.unknown()).nullable(),
      background: z.boolean(),
    }).strict(),
  }).strict(),
  z.object({ type: z.literal('library-changed') }).strict(),
  z.object({ type: z.literal('photos-stored') }).strict(),
  z.object({ type: z.literal('albums-changed') }).strict(),
  z.object({ type: z.literal('settings-changed') }).strict(),
]);

/** A failed call, as the renderer sees it: a message a person can act on. */
export interface CallError {
  code: string;
  message: string;
}

export type CallOutcome<N extends CallName> = { ok: true; value: CallResults[N] } | { ok: false; error: CallError };

export type PhotoImageKind = 'thumbnail' | 'preview' | 'original';

/** What preload exposes on `window.lumen`. */
export interface LumenApi {
  call<N extends CallName>(name: N, params: CallParams<N>): Promise<CallOutcome<N>>;
  /** Subscribes to app events; returns the unsubscribe function. */
  onEvent(listener: (event: AppEvent) => void): () => void;
  /** Where a photo's image is served, by id (see main/app/photo-route.ts), as it is at `version` when given (Note [Photo versions] there). */
  photoUrl(photoId: number, kind: PhotoImageKind, version?: number): string;
  /**
   * Adds folders dropped on the window (see Note [Dropped folders] in preload/index.ts); absent
   * where the page cannot learn where a dropped folder is (preview mode in a browser).
   */
  addDroppedFolders?(files: readonly File[]): Promise<CallOutcome<'library.addFromDialog'>>;
}

export const IPC_CALL = 'lumen:call';
export const IPC_EVENT = 'lumen:event';
export const IPC_DROPPED_FOLDERS = 'lumen:dropped-folders';


/**
 * The first step of an index run: what is on disk, and what of it needs work.
 *
 * A run over part of the library (Note [Re-scan where it changed] in scope.ts) walks the folders
 * asked for; `missedKnown` then says whether a file the library knows there is gone, which sends
 * the run over the whole library instead, where a move is told from a deletion.
 */
import path from 'node:path';
import { isInside } from '../core/paths.js';
import type { EmbeddingStore } from '../storage/embedding-store.js';
import type { FailedFile, FolderRow, KnownFile, LibraryStore } from '../storage/library-store.js';
import { isEmpty } from './folder-presence.js';
import { LASTING_REASONS, NOT_PHOTOS, PHOTO_EXTENSIONS, passedOverKind } from './formats.js';
import { sniffFile } from './identity.js';
import type { PassedOverKind } from './photo-kinds.js';
import { scanFolder, type ScanProblem, type ScannedFile } from './scan.js';
import { walkStarts, type IndexScope } from './scope.js';

/** A file as the walk found it, in the library folder `folderId`. */
type FoundFile = ScannedFile & { folderId: number };

/** `previousImageId`: the image a known path showed before it changed (Note [Edited in place] in indexer.ts). */
export type WorkItem = (FoundFile & { kind: 'new'; previousImageId: number | null }) | (FoundFile & { kind: 'reembed'; imageId: number });

export interface Walk {
  /** Per library folder walked, the folders under it walked, or undefined for all of it. */
  walked: Map<FolderRow, string[] | undefined>;
  /** Per library folder, the files found: what the run ends with. */
  present: Map<number, Set<string>>;
  /** Per library folder, what the walk could not enter: nothing there is taken for deleted. */
  unwalked: Map<number, string[]>;
  /** What the walk found but cannot index (Note [Nothing skipped silently] in scan.ts). */
  problems: Array<FailedFile & { reason: ScanProblem['reason'] }>;
  /** Library folders that could not be opened at all (Note [A folder out of reach]): listed as failures, but no file's. */
  unreachable: Array<FailedFile & { reason: ScanProblem['reason'] }>;
  /** Other libraries' data folders the walk left out (Note [Other libraries] in data-folder.ts). */
  otherLibraries: string[];
  work: WorkItem[];
  unchanged: number;
  /** A file the library knows where the walk went is gone (deleted, or moved perhaps where it did not go). */
  missedKnown: boolean;
  /** Per library folder, files indexed and unchanged whose failure is on record (they could not be read for a while): it is out of date. */
  recovered: Map<number, string[]>;
}

export interface WalkContext {
  store: LibraryStore;
  embeddings: EmbeddingStore;
  modelId: string;
  /** Lumen's own data folder: never walked. */
  dataDir: string;
  /** Awaited before each folder (ScanOptions.checkpoint): a pause holds the walk, a cancel stops it. */
  checkpoint: () => Promise<void>;
  retryFailed: boolean;
  /** Called for each file found (progress). */
  onFound: () => void;
  /** Called for each file of a kind Lumen does not index that it counts (Note [Nothing skipped silently] in scan.ts). */
  onPassedOver: (file: string, kind: PassedOverKind) => void;
}

/**
 * The size and times of a failure no file's stat stands behind (a folder out of reach, an entry the
 * walk could not open, or one that is no file): none is known, so its ctime is null, as for a file
 * indexed before ctimes were (Note [Change time]).
 */
export const NOT_STATTED = { size: 0, mtimeMs: 0, ctimeMs: null } as const;

/** Walks `folders`, or only the part of them `within` names; what it finds is compared with what the library knows. */
export async function walkLibrary(context: WalkContext, folders: readonly FolderRow[], within: IndexScope | undefined): Promise<Walk> {
  const { store, embeddings, modelId } = context;
  const result: Walk = { walked: new Map(), present: new Map(), unwalked: new Map(), problems: [], unreachable: [], otherLibraries: [], work: [], unchanged: 0, missedKnown: false, recovered: new Map() };
  for (const folder of folders) {
    const changed = within ? within.get(folder.id) : [folder.path];
    if (!changed) continue;
    const starts = await walkStarts(folder.path, changed);
    result.walked.set(folder, starts.length === 1 && starts[0] === folder.path ? undefined : starts);
  }
  // Known state comes from SQLite in one query per folder, so a re-scan costs one stat per file; a
  // walk of part of the library asks only about the images it meets.
  const embeddedIds = within ? null : embeddings.imageIds(modelId);
  const isEmbedded = (imageId: number) => embeddedIds?.has(imageId) ?? embeddings.has(modelId, imageId);
  for (const [folder, starts] of result.walked) {
    const seen = new Set<string>();
    const knownFiles = await store.knownFiles(folder.id, starts);
    const knownFailures = store.knownFailures(folder.id);
    result.present.set(folder.id, seen);
    const unwalked: string[] = [];
    result.unwalked.set(folder.id, unwalked);
    const recovered: string[] = [];
    result.recovered.set(folder.id, recovered);
    const changeTimesFirstSeen: Array<{ path: string; ctimeMs: number }> = [];
    for (const start of starts ?? [folder.path]) {
      const scan = scanFolder(start, {
        excludes: folder.excludes,
        base: folder.path,
        skip: context.dataDir,
        checkpoint: context.checkpoint,
        onOtherLibrary: (dir) => result.otherLibraries.push(dir),
        onProblem: (problem) => {
          if (problem.path === folder.path && problem.unwalked === folder.path) {
            unwalked.push(folder.path);
            result.unreachable.push({ path: folder.path, folderId: folder.id, ...NOT_STATTED, reason: problem.reason, message: outOfReach(folder.path, problem.code, knownFiles.size) });
            return;
          }
          if (problem.unwalked !== null) unwalked.push(problem.unwalked);
          // A pipe or a badly named file that is clearly no photo (`notes.txt`) is not worth a report.
          else if (NOT_PHOTOS.has(path.extname(problem.path).toLowerCase())) return;
          result.problems.push({ path: problem.path, folderId: folder.id, ...NOT_STATTED, reason: problem.reason, message: problem.message });
        },
      });
      for await (const file of scan) {
        context.onFound();
        const extension = path.extname(file.path).toLowerCase();
        if (NOT_PHOTOS.has(extension)) {
          const kind = passedOverKind(extension);
          if (kind) context.onPassedOver(file.path, kind);
          continue;
        }
        const known = knownFiles.get(file.path);
        const state = known && compared(known, file);
        const unchanged = state === 'same' || state === 'change-time-unknown';
        if (state === 'change-time-unknown') changeTimesFirstSeen.push({ path: file.path, ctimeMs: file.ctimeMs });
        // Only files that may be photos count in the run's total (Note [What a run counts] in indexer.ts).
        if (!unchanged && !PHOTO_EXTENSIONS.has(extension) && !(await mayBePhoto(file.path))) continue;
        seen.add(file.path);
        // A file's own defect lasts until it changes (Note [Failures that last] in formats.ts), for a new model's embedding too.
        const failed = knownFailures.get(file.path);
        const failedForGood = !context.retryFailed && failed !== undefined && LASTING_REASONS.has(failed.reason) && compared(failed, file) !== 'changed';
        if (known && unchanged) {
          if (!isEmbedded(known.imageId)) {
            if (!failedForGood) result.work.push({ kind: 'reembed', folderId: folder.id, ...file, imageId: known.imageId });
          } else {
            result.unchanged++;
            if (failed) recovered.push(file.path);
          }
          continue;
        }
        if (failedForGood) continue;
        result.work.push({ kind: 'new', folderId: folder.id, ...file, previousImageId: known?.imageId ?? null });
      }
    }
    await store.recordChangeTimes(changeTimesFirstSeen);
    // Found empty where photos were indexed: a drive not mounted, perhaps (Note [Drive not mounted]).
    if (starts === undefined && seen.size === 0 && knownFiles.size > 0 && unwalked.length === 0 && (await isEmpty(folder.path)) === true) {
      unwalked.push(folder.path);
      const one = knownFiles.size === 1;
      const message = `${folder.path} is empty, but ${one ? 'a photo was' : `${knownFiles.size} photos were`} indexed there: is its drive not mounted? ${one ? 'It is' : 'They are'} kept until it is back; remove the folder from the library to forget ${one ? 'it' : 'them'}.`;
      result.unreachable.push({ path: folder.path, folderId: folder.id, ...NOT_STATTED, reason: 'unreadable', message });
    }
    result.missedKnown ||= [...knownFiles.keys()].some((file) => !seen.has(file) && !unwalked.some((dir) => isInside(file, dir)));
  }
  return result;
}

/**
 * Note [Change time]: a file's size and mtime do not say that its content is the same: an editor
 * that keeps the time, `cp -p`, `rsync -t` and `touch -r` write new content under the old
 * mtime, and at the old size (a rotation, a fixed date) it was never read again, its embedding,
 * tags and text those of the old content, and moved later it was taken for a new photo, its
 * confirmed tags lost with the old image. Its ctime tells: any write or change of its entry sets
 * it, and common tools cannot set it back. A known file whose ctime alone differs (an edit, or a chmod,
 * a rename on some filesystems, a restore) is read again as a changed one: the same content keeps
 * its image, tags and embedding, linked without a decode (a file touched: Note [What a run
 * counts] in indexer.ts), another is new content at a known path (Note [Edited in place]). The
 * ctime comes from the stat the walk makes anyway, so a re-scan still costs one stat per file.
 * Files indexed before ctimes were recorded have none (NULL): taking that for a change would
 * read every byte of the library again on the first run after an upgrade (hours for a large one
 * on a network share), for the rare file edited under its old time before then. So their ctime
 * is recorded as the walk first meets them unchanged, and only a change after that is seen. A
 * failure that lasts until its file changes (Note [Failures that last] in formats.ts) is compared
 * so too; one recorded before ctimes were lasts until its size or mtime changes, as it did. The
 * ctime also moves where nothing was written: macOS sets attributes on a photo opened in Preview,
 * and a cloud drive (iCloud's Optimize Storage, OneDrive's Free up space) evicts a file's content,
 * which reading it whole would download again, at each eviction. A file whose content is not on
 * the disk is therefore not read for its ctime alone: it keeps the ctime recorded, and is read
 * once its content is back.
 */
function compared(known: Pick<KnownFile, 'size' | 'mtimeMs' | 'ctimeMs'>, file: ScannedFile): 'same' | 'change-time-unknown' | 'changed' {
  if (known.size !== file.size || known.mtimeMs !== file.mtimeMs) return 'changed';
  if (known.ctimeMs === null || (file.offline && known.ctimeMs !== file.ctimeMs)) return 'change-time-unknown';
  return known.ctimeMs === file.ctimeMs ? 'same' : 'changed';
}

/**
 * Note [A folder out of reach]: a library folder that cannot be opened at all (moved, deleted, its
 * drive unplugged; its permissions changed) is no file's defect, and was reported as one: "1
 * failed", with the system's "Cannot open folder …: ENOENT", and a run that exited 0. It is said
 * in words, with the photos kept (Note [Unreachable folders] in indexer.ts); it stays on the list
 * of failures the app shows in Settings, but a run does not count it among the files it could not
 * index, and the command line's run, which indexes the rest, then ends with a non-zero status,
 * as a run that cannot go on does (Note [A run that cannot go on] in failures.ts).
 */
export function outOfReach(folder: string, code: string | undefined, photos: number): string {
  const why = code === 'ENOENT' || code === 'ENOTDIR' ? 'is gone (moved, deleted, or its drive not mounted)' : code === 'EACCES' || code === 'EPERM' ? 'cannot be read: permission denied' : `cannot be read (${code ?? 'an unknown error'})`;
  const kept = photos === 0 ? '' : `; its ${photos === 1 ? 'photo is' : `${photos} photos are`} kept`;
  return `The folder ${folder} ${why}${kept}.`;
}

/** Whether `file` shows an image by its first bytes, or cannot be read to tell: the run then tries it, and says why it failed. */
async function mayBePhoto(file: string): Promise<boolean> {
  try {
    return (await sniffFile(file)) !== null;
  } catch {
    return true;
  }
}

/**
 * Note [Drive not mounted]: on Linux a drive's mount point (`/mnt/photos`) stays behind as an
 * empty folder while the drive is not mounted, so a library folder there looks as if every photo
 * in it was deleted. A library folder with nothing in it at all, where photos were indexed, is
 * taken for that: as for a folder that cannot be read (Note [Unreachable folders] in indexer.ts)
 * its photos are kept, and the run says why, as of a folder out of reach (Note [A folder out of
 * reach]): no file's failure. A person who empties a folder on purpose keeps its
 * photos listed as a person who deletes it does, until the folder leaves the library. (A run
 * that finds it emptied while it goes on does the same: Note [A drive gone mid-run].)
 */

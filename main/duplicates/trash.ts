/**
 * Moving confirmed copies to the system trash.
 *
 * Note [Never delete]: Lumen never deletes or moves an original on its own. Copies go to the
 * system trash (undoable from there) and only in two steps: `planTrash` lists exactly which files
 * would go and refuses any that would leave a group with no copy at all; the person confirms that
 * list; `executeTrash` moves only the listed files, each only if it is still the file that was
 * shown (same size and modification time), through the `moveToTrash` the caller injects
 * (Electron's `shell.trashItem` in the app). There is no code path that unlinks a photo.
 *
 * Note [Sidecars go along]: a copy's XMP sidecar (written by Lumen or any other app) describes
 * that copy alone; left behind, it describes nothing. So it goes to the trash with its photo, by
 * the same rules (still the file that was there when the plan was made), and only once its photo
 * has gone: the sidecars Lumen writes (`sidecarPath`), `IMG_1.jpg.xmp`, or `IMG_1.xmp` when no
 * other file of the folder has that stem (a raw file beside a JPEG shares it). The photo's part of
 * the name must match exactly: `IMG_1.JPG.xmp` is another file's, where names differ in case.
 *
 * Note [Exact copies compared]: files of one content (one image) are shown as identical files,
 * which a person does not compare by eye; they are taken to be one content by their hashes
 * (Note [Same start, other content] in main/library/identity.ts), and a library indexed before
 * whole files were hashed may have joined files that differ. So before a chosen copy goes, it is
 * compared byte by byte with each copy of its content the group keeps; where one differs, or none
 * can be read to compare, nothing of its group moves, and the person is told why. A copy that
 * differs is read again by the re-scan that follows (`differing`): hashed whole, it becomes a photo
 * of its own.
 */
import type { Stats } from 'node:fs';
import { lstat, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { messageOf, UserError } from '../core/errors.js';
import { stillAsRecorded } from '../core/file-stamp.js';
import { SIDECAR_STYLES, sidecarPath } from '../tags/xmp.js';
import { sameBytes } from './same-bytes.js';
import type { DuplicateGroup, DuplicatePhoto } from './finder.js';

interface FileState {
  path: string;
  size: number;
  mtimeMs: number;
}

/** A copy in a duplicate group, with its size and modification time when the groups were found, and the content it showed (Note [Exact copies compared]). */
export type Copy = FileState & { content?: string };

export interface TrashPlanFile extends FileState {
  /** Its XMP sidecars, which go with it (Note [Sidecars go along]). */
  sidecars: FileState[];
}

export interface TrashPlan {
  files: TrashPlanFile[];
  /** Chosen files that will not be moved, with why. */
  refused: Array<{ path: string; reason: string }>;
  /** One line for the confirmation: "Move 3 files to the trash: a.jpg, b.jpg, c.jpg". */
  summary: string;
  /** Chosen copies whose bytes differ from a kept copy of their content: to be read again (Note [Exact copies compared]). */
  differing: string[];
}

/** What became of a planned file, or of a sidecar (`sidecarOf` its photo). */
export type TrashOutcome = { path: string; outcome: 'trashed'; sidecarOf?: string } | { path: string; outcome: 'skipped'; reason: string; sidecarOf?: string };

const LAST_COPY = 'no other copy of its group is still there; it is the last one';
/** Where the copies a group keeps left the library, or cannot be reached (Note [Only the library's files]): not the last copy, so the person can act. */
const KEPT_MOVED = 'the copy you keep moved since the duplicates were found; find duplicates again';
const KEPT_OUT_OF_REACH = 'the copy you keep is not where it was (on a drive that is not connected, or moved or deleted since); connect its drive, or find duplicates again';
const CHANGED_SINCE = 'it changed since the duplicates were found; find duplicates again';
const OTHERS_CHANGED = 'the other copies of its group changed since the duplicates were found; find duplicates again';

/** A folder's names as the sidecar rules read them (Note [Sidecars go along]), gathered once per folder. */
export interface FolderNames {
  /** XMP files (`.xmp` in any case) by the name before that extension, exactly. */
  sidecars: Map<string, string[]>;
  /** The files that are not XMP by stem, ignoring case. */
  stems: Map<string, string[]>;
}

export function folderNames(names: readonly string[]): FolderNames {
  const folder: FolderNames = { sidecars: new Map(), stems: new Map() };
  for (const name of names) {
    const extension = path.extname(name);
    const stem = name.slice(0, name.length - extension.length);
    if (extension.toLowerCase() === '.xmp') folder.sidecars.set(stem, [...(folder.sidecars.get(stem) ?? []), name]);
    else folder.stems.set(stem.toLowerCase(), [...(folder.stems.get(stem.toLowerCase()) ?? []), name]);
  }
  return folder;
}

/**
 * The other files of `file`'s folder with its stem (`IMG_1.CR2` beside `IMG_1.jpg`): where there
 * is one, `IMG_1.xmp` is no one file's (Note [Sidecars go along]).
 */
export function sharingStem(file: string, folder: FolderNames): string[] {
  const name = path.basename(file);
  return (folder.stems.get(path.parse(name).name.toLowerCase()) ?? []).filter((other) => other !== name);
}

/** The names of `file`'s sidecars in its folder (Note [Sidecars go along]). */
export function sidecarNames(file: string, folder: FolderNames): string[] {
  const found = new Set<string>();
  for (const style of SIDECAR_STYLES) {
    if (style === 'xmp' && sharingStem(file, folder).length > 0) continue;
    const before = path.basename(sidecarPath(file, style)).slice(0, -'.xmp'.length);
    for (const name of folder.sidecars.get(before) ?? []) found.add(name);
  }
  return [...found];
}

/** A folder's names as the sidecar rules read them, read once per folder; an unreadable folder has none. */
export function folderListings(): (folder: string) => Promise<FolderNames> {
  return readOnce((folder) => readdir(folder).then(folderNames, () => folderNames([])));
}

/** `read`, asked once per path: a plan looks at each file and folder as it was once. */
function readOnce<T>(read: (file: string) => Promise<T>): (file: string) => Promise<T> {
  const known = new Map<string, Promise<T>>();
  return (file) => {
    let reading = known.get(file);
    if (!reading) known.set(file, (reading = read(file)));
    return reading;
  };
}

/**
 * A chosen copy of `group` whose bytes differ from a kept copy of its content (with that kept
 * copy), or that no kept copy of its content could be read to compare with (Note [Exact copies
 * compared]); null where every chosen copy is the same as a kept one.
 */
async function notExactCopy(group: readonly Copy[], wanted: ReadonlySet<string>): Promise<{ copy: string; kept: string | null } | null> {
  for (const copy of group) {
    if (!wanted.has(copy.path) || copy.content === undefined) continue;
    const kept = group.filter((member) => !wanted.has(member.path) && member.content === copy.content);
    let compared = kept.length === 0;
    for (const member of kept) {
      const same = await sameBytes(copy.path, member.path);
      if (same === false) return { copy: copy.path, kept: member.path };
      compared ||= same === true;
    }
    if (!compared) return { copy: copy.path, kept: null };
  }
  return null;
}

/**
 * The files of `chosen` that may go to the trash: each must be a copy in one of `groups`, be the
 * regular file it was when the groups were found, hold the same bytes as the copies of its
 * content its group keeps (Note [Exact copies compared]), and leave at least one copy of its
 * group behind: one that was not chosen and is still there unchanged (copies moved earlier from
 * the same groups do not count).
 */
export async function planTrash(groups: ReadonlyArray<readonly Copy[]>, chosen: readonly string[]): Promise<TrashPlan> {
  const groupOf = new Map<string, { known: Copy; group: Copy[] }>();
  for (const group of groups) {
    const resolved = group.map((member) => ({ ...member, path: path.resolve(member.path) }));
    for (const member of resolved) groupOf.set(member.path, { known: member, group: resolved });
  }
  const wanted = new Set(chosen.map((file) => path.resolve(file)));
  const stat = readOnce((file): Promise<Stats | null> => lstat(file).catch(() => null));
  const realPath = readOnce((file): Promise<string | null> => realpath(file).catch(() => null));
  const namesIn = folderListings();
  const files: TrashPlanFile[] = [];
  const refused: TrashPlan['refused'] = [];
  const differing = new Map<readonly Copy[], { copy: string; kept: string | null } | null>();
  for (const file of wanted) {
    const found = groupOf.get(file);
    if (!found) {
      refused.push({ path: file, reason: 'it is not a copy in any duplicate group' });
      continue;
    }
    const { known, group } = found;
    if (!differing.has(group)) differing.set(group, await notExactCopy(group, wanted));
    const notExact = differing.get(group);
    if (notExact) {
      refused.push({ path: file, reason: notExactReason(notExact, file) });
      continue;
    }
    const others = group.filter((member) => !wanted.has(member.path));
    if (others.length === 0) {
      refused.push({ path: file, reason: group.length > 1 ? 'every copy of its group was chosen; keep at least one' : LAST_COPY });
      continue;
    }
    const info = await stat(file);
    if (!info?.isFile()) {
      refused.push({ path: file, reason: info ? 'it is not a regular file' : 'it is no longer there' });
      continue;
    }
    if (!stillAsRecorded(known, info)) {
      refused.push({ path: file, reason: CHANGED_SINCE });
      continue;
    }
    // A copy reached through a linked folder may be this very file (Note [Symlinks] in scan.ts): it goes with it.
    const real = await realPath(file);
    const left = (await Promise.all(others.map(async (member) => ((await realPath(member.path)) === real ? [] : [{ member, info: await stat(member.path) }])))).flat();
    if (!left.some(({ member, info }) => stillAsRecorded(member, info))) {
      refused.push({ path: file, reason: left.length === 0 ? LAST_COPY : left.some(({ info }) => info?.isFile()) ? OTHERS_CHANGED : KEPT_OUT_OF_REACH });
      continue;
    }
    const sidecars: FileState[] = [];
    for (const name of sidecarNames(file, await namesIn(path.dirname(file)))) {
      const sidecar = path.join(path.dirname(file), name);
      const state = await stat(sidecar);
      if (state?.isFile()) sidecars.push({ path: sidecar, size: state.size, mtimeMs: Math.floor(state.mtimeMs) });
    }
    files.push({ path: file, size: info.size, mtimeMs: Math.floor(info.mtimeMs), sidecars });
  }
  const names = files.map((file) => path.basename(file.path));
  const listed = names.length > 10 ? `${names.slice(0, 10).join(', ')} and ${names.length - 10} more` : names.join(', ');
  const sidecarCount = files.reduce((sum, file) => sum + file.sidecars.length, 0);
  const along = sidecarCount ? ` (with ${sidecarCount === 1 ? 'its XMP sidecar' : `${sidecarCount} XMP sidecars`})` : '';
  const summary = files.length ? `Move ${files.length} file${files.length > 1 ? 's' : ''}${along} to the trash: ${listed}` : 'Nothing to move to the trash';
  const differs = [...differing.values()].flatMap((notExact) => (notExact?.kept ? [notExact.copy] : []));
  return { files, refused, summary, differing: differs };
}

/** Why `file` stays, where a copy of its group is not the same as a kept one (Note [Exact copies compared]). */
function notExactReason(notExact: { copy: string; kept: string | null }, file: string): string {
  const which = notExact.copy === file ? 'it' : `${path.basename(notExact.copy)} of its group`;
  if (notExact.kept === null) return `${which} could not be compared with a copy kept (none could be read); nothing of this group was moved`;
  return `${which} differs from ${path.basename(notExact.kept)} byte for byte, though Lumen took them for identical files; nothing of this group was moved. Lumen reads it again now and keeps it as a photo of its own: find duplicates again after`;
}

/**
 * Moves the files of a confirmed `plan` to the trash with `moveToTrash`, one at a time, and says
 * what happened to each. A file that changed since the plan was made is left where it is, and so
 * is every file not yet moved when `signal` aborts.
 */
export async function executeTrash(plan: TrashPlan, moveToTrash: (file: string) => Promise<void>, signal?: AbortSignal): Promise<TrashOutcome[]> {
  const outcomes: TrashOutcome[] = [];
  /** Moves `file` if it is still as planned; true once it is in the trash. */
  const move = async (file: FileState, sidecarOf?: string): Promise<boolean> => {
    const of = sidecarOf === undefined ? {} : { sidecarOf };
    const info = await lstat(file.path).catch(() => null);
    if (!info?.isFile()) {
      outcomes.push({ path: file.path, outcome: 'skipped', reason: 'it is no longer there', ...of });
    } else if (!stillAsRecorded(file, info)) {
      outcomes.push({ path: file.path, outcome: 'skipped', reason: sidecarOf === undefined ? 'it changed after you confirmed; look at the group again' : 'this XMP sidecar changed after you confirmed; it stays', ...of });
    } else {
      try {
        await moveToTrash(file.path);
        outcomes.push({ path: file.path, outcome: 'trashed', ...of });
        return true;
      } catch (error) {
        outcomes.push({ path: file.path, outcome: 'skipped', reason: `the trash refused it: ${messageOf(error)}`, ...of });
      }
    }
    return false;
  };
  for (const file of plan.files) {
    if (signal?.aborted) {
      outcomes.push({ path: file.path, outcome: 'skipped', reason: 'cancelled before it was moved' });
      continue;
    }
    // A sidecar goes only after its photo (Note [Sidecars go along]): one left where it was still describes a photo there.
    if (await move(file)) for (const sidecar of file.sidecars) await move(sidecar, file.path);
  }
  return outcomes;
}

/** Copies to move, with the groups they belong to (what planTrash checks them against). */
export interface TrashSelection {
  groups: Copy[][];
  chosen: string[];
  /** Chosen copies left out before planning, with why. */
  refused?: Array<{ path: string; reason: string }>;
}

export interface TrashResult {
  trashed: string[];
  /** XMP sidecars moved with them (Note [Sidecars go along]). */
  sidecars: string[];
  /** Chosen files left where they are, with why. */
  skipped: Array<{ path: string; reason: string }>;
  /** Chosen copies whose bytes differ from a kept copy of their content, which the library is to read again (Note [Exact copies compared]). */
  differing: string[];
}

/**
 * The files of photos `photoIds` in `groups` (the groups found last), with their groups.
 *
 * Note [Copies named by id]: the app's renderer never sends a path (Note [No paths from the
 * renderer]); it names the copies to move by photo id, and only photos of the groups the engine
 * found last can be named. Their whole groups come along, so that planTrash can refuse to move
 * the last copy of one.
 *
 * Note [Only the library's files]: the groups are a picture of the library when they were found.
 * A copy whose photo has left the library since (its folder removed or excluded, the file moved)
 * is no longer Lumen's to move, whatever the page still shows: `now` says where each photo is in
 * the library now, and only copies still there at the path shown are chosen, or count as the copy
 * a group keeps. Where the copies a group keeps all left but their content is in the library at
 * another path (renamed or moved), a chosen copy is refused as one whose kept copy moved, not as
 * the last one.
 */
export function selectCopies(groups: readonly DuplicateGroup[], photoIds: readonly number[], now: LibraryNow): TrashSelection {
  const byId = new Map<number, { photo: DuplicatePhoto; group: DuplicateGroup }>();
  for (const group of groups) for (const photo of group.photos) byId.set(photo.photoId, { photo, group });
  const inLibrary = libraryHas(now);
  const wanted = new Set(photoIds);
  const keptCopyMoved = (group: DuplicateGroup): boolean => {
    const kept = group.photos.filter((photo) => !wanted.has(photo.photoId));
    // A kept copy's links show its content too (Note [One file, many paths] in same-file.ts).
    const shown = new Set(group.photos.flatMap((photo) => [photo.path, ...(photo.links ?? [])]));
    return kept.length > 0 && !kept.some(inLibrary) && kept.some((photo) => now.pathsShowing(photo.contentHash).some((file) => !shown.has(file)));
  };
  const chosen: string[] = [];
  const refused: Array<{ path: string; reason: string }> = [];
  const involved = new Set<DuplicateGroup>();
  for (const photoId of photoIds) {
    const found = byId.get(photoId);
    if (!found) throw new UserError('not-found', `Photo #${photoId} is not in the near-duplicate groups found last. Find duplicates again, then choose the copies to move.`);
    if (!inLibrary(found.photo)) {
      refused.push({ path: found.photo.path, reason: 'it is no longer in the library (it was deleted or moved, or its folder was removed or excluded); find duplicates again' });
      continue;
    }
    // Moving it would break its links, or free nothing where they are hard links (Note [One file, many paths]).
    const links = found.photo.links?.length ?? 0;
    if (links > 0) {
      refused.push({ path: found.photo.path, reason: `it is the file ${links === 1 ? 'a link' : `${links} links`} in your library lead${links === 1 ? 's' : ''} to; move another copy instead` });
      continue;
    }
    if (keptCopyMoved(found.group)) {
      refused.push({ path: found.photo.path, reason: KEPT_MOVED });
      continue;
    }
    chosen.push(found.photo.path);
    involved.add(found.group);
  }
  // The content goes along only where copies share it: those are compared (Note [Exact copies compared]).
  const members = (group: DuplicateGroup): Copy[] =>
    group.photos.filter(inLibrary).map((photo) => {
      const shared = group.photos.filter((other) => other.contentHash === photo.contentHash).length > 1;
      return { path: photo.path, size: photo.fileSize, mtimeMs: photo.mtimeMs, ...(shared ? { content: photo.contentHash } : {}) };
    });
  return { groups: [...involved].map(members), chosen, refused };
}

/** The library as it is now, as moving copies of the groups found last reads it. */
export interface LibraryNow {
  /** Where photo `photoId` is in the library now; undefined once it left. */
  pathOf(photoId: number): string | undefined;
  /** The files in the library that show `contentHash` now. */
  pathsShowing(contentHash: string): readonly string[];
}

/** Whether a copy is still in the library at the path shown (Note [Only the library's files]). */
function libraryHas(now: LibraryNow): (photo: DuplicatePhoto) => boolean {
  return (photo) => now.pathOf(photo.photoId) === photo.path;
}

/**
 * For each of `moved` (copies of `groups`, the groups found last, now in the trash) whose content
 * no other file in the library shows: that content, and the copy its group keeps.
 *
 * Note [What a moved copy leaves]: albums and tag verdicts belong to an image (a content), and
 * near-duplicates are different images, so a copy moved to the trash would take the person's
 * albums and verdicts with it when the re-scan forgets its image. As an edited photo's go to its
 * new content (Note [Edited in place] in main/library/indexer.ts), a moved copy's go to the copy
 * its group keeps: the suggested keep, or else the first other copy not moved and still in the
 * library where it was shown. It joins every album the moved copy was in, and takes each verdict
 * on a tag it has no verdict of its own on. Before anything moves, the verdicts and albums of the chosen
 * copies are remembered by content, as a backup's are (restored_verdicts, restored_album_images):
 * the watcher's re-scan may forget a moved copy before the move ends, and a copy put back from
 * the trash gets them back as it is indexed again (the triggers of database.ts). What was
 * remembered of a content still in the library once the re-scan is done (a copy not moved, or
 * already put back) is dropped.
 */
export function handOvers(groups: readonly DuplicateGroup[], moved: readonly string[], now: LibraryNow): Array<{ content: string; kept: number }> {
  const gone = new Set(moved);
  // The links to a moved file lead nowhere now (Note [One file, many paths] in same-file.ts).
  for (const group of groups) for (const photo of group.photos) if (gone.has(photo.path)) for (const link of photo.links ?? []) gone.add(link);
  const inLibrary = libraryHas(now);
  return groups.flatMap((group) => {
    const byPath = new Map(group.photos.map((photo) => [photo.path, photo]));
    const kept = group.paths.map((file) => byPath.get(file) as DuplicatePhoto).find((photo) => !gone.has(photo.path) && inLibrary(photo));
    if (!kept) return [];
    return group.photos
      .filter((photo) => gone.has(photo.path) && now.pathsShowing(photo.contentHash).every((file) => gone.has(file)))
      .map((photo) => ({ content: photo.contentHash, kept: kept.photoId }));
  });
}

/**
 * Plans and moves a selection the person has already confirmed (the app's dialog lists every
 * chosen file): planning can only leave chosen files out, never add one (Note [Never delete]).
 */
export async function trashSelection(selection: TrashSelection, moveToTrash: (file: string) => Promise<void>, signal?: AbortSignal): Promise<TrashResult> {
  const plan = await planTrash(selection.groups, selection.chosen);
  const outcomes = await executeTrash(plan, moveToTrash, signal);
  const moved = outcomes.flatMap((outcome) => (outcome.outcome === 'trashed' ? [outcome] : []));
  return {
    trashed: moved.filter((outcome) => outcome.sidecarOf === undefined).map((outcome) => outcome.path),
    sidecars: moved.filter((outcome) => outcome.sidecarOf !== undefined).map((outcome) => outcome.path),
    skipped: [...(selection.refused ?? []), ...plan.refused, ...outcomes.flatMap((outcome) => (outcome.outcome === 'skipped' ? [{ path: outcome.path, reason: outcome.reason }] : []))],
    differing: plan.differing,
  };
}

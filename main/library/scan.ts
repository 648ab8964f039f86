/**
 * Walking the folders a person chose: every regular file, with its size, mtime and ctime, fast.
 *
 * Note [Symlinks]: symlinked files and folders are followed (people link in their phone's
 * export folder), but each folder is entered at most once by its real path, so a link back to an
 * ancestor (a loop) or two links to one folder never walk anything twice. A link is followed by
 * `stat` only: what it leads to is never opened unless it is a regular file or a folder. A link
 * to a folder that holds the library folder (`home -> ..`, `disk -> /`, as unzipped archives
 * and shared drives bring) is not followed: it would make the library everything there, the
 * whole disk, thumbnailed and served as photos; it is listed with why.
 *
 * Note [Skipped by default]: hidden entries (dot-names) and system folders (Recycle Bin, macOS
 * library bundles, thumbnail caches) are never photos a person took; exclusions are globs matched
 * against the path relative to the library folder.
 *
 * Note [Nothing skipped silently]: what the walk finds but cannot index is reported with a
 * reason: pipes, sockets and devices (and links to them), links that lead nowhere or in a
 * circle, and names that are not valid UTF-8. Paths are strings everywhere in the library (the
 * database, the app, XMP), and Node turns invalid bytes into U+FFFD, so such a name cannot even
 * be opened again by the string it becomes; rather than carry raw bytes through every layer,
 * entries are listed as bytes, and one whose name is not UTF-8 is reported under a readable
 * escaped name (`caf\xE9.jpg`) with a request to rename it. A folder that cannot be walked (an
 * unreadable one, one with such a name, a link that leads nowhere, perhaps to an unplugged
 * drive) leaves a part of the walk unseen (`unwalked`), so nothing there is taken for deleted: the
 * folder or link itself, or for a name that cannot be read, the folder holding it (its photos
 * were stored under the name it had before, which the walk cannot tell).
 *
 * Files of kinds Lumen does not index yet that people keep beside their photos, camera RAW files
 * and videos, are no failures and are not listed as such, but they are not passed over silently
 * either: someone with 3,000 RAW files would never learn why none of them shows. The walk counts
 * them per kind (passedOverKind in formats.ts; other files that are never photos, `notes.txt`,
 * are not worth a word), and an index job says once, as it ends, how many it passed over and
 * which formats Lumen indexes (passedOverText in photo-kinds.ts), in the CLI's summary and in
 * the window's job status. Each file counts once however many of a job's passes meet it (Note
 * [A job of several passes] in job-figures.ts).
 */
import { isUtf8 } from 'node:buffer';
import { statSync, type Dirent, type Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import picomatch from 'picomatch';
import { controlCharacter } from '../core/control-character.js';
import { UserError, throwIfAborted } from '../core/errors.js';
import { isInside } from '../core/paths.js';
import { fromErrno, kindOf } from '../core/photo-file.js';
import { holdsLumenLibrary } from './data-folder.js';
import { onNetworkShare } from './network-share.js';

export interface ScannedFile {
  path: string;
  size: number;
  mtimeMs: number;
  /** When the file last changed in any way, its content or its entry (Note [Change time] in walk.ts): from the same stat. */
  ctimeMs: number;
  /** Its content is not on this disk (no block allocated to a file of some size: a cloud file evicted), so reading it would fetch it. */
  offline: boolean;
}

export interface ScanProblem {
  /** The entry's path; invalid UTF-8 bytes in its name are written `\xNN`. */
  path: string;
  reason: 'unreadable' | 'bad-name' | 'not-a-file';
  message: string;
  /** What the walk could not see into (a folder, or maybe a folder), where files may still be; null if nothing. */
  unwalked: string | null;
  /** The system's error code, where a folder could not be opened (ENOENT, EACCES). */
  code?: string | undefined;
}

/** Files stat'd synchronously between two turns of the event loop during a scan (Note [Stats on a network share]). */
export const STATS_PER_TURN = 256;

const SYSTEM_FOLDERS = new Set([
  '$recycle.bin',
  'system volume information',
  '@eadir',
  'lost+found',
  'node_modules',
  '__macosx',
  '.thumbnails',
  // A NAS's recycle bins and its snapshots shown as folders: deleted photos, and every photo again per snapshot.
  '#recycle',
  '#snapshot',
  '@recycle',
  '@recently-snapshot',
]);
const SYSTEM_SUFFIXES = ['.photoslibrary', '.aplibrary', '.app', '.lrdata'];

export function isSkippedByDefault(name: string, isDirectory: boolean): boolean {
  if (name.startsWith('.')) return true;
  if (!isDirectory) return name === 'Thumbs.db' || name === 'desktop.ini';
  const lower = name.toLowerCase();
  return SYSTEM_FOLDERS.has(lower) || SYSTEM_SUFFIXES.some((suffix) => lower.endsWith(suffix));
}

/** Shortest valid UTF-8 sequence at `at` (1 to 4 bytes), or 0 when the byte there starts none. */
function sequenceAt(bytes: Uint8Array, at: number): number {
  for (let length = 1; length <= 4 && at + length <= bytes.length; length++) {
    if (isUtf8(bytes.subarray(at, at + length))) return length;
  }
  return 0;
}

/** A name for people: valid UTF-8 as text, every other byte as `\xNN`. */
export function escapedName(bytes: Uint8Array): string {
  if (isUtf8(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  let text = '';
  for (let at = 0; at < bytes.length; ) {
    const length = sequenceAt(bytes, at);
    if (length === 0) {
      text += `\\x${(bytes[at] as number).toString(16).toUpperCase().padStart(2, '0')}`;
      at++;
    } else {
      text += Buffer.from(bytes.subarray(at, at + length)).toString('utf8');
      at += length;
    }
  }
  return text;
}

/**
 * Note [Exclusions]: a folder's exclusions are globs relative to it ("Screenshots/**"). One
 * without a slash matches a name at any depth, as in .gitignore ("*.gif", "Screenshots"). One
 * written as a full path inside the folder is taken relative to it, from the folder's top
 * ("./Private": not every folder called Private). A pattern that could never match (a full path
 * inside none of the folders it is given for, an unclosed brace) is refused, rather than kept
 * while it leaves nothing out. Besides what it matches as a pattern, an exclusion leaves out the
 * name or path it spells, whatever glob syntax that holds: as a pattern "Trip (2019)" has a group
 * and matches "Trip 2019" only, but it is a folder's name too. Names are compared in one Unicode
 * form (NFC): macOS may store an "é" decomposed, as nobody types it. Letter case is ignored on
 * every system: a camera's card names its photos IMG_0001.JPG, and "*.jpg" means them too.
 * A control character is refused too: picomatch drops it, so "\u0000" read as "**" and left out
 * every folder; one stored before it was refused leaves out nothing.
 */
export function folderExcludes(folder: string, globs: readonly string[], givenFor: readonly string[] = [folder]): string[] {
  for (const glob of globs) {
    const control = controlCharacter(glob);
    if (control !== null) {
      throw new UserError('bad-input', `The exclusion "${JSON.stringify(glob).slice(1, -1)}" holds a control character (${control}), which a pattern cannot match: remove it. Exclusions look like "**/Screenshots/**" or "*.gif".`);
    }
    if (picomatch.makeRe(glob).source === '$^') throw new UserError('bad-input', `The exclusion "${glob}" is not a pattern Lumen can read (an unclosed brace or bracket?). Exclusions look like "**/Screenshots/**" or "*.gif".`);
    if (hasUnclosedBracket(glob)) throw new UserError('bad-input', `The exclusion "${glob}" is not a pattern Lumen can read: its "[" is never closed by a "]" (write "\\[" for the character itself). Exclusions look like "**/Screenshots/**" or "*.gif".`);
    if (path.isAbsolute(glob) && !givenFor.some((each) => isInside(glob, each))) throw new UserError('bad-input', `The exclusion "${glob}" is not inside ${givenFor.join(' or ')}: exclusions are relative to their folder, like "**/Screenshots/**".`);
  }
  return globs.flatMap((glob) => {
    if (!path.isAbsolute(glob)) return [glob];
    if (!isInside(glob, folder)) return [];
    const relative = path.relative(folder, glob).split(path.sep).join('/');
    return [relative === '' ? '**' : relative.includes('/') ? relative : `./${relative}`];
  });
}

/**
 * Whether `glob` opens a bracket ("[abc]", any one of a, b, c) that no "]" in the same path
 * segment closes. picomatch reads such a "[" as itself, so "*.[jp" leaves out nothing anyone
 * has: a typo, refused (Note [Exclusions]) rather than kept silently. A "]" right after "[" or
 * "[!" is a member, as in globs; "\[" is the character itself.
 */
function hasUnclosedBracket(glob: string): boolean {
  for (let at = 0; at < glob.length; at++) {
    if (glob[at] === '\\') at++;
    else if (glob[at] === '[') {
      let end = at + 1;
      if (glob[end] === '!' || glob[end] === '^') end++;
      if (glob[end] === ']') end++;
      for (; end < glob.length && glob[end] !== ']' && glob[end] !== '/'; end++) if (glob[end] === '\\') end++;
      if (glob[end] !== ']') return true;
      at = end;
    }
  }
  return false;
}

export interface ScanOptions {
  excludes?: readonly string[];
  /** The library folder `excludes` are relative to, when the walk starts below it (default: where it starts). */
  base?: string;
  /** A folder never walked, silently: Lumen's own data folder, should it lie inside a photo folder. */
  skip?: string;
  signal?: AbortSignal;
  /**
   * Awaited before each folder: where a pause holds the walk and a cancel stops it (Note
   * [Cooperative control] in main/jobs/job.ts), so that a paused run reads the disk no more.
   */
  checkpoint?: () => Promise<void>;
  /** What cannot be walked or indexed (Note [Nothing skipped silently]); the walk goes on. */
  onProblem?: (problem: ScanProblem) => void;
  /** Another Lumen library's data folder, left out (Note [Other libraries] in data-folder.ts). */
  onOtherLibrary?: (dir: string) => void;
}

type Entry = { kind: 'folder' | 'file'; full: string } | { kind: 'problem'; problem: ScanProblem };

/** Whether the linked folder `link` holds `libraryFolder` (a real path), not being it (Note [Symlinks]). */
async function leadsAbove(link: string, libraryFolder: string | null): Promise<boolean> {
  const real = await realpath(link).catch(() => null);
  return real !== null && libraryFolder !== null && real !== libraryFolder && isInside(libraryFolder, real);
}

/** What one directory entry (called `name`, escaped) is, following a symlink by `stat` only. */
async function classify(dir: string, entry: Dirent<Buffer>, name: string): Promise<Entry> {
  const full = path.join(dir, name);
  const isFolder = entry.isDirectory();
  if (!isUtf8(entry.name)) {
    const what = isFolder ? `The folder ${name} has a name that is not valid text (UTF-8), so its photos were skipped` : `${name} has a name that is not valid text (UTF-8), so it was skipped`;
    return { kind: 'problem', problem: { path: full, reason: 'bad-name', message: `${what}; rename it and index again.`, unwalked: isFolder || entry.isSymbolicLink() ? dir : null } };
  }
  let info: Dirent<Buffer> | Stats = entry;
  if (entry.isSymbolicLink()) {
    try {
      info = await stat(full);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ELOOP' ? 'a symbolic link that leads back to itself' : code === 'ENOENT' ? 'a symbolic link to something that does not exist (an unplugged drive?)' : `a symbolic link that cannot be followed (${code})`;
      return { kind: 'problem', problem: { path: full, reason: 'unreadable', message: `${name} is ${why}.`, unwalked: full } };
    }
  }
  if (info.isDirectory()) return { kind: 'folder', full };
  if (info.isFile()) return { kind: 'file', full };
  return { kind: 'problem', problem: { path: full, reason: 'not-a-file', message: `${name} is ${kindOf(info)}, not a photo file; it was skipped.`, unwalked: null } };
}

/**
 * What exclusions spell, whatever glob syntax that holds (Note [Exclusions]), as `spelt` compares
 * them: names at any depth ("Trip (2019)", "**\/Trip (2019)"), names at any depth below a folder
 * taken in ("Phone/**\/Trip (2019)", the folder's name escaped: Note [Folders inside folders] in
 * library.ts), and paths from the top.
 */
function spelledBy(excludes: readonly string[], spelt: (text: string) => string): { names: Set<string>; namesBelow: Array<{ folder: string; name: string }>; paths: Set<string> } {
  const names = new Set<string>();
  const namesBelow: Array<{ folder: string; name: string }> = [];
  const paths = new Set<string>();
  for (const glob of excludes) {
    const anyDepth = /^(?:(.+)\/)?\*\*\/([^/]+)$/.exec(glob);
    if (anyDepth?.[1] !== undefined) namesBelow.push({ folder: `${spelt(anyDepth[1].replace(/\\(.)/g, '$1'))}/`, name: spelt(anyDepth[2] as string) });
    else if (anyDepth) names.add(spelt(anyDepth[2] as string));
    else if (glob.includes('/')) paths.add(spelt(glob.replace(/^\.\//, '')));
    else names.add(spelt(glob));
  }
  return { names, namesBelow, paths };
}

/** Whether a walk of the library folder `base` leaves a path under it out: skipped by default, or excluded. */
export function leftOutBy(base: string, stored: readonly string[] = []): (full: string, isFolder: boolean) => boolean {
  const spelt = (text: string) => text.normalize('NFC').toLowerCase();
  const excludes = stored.filter((glob) => controlCharacter(glob) === null);
  const globs = excludes.map((glob) => glob.normalize('NFC')).map((glob) => (glob.includes('/') ? glob : `**/${glob}`));
  const excluded = globs.length ? picomatch(globs, { dot: true, nocase: true }) : () => false;
  const { names, namesBelow, paths } = spelledBy(excludes, spelt);
  return (full, isFolder) => {
    const relative = path.relative(base, full).split(path.sep).join('/').normalize('NFC');
    if (isSkippedByDefault(path.basename(full), isFolder) || excluded(relative) || (isFolder && excluded(`${relative}/`))) return true;
    if (names.size === 0 && namesBelow.length === 0 && paths.size === 0) return false;
    const name = spelt(path.basename(full));
    return names.has(name) || paths.has(spelt(relative)) || namesBelow.some((below) => below.name === name && spelt(relative).startsWith(below.folder));
  };
}

/** Whether `dir`, or a folder between it and the library folder `base`, is one a walk of `base` leaves out. */
export function inFolderLeftOut(leftOut: (full: string, isFolder: boolean) => boolean, base: string, dir: string): boolean {
  const below = path.relative(base, dir).split(path.sep).filter(Boolean);
  return below.some((_name, i) => leftOut(path.join(base, ...below.slice(0, i + 1)), true));
}

/**
 * Note [Stats on a network share]: a walk stats each file synchronously, a few microseconds each
 * against tens for the promise API, which makes a re-scan of 100k unchanged files several times
 * faster; a turn of the event loop every STATS_PER_TURN files keeps each pause short, however
 * many photos a folder holds (a folder of a thousand held it for 15-60 ms while indexing ran).
 * But a network share whose server went away can hold a stat for minutes (for ever on a hard NFS
 * mount), and a synchronous one holds the engine with it: no search, no progress, no quit. So
 * the walk of a library folder on a network share (network-share.ts, Linux only), where each
 * stat is a round trip anyway, stats with the promise API, and a stat that hangs holds only the
 * walk. A share mounted below a local library folder is not told apart (a statfs per folder).
 */
function statWaiting(file: string): Promise<Stats | undefined> {
  return stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
}

/** Yields every regular file under `root` that is not excluded, depth first. */
export async function* scanFolder(root: string, options: ScanOptions = {}): AsyncGenerator<ScannedFile> {
  const report = (problem: ScanProblem) => options.onProblem?.(problem);
  const base = options.base ?? root;
  const leftOut = leftOutBy(base, options.excludes);
  // A walk that starts below its library folder walks nothing a whole walk would not enter.
  if (inFolderLeftOut(leftOut, base, root)) return;
  // Folders are told apart by their real paths (Note [Symlinks]): so is the one skipped.
  const visited = new Set<string>(options.skip ? [await realpath(options.skip).catch(() => path.resolve(options.skip as string))] : []);
  const libraryFolder = await realpath(base).catch(() => null);
  const onShare = await onNetworkShare(base);
  const pending = [root];
  while (pending.length > 0) {
    await options.checkpoint?.();
    throwIfAborted(options.signal);
    const dir = pending.pop() as string;
    let entries: Array<Dirent<Buffer>>;
    try {
      const real = await realpath(dir);
      if (visited.has(real)) continue;
      visited.add(real);
      entries = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A library folder's own message is outOfReach's (walk.ts); one below it is listed as a file is, by its name.
      report({ path: dir, reason: 'unreadable', message: `${path.basename(dir)} is a folder that could not be read (${fromErrno(dir, error).detail}); the photos indexed in it are kept.`, unwalked: dir, code });
      continue;
    }
    if (holdsLumenLibrary((name, kind) => entries.some((entry) => (kind === 'file' ? entry.isFile() : entry.isDirectory()) && entry.name.equals(Buffer.from(name))))) {
      options.onOtherLibrary?.(dir);
      continue;
    }
    const subfolders: string[] = [];
    const files: string[] = [];
    for (const entry of entries) {
      const name = escapedName(entry.name);
      const found = await classify(dir, entry, name);
      const isFolder = found.kind === 'folder' || entry.isDirectory();
      if (leftOut(found.kind === 'problem' ? found.problem.path : found.full, isFolder)) continue;
      if (found.kind === 'folder' && entry.isSymbolicLink() && (await leadsAbove(found.full, libraryFolder))) {
        report({ path: found.full, reason: 'unreadable', message: `${name} is a symbolic link to a folder that holds the library folder; following it would index everything there, so it was skipped.`, unwalked: found.full });
      } else if (found.kind === 'problem') report(found.problem);
      else if (found.kind === 'folder') subfolders.push(found.full);
      else files.push(found.full);
    }
    for (const [i, file] of files.entries()) {
      if (i > 0 && i % STATS_PER_TURN === 0) await yieldToEventLoop();
      let info: Stats | undefined;
      try {
        info = onShare ? await statWaiting(file) : statSync(file, { throwIfNoEntry: false });
      } catch (error) {
        // A file listed but not readable (no permission, a network share gone): kept as it was, as a folder that cannot be opened is.
        report({ path: file, reason: 'unreadable', message: `${path.basename(file)} could not be read: ${fromErrno(file, error).detail}.`, unwalked: file });
        continue;
      }
      if (info?.isFile()) yield { path: file, size: info.size, mtimeMs: Math.floor(info.mtimeMs), ctimeMs: Math.floor(info.ctimeMs), offline: info.blocks === 0 && info.size > 0 };
      else if (info) report({ path: file, reason: 'not-a-file', message: `${path.basename(file)} is ${kindOf(info)}, not a photo file; it was skipped.`, unwalked: null });
    }
    // Reverse so the walk visits subfolders in name order (pending is a stack).
    pending.push(...subfolders.sort().reverse());
  }
}

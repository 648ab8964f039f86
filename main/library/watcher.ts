/**
 * Watching the library's folders while the app runs, so new, changed, moved and deleted photos
 * are picked up within seconds, not only at the next re-scan.
 *
 * Note [Watch, then re-scan]: file-system events say only that something changed somewhere
 * (and are lost or merged under load), so they are not applied one by one: a burst of them, once
 * quiet for `quietMs`, starts one ordinary re-scan of the folders they came from (Note [Re-scan
 * where it changed] in scope.ts), which is exact and cheap for unchanged files (one stat each).
 * Files that are never photos (sidecars, videos, temp files) start nothing; folders of any name
 * are watched (Note [Folders of any name]).
 */
import { watch, type FSWatcher } from 'node:fs';
import { lstat, opendir, stat } from 'node:fs/promises';
import path from 'node:path';
import { messageOf } from '../core/errors.js';
import { isInside } from '../core/paths.js';
import { NOT_PHOTOS, PHOTO_EXTENSIONS } from './formats.js';
import { onNetworkShare } from './network-share.js';
import { inFolderLeftOut, leftOutBy } from './scan.js';
import type { WantedScope } from './scope.js';

export interface WatchedFolder {
  id: number;
  path: string;
  excludes: readonly string[];
}

/** A burst that never goes quiet (a sync client writing for minutes) is still reported every this many `quietMs`. */
const LONGEST_WAIT_IN_QUIETS = 8;

/**
 * Note [Looked over where not watched]: a folder that cannot be watched (Linux's limit of inotify
 * watches reached, `fs.inotify.max_user_watches`, 8192 on older kernels; too many open files),
 * and a library folder on a network share, whose watches see only this computer's own changes
 * (NFS, SMB, 9P as WSL mounts Windows drives), would hide new photos until the next launch. Such
 * a library folder is looked over instead: reported as changed every `sweepMs` (10 minutes), so
 * a re-scan finds what changed (one stat a file unchanged). Said once in the log, with why, and
 * under the folder in Settings (`lookedOver`).
 */
const SWEEP_MS = 10 * 60_000;

/** Errors of a process out of watch handles or file descriptors: the folder itself is fine. */
const OUT_OF_HANDLES: ReadonlySet<string> = new Set(['EMFILE', 'ENFILE', 'ENOMEM']);

export interface WatcherOptions {
  /** Changes are reported once quiet this long (Note [Watch, then re-scan]). */
  quietMs?: number;
  /** How often library folders are looked at for coming back (Note [Folders that come back]) and looked over (Note [Looked over where not watched]). */
  recheckMs?: number;
  sweepMs?: number;
  /** One watch of each library folder's whole tree (Note [A watch per folder]); by default on macOS and Windows. */
  recursive?: boolean;
  /** A library folder is looked over from now on, or watched again (`lookedOver` says which, and why). */
  onLookedOver?: () => void;
}

/**
 * Note [A watch per folder]: Node's recursive `fs.watch` on Linux walks the whole tree when it
 * starts, blocking, and polls every file: 6.5 s and 260 MB for 100k photos, on the path to the
 * app's first search. On Linux each folder is watched on its own instead (one inotify watch per
 * folder, not per file), found by an asynchronous walk that yields to other work between folders;
 * a folder that appears later is watched as its name is reported. macOS and Windows watch a
 * whole tree natively, and there a watch per folder does harm: on Windows each holds its folder
 * open, and a folder with one open below it cannot be renamed or moved while Lumen runs; on macOS
 * all of a process's watches share one FSEvents stream of a few thousand paths at most, past
 * which every watch fails at once. So there a library folder has one recursive watch, and the
 * walk only looks for links. What the walk leaves out (hidden
 * and system folders, the folder's exclusions) is neither watched nor reported. A linked folder
 * is not watched (what it leads to may lie anywhere), and once one is met every report asks for
 * the whole library: a folder reached by a link and by its own path is stored under the path a
 * whole walk meets first (Note [Symlinks] in scan.ts), which a walk of one of its folders cannot
 * know. That holds while the library folder holding the link is in the library: each library
 * folder keeps its own mark, which goes with it when it leaves, or is watched afresh.
 */
/**
 * Note [Folders that come back]: a library folder on a drive that was unplugged, or deleted or
 * moved away and made again, loses its watchers, and nothing reports its return. Every
 * `recheckMs` the watcher looks whether each library folder is still the folder it watched (its
 * device, inode and birth time); one that went away is no longer watched, and one that is there
 * again, or for the first time, is watched afresh and reported as changed, so that a re-scan sees
 * what it holds now. So is one there all along whose watch failed (unreadable until a `chmod`,
 * which leaves its identity as it was), once a watch of it works; that it cannot be watched is
 * said once, not at each try.
 */
/**
 * Note [Folders moved over]: a watcher follows the folder it was started on, not its name. A sync
 * tool that replaces a folder by moving a new one over it (or deletes it and makes it again before
 * its event is read) leaves the name's watchers on a folder that is gone. So a folder named by a
 * creation or move event is watched afresh, with all it holds, even where one of that name was.
 */
export class FolderWatcher {
  /**
   * Per library folder: its path, what tells a change of its path or exclusions, what the walk
   * leaves out, a watcher for it and each folder under it, and which folder its watchers were
   * started on (null: none was there; undefined: not looked at yet).
   */
  private readonly roots = new Map<
    number,
    {
      path: string;
      key: string;
      leftOut: (full: string, isFolder: boolean) => boolean;
      dirs: Map<string, FSWatcher>;
      identity: string | null | undefined;
      /** That it cannot be watched was said in the log (Note [Folders that come back]). */
      saidUnwatched: boolean;
      /** A linked folder was met in it: every report is of the whole library (Note [A watch per folder]). */
      linked: boolean;
      /** Not wholly watched: why, and when it was last reported to be looked over (Note [Looked over where not watched]); null while watched. */
      lookedOver: { why: string; sweptAt: number } | null;
    }
  >();
  private readonly recheck: ReturnType<typeof setInterval>;
  private rechecking = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** When the first change not reported yet was seen. */
  private pendingSince: number | null = null;
  /** Per library folder, the folders under it where something changed since the last report. */
  private readonly changed = new Map<number, Set<string>>();
  private warned = false;
  private readonly quietMs: number;
  private readonly sweepMs: number;
  private readonly recursive: boolean;
  private readonly onLookedOver: () => void;

  constructor(
    private readonly onChange: (changed: WantedScope) => void,
    private readonly log: (message: string) => void,
    /** Lumen's own data folder: its thumbnails never count as changes, even inside a photo folder. */
    private readonly dataDir: string,
    options: WatcherOptions = {},
  ) {
    this.quietMs = options.quietMs ?? 1500;
    this.sweepMs = options.sweepMs ?? SWEEP_MS;
    this.recursive = options.recursive ?? (process.platform === 'darwin' || process.platform === 'win32');
    this.onLookedOver = options.onLookedOver ?? (() => {});
    this.recheck = setInterval(() => {
      this.sweepUnwatched();
      void this.watchReturned();
    }, options.recheckMs ?? 10_000);
    this.recheck.unref();
  }

  /** Watches exactly these folders (starting and stopping watchers as needed). */
  sync(folders: readonly WatchedFolder[]): void {
    const keyOf = (folder: WatchedFolder) => JSON.stringify([folder.path, folder.excludes]);
    const wanted = new Map(folders.map((folder) => [folder.id, keyOf(folder)]));
    for (const [id, root] of this.roots) {
      if (wanted.get(id) === root.key) continue;
      for (const watcher of root.dirs.values()) watcher.close();
      this.roots.delete(id);
      this.changed.delete(id);
    }
    for (const folder of folders) {
      if (this.roots.has(folder.id)) continue;
      this.roots.set(folder.id, { path: folder.path, key: keyOf(folder), leftOut: leftOutBy(folder.path, folder.excludes), dirs: new Map(), identity: undefined, saidUnwatched: false, linked: false, lookedOver: null });
      void this.watchTree(folder.id, folder.path);
    }
  }

  /** Watches `dir` and every folder under it, walking asynchronously (Note [A watch per folder]). */
  private async watchTree(folderId: number, dir: string): Promise<void> {
    const root = this.roots.get(folderId);
    if (root && dir === root.path) root.identity = await identityOf(dir);
    if (!this.watchDir(folderId, dir)) return;
    // Watched first: its own changes are reported meanwhile.
    if (root && dir === root.path && (await onNetworkShare(dir))) this.lookOver(root, 'it is on a network share, whose changes made elsewhere are not reported');
    try {
      for await (const entry of await opendir(dir)) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await this.watchTree(folderId, full);
        else if (entry.isSymbolicLink() && !this.roots.get(folderId)?.leftOut(full, true)) await this.metLink(folderId, full);
      }
    } catch (error) {
      // The folder went away or cannot be read while walked: what is in it appears after a re-scan.
      if (dir === this.roots.get(folderId)?.path) this.cannotWatch(dir, error);
    }
  }

  private cannotWatch(dir: string, error: unknown): void {
    this.log(`Cannot watch ${dir} for changes (${messageOf(error)}); new photos there appear after a re-scan.`);
  }

  /** One folder's watcher; false when it cannot be watched (or is not wanted any more). */
  private watchDir(folderId: number, dir: string): boolean {
    const root = this.roots.get(folderId);
    // (A walk of a folder removed meanwhile goes on: its id may be a new folder's now.)
    if (!root || !isInside(dir, root.path) || root.dirs.has(dir) || isInside(dir, this.dataDir) || (dir !== root.path && root.leftOut(dir, true))) return false;
    // Its library folder's watch covers it.
    if (this.recursive && dir !== root.path) return true;
    try {
      const watcher = this.recursive
        ? watch(dir, { persistent: false, recursive: true }, (event, name) => this.onEventBelow(folderId, event, name))
        : watch(dir, { persistent: false }, (event, name) => this.onEvent(folderId, dir, event, name));
      watcher.on('error', () => this.unwatch(folderId, dir));
      root.dirs.set(dir, watcher);
      if (dir === root.path) root.saidUnwatched = false;
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (code === 'ENOSPC') this.lookOver(root, `the system's limit of watched folders is reached (raise fs.inotify.max_user_watches to watch them all)`);
      else if (OUT_OF_HANDLES.has(code)) this.lookOver(root, `too many files are open (${code})`);
      // A folder gone or unreadable: a re-scan finds it no better, and a library folder is tried again until watched (Note [Folders that come back]).
      else if (dir === root.path ? !root.saidUnwatched : !this.warned) {
        if (dir === root.path) root.saidUnwatched = true;
        else this.warned = true;
        this.cannotWatch(dir, error);
      }
      return false;
    }
  }

  /** Looks `root` over every `sweepMs` from now on (Note [Looked over where not watched]), and says why, in the log and through `onLookedOver`. */
  private lookOver(root: { path: string; lookedOver: { why: string; sweptAt: number } | null }, why: string): void {
    if (root.lookedOver) return;
    root.lookedOver = { why, sweptAt: performance.now() };
    this.log(`Not every folder of ${root.path} can be watched for changes: ${why}. Lumen looks there for new photos every ${this.sweepMinutes} instead.`);
    this.onLookedOver();
  }

  private get sweepMinutes(): string {
    const minutes = Math.max(1, Math.round(this.sweepMs / 60_000));
    return minutes === 1 ? 'minute' : `${minutes} minutes`;
  }

  /** Why a library folder is looked over rather than wholly watched, for the person (Note [Looked over where not watched]); null while it is watched. */
  lookedOver(folderId: number): string | null {
    const why = this.roots.get(folderId)?.lookedOver?.why;
    return why ? `Not every folder here can be watched for changes: ${why}. Lumen looks here for new photos every ${this.sweepMinutes} instead.` : null;
  }

  /** Reports each library folder looked over instead of watched, every `sweepMs` (Note [Looked over where not watched]). */
  private sweepUnwatched(): void {
    const now = performance.now();
    for (const [id, root] of this.roots) {
      if (!root.lookedOver || now - root.lookedOver.sweptAt < this.sweepMs) continue;
      root.lookedOver.sweptAt = now;
      this.changedIn(id, root.path);
    }
  }

  /** Notes a link that leads to a folder, in the library folder `folderId` (Note [A watch per folder]). */
  private async metLink(folderId: number, link: string): Promise<void> {
    // Looked up first: a folder dropped meanwhile takes its mark with it, even if its id is a new folder's now.
    const root = this.roots.get(folderId);
    const toFolder = await stat(link).then(
      (info) => info.isDirectory(),
      () => false,
    );
    if (root && toFolder) root.linked = true;
  }

  /** Stops watching `dir` and every folder under it (gone, or moved out: their watchers would follow it). */
  private unwatch(folderId: number, dir: string): void {
    const dirs = this.roots.get(folderId)?.dirs;
    for (const [watched, watcher] of dirs ?? []) {
      if (!isInside(watched, dir)) continue;
      watcher.close();
      dirs?.delete(watched);
    }
  }

  /** An event of a library folder's recursive watch, `name` relative to it: as its own folder's watch would report it. */
  private onEventBelow(folderId: number, event: string, name: string | Buffer | null): void {
    const root = this.roots.get(folderId);
    if (!root) return;
    const file = name === null ? root.path : path.join(root.path, name.toString());
    // The library folder itself (renamed, say): what it holds now is looked at, never its parent.
    if (file === root.path || !isInside(file, root.path)) return this.onEvent(folderId, root.path, event, null);
    const dir = path.dirname(file);
    // The whole tree reports: nothing in a folder the walk leaves out counts.
    if (inFolderLeftOut(root.leftOut, root.path, dir)) return;
    this.onEvent(folderId, dir, event, path.basename(file));
  }

  private onEvent(folderId: number, dir: string, event: string, name: string | Buffer | null): void {
    const root = this.roots.get(folderId);
    if (!root) return;
    const file = name === null ? null : path.join(dir, name.toString());
    if (file !== null && (isHidden(path.relative(dir, file)) || isInside(file, this.dataDir) || root.leftOut(file, false))) return;
    // Only a folder of this name counts, and only its making, moving or removal tells of one (Note [Folders of any name]).
    const folderOnly = file !== null && neverAPhoto(path.basename(file));
    if (folderOnly && event !== 'rename') return;
    // A name not named like a photo may be a folder just made or moved in ("2024.06.15" too): watch it too.
    if (file !== null && !PHOTO_EXTENSIONS.has(path.extname(file).toLowerCase())) {
      void lstat(file).then(
        (info) => {
          if (info.isDirectory() && root.leftOut(file, true)) return;
          if (info.isDirectory()) {
            // A folder made, moved in, or moved over one of the same name (Note [Folders moved over]).
            if (event === 'rename') this.unwatch(folderId, file);
            // A recursive watch reports a folder changed at every file written in it (Windows): its walk, for links, is for a new one.
            if (!this.recursive || event === 'rename') void this.watchTree(folderId, file);
          }
          else if (info.isSymbolicLink()) void this.metLink(folderId, file);
          else if (folderOnly) return;
          this.changedIn(folderId, dir);
        },
        () => {
          // Gone: a file of such a name was never watched, a folder was.
          if (folderOnly && !root.dirs.has(file)) return;
          this.unwatch(folderId, file);
          this.changedIn(folderId, dir);
        },
      );
      return;
    }
    this.changedIn(folderId, dir);
  }

  /** Notes a change in `dir`, reported once changes have been quiet for `quietMs` (Note [Watch, then re-scan]). */
  private changedIn(folderId: number, dir: string): void {
    if (!this.roots.has(folderId)) return;
    this.changed.set(folderId, (this.changed.get(folderId) ?? new Set()).add(dir));
    this.pendingSince ??= performance.now();
    if (this.timer) clearTimeout(this.timer);
    const wait = Math.min(this.quietMs, this.pendingSince + this.quietMs * LONGEST_WAIT_IN_QUIETS - performance.now());
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.pendingSince = null;
        const changed = new Map([...this.changed].map(([id, dirs]) => [id, [...dirs]]));
        this.changed.clear();
        const linked = [...this.roots.values()].some((root) => root.linked);
        this.onChange(linked ? 'everything' : changed);
      },
      Math.max(0, wait),
    );
  }

  /** Watches afresh the library folders that are back, and stops watching those gone (Note [Folders that come back]). */
  private async watchReturned(): Promise<void> {
    if (this.rechecking) return;
    this.rechecking = true;
    try {
      for (const [id, root] of [...this.roots]) {
        if (root.identity === undefined) continue;
        const identity = await identityOf(root.path);
        if (this.roots.get(id) !== root) continue;
        const back = identity !== root.identity;
        if (back) {
          for (const watcher of root.dirs.values()) watcher.close();
          root.dirs.clear();
          root.identity = identity;
          // Watched afresh, its links are looked for again, and whether it can be watched whole.
          root.linked = false;
          if (root.lookedOver) {
            root.lookedOver = null;
            this.onLookedOver();
          }
          if (identity === null) continue;
        }
        // The same folder, watched or looked over: nothing to do; one whose watch failed is tried again.
        else if (identity === null || root.dirs.has(root.path) || root.lookedOver) continue;
        await this.watchTree(id, root.path);
        if (back || root.dirs.has(root.path)) this.changedIn(id, root.path);
      }
    } finally {
      this.rechecking = false;
    }
  }

  close(): void {
    clearInterval(this.recheck);
    if (this.timer) clearTimeout(this.timer);
    for (const root of this.roots.values()) for (const watcher of root.dirs.values()) watcher.close();
    this.roots.clear();
  }
}

/** Which folder is at `dir` (null: none): two folders made at one path one after the other differ. */
async function identityOf(dir: string): Promise<string | null> {
  const info = await stat(dir).catch(() => null);
  return info?.isDirectory() ? `${info.dev}:${info.ino}:${info.birthtimeMs}` : null;
}

/** A hidden name, or one in a hidden folder: the walk enters and indexes neither. */
function isHidden(name: string): boolean {
  return name.split(/[\\/]/).some((part) => part.startsWith('.'));
}

/**
 * Note [Folders of any name]: the watcher passes over a file whose name is never a photo's (a
 * sidecar, a video) or is a temp file's (`.tmp`, `~`: a download or a save under way, renamed
 * when done; one left so is the next walk's), but the walk enters a folder of any name,
 * `Scans.pdf` or `Backup~` too. So such a name may still be a folder made or moved in, and is
 * looked at (one lstat) when an event says it was made, moved or removed
 * ('rename'); a file of that name starts nothing. Its 'change' events are not looked at: a
 * download writes its `.tmp` file in thousands of them, each an lstat for nothing, where a folder
 * made or moved in always comes with a 'rename'. One removed is reported only where it was watched
 * as a folder (a removed file starts nothing). Left to the next walk: such a folder made readable
 * by a `chmod` (a 'change' only), and, with one recursive watch (not a watch per folder), such a
 * folder moved out.
 */
function neverAPhoto(name: string): boolean {
  return name.endsWith('.tmp') || name.endsWith('~') || NOT_PHOTOS.has(path.extname(name).toLowerCase());
}

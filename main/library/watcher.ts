/**
 * Watching the library's folders while the app runs, so new, changed, moved and deleted photos
 * are picked up within seconds, not only at the next re-scan.
 *
 * Note [Watch, then re-scan]: file-system events say only that something changed somewhere
 * (and are lost or merged under load), so they are not applied one by one: a burst of them, once
 * quiet for `quietMs`, starts one ordinary re-scan, which is exact and cheap for unchanged files
 * (one stat each). Files that are never photos (sidecars, videos, temp files) start nothing.
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { PHOTO_EXTENSIONS } from './formats.js';

export interface WatchedFolder {
  id: number;
  path: string;
}

export class FolderWatcher {
  private readonly watchers = new Map<number, { path: string; watcher: FSWatcher }>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly changed = new Set<number>();

  constructor(
    private readonly onChange: (folderIds: number[]) => void,
    private readonly log: (message: string) => void,
    /** Lumen's own data folder: its thumbnails never count as changes, even inside a photo folder. */
    private readonly dataDir: string,
    private readonly quietMs = 1500,
  ) {}

  /** Watches exactly these folders (starting and stopping watchers as needed). */
  sync(folders: readonly WatchedFolder[]): void {
    const wanted = new Map(folders.map((folder) => [folder.id, folder.path]));
    for (const [id, entry] of this.watchers) {
      if (wanted.get(id) === entry.path) continue;
      entry.watcher.close();
      this.watchers.delete(id);
    }
    for (const [id, folderPath] of wanted) {
      if (this.watchers.has(id)) continue;
      try {
        const watcher = watch(folderPath, { recursive: true, persistent: false }, (_event, name) => this.onEvent(id, name));
        watcher.on('error', (error) => this.stop(id, error));
        this.watchers.set(id, { path: folderPath, watcher });
      } catch (error) {
        this.log(`Cannot watch ${folderPath} for changes (${error instanceof Error ? error.message : String(error)}); new photos there appear after a re-scan.`);
      }
    }
  }

  private onEvent(folderId: number, name: string | Buffer | null): void {
    const file = name === null ? null : name.toString();
    const folder = this.watchers.get(folderId)?.path;
    if (file !== null && (!mayBePhoto(file) || (folder !== undefined && isInside(path.join(folder, file), this.dataDir)))) return;
    this.changed.add(folderId);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      const ids = [...this.changed];
      this.changed.clear();
      this.onChange(ids);
    }, this.quietMs);
  }

  private stop(folderId: number, error: Error): void {
    const entry = this.watchers.get(folderId);
    entry?.watcher.close();
    this.watchers.delete(folderId);
    this.log(`Stopped watching ${entry?.path ?? 'a folder'} (${error.message}); new photos there appear after a re-scan.`);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const { watcher } of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }
}

function isInside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** A changed name that can matter: a photo, or a folder (no extension), not hidden, not a temp file. */
function mayBePhoto(name: string): boolean {
  const base = path.basename(name);
  if (name.split(/[\\/]/).some((part) => part.startsWith('.')) || base.endsWith('.tmp') || base.endsWith('~')) return false;
  const extension = path.extname(base).toLowerCase();
  return extension === '' || PHOTO_EXTENSIONS.has(extension);
}

/**
 * What an index run walks: every library folder, or only the folders under them where the
 * watcher saw something change.
 *
 * Note [Re-scan where it changed]: a photo landing in one folder used to start a walk of the
 * whole library: at 100k photos, 100k stats and as many known files read, seconds of the engine's
 * thread for each burst of events (a phone syncing into a folder sends one every few seconds),
 * while the person searches. The watcher now says in which folders things changed, and the run
 * walks those folders and what is under them, reads only the known files there, and forgets only
 * files there that are gone: a folder deleted or moved away is reported in the folder that held
 * it, so its files are walked, and missed, from there. Every other run (launch, a re-scan, a
 * folder added, exclusions changed) walks everything, which also repairs what an event lost
 * (inotify drops events under load).
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { isInside } from '../core/paths.js';

/** Per library folder (by id), the folders at and under which a run walks; a library folder not named is not walked. */
export type IndexScope = ReadonlyMap<number, readonly string[]>;

/** What the next run must walk: the union of what was asked since the last one started. */
export type WantedScope = IndexScope | 'everything';

export function widenScope(wanted: WantedScope | null, more: WantedScope): WantedScope {
  if (wanted === null) return more;
  if (wanted === 'everything' || more === 'everything') return 'everything';
  const union = new Map<number, string[]>();
  for (const scope of [wanted, more]) for (const [folderId, dirs] of scope) union.set(folderId, [...(union.get(folderId) ?? []), ...dirs]);
  return union;
}

/**
 * Where the walk of `folder` starts for the changed `dirs`: each replaced by its nearest ancestor
 * that is still a folder (one deleted since the event leaves its files to be missed from there),
 * none of them inside another, in name order. `[folder]` when that comes to the whole library folder.
 */
export function walkStarts(folder: string, dirs: readonly string[]): string[] {
  const starts = dirs.map((dir) => {
    let start = isInside(dir, folder) ? dir : folder;
    while (start !== folder && !statSync(start, { throwIfNoEntry: false })?.isDirectory()) start = path.dirname(start);
    return start;
  });
  const outermost = [...new Set(starts)].sort((a, b) => a.length - b.length);
  return outermost.filter((dir, i) => !outermost.slice(0, i).some((outer) => isInside(dir, outer))).sort();
}

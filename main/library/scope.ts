/**
 * What an index run walks: every library folder, or only the folders under them where the
 * watcher saw something change.
 *
 * Note [Re-scan where it changed]: a photo landing in one folder used to start a walk of the
 * whole library: at 100k photos, 100k stats and as many known files read (2.3 s), for each burst
 * of events (a phone syncing into a folder sends one every few seconds), while the person
 * searches. The watcher now says in which folders things changed, and the run walks those
 * folders and what is under them, with the library folder's exclusions, reading only the known
 * files there: what is new or changed there is indexed. When a file the library knew there is
 * gone, the run walks the whole library instead: it may have moved to a folder no event named (a
 * folder the watcher could not watch, an event lost under load), and only a whole walk tells a
 * move, which keeps its tags and albums, from a deletion. A folder deleted since its event is
 * walked from the nearest folder still there. Every other run (a re-scan, a folder added,
 * exclusions changed) walks everything.
 */
import { stat } from 'node:fs/promises';
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
export async function walkStarts(folder: string, dirs: readonly string[]): Promise<string[]> {
  const starts: string[] = [];
  for (const dir of dirs) {
    let start = isInside(dir, folder) ? dir : folder;
    while (start !== folder && !(await isFolder(start))) start = path.dirname(start);
    starts.push(start);
  }
  const outermost = [...new Set(starts)].sort((a, b) => a.length - b.length);
  return outermost.filter((dir, i) => !outermost.slice(0, i).some((outer) => isInside(dir, outer))).sort();
}

/** Whether `dir` is a folder that can be looked into; one that cannot (gone, a loop of links, no permission) is walked from above. */
async function isFolder(dir: string): Promise<boolean> {
  // Not synchronous: a network share gone away could hold the engine (Note [Stats on a network share] in scan.ts).
  return (await stat(dir).catch(() => null))?.isDirectory() ?? false;
}

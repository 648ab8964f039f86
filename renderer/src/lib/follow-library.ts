/**
 * Note [Pages follow the library]: the Tags and Albums pages show what the engine sums up for them
 * (every tag's or album's count and sample photos, an open tag's or album's photos), read when
 * they open. A photo deleted or moved on disk (the folder watcher's run), new photos indexed, a
 * folder removed: each changes which photos those hold, and a page left as it was shows a tile
 * with no picture and counts that are wrong. So while a page shows, it reads its list and its
 * open tag's or album's photos again when the library changes, once the changes rest for a
 * second: a summary of every tag is seconds of the engine's only thread at 1M photos (Note
 * [Verdicts reload once] in coalesce.ts), so changes that come together are read once. The
 * photos read again replace those shown in place, so the grid keeps its place, its focus and its
 * selection. Reads of one list overlap (a tag opened meanwhile, a verdict, a tagging run's end)
 * and their answers can come back out of order: only the newest read's is shown (as Note [Newest
 * query wins] in state/search.svelte.ts), never an older one over it. The library's grid and
 * search, which outlive their screen, catch up as it shows again instead (Note [Results kept off
 * screen] in state/search.svelte.ts).
 */
import type { JobInfo } from './api.js';
import type { AppBus } from './bus.js';
import { coalesced } from './coalesce.js';

/** How long the library's changes rest before a page reads them again (Note [Pages follow the library]). */
const CHANGES_REST_MS = 1000;

/** A tagging run that finished: the tags it gave and took change what shows which photos have a tag (no other event says so). */
export const taggingDone = (job: JobInfo): boolean => job.kind === 'tag' && job.state === 'done';

/** Calls `reload` once the library's changes rest, until the function returned is called (an `$effect` returns it). */
export function followLibrary(bus: AppBus, reload: () => void): () => void {
  const soon = coalesced(reload, CHANGES_REST_MS);
  const off = bus.on('library-changed', soon.call);
  return () => {
    off();
    soon.cancel();
  };
}

/** Numbers the reads of one list: each read begun takes a check, true while no newer read has begun since (Note [Pages follow the library]). */
export function newestRead(): () => () => boolean {
  let newest = 0;
  return () => {
    const read = ++newest;
    return () => read === newest;
  };
}

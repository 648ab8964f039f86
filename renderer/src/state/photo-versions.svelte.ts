/**
 * Photos' versions as they are now, for the lists that are not read again when the library
 * changes (Note [Versions followed] in lib/photo-versions.ts).
 */
import { SvelteMap } from 'svelte/reactivity';
import type { LumenApi } from '../lib/api.js';
import type { AppBus } from '../lib/bus.js';
import { versionsNow, type VersionOf } from '../lib/photo-versions.js';

export class PhotoVersions {
  /** The followed photos' versions as the engine gave them after the library's last change (none before one). */
  private readonly learned = new SvelteMap<number, number>();
  /** What each view follows: read at each change, so a list that grew or was replaced is followed as it is then. */
  private followed: Array<() => Iterable<number>> = [];
  /** Numbers each refresh: a change during one makes its answer old (as Note [Newest query wins] in search.svelte.ts). */
  private generation = 0;

  constructor(
    private readonly api: LumenApi,
    bus: AppBus,
  ) {
    bus.on('library-changed', () => void this.refresh());
  }

  /** Follows the photos `ids()` names across changes, until the function returned is called (a component's `$effect` returns it). */
  follow(ids: () => Iterable<number>): () => void {
    this.followed.push(ids);
    return () => {
      this.followed = this.followed.filter((other) => other !== ids);
    };
  }

  /** A photo's version: the one learned since its list was read, else the list's (`listed`; none for a list without versions). */
  of(photoId: number, listed?: number): number | undefined {
    return this.learned.get(photoId) ?? listed;
  }

  /** A list's versions (`listed`), each replaced by the one learned since, if any. */
  over(listed: VersionOf): VersionOf {
    return (photoId) => this.of(photoId, listed(photoId));
  }

  private async refresh(): Promise<void> {
    const generation = ++this.generation;
    const answered = await versionsNow(this.api, this.followed.flatMap((read) => [...read()]));
    // A failed call leaves the versions learned as they were: older ones, still newer than the lists'.
    if (generation !== this.generation || answered === null) return;
    // Only what changed is written, so only the images of photos edited get new URLs.
    for (const id of [...this.learned.keys()]) if (!answered.has(id)) this.learned.delete(id);
    for (const [id, version] of answered) if (this.learned.get(id) !== version) this.learned.set(id, version);
  }
}

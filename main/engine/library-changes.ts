/**
 * Note [Photos as they index]: a first index run of a large folder takes hours, and its photos are
 * searchable batch by batch as they are stored; the grid should show them as they come too, not
 * when the run ends. So the batches stored are announced (`photos-stored`) at most every
 * EVERY_MS: the first at once, the last of a burst when that time is up, so a paused run shows
 * all it stored. The grid then reloads its timeline, which costs the engine little (Note
 * [Timeline follows writes] in storage/photo-timeline.ts), and not while search results stand in
 * its place. Only the grid: the status (counts, models) is read again when the run ends, with
 * `library-changed`, as reading it costs more and says nothing a person waits for meanwhile.
 */
import type { AppEvent } from '../../preload/contract.js';

const EVERY_MS = 3000;

export class LibraryChanges {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private last = Number.NEGATIVE_INFINITY;

  constructor(private readonly emit: (event: AppEvent) => void) {}

  /** Photos were stored: says so now, or when EVERY_MS has passed since it last did. */
  stored(): void {
    if (this.timer) return;
    const wait = this.last + EVERY_MS - Date.now();
    if (wait <= 0) return this.say({ type: 'photos-stored' });
    this.timer = setTimeout(() => this.say({ type: 'photos-stored' }), wait);
    // A process with nothing else to do need not stay for it.
    this.timer.unref?.();
  }

  /** The library changed (a run ended, a folder came or went): says so now, in place of any announcement to come. */
  now(): void {
    this.say({ type: 'library-changed' });
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private say(event: AppEvent): void {
    this.cancel();
    this.last = Date.now();
    this.emit(event);
  }
}

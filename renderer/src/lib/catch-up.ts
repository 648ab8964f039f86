/**
 * Note [Grid catches up at its own pace]: while indexing stores photos, the grid reloads the whole
 * timeline to show them (Note [Photos as they index] in the engine's library-changes.ts). At 100k
 * photos that is 4 MB the engine sends and the page parses and lays out: about half a second from
 * asking to shown, and 60-110 ms of the page's thread (measured in preview mode). Every few
 * seconds, a large library would stutter while a person scrolls it. So these reloads wait PACE
 * times as long as the last reload took: every couple of seconds while a new library fills up,
 * every ten seconds or so at 100k photos. The end of a run, or new filters, reload at once.
 */
const PACE = 20;

/** How long to wait before reloading for photos stored: at least `atLeastMs`, and PACE times the last reload, counted from its end. */
export function catchUpDelay(lastReloadMs: number, sinceLastReloadMs: number, atLeastMs: number): number {
  return Math.max(atLeastMs, PACE * lastReloadMs - sinceLastReloadMs);
}

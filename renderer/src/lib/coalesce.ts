/**
 * Note [Verdicts reload once]: a verdict given in the viewer or the selection bar changes what the
 * Tags and Albums pages show, and reading those again is a summary of every tag or album: at 1M
 * photos, seconds of the engine's only thread. A person going through a tag's photos with ✓ and ✕
 * gives a verdict a second; a reload each would queue up behind one another, and searches behind
 * them. So the reloads a burst of verdicts asks for are one, once the verdicts rest.
 */

/** How long verdicts rest before the pages they change read them (Note [Verdicts reload once]). */
export const VERDICTS_REST_MS = 400;

/** `run`, called once `ms` after the last of a burst of calls; `cancel` drops one pending. */
export function coalesced(run: () => void, ms: number): { call: () => void; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const cancel = () => clearTimeout(timer);
  return {
    call: () => {
      cancel();
      timer = setTimeout(run, ms);
    },
    cancel,
  };
}

/**
 * Counting the stop signals a command gets (Note [Ctrl-C] in index.ts): the first stops the run
 * at its next checkpoint, a second quits at once.
 *
 * Note [One press, sent twice]: `npm run cli` runs the command under tsx, whose parent process
 * relays SIGINT and SIGTERM to it and waits 30 ms for the command to say it got the signal; a
 * command whose event loop is busy then (indexing, on a loaded machine) says so late, and tsx
 * sends the signal again (and, with no word 30 ms after that either, SIGKILL: nothing here helps
 * a loop held that long). The command then got one Ctrl-C twice and quit at once, just after
 * saying it would stop at the next checkpoint. So the same signal again within SAME_PRESS_MS of
 * the first is that press again; another signal, or the same one later, is a second request.
 * The built CLI (`lumen`) runs without tsx.
 */

/**
 * How long after the first stop signal the same signal is the same press: well past tsx's 30 ms
 * wait, the signal sent again arriving late on a busy machine, and still short of the second or
 * more a person takes to read "Stopping at the next checkpoint…" and press Ctrl-C again. Two
 * presses faster than this (a reflexive double tap) count as one; a third press then quits.
 */
export const SAME_PRESS_MS = 300;

export interface StopRequests {
  /** The first request: stop at the next checkpoint. */
  stop(signal: NodeJS.Signals): void;
  /** A second request: quit at once. */
  quit(signal: NodeJS.Signals): void;
}

/** A handler for the stop signals that tells a first request from a second (Note [One press, sent twice]); `now` in milliseconds. */
export function stopSignalHandler(requests: StopRequests, now: () => number = () => performance.now()): (signal: NodeJS.Signals) => void {
  let first: { signal: NodeJS.Signals; at: number } | null = null;
  return (signal) => {
    const at = now();
    if (first === null) {
      first = { signal, at };
      requests.stop(signal);
    } else if (signal !== first.signal || at - first.at >= SAME_PRESS_MS) {
      requests.quit(signal);
    }
  };
}

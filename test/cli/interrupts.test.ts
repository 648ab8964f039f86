/**
 * The stop signals a command counts (Note [One press, sent twice] in main/cli/interrupts.ts): one
 * Ctrl-C that tsx sends on again is one request to stop; a second press, or another signal, quits.
 * On a clock of the test's own, so that no timing of the machine's decides.
 */
import { describe, expect, it } from 'vitest';
import { SAME_PRESS_MS, stopSignalHandler } from '../../main/cli/interrupts.js';

/** The handler, its requests in order, and a clock the test moves. */
function handler() {
  const said: string[] = [];
  let time = 1000;
  const handle = stopSignalHandler({ stop: (signal) => said.push(`stop ${signal}`), quit: (signal) => said.push(`quit ${signal}`) }, () => time);
  return { said, handle, wait: (ms: number) => (time += ms) };
}

describe('counting stop signals', () => {
  it('takes the same signal again within a moment as the same press, as tsx sends it on when the command answers late', () => {
    const { said, handle, wait } = handler();
    handle('SIGINT');
    handle('SIGINT');
    wait(SAME_PRESS_MS - 1);
    handle('SIGINT');
    expect(said).toEqual(['stop SIGINT']);
  });

  it('quits at a second press, measured from the first, however many were sent on between', () => {
    const { said, handle, wait } = handler();
    handle('SIGINT');
    wait(30);
    handle('SIGINT');
    wait(SAME_PRESS_MS - 30);
    handle('SIGINT');
    expect(said).toEqual(['stop SIGINT', 'quit SIGINT']);
  });

  it('quits at once at another signal, however soon', () => {
    const { said, handle } = handler();
    handle('SIGTERM');
    handle('SIGINT');
    expect(said).toEqual(['stop SIGTERM', 'quit SIGINT']);
  });
});

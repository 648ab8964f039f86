/** Interactive work goes first: job checkpoints wait while a search runs and for the grace period after it. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Foreground } from '../../main/jobs/foreground.js';
import { JobRegistry } from '../../main/jobs/registry.js';

/** A promise and the function that settles it. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

/** Whether `promise` has settled by the time pending microtasks (and due timers) ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

describe('the foreground', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('lets background work go on at once when nothing interactive ran', async () => {
    const foreground = new Foreground(250);
    expect(foreground.isBusy).toBe(false);
    expect(await settled(foreground.idle())).toBe(true);
  });

  it('holds background work while a search runs, and for the grace period after it', async () => {
    const foreground = new Foreground(250);
    const search = deferred<string>();
    const answer = foreground.interactive(() => search.promise);
    const idle = foreground.idle();
    await vi.advanceTimersByTimeAsync(1000);
    expect(await settled(idle)).toBe(false);

    search.resolve('results');
    expect(await answer).toBe('results');
    await vi.advanceTimersByTimeAsync(200);
    expect(await settled(idle)).toBe(false);
    await vi.advanceTimersByTimeAsync(60);
    expect(await settled(idle)).toBe(true);
    expect(foreground.isBusy).toBe(false);
  });

  it('keeps holding while searches follow each other within the grace period (typing)', async () => {
    const foreground = new Foreground(250);
    await foreground.interactive(async () => 'results');
    const idle = foreground.idle();
    for (let keystroke = 0; keystroke < 5; keystroke++) {
      await vi.advanceTimersByTimeAsync(100);
      await foreground.interactive(async () => 'results');
      expect(await settled(idle)).toBe(false);
    }
    await vi.advanceTimersByTimeAsync(250);
    expect(await settled(idle)).toBe(true);
  });

  it('passes a failed search on, and still lets the work go on after it', async () => {
    const foreground = new Foreground(100);
    await expect(foreground.interactive(() => Promise.reject(new Error('bad query')))).rejects.toThrow('bad query');
    const idle = foreground.idle();
    await vi.advanceTimersByTimeAsync(100);
    expect(await settled(idle)).toBe(true);
  });

  it("makes a registry's jobs wait at their checkpoints, and a cancel still ends them", async () => {
    const foreground = new Foreground(100);
    const registry = new JobRegistry(undefined, undefined, () => foreground.idle());
    let units = 0;
    const search = deferred();
    const { job, done } = registry.start('index', async (running) => {
      for (;;) {
        await running.checkpoint();
        units++;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    });
    await vi.advanceTimersByTimeAsync(50);
    const before = units;
    expect(before).toBeGreaterThan(0);

    const answer = foreground.interactive(() => search.promise);
    await vi.advanceTimersByTimeAsync(500);
    // At most the unit already past its checkpoint finished under the search.
    expect(units - before).toBeLessThanOrEqual(1);
    const held = units;

    search.resolve();
    await answer;
    await vi.advanceTimersByTimeAsync(200);
    expect(units).toBeGreaterThan(held);

    void foreground.interactive(() => new Promise(() => {}));
    job.cancel();
    await vi.advanceTimersByTimeAsync(200);
    await expect(done).rejects.toMatchObject({ code: 'cancelled' });
  });
});

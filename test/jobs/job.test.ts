/** Jobs: control, throttled progress, states, and the registry that runs them by kind. */
import { describe, expect, it, vi } from 'vitest';
import { UserError } from '../../main/core/errors.js';
import { Job, JobControl, type JobView } from '../../main/jobs/job.js';
import { JobRegistry, type JobSnapshot } from '../../main/jobs/registry.js';

describe('a job', () => {
  it('measures its rate on a clock that stands still while it is paused', () => {
    vi.useFakeTimers();
    try {
      const control = new JobControl();
      const meter = control.rateMeter();
      const start = control.activeTime();
      meter.record(0);
      vi.advanceTimersByTime(1000);
      meter.record(10);
      control.pause();
      vi.advanceTimersByTime(5000);
      // Paused: the clock stands still, however long the pause.
      expect(control.activeTime() - start).toBe(1000);
      control.pause();
      vi.advanceTimersByTime(3000);
      control.resume();
      vi.advanceTimersByTime(1000);
      meter.record(20);
      expect(control.activeTime() - start).toBe(2000);
      // 20 photos in 2 s of work, not in 10 s of wall time.
      expect(meter.perSecond).toBe(10);
    } finally {
      vi.useRealTimers();
    }
  });

  it('passes progress on at most once per interval, but always on a new phase', () => {
    vi.useFakeTimers();
    try {
      const seen: unknown[] = [];
      const job = new Job<{ phase: string; done: number }>('j', 'index', (view: JobView) => seen.push(view.progress), 1000);
      job.report({ phase: 'scanning', done: 1 });
      job.report({ phase: 'scanning', done: 2 });
      job.report({ phase: 'indexing', done: 3 });
      job.report({ phase: 'indexing', done: 4 });
      vi.advanceTimersByTime(1001);
      job.report({ phase: 'indexing', done: 5 });
      job.report({ phase: 'indexing', done: 6 }, true);
      expect(seen).toEqual([
        { phase: 'scanning', done: 1 },
        { phase: 'indexing', done: 3 },
        { phase: 'indexing', done: 5 },
        { phase: 'indexing', done: 6 },
      ]);
      expect(job.progress).toEqual({ phase: 'indexing', done: 6 });
    } finally {
      vi.useRealTimers();
    }
  });

  it('records how it ended: done, cancelled at a checkpoint, or failed with the reason', async () => {
    const done = new Job('a', 'tag');
    await done.run(async () => 1);
    expect(done.state).toBe('done');

    const cancelled = new Job('b', 'tag');
    const running = cancelled.run(async (job) => {
      for (;;) await job.checkpoint();
    });
    cancelled.cancel();
    await expect(running).rejects.toMatchObject({ code: 'cancelled' });
    expect([cancelled.state, cancelled.error]).toEqual(['cancelled', null]);

    const failed = new Job('c', 'tag');
    await expect(failed.run(async () => Promise.reject(new UserError('model-invalid', 'The model broke.')))).rejects.toThrow('The model broke.');
    expect([failed.state, failed.error]).toEqual(['failed', 'The model broke.']);

    // A full disk is said in the words every other place uses, not as SQLite puts it.
    const full = new Job('d', 'ocr');
    await expect(full.run(async () => Promise.reject(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })))).rejects.toThrow();
    expect(full.error).toMatch(/^The disk is full \(database or disk is full\); free some space and try again\./);

    // So is a damaged library met midway: what to do, not SQLite's code.
    const damaged = new Job('e', 'tag');
    await expect(damaged.run(async () => Promise.reject(Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' })))).rejects.toThrow();
    expect(damaged.error).toMatch(/^The library database is damaged \(database disk image is malformed\); open the Lumen app or run `lumen index` to restore/);
  });

  it('lets as many workers wait at checkpoints as a machine has cores, with no leak warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      let goOn = () => {};
      const searching = new Promise<void>((resolve) => (goOn = resolve));
      const control = new JobControl(() => searching);
      const workers = Array.from({ length: 64 }, () => control.checkpoint());
      goOn();
      await Promise.all(workers);
      // Node emits its warnings on a later turn.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((warning) => warning.name)).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('waits at a checkpoint while paused and reports pause and resume', async () => {
    const states: string[] = [];
    const job = new Job('p', 'index', (view) => states.push(view.state));
    job.pause();
    let passed = false;
    const waiting = job.checkpoint().then(() => (passed = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(passed).toBe(false);
    job.resume();
    await waiting;
    expect(states).toEqual(['paused', 'running']);
  });

  it('stays paused when cancelled while paused, and is next said to be cancelled, never running again (Note [Cancelled while paused])', async () => {
    const states: string[] = [];
    const registry = new JobRegistry((snapshot) => states.push(snapshot.state));
    const paused = registry.start('index', async (job) => {
      for (;;) await job.checkpoint().then(() => new Promise((resolve) => setTimeout(resolve, 1)));
    });
    paused.job.pause();
    paused.job.cancel();
    // A Resume pressed while it stops changes nothing either.
    paused.job.resume();
    await expect(paused.done).rejects.toMatchObject({ code: 'cancelled' });
    // Stuck, waiting for the person, who cancels instead.
    const stuck = registry.start('tag', (job) => job.waitForPerson('The disk is full.'));
    stuck.job.cancel();
    await expect(stuck.done).rejects.toMatchObject({ code: 'cancelled' });
    expect(states).toEqual(['running', 'paused', 'cancelled', 'paused', 'cancelled']);
  });
});

describe('the job registry', () => {
  it('runs one job per kind and subject, joins repeats, and forgets jobs that ended', async () => {
    const changes: JobSnapshot[] = [];
    const registry = new JobRegistry((snapshot) => changes.push(snapshot));
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = registry.start('index', async () => {
      await gate;
      return 'indexed';
    });
    const again = registry.start('index', async () => 'never runs');
    const download = registry.start('download', async () => 'model', 'm1');
    expect(again.job).toBe(first.job);
    expect(registry.list().map((job) => [job.kind, job.subject])).toEqual([
      ['index', null],
      ['download', 'm1'],
    ]);
    await expect(download.done).resolves.toBe('model');
    release();
    await expect(again.done).resolves.toBe('indexed');
    expect(registry.list()).toEqual([]);
    expect(changes.filter((change) => change.kind === 'index').map((change) => change.state)).toEqual(['running', 'done']);
    expect(() => registry.get(first.job.id)).toThrow(/No job .* is running/);
  });

  it('cancels every job and waits for them to stop', async () => {
    const registry = new JobRegistry();
    const stopped: string[] = [];
    for (const kind of ['index', 'tag']) {
      registry.start(kind, async (job) => {
        try {
          for (;;) await job.checkpoint().then(() => new Promise((resolve) => setTimeout(resolve, 1)));
        } finally {
          stopped.push(kind);
        }
      });
    }
    await registry.cancelAll();
    expect(stopped.sort()).toEqual(['index', 'tag']);
    expect(registry.list()).toEqual([]);
  });

  it('cancels, and waits for, a job one of those cancelled starts as it ends: it would outlive the stop', async () => {
    const registry = new JobRegistry();
    let follower: ReturnType<JobRegistry['start']> | null = null;
    // An index run that ends well though cancelled (its last steps have no checkpoint), then starts tagging.
    registry.start('index', async (job) => {
      await new Promise((resolve) => job.signal.addEventListener('abort', resolve));
      follower = registry.start('tag', async (tagging) => {
        for (;;) await tagging.checkpoint().then(() => new Promise((resolve) => setTimeout(resolve, 1)));
      });
    });
    const stopped = await registry.cancelKinds(['index', 'tag']);
    expect(stopped.map((job) => job.kind)).toEqual(['index', 'tag']);
    expect(registry.list()).toEqual([]);
    await expect(follower!.done).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('makes a job nobody asked for the person’s once they act on it, and says so (Note [Background jobs])', async () => {
    const changes: JobSnapshot[] = [];
    const registry = new JobRegistry((snapshot) => changes.push(snapshot));
    const watcherRun = registry.start('index', (job) => job.checkpoint().then(() => new Promise((resolve) => setTimeout(resolve, 20))), null, { background: true });
    expect(registry.actedOnByPerson(watcherRun.job.id)).toBe(watcherRun.job);
    expect(changes.at(-1)).toMatchObject({ id: watcherRun.job.id, background: false });
    watcherRun.job.pause();
    expect(changes.at(-1)).toMatchObject({ state: 'paused', background: false });
    watcherRun.job.resume();
    await watcherRun.done;
    expect(() => registry.actedOnByPerson(watcherRun.job.id)).toThrow(/No job index-\d+ is running/);
  });

  it('starts a job asked for while a cancelled one winds down anew, once that one has ended, and a stop waits for both', async () => {
    const registry = new JobRegistry();
    const order: string[] = [];
    let windDown: () => void = () => {};
    const cancelled = registry.start('index', async (job) => {
      await new Promise((resolve) => job.signal.addEventListener('abort', resolve));
      await new Promise<void>((resolve) => (windDown = resolve));
      order.push('cancelled one ended');
    });
    cancelled.job.cancel();
    const asked = registry.start('index', async () => {
      order.push('new one ran');
      return 'indexed';
    });
    expect(asked.job).not.toBe(cancelled.job);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual([]);
    windDown();
    expect(await asked.done).toBe('indexed');
    expect(order).toEqual(['cancelled one ended', 'new one ran']);
    expect(registry.list()).toEqual([]);

    // A stop while both are there ends when the one winding down has ended too.
    const slow = registry.start('tag', async (job) => {
      await new Promise((resolve) => job.signal.addEventListener('abort', resolve));
      await new Promise((resolve) => setTimeout(resolve, 50));
      order.push('slow one ended');
    });
    slow.job.cancel();
    registry.startAgain('tag', async () => order.push('an edit tagged'));
    await registry.cancelAll();
    expect(order.slice(2)).toEqual(['slow one ended']);
  });

  it('tells when a job pauses, by a person or by itself', async () => {
    const job = new Job('index-1', 'index');
    let paused = false;
    void job.untilPaused().then(() => (paused = true));
    const run = job.run(async () => {
      await job.waitForPerson('The disk is full.');
    });
    await vi.waitFor(() => expect(paused).toBe(true));
    await expect(job.untilPaused()).resolves.toBeUndefined();
    job.resume();
    await run;
  });

  it('marks a job nobody asked for as background until a person asks for the same (Note [Background jobs])', async () => {
    const changes: JobSnapshot[] = [];
    const registry = new JobRegistry((snapshot) => changes.push(snapshot));
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const watcherRun = registry.start('index', () => gate, null, { background: true });
    expect(changes).toEqual([expect.objectContaining({ id: watcherRun.job.id, state: 'running', background: true })]);
    expect(registry.start('index', () => gate, null, { background: true }).job).toBe(watcherRun.job);
    expect(changes).toHaveLength(1);
    // "Re-scan now" while it runs: the job is the person's now, and says so.
    expect(registry.start('index', () => gate).job).toBe(watcherRun.job);
    expect(changes.at(-1)).toMatchObject({ id: watcherRun.job.id, state: 'running', background: false });
    expect(registry.list()).toEqual([expect.objectContaining({ background: false })]);
    release();
    await watcherRun.done;
    expect(changes.at(-1)).toMatchObject({ state: 'done', background: false });
  });

  it('starts a job paused when asked: its first word is paused, and it works only once resumed (Note [Started paused])', async () => {
    const changes: JobSnapshot[] = [];
    const registry = new JobRegistry((snapshot) => changes.push(snapshot));
    let worked = false;
    const replacement = registry.start(
      'tag',
      async (job) => {
        await job.checkpoint();
        worked = true;
      },
      null,
      { paused: true, background: true },
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(worked).toBe(false);
    expect(changes).toEqual([expect.objectContaining({ id: replacement.job.id, state: 'paused', background: true })]);
    replacement.job.resume();
    await replacement.done;
    expect(worked).toBe(true);
    expect(changes.map((change) => change.state)).toEqual(['paused', 'running', 'done']);
  });

  it('starts every job asked for once the process is stopping cancelled: a Ctrl-C before a job starts is not lost', async () => {
    const registry = new JobRegistry();
    await registry.stopAll();
    let worked = false;
    const late = registry.start('index', async (job) => {
      await job.checkpoint();
      worked = true;
    });
    await expect(late.done).rejects.toMatchObject({ code: 'cancelled' });
    expect(worked).toBe(false);
  });
});

describe('a job asked for again while it runs', () => {
  it('runs the newest request once more in the same job, so no request is lost', async () => {
    const registry = new JobRegistry();
    const ran: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = registry.startAgain('tag', async () => {
      await gate;
      ran.push('old vocabulary');
      return 1;
    });
    const second = registry.startAgain('tag', async () => {
      ran.push('first edit');
      return 2;
    });
    const third = registry.startAgain('tag', async () => {
      ran.push('newest edit');
      return 3;
    });
    expect(second.job).toBe(first.job);
    release();
    expect(await third.done).toBe(3);
    expect(ran).toEqual(['old vocabulary', 'newest edit']);
    expect(registry.list()).toEqual([]);
  });

  it('runs the newest request even when the work before it failed, and answers with its outcome', async () => {
    const registry = new JobRegistry();
    let fail: (error: Error) => void = () => {};
    const first = registry.startAgain('tag', () => new Promise((_, reject) => (fail = reject)));
    const edit = registry.startAgain('tag', async () => 'tagged with the edit');
    fail(new Error('the old vocabulary failed'));
    expect(await edit.done).toBe('tagged with the edit');
    expect(await first.done).toBe('tagged with the edit');
  });

  it('drops a request asked again when the job is cancelled: neither it nor the next job runs it', async () => {
    const registry = new JobRegistry();
    const ran: string[] = [];
    const first = registry.startAgain('tag', async (job) => {
      for (;;) await job.checkpoint().then(() => new Promise((resolve) => setTimeout(resolve, 1)));
    });
    registry.startAgain('tag', async () => ran.push('the edit'));
    first.job.cancel();
    await expect(first.done).rejects.toMatchObject({ code: 'cancelled' });
    await registry.startAgain('tag', async () => ran.push('the next run')).done;
    expect(ran).toEqual(['the next run']);
  });
});

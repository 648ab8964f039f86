/** Note [Failures outlast their window] in main/jobs/registry.ts: a job's failure is listed until a job of its kind starts again, or it is dismissed. */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../main/core/errors.js';
import { JobRegistry } from '../../main/jobs/registry.js';

const full = () => Promise.reject(new UserError('disk-full', 'The disk is full.'));

describe('a failed job', () => {
  it('is listed with its reason until one of its kind starts again, whatever its subject; none done or cancelled is', async () => {
    const registry = new JobRegistry();
    await expect(registry.start('tag', full).done).rejects.toThrow('The disk is full.');
    await expect(registry.start('ocr', full, 'photo-1').done).rejects.toThrow();
    await registry.start('index', async () => 'indexed').done;
    const cancelled = registry.start('export', async (job) => {
      job.cancel();
      await job.checkpoint();
    });
    await expect(cancelled.done).rejects.toMatchObject({ code: 'cancelled' });
    expect(registry.list()).toEqual([]);
    expect(registry.failures().map(({ kind, subject, state, error }) => ({ kind, subject, state, error }))).toEqual([
      { kind: 'tag', subject: null, state: 'failed', error: 'The disk is full.' },
      { kind: 'ocr', subject: 'photo-1', state: 'failed', error: 'The disk is full.' },
    ]);

    // Its kind started again, on another subject too, takes it away.
    const again = registry.start('tag', async () => 'tagged');
    expect(registry.failures().map((job) => job.kind)).toEqual(['ocr']);
    await again.done;
    await registry.start('ocr', async () => 'read', 'photo-2').done;
    expect(registry.failures()).toEqual([]);
  });

  it('is forgotten once dismissed, and only its own id dismisses it', async () => {
    const registry = new JobRegistry();
    const failed = registry.start('tag', full);
    await expect(failed.done).rejects.toThrow();
    expect(registry.dismissFailure('tag-999')).toBe(false);
    expect(registry.failures()).toHaveLength(1);
    expect(registry.dismissFailure(failed.job.id)).toBe(true);
    expect(registry.failures()).toEqual([]);
    expect(registry.dismissFailure(failed.job.id)).toBe(false);
  });
});

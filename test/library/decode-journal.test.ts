/**
 * The journal of photos being decoded (Note [A photo that stops the process]): a process that ends
 * mid-decode is played by a decode that never settles and a journal opened again after it.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DecodeJournal } from '../../main/library/decode-journal.js';
import { tempDir } from '../helpers/fixtures.js';

describe('DecodeJournal', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  const photo = { path: '/photos/a.jpg', size: 1000, mtimeMs: 5 };
  const other = { path: '/photos/b.jpg', size: 2000, mtimeMs: 6 };
  const never = () => new Promise<never>(() => {});
  const reopen = () => DecodeJournal.open(scratch.dir);
  beforeEach(async () => (scratch = await tempDir()));
  afterEach(() => scratch.cleanup());

  it('names what a process ended decoding among others, then alone', async () => {
    const first = reopen();
    void first.decode(photo, never);
    void first.decode(other, never);
    const second = reopen();
    expect(second.suspicion(photo)).toBe('stopped-among-others');
    expect(second.suspicion(other)).toBe('stopped-among-others');
    void second.decode(photo, never);
    const third = reopen();
    expect(third.suspicion(photo)).toBe('stopped-alone');
    // Not decoded in the second process, so not yet cleared, and not named by its end.
    expect(third.suspicion(other)).toBe('stopped-among-others');
  });

  it('forgets a photo once its decode settles, whichever way', async () => {
    const journal = reopen();
    await journal.decode(photo, async () => 'decoded');
    await expect(journal.decode(other, () => Promise.reject(new Error('damaged')))).rejects.toThrow('damaged');
    const next = reopen();
    expect([next.suspicion(photo), next.suspicion(other), next.anyLeft]).toEqual([null, null, false]);
  });

  it('keeps a suspect of a process before until it is dealt with, or a whole run ends', async () => {
    void reopen().decode(photo, never);
    const second = reopen();
    await second.decode(other, async () => 'decoded');
    expect(reopen().suspicion(photo)).toBe('stopped-among-others');
    second.forgetUnmet();
    expect(reopen().anyLeft).toBe(false);
  });

  it('does not suspect a file edited since, nor trust a journal it cannot read', async () => {
    void reopen().decode(photo, never);
    expect(reopen().suspicion({ ...photo, mtimeMs: 7 })).toBeNull();
    expect(reopen().suspicion({ ...photo, size: 1001 })).toBeNull();
    writeFileSync(path.join(scratch.dir, 'decoding.json'), '[{"path": "/photos/a.jpg", "si');
    expect(reopen().anyLeft).toBe(false);
  });
});

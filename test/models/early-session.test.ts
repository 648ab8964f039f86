/** Sessions started before anything asks for them (Note [Text tower first] in main/app/engine-process.ts). */
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '../../main/core/errors.js';
import { ModelSession, type SessionPlan } from '../../main/models/session.js';
import { IMMICH_MODEL, IMMICH_TEXT_PLAN } from '../helpers/fixtures.js';

const TEXT = IMMICH_TEXT_PLAN;
const quiet = () => {};

describe('ModelSession.startEarly', () => {
  afterEach(async () => {
    await ModelSession.releaseUnclaimed();
    vi.restoreAllMocks();
  });

  it('is taken over by the first create with the same graph, provider and thread, and by no other', async () => {
    const early = ModelSession.startEarly(TEXT, quiet);
    expect(ModelSession.startEarly(TEXT, quiet)).toBe(early);
    const onThisThread = await ModelSession.create(TEXT.modelPath, TEXT.preference, quiet, quiet);
    expect(onThisThread).not.toBe(await early);
    const taken = await ModelSession.create(TEXT.modelPath, TEXT.preference, quiet, quiet, { thread: TEXT.thread });
    expect(taken).toBe(await early);
    const second = await ModelSession.create(TEXT.modelPath, TEXT.preference, quiet, quiet, { thread: TEXT.thread });
    expect(second).not.toBe(taken);
    await Promise.all([onThisThread.release(), taken.release(), second.release()]);
  });

  it('releases the sessions nothing took over, and only those', async () => {
    const release = vi.spyOn(ModelSession.prototype, 'release');
    const unclaimed = await ModelSession.startEarly(TEXT, quiet);
    const claimed = ModelSession.startEarly({ ...TEXT, thread: 'background' }, quiet);
    const taken = await ModelSession.create(TEXT.modelPath, TEXT.preference, quiet, quiet, { thread: 'background' });
    expect(taken).toBe(await claimed);
    await ModelSession.releaseUnclaimed();
    expect(release.mock.contexts).toEqual([unclaimed]);
    const fresh = await ModelSession.create(TEXT.modelPath, TEXT.preference, quiet, quiet, { thread: TEXT.thread });
    expect(fresh).not.toBe(unclaimed);
    await Promise.all([taken.release(), fresh.release()]);
  });

  it('one that cannot start is started again by create, which says why as usual', async () => {
    const missing: SessionPlan = { ...TEXT, modelPath: path.join(IMMICH_MODEL, 'textual', 'missing.onnx') };
    await expect(ModelSession.startEarly(missing, quiet)).rejects.toBeInstanceOf(UserError);
    const attempt = ModelSession.create(missing.modelPath, missing.preference, quiet, quiet, { thread: missing.thread });
    await expect(attempt).rejects.toMatchObject({ code: 'model-invalid', message: expect.stringContaining('missing.onnx') });
  });
});

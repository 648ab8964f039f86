/**
 * Near-duplicates through the Engine, as the app and the CLI use them: the job and its events,
 * and moving confirmed copies through an injected trash, after which the library forgets them.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_DUPLICATE_THRESHOLD, DuplicateFinder, type DuplicateReport } from '../../main/duplicates/index.js';
import { Engine } from '../../main/engine/engine.js';
import { eventSchema, type AppEvent, type JobInfo } from '../../preload/contract.js';
import { writeCopies } from '../helpers/duplicate-sets.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';

describe('near-duplicates in the engine', () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  let photos: string;
  let trash: string;
  let engine: Engine;
  let report: DuplicateReport;
  const events: AppEvent[] = [];
  const jobs = () => events.flatMap((event) => (event.type === 'job' && event.job.kind === 'duplicates' ? [event.job] : []));
  const group = (shape: string) => report.groups.find((found) => path.basename(found.keep).startsWith(`${shape}-`)) as DuplicateReport['groups'][number];
  const idOf = (file: string) => report.groups.flatMap((found) => found.photos).find((photo) => photo.path === file)?.photoId as number;

  beforeAll(async () => {
    scratch = await tempDir();
    photos = path.join(scratch.dir, 'Photos');
    trash = path.join(scratch.dir, 'Trash');
    await mkdir(trash);
    await writeCopies(photos, 3);
    engine = new Engine({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL, onEvent: (event) => events.push(event) });
    await (await engine.addFolders([photos])).indexing.done;
  });
  afterAll(async () => {
    await engine.dispose();
    await scratch.cleanup();
  });

  it('finds the groups as a job whose events say each phase, calibration first, and pass the contract', async () => {
    const running = engine.duplicates.find();
    expect(engine.duplicates.find({ threshold: DEFAULT_DUPLICATE_THRESHOLD }).job.id).toBe(running.job.id);
    report = await running.done;
    expect(report.groups.map((found) => path.basename(found.keep)).sort()).toEqual(['circle-original.jpg', 'square-original.jpg', 'star-original.jpg']);
    expect(report.model).toBe('tiny-clip-immich');
    const seen = jobs();
    expect(seen[0]?.state).toBe('running');
    expect(seen.at(-1)?.state).toBe('done');
    const phases = seen.flatMap((job) => (job.progress ? [job.progress.phase] : []));
    expect([...new Set(phases)]).toEqual(['calibrating', 'searching', 'choosing']);
    for (const event of events) expect(eventSchema.safeParse(event).success).toBe(true);
  });

  it('stops at once when cancelled', async () => {
    const running = engine.duplicates.find();
    running.job.cancel();
    await expect(running.done).rejects.toMatchObject({ code: 'cancelled' });
    expect((jobs().at(-1) as JobInfo).state).toBe('cancelled');
  });

  it('answers a find at another threshold with groups at that threshold, stopping the find running (Note [One find at a time])', async () => {
    const loose = engine.duplicates.find();
    const strict = engine.duplicates.find({ threshold: 1.25 });
    expect(strict.job.id).not.toBe(loose.job.id);
    await expect(loose.done).rejects.toMatchObject({ code: 'cancelled' });
    expect((await strict.done).threshold).toBe(1.25);
  });

  it('starts a find that a change of models stopped again at its threshold, and answers its caller with those groups (Note [Models changed under work])', async () => {
    const realFind = DuplicateFinder.prototype.find;
    let goOn = () => {};
    const held = new Promise<void>((resolve) => (goOn = resolve));
    // The first find waits until the change has stopped it; the one started again runs as usual.
    vi.spyOn(DuplicateFinder.prototype, 'find').mockImplementationOnce(async function (this: DuplicateFinder, options) {
      await held;
      return realFind.call(this, options);
    });
    const running = engine.duplicates.find({ threshold: 1 });
    const changing = engine.updateSettings({ provider: 'cpu' });
    await vi.waitFor(() => expect(running.job.isCancelled).toBe(true));
    goOn();
    await changing;
    const report = await running.done;
    expect(report.threshold).toBe(1);
    expect(report.groups.length).toBeGreaterThan(0);
    const finds = jobs().filter((job) => job.state === 'cancelled' || job.state === 'done');
    expect(finds.slice(-2).map((job) => [job.id === running.job.id, job.state])).toEqual([
      [true, 'cancelled'],
      [false, 'done'],
    ]);
  });

  it('moves the chosen copies through the injected trash, keeps the last copy of a group, then forgets the moved files', async () => {
    report = await engine.duplicates.find().done;
    const photosBefore = engine.library().status().photos;
    const eventsBefore = events.length;
    const circle = group('circle');
    const star = group('star');
    const copies = circle.paths.slice(1);
    const moved: string[] = [];
    const result = await engine.duplicates.trash([...copies, ...star.paths].map(idOf), async (file) => {
      moved.push(file);
      await rename(file, path.join(trash, path.basename(file)));
    });
    expect(result.trashed).toEqual(copies);
    expect(result.skipped.map((skip) => skip.path)).toEqual(star.paths);
    expect(result.skipped[0]?.reason).toBe('every copy of its group was chosen; keep at least one');
    expect(moved).toEqual(copies);
    expect((await readdir(trash)).sort()).toEqual(copies.map((file) => path.basename(file)).sort());
    for (const file of [circle.keep, ...star.paths]) expect(existsSync(file)).toBe(true);
    // The re-scan after the move: the library no longer has the moved files.
    expect(engine.library().status().photos).toBe(photosBefore - copies.length);
    expect(events.slice(eventsBefore)).toContainEqual({ type: 'library-changed' });
    // Photos of the groups found last only, and never the last copy left of one.
    await expect(engine.duplicates.trash([999_999], async () => expect.unreachable('moved'))).rejects.toMatchObject({ code: 'not-found' });
    const last = await engine.duplicates.trash([idOf(circle.keep)], async () => expect.unreachable('moved the last copy'));
    expect(last.skipped).toEqual([{ path: circle.keep, reason: 'no other copy of its group is still there; it is the last one' }]);
  });

  it('moves no copy that left the library since the groups were found, nor counts one as the copy a group keeps', async () => {
    report = await engine.duplicates.find().done;
    const square = group('square');
    const resaved = square.paths.find((file) => file.endsWith('-resaved.jpg')) as string;
    const folder = engine.library().folders()[0]!;
    await engine.setExcludes(folder.id, ['*-resaved.jpg']);
    await engine.index().done;
    // The page still shows the old groups: the excluded copy is named, with the group's others.
    const result = await engine.duplicates.trash(square.paths.map(idOf), async () => expect.unreachable('moved a file'));
    expect(result.trashed).toEqual([]);
    expect(result.skipped).toEqual([
      { path: resaved, reason: 'it is no longer in the library (it was deleted or moved, or its folder was removed or excluded); find duplicates again' },
      ...square.paths.filter((file) => file !== resaved).map((file) => ({ path: file, reason: 'every copy of its group was chosen; keep at least one' })),
    ]);
    for (const file of square.paths) expect(existsSync(file)).toBe(true);
    await engine.setExcludes(folder.id, []);
  });
});

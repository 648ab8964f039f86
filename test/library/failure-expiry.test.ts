/**
 * Note [Failures that last]: a file's own defect is not tried again until the file changes; a
 * failure of the machine (permissions, memory) is tried again on the next run, even when the file
 * did not change (a chmod changes neither size nor mtime). `index --retry-failed` tries every
 * failed file again. What the walk cannot index is recorded as a failure too.
 */
import { execFileSync } from 'node:child_process';
import { readFile, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../main/cli/index.js';
import { Engine } from '../../main/engine/engine.js';
import { classifyDecodeError, LASTING_REASONS } from '../../main/library/formats.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

/** Files the tests make unreadable (root reads files of mode 000, so the refusal is staged). */
const denied = vi.hoisted(() => new Set<string>());
/** Files whose decode runs out of memory. */
const noMemory = vi.hoisted(() => new Set<string>());

vi.mock('../../main/core/photo-file.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../main/core/photo-file.js')>();
  return {
    ...real,
    openPhotoFile: async (file: string) => {
      if (denied.has(file)) throw new real.PhotoFileError(file, 'denied', 'permission denied', Object.assign(new Error('EACCES'), { code: 'EACCES' }));
      return real.openPhotoFile(file);
    },
  };
});
vi.mock('../../main/library/decode.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../main/library/decode.js')>();
  return {
    ...real,
    decodePhoto: async (...args: Parameters<typeof real.decodePhoto>) => {
      if (typeof args[0] === 'string' && noMemory.has(args[0])) throw new Error('vips_malloc: out of memory');
      return real.decodePhoto(...args);
    },
  };
});

describe('failures that last, and failures that do not', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let dataDir: string;
  let folder: string;
  let files: string[];
  let engine: Engine;

  const failedPaths = async (request: { retryFailed?: boolean } = {}) => (await engine.index(request).done).failed.map((failure) => path.basename(failure.path)).sort();
  const listed = () => engine.failures().map((failure) => `${failure.name}: ${failure.reason}`).sort();

  beforeAll(() => {
    expect(classifyDecodeError(new Error('vips_malloc: out of memory'))).toBe('out-of-memory');
    expect(LASTING_REASONS.has('out-of-memory')).toBe(false);
    expect(LASTING_REASONS.has('unreadable')).toBe(false);
  });
  beforeEach(async () => {
    scratch = await tempDir();
    dataDir = path.join(scratch.dir, 'data');
    folder = path.join(scratch.dir, 'Photos');
    files = await copyPhotos((await fixturePhotos()).slice(0, 6), folder, () => '');
    engine = new Engine({ dataDir, model: IMMICH_MODEL, provider: 'cpu' });
  });
  afterEach(async () => {
    denied.clear();
    noMemory.clear();
    await engine.dispose();
    await scratch.cleanup();
  });
  afterAll(() => vi.restoreAllMocks());

  it('tries a file it could not read again on every run, and indexes it once its permissions are fixed', async () => {
    const locked = files[0] as string;
    denied.add(locked);
    const first = await engine.addFolders([folder]);
    expect((await first.indexing.done).failed).toEqual([expect.objectContaining({ path: locked, reason: 'unreadable', message: expect.stringMatching(/permission denied/) })]);
    expect(engine.library().status()).toMatchObject({ photos: 5, failed: 1 });

    // Not changed, still unreadable: tried again (and still listed).
    expect(await failedPaths()).toEqual([path.basename(locked)]);
    // Permissions fixed (same size, same mtime): indexed.
    denied.delete(locked);
    expect(await failedPaths()).toEqual([]);
    expect(engine.library().status()).toMatchObject({ photos: 6, failed: 0 });
  });

  it('tries a photo that ran out of memory again on the next run', async () => {
    noMemory.add(files[1] as string);
    await (await engine.addFolders([folder])).indexing.done;
    expect(listed()).toEqual([`${path.basename(files[1] as string)}: out-of-memory`]);
    noMemory.clear();
    expect(await failedPaths()).toEqual([]);
    expect(engine.library().status()).toMatchObject({ photos: 6, failed: 0 });
  });

  it('keeps a file’s own defect until the file changes, or until --retry-failed', async () => {
    const broken = path.join(folder, 'broken.jpg');
    await writeFile(broken, 'not a photo at all');
    await (await engine.addFolders([folder])).indexing.done;
    expect(listed()).toEqual(['broken.jpg: not-an-image']);

    expect(await failedPaths()).toEqual([]);
    expect(engine.library().status().failed).toBe(1);
    expect(await failedPaths({ retryFailed: true })).toEqual(['broken.jpg']);
    // Asked while a run is under way, the retry is not lost: the run's next pass tries them.
    const running = engine.index();
    expect(await failedPaths({ retryFailed: true })).toEqual(['broken.jpg']);
    await running.done;
    const later = new Date(Date.now() + 60_000);
    await utimes(broken, later, later);
    expect(await failedPaths()).toEqual(['broken.jpg']);
    expect(engine.library().status().failed).toBe(1);
  });

  it('counts and lists what the walk could not index, until it is gone', async () => {
    const pipe = path.join(folder, 'pipe.jpg');
    execFileSync('mkfifo', [pipe]);
    const { indexing } = await engine.addFolders([folder]);
    await indexing.done;
    expect(listed()).toEqual(['pipe.jpg: not-a-file']);
    // The run's own count, which the app shows as it ends, has it too.
    expect(indexing.job.progress).toMatchObject({ failed: 1 });
    expect(engine.library().status()).toMatchObject({ photos: 6, failed: 1 });
    // Still there: still listed, once.
    await engine.index().done;
    expect(listed()).toEqual(['pipe.jpg: not-a-file']);
    await rm(pipe);
    await engine.index().done;
    expect(engine.failures()).toEqual([]);
  });

  it('says why a damaged photo failed in the app’s words, with the decoder’s apart, in the app and on the command line', async () => {
    const cut = path.join(folder, 'cut.jpg');
    await writeFile(cut, (await readFile(files[0] as string)).subarray(0, 2000));
    await (await engine.addFolders([folder])).indexing.done;
    const [failure] = engine.failures();
    expect(failure).toEqual({ path: cut, name: 'cut.jpg', reason: 'truncated', message: 'cut.jpg is truncated (an incomplete copy or download?).', detail: expect.stringMatching(/\w/) });
    await engine.dispose();
    let stdout = '';
    const code = await main(['failures', '--data', dataDir, '--model', IMMICH_MODEL, '--provider', 'cpu'], { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true } });
    expect(code).toBe(0);
    expect(stdout).toMatch(/cut\.jpg: cut\.jpg is truncated \(an incomplete copy or download\?\)\.\n/);
  });

  it('index --retry-failed on the command line tries the failed files again', async () => {
    await engine.dispose();
    const broken = path.join(folder, 'broken.jpg');
    await writeFile(broken, 'not a photo at all');
    const cli = async (...argv: string[]) => {
      let stdout = '';
      const code = await main(['index', ...argv, '--data', dataDir, '--model', IMMICH_MODEL, '--provider', 'cpu'], { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true } });
      expect(code).toBe(0);
      return stdout;
    };
    expect(await cli(folder)).toMatch(/6 photos embedded, .* 1 failed in .*\n {2}skipped .*broken\.jpg: broken\.jpg is not an image/);
    expect(await cli()).toMatch(/0 photos embedded, 6 unchanged, .* 0 failed in /);
    expect(await cli('--retry-failed')).toMatch(/0 photos embedded, 6 unchanged, .* 1 failed in .*\n {2}skipped .*broken\.jpg/);
  });
});

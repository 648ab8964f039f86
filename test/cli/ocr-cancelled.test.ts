/**
 * Note [The run that goes on] in main/cli/common.ts: Ctrl-C on `lumen ocr FOLDER --all` names the
 * command that goes on from there as it was given, not a plain `lumen ocr`, which reads only what
 * the quick look lets through.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cli } from '../helpers/cli-main.js';
import { startCli } from '../helpers/cli-process.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { fixturePhotos } from '../helpers/library.js';
import { writeTextLibrary } from '../ocr/helpers.js';

describe('Ctrl-C on lumen ocr', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let folder: string;
  let data: string[];

  beforeAll(async () => {
    scratch = await tempDir();
    // A name with a space: the command named quotes it, as a shell reads it back.
    folder = path.join(scratch.dir, 'My Photos');
    await writeTextLibrary(folder, (await fixturePhotos()).filter((_, i) => i % 4 === 0));
    data = ['--data', path.join(scratch.dir, 'data'), '--provider', 'cpu'];
    expect((await cli('index', folder, ...data, '--model', IMMICH_MODEL)).code).toBe(0);
  });
  afterAll(() => scratch.cleanup());

  it('names the command as given, its options (--data) and folder, and that command reads the rest', async () => {
    const run = startCli(['ocr', folder, '--all', ...data]);
    await vi.waitFor(() => expect(run.stderr()).toMatch(/reading text: 0 of/), { timeout: 60_000, interval: 10 });
    run.kill('SIGINT');
    const stopped = await run.done;
    expect(stopped.code).toBe(130);
    const said = /lumen ocr: Cancelled: (\d+) of (\d+) photos? done and kept; `(.*)` goes on from there\.\n/.exec(stopped.stderr);
    expect(said?.[3]).toBe(`lumen ocr --data ${data[1]} --provider cpu --all '${folder}'`);
    const [done, total] = [Number(said?.[1]), Number(said?.[2])];
    expect(done).toBeLessThan(total);
    const rest = JSON.parse((await cli('ocr', folder, '--all', ...data, '--json')).stdout) as { read: number; skipped: number };
    expect(rest).toMatchObject({ read: total - done, skipped: 0 });
  });
});

import { copyFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppEvent, JobInfo } from '../../preload/contract.js';
import { main } from '../../main/cli/index.js';
import { progressPrinter } from '../../main/cli/progress.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

function duplicatesJob(progress: { phase: 'calibrating' | 'searching'; done: number; total: number }): AppEvent {
  return { type: 'job', job: { id: 'duplicates-1', kind: 'duplicates', subject: null, state: 'running', error: null, progress } as JobInfo };
}

describe('progress on stderr', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('prints every couple of seconds and at each new phase, and a line with nothing new once', () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const print = progressPrinter((line) => lines.push(line));
    for (let second = 0; second < 8; second += 3) {
      vi.setSystemTime(second * 1000);
      print(duplicatesJob({ phase: 'calibrating', done: 0, total: 0 }));
    }
    vi.setSystemTime(9000);
    print(duplicatesJob({ phase: 'searching', done: 10, total: 100 }));
    vi.setSystemTime(10_000);
    print(duplicatesJob({ phase: 'searching', done: 20, total: 100 }));
    vi.setSystemTime(12_000);
    print(duplicatesJob({ phase: 'searching', done: 40, total: 100 }));
    expect(lines).toEqual(['calibrating the threshold on edited copies of a few photos', 'searching: 10 of 100', 'searching: 40 of 100']);
  });

  it('ends an index run on a line whose figures add up to at most its total and agree with the summary', async () => {
    const scratch = await tempDir();
    try {
      const folder = path.join(scratch.dir, 'Photos');
      const photos = await copyPhotos((await fixturePhotos()).slice(0, 4), folder, () => '');
      // A byte-identical copy, a file that is no image, and a link the walk cannot follow (a failure of the scan).
      await copyFile(photos[0] as string, path.join(folder, 'copy.jpg'));
      await writeFile(path.join(folder, 'notes.jpg'), 'not a photo');
      await symlink(path.join(scratch.dir, 'unplugged', 'gone.jpg'), path.join(folder, 'gone.jpg'));
      let stdout = '';
      let stderr = '';
      const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } };
      expect(await main(['index', folder, '--data', path.join(scratch.dir, 'data'), '--model', IMMICH_MODEL, '--provider', 'cpu'], io)).toBe(0);
      const last = stderr.trim().split('\n').at(-1) as string;
      const [, phase, processed, total, stored, failed] = (/^(\w+): (\d+) of (\d+) \((\d+) stored, (\d+) failed\)/.exec(last) ?? []).map((figure, i) => (i < 2 ? figure : Number(figure)));
      expect({ last, phase, processed, total }).toEqual({ last, phase: 'finishing', processed: 7, total: 7 });
      // Stored: the 4 photos embedded and the copy of one of them.
      expect([stored, failed]).toEqual([5, 2]);
      expect(stdout).toMatch(/^Indexed with tiny-clip-immich: 4 photos embedded, 0 unchanged, 1 copy, 0 moved, 0 removed, 2 failed in /);
    } finally {
      await scratch.cleanup();
    }
  });
});

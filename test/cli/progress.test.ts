import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppEvent, JobInfo } from '../../preload/contract.js';
import { progressPrinter } from '../../main/cli/progress.js';

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
});

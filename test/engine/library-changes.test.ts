/** Note [Photos as they index]: stored batches are announced at once, then at most every few seconds, the last of a burst included. */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { LibraryChanges } from '../../main/engine/library-changes.js';
import type { AppEvent } from '../../preload/contract.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

it('says so at once, then once per interval for a burst, its last batch included; a change said now replaces one to come', () => {
  const said: number[] = [];
  const kinds: Array<AppEvent['type']> = [];
  const changes = new LibraryChanges((event) => {
    said.push(Date.now());
    kinds.push(event.type);
  });
  const start = Date.now();
  changes.stored();
  expect(said).toEqual([start]);
  for (let i = 0; i < 10; i++) {
    vi.advanceTimersByTime(200);
    changes.stored();
  }
  expect(said).toHaveLength(1);
  // The batches of the burst are said once, when the interval is up, though none came after it.
  vi.advanceTimersByTime(1000);
  expect(said).toEqual([start, start + 3000]);
  changes.stored();
  vi.advanceTimersByTime(1000);
  changes.now();
  expect(said).toEqual([start, start + 3000, start + 4000]);
  expect(kinds).toEqual(['photos-stored', 'photos-stored', 'library-changed']);
  // Cancelled (the engine closing): nothing more is said.
  changes.stored();
  changes.cancel();
  vi.advanceTimersByTime(10_000);
  expect(said).toHaveLength(3);
});

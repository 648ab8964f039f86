/** Time zones for tests of photo dates (Note [Dates as the clock showed] in main/library/decode.ts). */
import { afterAll } from 'vitest';

/**
 * Runs the rest of this test file in `zone`: set now, before Chromium or a child process starts
 * (both take their zone from TZ then), and put back after the file's tests.
 */
export function inTimeZone(zone: string): void {
  const before = process.env['TZ'];
  process.env['TZ'] = zone;
  afterAll(() => {
    if (before === undefined) delete process.env['TZ'];
    else process.env['TZ'] = before;
  });
}

/** Dates on the command line: whole days and months on the photos' clock, as the app's date filters take them. */
import { describe, expect, it } from 'vitest';
import { dateBound } from '../../main/search/date-bounds.js';

describe('dates on the command line', () => {
  it('takes a day, a month or a year whole, on the photos’ clock (UTC, whatever the zone): --before reaches its last moment', () => {
    expect(dateBound('2024-06-30', false)).toBe(Date.UTC(2024, 5, 30));
    expect(dateBound('2024-06-30', true)).toBe(Date.UTC(2024, 5, 30, 23, 59, 59, 999));
    expect(dateBound('2024-02', false)).toBe(Date.UTC(2024, 1, 1));
    expect(dateBound('2024-02', true)).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, 999));
    expect(dateBound(' 2024-12-31 ', true)).toBe(Date.UTC(2024, 11, 31, 23, 59, 59, 999));
    expect(dateBound('2023', false)).toBe(Date.UTC(2023, 0, 1));
    expect(dateBound('2023', true)).toBe(Date.UTC(2023, 11, 31, 23, 59, 59, 999));
    // Not 1923 or 1999, as `Date.UTC(23, …)` and Date.parse would read them.
    expect(new Date(dateBound('0023-04-05', false) as number).getUTCFullYear()).toBe(23);
    expect(new Date(dateBound('0099', true) as number).getUTCFullYear()).toBe(99);
    expect(new Date(dateBound('0099', true) as number).getUTCMonth()).toBe(11);
  });

  it('takes a moment as the clock reads it, a zone after it left aside (photo dates have none)', () => {
    expect(dateBound('2024-06-30T12:00:00Z', true)).toBe(Date.UTC(2024, 5, 30, 12));
    expect(dateBound('2024-06-30 08:30', false)).toBe(Date.UTC(2024, 5, 30, 8, 30));
    expect(dateBound('2024-06-30T08:30:15.5+09:00', false)).toBe(Date.UTC(2024, 5, 30, 8, 30, 15, 500));
  });

  it('refuses what is no date, or no real one', () => {
    for (const text of ['0', 'yesterday', '2023-13-01', '2023-02-30', '2023-00', '2024-06-31', '2024-6-1', '', '2023-02-30T10:00', '2024-06-31 08:00']) expect(dateBound(text, false)).toBeNull();
  });
});

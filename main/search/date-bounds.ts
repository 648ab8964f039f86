/**
 * Dates given to filter photos, by the command line and the app's date fields alike: a day (or a
 * month, or a year) is the whole of it, so `--before 2024-06-30` takes photos from that evening too; a moment
 * (with a time) is that moment. Both are clock readings, as photo dates are (Note [Dates as the
 * clock showed] in library/decode.ts): read in UTC whatever this machine's zone, and a zone written after
 * a moment is left aside, since no photo date has one to compare.
 */

const DAY = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
const MOMENT = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(?:Z|[+-]\d{2}:?\d{2})?$/;

/** The first moment of a day on the clock (a month or day past its end rolls over); `Date.UTC(year, …)` would read the years 0-99 as 1900-1999. */
function clockDay(year: number, month: number, date: number): Date {
  const day = new Date(0);
  day.setUTCFullYear(year, month, date);
  return day;
}

/**
 * The time `text` names, its first moment or (`end`) its last; null when it is no date. Only a
 * date written as one is taken (Date.parse reads "0" as the year 2000), and only a real one
 * (not 2023-02-30).
 */
export function dateBound(text: string, end: boolean): number | null {
  const value = text.trim();
  const day = DAY.exec(value);
  if (day) {
    const [year, month, date] = [Number(day[1]), day[2] === undefined ? null : Number(day[2]) - 1, day[3] === undefined ? null : Number(day[3])];
    const first = clockDay(year, month ?? 0, date ?? 1);
    if ((month !== null && first.getUTCMonth() !== month) || (date !== null && first.getUTCDate() !== date)) return null;
    if (!end) return first.getTime();
    // The first moment after the year, month or day, less one.
    const next = month === null ? clockDay(year + 1, 0, 1) : date === null ? clockDay(year, month + 1, 1) : clockDay(year, month, date + 1);
    return next.getTime() - 1;
  }
  const moment = MOMENT.exec(value);
  // Date.parse rolls an impossible day over (2023-02-30 is 2 March): the day is checked first.
  const time = moment && dateBound(moment[1] as string, false) !== null ? Date.parse(`${moment[1]}T${moment[2]}Z`) : Number.NaN;
  return Number.isNaN(time) ? null : time;
}

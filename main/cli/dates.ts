/**
 * Dates on the command line, read as the app's date filters read theirs: a day (or a month, or a
 * year) is the whole of it in local time, so `--before 2024-06-30` takes photos from that evening
 * too; a moment (with a time) is that moment.
 */

const DAY = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
const MOMENT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Local midnight of a day (a month or day past its end rolls over); `new Date(year, …)` would read the years 0-99 as 1900-1999. */
function localDay(year: number, month: number, date: number): Date {
  const day = new Date(2000, 0, 1);
  day.setFullYear(year, month, date);
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
    const first = localDay(year, month ?? 0, date ?? 1);
    if ((month !== null && first.getMonth() !== month) || (date !== null && first.getDate() !== date)) return null;
    if (!end) return first.getTime();
    // The first moment after the year, month or day, less one.
    const next = month === null ? localDay(year + 1, 0, 1) : date === null ? localDay(year, month + 1, 1) : localDay(year, month, date + 1);
    return next.getTime() - 1;
  }
  // Date.parse rolls an impossible day over (2023-02-30 is 2 March): the day is checked first.
  const time = MOMENT.test(value) && dateBound(value.slice(0, 10), false) !== null ? Date.parse(value) : Number.NaN;
  return Number.isNaN(time) ? null : time;
}

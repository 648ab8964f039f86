/**
 * Photo dates are clock readings stored as if in UTC (Note [Dates as the clock showed] in
 * main/library/decode.ts): shown and filtered in UTC, whatever zone the app runs in, so 23:30 on
 * 15 June shows as that wherever the laptop is. Real instants (a job's or a backup's time) are
 * not photo dates and keep the local zone.
 */

/** A format for photo dates: `options` as Intl takes them, read on the photo's clock. */
export function photoDateFormat(options: Intl.DateTimeFormatOptions, locale?: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' });
}

/** The month of a photo date, as a key that two dates of one month share. */
export function photoMonth(takenAt: number): string {
  const date = new Date(takenAt);
  return `${date.getUTCFullYear()}-${date.getUTCMonth()}`;
}

/** EXIF dates as the clock showed them (Note [Dates as the clock showed] in decode.ts), in any zone, and only real ones. */
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { readMetadata } from '../../main/library/decode.js';

const withDate = (date: string) =>
  sharp({ create: { width: 8, height: 8, channels: 3, background: 'red' } })
    .withExif({ IFD2: { DateTimeOriginal: date } })
    .jpeg()
    .toBuffer();

const zoneBefore = process.env['TZ'];
afterEach(() => {
  if (zoneBefore === undefined) delete process.env['TZ'];
  else process.env['TZ'] = zoneBefore;
});

describe('EXIF capture dates', () => {
  it('are the same clock reading whatever zone the indexing machine is in', async () => {
    const photo = await withDate('2021:06:15 23:30:00');
    for (const zone of ['Asia/Tokyo', 'UTC', 'America/Los_Angeles']) {
      process.env['TZ'] = zone;
      expect(new Date(2021, 5, 15).getTimezoneOffset(), zone).toBe(zone === 'UTC' ? 0 : zone === 'Asia/Tokyo' ? -540 : 420);
      expect((await readMetadata(photo)).takenAt, zone).toBe(Date.UTC(2021, 5, 15, 23, 30));
    }
  });

  it('take an impossible date for none rather than rolling it over into another', async () => {
    for (const impossible of ['2021:13:45 25:61:61', '2021:02:29 10:00:00', '2021:06:15 24:00:00', '2021:06:15 12:60:00', '2021:06:15 12:00:60', '2021:00:10 10:00:00', '1899:12:31 10:00:00', '    :  :     :  :  ']) {
      expect((await readMetadata(await withDate(impossible))).takenAt, impossible).toBeNull();
    }
    // What cameras and editors write besides the usual form is still read.
    expect((await readMetadata(await withDate('2024:02:29 00:00:00'))).takenAt).toBe(Date.UTC(2024, 1, 29));
    expect((await readMetadata(await withDate('2009-09-23 17:40:52 UTC'))).takenAt).toBe(Date.UTC(2009, 8, 23, 17, 40, 52));
    expect((await readMetadata(await withDate('2010:07:06'))).takenAt).toBe(Date.UTC(2010, 6, 6));
  });
});

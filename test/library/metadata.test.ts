/** What is read of a photo's EXIF. */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readMetadata } from '../../main/library/decode.js';

describe('reading EXIF', () => {
  it('ends a text at its first NUL, as cameras that pad the field write it', async () => {
    const photo = await sharp({ create: { width: 8, height: 8, channels: 3, background: 'red' } })
      .withExif({ IFD0: { Make: 'Nokia~2', Model: ' N95 ' } })
      .jpeg()
      .toBuffer();
    // sharp ends a text at a NUL itself: the NUL goes into the file's bytes after.
    const at = photo.indexOf('Nokia~2');
    expect(at).toBeGreaterThan(0);
    photo[at + 5] = 0;
    expect(await readMetadata(photo)).toMatchObject({ cameraMake: 'Nokia', cameraModel: 'N95' });
  });

  it('takes the zero date of a camera whose clock was never set for no date, and falls back to the next date field', async () => {
    const withDates = (exif: Record<string, Record<string, string>>) => sharp({ create: { width: 8, height: 8, channels: 3, background: 'red' } }).withExif(exif).jpeg().toBuffer();
    const unset = '0000:00:00 00:00:00';
    expect((await readMetadata(await withDates({ IFD0: { DateTime: unset } }))).takenAt).toBeNull();
    const fallback = await readMetadata(await withDates({ IFD0: { DateTime: '2019:07:04 10:30:00' }, IFD2: { DateTimeOriginal: unset } }));
    expect(new Date(fallback.takenAt as number).getFullYear()).toBe(2019);
    const dated = await readMetadata(await withDates({ IFD2: { DateTimeOriginal: '1999:12:31 23:59:00' } }));
    expect(new Date(dated.takenAt as number).getFullYear()).toBe(1999);
  });
});

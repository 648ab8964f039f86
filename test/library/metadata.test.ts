/** What is read of a photo's EXIF. */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodePhoto, readMetadata } from '../../main/library/decode.js';
import type { ImagePreprocessing } from '../../main/models/folder.js';

const PRE: ImagePreprocessing = { size: 32, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], interpolation: 'bicubic', resizeMode: 'shortest' };

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
    expect(fallback.takenAt).toBe(Date.UTC(2019, 6, 4, 10, 30));
    const dated = await readMetadata(await withDates({ IFD2: { DateTimeOriginal: '1999:12:31 23:59:00' } }));
    expect(dated.takenAt).toBe(Date.UTC(1999, 11, 31, 23, 59));
  });

  it('reads the EXIF of WebP and AVIF photos, which exifr cannot read from the file, from the block libvips read, as from a JPEG', async () => {
    const exif = {
      IFD0: { Make: 'TestCam', Model: 'X1' },
      IFD2: { DateTimeOriginal: '2021:07:04 23:30:00', LensModel: 'Wide 24mm' },
      IFD3: { GPSLatitudeRef: 'S', GPSLatitude: '33/1 52/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '70/1 30/1 0/1' },
    };
    const photo = (format: 'jpeg' | 'webp' | 'avif') => sharp({ create: { width: 32, height: 24, channels: 3, background: 'red' } }).withExif(exif)[format]().toBuffer();
    const fromJpeg = (await decodePhoto(await photo('jpeg'), PRE, { withThumbnail: false })).metadata;
    expect(fromJpeg).toMatchObject({ cameraMake: 'TestCam', cameraModel: 'X1', lens: 'Wide 24mm', latitude: expect.closeTo(-33.8667, 3), longitude: -70.5 });
    expect(fromJpeg.takenAt).toBe(Date.UTC(2021, 6, 4, 23, 30));
    // exifr reads neither file (WebP: "Unknown file format"; libheif's AVIF: only errors); the decode has the block from the header.
    expect((await decodePhoto(await photo('webp'), PRE, { withThumbnail: false })).metadata).toEqual(fromJpeg);
    expect((await decodePhoto(await photo('avif'), PRE, { withThumbnail: false })).metadata).toEqual(fromJpeg);
  });
});

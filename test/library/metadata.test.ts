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
});

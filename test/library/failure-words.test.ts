/**
 * A photo's own defect is said in words a person can act on: the system's error codes are named,
 * never shown bare, and a decoder's line is kept apart as a detail (Note [Decoder's words apart]).
 */
import { describe, expect, it } from 'vitest';
import { failureFor, failureWords, runFailure } from '../../main/library/failures.js';

const file = '/photos/2024/IMG_0001.jpg';
const systemError = (code: string) => Object.assign(new Error(`${code}: failed, open '${file}'`), { code });

describe('why a photo could not be indexed', () => {
  it.each([
    ['EACCES', 'IMG_0001.jpg could not be read: permission denied.'],
    ['EPERM', 'IMG_0001.jpg could not be read: permission denied.'],
    ['ENOENT', 'IMG_0001.jpg could not be read: it does not exist.'],
    ['EISDIR', 'IMG_0001.jpg could not be read: it is a folder.'],
    ['EIO', 'IMG_0001.jpg could not be read: the disk reported a read error (EIO).'],
  ])('a file the system would not read (%s) is said in words', (code, message) => {
    const failure = failureFor(file, systemError(code));
    expect(failure).toMatchObject({ reason: 'unreadable', message });
    expect(failureWords({ path: file, reason: failure.reason, message: failure.message })).toEqual({ message });
  });

  it("keeps a decoder's own line apart from the sentence a person reads", () => {
    const failure = failureFor(file, new Error('VipsJpeg: Premature end of input file\nVipsJpeg: out of order read'));
    expect(failure.reason).toBe('truncated');
    const words = failureWords({ path: file, reason: failure.reason, message: failure.message });
    expect(words.message).toMatch(/^IMG_0001\.jpg is truncated/);
    expect(words.detail).toBe('VipsJpeg: Premature end of input file');
  });
});

describe('why an index run stopped', () => {
  it('says the library held open by another program as that, with what to do, not as a disk to check', () => {
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    const error = runFailure(busy, 3);
    expect(error.code).toBe('busy');
    expect(error.message).toMatch(/^Indexing stopped: another program \(a database browser or a backup tool\?\) is holding the library open for writing: 3 photos indexed and kept; close it and run again\.$/);
  });
});

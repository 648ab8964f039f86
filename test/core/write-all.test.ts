/** Writes that take only part of what they are given (Note [Short writes] in temporary-files.ts). */
import type { FileHandle } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { writeAll } from '../../main/core/temporary-files.js';

/** A file whose writes take at most `take` bytes each, as a filling disk's do, and none once `capacity` is reached. */
function shortWritingFile(take: number, capacity = Infinity) {
  const file = new Uint8Array(64);
  let end = 0;
  const handle = {
    async write(buffer: Uint8Array, offset: number, length: number, position: number | null) {
      const at = position ?? end;
      const count = Math.max(0, Math.min(take, length, capacity - at));
      file.set(buffer.subarray(offset, offset + count), at);
      end = Math.max(end, at + count);
      return { bytesWritten: count, buffer };
    },
  };
  return { handle: handle as unknown as FileHandle, contents: () => file.subarray(0, end) };
}

describe('writeAll', () => {
  it('writes every byte when each write takes only a few', async () => {
    const file = shortWritingFile(3);
    await writeAll(file.handle, Uint8Array.from({ length: 20 }, (_, i) => i));
    await writeAll(file.handle, new Int32Array([0x04030201]), 30);
    expect(Array.from(file.contents().subarray(0, 20))).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(Array.from(file.contents().subarray(30, 34))).toEqual([1, 2, 3, 4]);
  });

  it('writes the bytes a view covers, not its whole buffer', async () => {
    const file = shortWritingFile(5);
    await writeAll(file.handle, new Uint8Array([9, 9, 1, 2, 3, 9]).subarray(2, 5), 0);
    expect(Array.from(file.contents())).toEqual([1, 2, 3]);
  });

  it('fails as a full disk does when nothing more is taken', async () => {
    const file = shortWritingFile(4, 10);
    await expect(writeAll(file.handle, new Uint8Array(16))).rejects.toMatchObject({ code: 'ENOSPC' });
  });
});

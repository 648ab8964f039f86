/** Whether two files hold the same bytes, read side by side (Note [Exact copies compared] in trash.ts). */
import type { FileHandle } from 'node:fs/promises';
import { openPhotoFile } from '../core/photo-file.js';

const CHUNK = 1024 * 1024;

/** True when `a` and `b` hold the same bytes, false when they differ, null when either cannot be read. */
export async function sameBytes(a: string, b: string): Promise<boolean | null> {
  const handles: FileHandle[] = [];
  try {
    // Only regular files, opened without blocking: a copy swapped for a FIFO would hang the read (Note [Only regular files] in core/photo-file.ts).
    const sizes: number[] = [];
    for (const file of [a, b]) {
      const { handle, size } = await openPhotoFile(file);
      handles.push(handle);
      sizes.push(size);
    }
    const [one, other] = handles as [FileHandle, FileHandle];
    if (sizes[0] !== sizes[1]) return false;
    const oneBuffer = Buffer.alloc(CHUNK);
    const otherBuffer = Buffer.alloc(CHUNK);
    for (let position = 0; ; ) {
      const [read, otherRead] = await Promise.all([one.read(oneBuffer, 0, CHUNK, position), other.read(otherBuffer, 0, CHUNK, position)]);
      if (read.bytesRead !== otherRead.bytesRead || !oneBuffer.subarray(0, read.bytesRead).equals(otherBuffer.subarray(0, otherRead.bytesRead))) return false;
      if (read.bytesRead === 0) return true;
      position += read.bytesRead;
    }
  } catch {
    return null;
  } finally {
    await Promise.all(handles.map((handle) => handle.close()));
  }
}

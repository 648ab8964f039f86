/**
 * Files replaced whole: written under a temporary name, then renamed over the real one, so a
 * crash leaves the old file or the new one, never half of either.
 *
 * Note [Temporary names]: a temporary name carries the writer's process id and a number counted
 * on from a random start (`<file>.<pid>-<8 hex>.tmp`), so two processes, or two writes in one
 * process, never share one (concurrent searches once crashed on a shared
 * `<index>.usearch.json.tmp`; random bytes alone repeated once in a thousand names, about once
 * in ten thousand runs of the test). The random start keeps apart two processes that had the
 * same id one after the other. A process killed between the write and the rename leaves its
 * temporary file behind; `removeStaleTemporaries` clears those whose process is gone.
 */
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

const TEMPORARY = /\.(\d+)-[0-9a-f]{8}\.tmp$/;

/**
 * Writes all of `data` at `position` (the file's current position when null). Note [Short
 * writes]: one write may take only part of what it is given, as when the disk fills up midway:
 * it says how much it took, and only the next write fails (ENOSPC). A single `handle.write` let
 * a truncated file pass as whole (a model download, a text graph, the vector matrix).
 */
export async function writeAll(handle: FileHandle, data: ArrayBufferView, position: number | null = null): Promise<void> {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position === null ? null : position + done);
    if (bytesWritten === 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    done += bytesWritten;
  }
}

const firstName = randomBytes(4).readUInt32BE();
let namesGiven = 0;

/** A temporary name next to `file`, unique to this process and this call. */
export function temporaryName(file: string): string {
  const number = (firstName + namesGiven++) >>> 0;
  return `${file}.${process.pid}-${number.toString(16).padStart(8, '0')}.tmp`;
}

/** Whether a process with this id is running (on this machine). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is only someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes `data` to `file` through a temporary name (Note [Temporary names]). */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = temporaryName(file);
  try {
    await writeFile(temp, data);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** `writeFileAtomic`, done before it returns: for a write that must not wait for the event loop (a process about to end). */
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  const temp = temporaryName(file);
  try {
    writeFileSync(temp, data);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Removes temporary files in `dir` left by processes that are gone; returns how many. */
export async function removeStaleTemporaries(dir: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    const pid = TEMPORARY.exec(name)?.[1];
    if (pid === undefined || processAlive(Number(pid))) continue;
    await rm(path.join(dir, name), { force: true });
    removed++;
  }
  return removed;
}

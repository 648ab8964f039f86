/**
 * Whether a file is still the one it was: how it stands (size, time, inode) says so without
 * reading it; where that changed, its SHA-256 does.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';

/** How a file stood when it was saved or read. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  ino: number;
}

export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function stampOf(file: string): Promise<FileStamp | null> {
  const info = await stat(file).catch(() => null);
  return info && { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino };
}

export function sameStamp(a: FileStamp | null | undefined, b: FileStamp | null | undefined): boolean {
  return !!a && !!b && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

/** Whether `info` is still the regular file recorded as `known`: the library keeps a file's size and its modification time floored to the millisecond. */
export function stillAsRecorded(known: { size: number; mtimeMs: number }, info: Stats | null): boolean {
  return info?.isFile() === true && info.size === known.size && Math.floor(info.mtimeMs) === known.mtimeMs;
}

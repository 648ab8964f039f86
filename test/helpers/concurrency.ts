/**
 * Several writers and many readers on one data folder at once, as separate CLI processes (Note
 * [One writer] in main/storage/writer-lock.ts), and what a sound library looks like afterwards.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { expect } from 'vitest';
import { runCli, type CliRun } from './cli-process.js';
import { queryLibrary } from './library.js';

export interface RoundCounts {
  /** `index --wait`: each must finish. */
  waitingWriters: number;
  /** `index` without --wait: each finishes, or is turned away naming the writer. */
  writers: number;
  /** search, status, similar, tags, albums: each must succeed. */
  readers: number;
}

export interface RoundResult {
  /** Writers turned away with a message naming the writer. */
  heldOff: number;
  runs: number;
}

const READERS: Array<(data: string) => string[]> = [
  (data) => ['search', 'a photo of a red circle.', '--data', data, '--all', '--json'],
  (data) => ['status', '--data', data, '--json'],
  (data) => ['similar', '1', '--data', data, '--json'],
  (data) => ['tags', '--data', data, '--json'],
  (data) => ['albums', '--data', data, '--json'],
  (data) => ['failures', '--data', data, '--json'],
];

/** Runs one round and checks every process ended as it should. */
export async function concurrentRound(data: string, model: string[], counts: RoundCounts): Promise<RoundResult> {
  const runs: Array<Promise<{ kind: 'reader' | 'writer' | 'waiting'; argv: string[]; run: CliRun }>> = [];
  const start = (kind: 'reader' | 'writer' | 'waiting', argv: string[]) => runs.push(runCli(argv, 180_000).then((run) => ({ kind, argv, run })));
  for (let i = 0; i < Math.max(counts.waitingWriters, counts.writers, counts.readers); i++) {
    if (i < counts.waitingWriters) start('waiting', ['index', '--data', data, ...model, '--wait']);
    if (i < counts.writers) start('writer', ['index', '--data', data, ...model]);
    if (i < counts.readers) start('reader', (READERS[i % READERS.length] as (data: string) => string[])(data));
  }
  let heldOff = 0;
  for (const { kind, argv, run } of await Promise.all(runs)) {
    const seen = { argv: argv.join(' '), code: run.code, signal: run.signal, stderr: run.stderr };
    if (kind === 'writer' && run.code === 75) {
      expect(seen.stderr, seen.argv).toMatch(/^lumen index: Lumen \(`lumen index`, pid \d+\) is (indexing|using) this library; wait for it to finish, or run again with --wait\.\n$/);
      heldOff++;
      continue;
    }
    expect(seen).toMatchObject({ code: 0, signal: null });
    expect(seen.stderr, seen.argv).not.toMatch(/unexpected error|Error:|at .*\.ts:\d+/);
    if (kind === 'reader') JSON.parse(run.stdout);
  }
  return { heldOff, runs: runs.length };
}

/** The database is sound and holds every photo once: one file row per path, one image per content, one embedding each. */
export function expectSoundLibrary(data: string, photoCount: number): void {
  expect(queryLibrary<string>(data, 'PRAGMA integrity_check')).toEqual(['ok']);
  expect(queryLibrary<number>(data, 'SELECT COUNT(*) FROM files')).toEqual([photoCount]);
  expect(queryLibrary<number>(data, 'SELECT COUNT(DISTINCT path) FROM files')).toEqual([photoCount]);
  const images = queryLibrary<number>(data, 'SELECT COUNT(*) FROM images')[0];
  expect(queryLibrary<number>(data, 'SELECT COUNT(DISTINCT content_hash) FROM images')).toEqual([images]);
  expect(queryLibrary<number>(data, 'SELECT COUNT(*) FROM embeddings')).toEqual([images]);
  expect(queryLibrary<number>(data, 'SELECT COUNT(*) FROM images WHERE id NOT IN (SELECT image_id FROM files)')).toEqual([0]);
}

/** SHA-256 of each file, to show originals were never touched. */
export async function hashFiles(files: readonly string[]): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (const file of files) hashes.set(file, createHash('sha256').update(await readFile(file)).digest('hex'));
  return hashes;
}

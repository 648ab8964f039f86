/**
 * Whether the engine's process asks glibc for huge pages: decided on each machine by timing its
 * own launches (Note [Huge pages where they pay]).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../core/temporary-files.js';

/**
 * Note [Huge pages for the models]: onnxruntime copies a model's weights into fresh memory as a
 * session starts, and on Linux each 4 KiB page of it faults on first touch: most of the text
 * tower's load (ViT-B/32: 254 MB), on the path to the first search (Note [Photos first] in
 * engine-service.ts). Told to (glibc tunables, read as a process starts; glibc 2.35 and later),
 * glibc's malloc asks for transparent huge pages, which distributions give on request: the text
 * tower started in 1.3-2.4 s instead of 3.2-6.0 s on one machine, the image tower in half the
 * time, queries ran as fast and memory grew by under a tenth. Huge pages reach only glibc's main
 * arena, and a session starts on a thread of its own (Note [Inference off the event loop]), which
 * glibc gives an arena of its own: so the process keeps one arena (threads keep their own caches
 * of small blocks). Elsewhere the variable means nothing.
 */
const TUNABLES = 'glibc.malloc.hugetlb=1:glibc.malloc.arena_max=1';

/** The engine process's environment: the parent's, with huge pages asked for when `hugePages`. */
export function engineEnv(hugePages: boolean, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (!hugePages) return { ...env };
  const tunables = env['GLIBC_TUNABLES'];
  return { ...env, GLIBC_TUNABLES: tunables ? `${tunables}:${TUNABLES}` : TUNABLES };
}

/** Whether this process was started with huge pages asked for (by `engineEnv`). */
export function startedWithHugePages(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env['GLIBC_TUNABLES'] ?? '').includes(TUNABLES);
}

/**
 * Note [Huge pages where they pay]: on some machines huge pages halve a tower's start (Note [Huge
 * pages for the models]); on others, virtual machines among them, they cost 0.3-3.9 s of kernel
 * time at random in the same start (0.47-2.1 s against 0.28-0.42 s without, for the text tower
 * from its runtime graph). Only the machine itself can tell. So each launch records how long the
 * text tower its entry begins (Note [Text tower first] in engine-process.ts: the same graph every
 * launch, on the path to the first search) took to create on its thread, with whether huge pages
 * were asked for. The launches alternate, with them first, until each way has TRIAL_LAUNCHES
 * starts; from then on the process starts the way whose median of its latest starts is the
 * shorter, and every RETRY_EVERY-th launch the other way once, so that a way judged on a slow
 * moment (a cold disk, the apps starting at login) can win its place back. A launch without a
 * recorded tower (the library's first) times nothing.
 */
const STARTS_FILE = 'tower-starts.json';
export const TRIAL_LAUNCHES = 3;
const RETRY_EVERY = 10;

export interface TowerStarts {
  /** The latest TRIAL_LAUNCHES starts each way, in ms. */
  withHugePages: number[];
  without: number[];
  /** Launches timed so far. */
  launches: number;
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] as number;

const isTimes = (value: unknown): value is number[] => Array.isArray(value) && value.every((ms) => typeof ms === 'number' && Number.isFinite(ms) && ms >= 0);

/** The starts recorded; none when the file is missing or not one of its own (it is only a measurement). */
export function readTowerStarts(dataDir: string): TowerStarts {
  try {
    const value = JSON.parse(readFileSync(path.join(dataDir, STARTS_FILE), 'utf8')) as Partial<TowerStarts> | null;
    if (value && isTimes(value.withHugePages) && isTimes(value.without) && Number.isSafeInteger(value.launches) && (value.launches as number) >= 0) {
      return { withHugePages: value.withHugePages, without: value.without, launches: value.launches as number };
    }
  } catch {
    // Read as none.
  }
  return { withHugePages: [], without: [], launches: 0 };
}

/** Whether the next engine process of this data folder asks for huge pages (Note [Huge pages where they pay]). */
export function useHugePages(dataDir: string): boolean {
  const { withHugePages, without, launches } = readTowerStarts(dataDir);
  if (withHugePages.length < TRIAL_LAUNCHES || without.length < TRIAL_LAUNCHES) return withHugePages.length <= without.length;
  const better = median(withHugePages) <= median(without);
  return launches % RETRY_EVERY === RETRY_EVERY - 1 ? !better : better;
}

/**
 * Records how long this launch's text tower took to create, and whether huge pages were asked
 * for. At once: a process asked one search and then stopped (a script, a benchmark) still counts.
 */
export function recordTowerStart(dataDir: string, hugePages: boolean, ms: number): void {
  const starts = readTowerStarts(dataDir);
  const way = hugePages ? 'withHugePages' : 'without';
  starts[way] = [...starts[way], Math.round(ms)].slice(-TRIAL_LAUNCHES);
  starts.launches++;
  writeFileAtomicSync(path.join(dataDir, STARTS_FILE), JSON.stringify(starts));
}

/**
 * Worker threads of the engine: where their entries are, and their priority.
 *
 * Note [Thread entries]: a thread's entry sits next to the module that starts it in every form
 * the code runs in: the sources and both builds, whose chunks lie flat next to their entries
 * (electron.vite.config.ts, cli.vite.config.ts). The sources run through tsx (development,
 * tests), whose loader a worker does not inherit: there the thread starts in
 * tsx-worker-boot.mjs, which registers it before it imports the entry.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type Transferable } from 'node:worker_threads';

/** Starts the entry `name` that lies next to the module at `moduleUrl` (its `import.meta.url`). */
export function startWorker(moduleUrl: string, name: string, workerData: unknown, transferList: readonly Transferable[] = []): Worker {
  const here = fileURLToPath(moduleUrl);
  const extension = path.extname(here);
  const entry = path.join(path.dirname(here), `${name}${extension}`);
  const options = { workerData, transferList: [...transferList] };
  if (extension !== '.ts') return new Worker(entry, options);
  return new Worker(new URL('./tsx-worker-boot.mjs', import.meta.url), { ...options, argv: [pathToFileURL(entry).href] });
}

/**
 * Note [Background priority]: background work (indexing, reading text, merging the index) runs
 * on threads that lower their own priority before they start any threads of their own, which
 * inherit it: a search's work, at normal priority, then gets the cores first when both want
 * them. Linux keeps a priority per thread; macOS and Windows would apply it to the whole
 * process, searches included, so there it is left alone and searches rely on Note [Searches
 * first] only.
 */
export function lowerThisThreadsPriority(): void {
  const BACKGROUND_NICENESS = 10;
  // Only ever lowered: raising it back (a process started with `nice`) needs privileges.
  if (process.platform === 'linux' && os.getPriority(0) < BACKGROUND_NICENESS) os.setPriority(0, BACKGROUND_NICENESS);
}

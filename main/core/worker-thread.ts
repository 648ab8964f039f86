/**
 * Worker threads of the engine: where their entries are, their priority, and the requests they
 * answer.
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

/** A thread's answer to the request numbered `id`. */
export type ThreadAnswer<Value> = { kind: 'result'; id: number; value: Value } | { kind: 'error'; id: number; message: string };

/**
 * The requests sent to one worker thread and not yet answered, each known by its number. When
 * the thread stops, they all fail, after `onStop` has been told (a start still waited for fails
 * with them). The thread keeps the process alive only while a request is pending: a CLI command
 * ends when its work does.
 */
export class ThreadRequests<Value> {
  readonly #pending = new Map<number, { resolve: (value: Value) => void; reject: (error: Error) => void }>();
  #nextId = 0;
  /** Why the thread stopped: a request sent after that fails at once, as nothing would answer it. */
  #stopped: Error | null = null;

  constructor(
    private readonly worker: Worker,
    name: string,
    onStop: (error: Error) => void,
  ) {
    const stopped = (error: Error) => {
      this.#stopped ??= error;
      onStop(error);
      for (const call of this.#pending.values()) call.reject(error);
      this.#pending.clear();
    };
    worker.on('error', stopped);
    worker.on('exit', (code) => stopped(new Error(`${name} stopped (exit code ${code})`)));
  }

  /** Posts the request `make` writes for a new number, moving `transfer` with it, and waits for the thread's answer. */
  send(make: (id: number) => unknown, transfer: readonly ArrayBuffer[] = []): Promise<Value> {
    if (this.#stopped) return Promise.reject(this.#stopped);
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      this.#pending.set(id, { resolve, reject });
      this.worker.ref();
      try {
        this.worker.postMessage(make(id), transfer);
      } catch (error) {
        // Not sent (something in it cannot cross to a thread): nothing will answer it.
        this.#pending.delete(id);
        this.idleIfDone();
        reject(error as Error);
      }
    });
  }

  /** Settles the request `answer` is for. */
  settle(answer: ThreadAnswer<Value>): void {
    const call = this.#pending.get(answer.id);
    this.#pending.delete(answer.id);
    if (answer.kind === 'result') call?.resolve(answer.value);
    else call?.reject(new Error(answer.message));
    this.idleIfDone();
  }

  /** Lets the process end while no request is pending. */
  idleIfDone(): void {
    if (this.#pending.size === 0) this.worker.unref();
  }
}

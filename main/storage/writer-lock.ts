/**
 * One writer per data folder.
 *
 * Note [One writer]: two processes writing one library (two `index` runs, or `index` while the
 * app indexes) would each embed every new photo and race on the files beside the database. So a
 * process that changes the library (the app's engine, or one CLI command that writes) first
 * takes this lock and holds it until it closes; a second writer is told who holds it, or waits
 * for it (`--wait`). Readers (search, status, similar, listing tags, albums) take no lock: their
 * connection is read-only (WAL lets them read while the writer writes) and they write no file
 * (Note [Readers keep it in memory] in vector-index.ts), so a busy writer never fails them.
 *
 * The lock is an SQLite write transaction held open on `writer.lock`. SQLite's locks are the
 * operating system's file locks, released when the process ends however it ends (a kill, a
 * crash), so the lock is never left stale and no process id needs checking to break it.
 * `writer.json` says who holds it (process id, which program, what it is doing), written by the
 * holder once it has the lock; one naming a process that is gone (left by a killed writer)
 * names nobody.
 *
 * Note [A database it cannot write]: a library.db this user may not write (copied from read-only
 * media, or another user's) in a folder it may write let the lock be taken, and SQLite opens such
 * a file read-only without a word: every change then failed as "attempt to write a readonly
 * database". The database and the files SQLite keeps beside it, where present, are asked too:
 * any of them read-only makes the data folder read-only, with that wording.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { READ_ONLY_LIBRARY_ADVICE } from '../core/cli-advice.js';
import { UserError, messageOf, throwIfAborted } from '../core/errors.js';
import { canWrite } from '../core/paths.js';
import { processAlive, writeFileAtomicSync } from '../core/temporary-files.js';
import { DATABASE_FILE } from './storage.js';

export const LOCK_FILE = 'writer.lock';
export const HOLDER_FILE = 'writer.json';
const POLL_MS = 250;

/** Whether this process may change the library in `dataDir`: the folder, and its database files where present (Note [A database it cannot write]). */
function writable(dataDir: string): boolean {
  const files = ['', '-wal', '-shm'].map((suffix) => path.join(dataDir, `${DATABASE_FILE}${suffix}`));
  return canWrite(dataDir) && files.every((file) => canWrite(file) || !existsSync(file));
}

export interface WriterInfo {
  pid: number;
  /** Which program: "the app", "`lumen index`". */
  holder: string;
  /** What it is doing, to finish "is … this library": "indexing", "tagging", "using". */
  doing: string;
  since: number;
}

/** What the holder of the lock says it does between jobs: it holds the library open (the app, all the while it runs). */
export const HOLDING = 'using';

/**
 * Someone else is writing the library (Note [One writer]).
 *
 * Note [Open, not busy]: the app holds the lock for as long as it runs, so a second writer was
 * told to "wait for it to finish" while the app was idle, which lasts until it is closed. A
 * holder between jobs is said to have the library open, and what to do is `idleHint`.
 */
export class WriterBusy extends UserError {
  constructor(
    readonly holder: WriterInfo | null,
    hint: string,
    idleHint = 'close it and try again',
  ) {
    super(
      'busy',
      !holder
        ? `Another Lumen process is changing this library; ${hint}.`
        : holder.doing === HOLDING
          ? `Lumen (${holder.holder}, pid ${holder.pid}) has this library open, and only it may change the library until it is closed; ${idleHint}.`
          : `Lumen (${holder.holder}, pid ${holder.pid}) is ${holder.doing} this library; ${hint}.`,
    );
  }
}

export interface TakeOptions {
  /** Wait for the lock instead of throwing WriterBusy. */
  wait?: boolean;
  signal?: AbortSignal;
  /** Told once when the lock is busy and `wait` is set. */
  onWait?: (busy: WriterBusy) => void;
  /** What to do about a busy lock, ending WriterBusy's message. */
  hint?: string;
  /** What to do about a lock held by a writer between jobs (Note [Open, not busy]). */
  idleHint?: string;
  nativeBinding?: string | undefined;
}

export class WriterLock {
  private constructor(
    private readonly db: Database.Database,
    private readonly infoFile: string,
    private info: WriterInfo,
  ) {}

  /** Who holds the lock of `dataDir`, when a running process says so. */
  static holder(dataDir: string): WriterInfo | null {
    try {
      const info = JSON.parse(readFileSync(path.join(dataDir, HOLDER_FILE), 'utf8')) as Partial<WriterInfo>;
      const valid = typeof info.pid === 'number' && typeof info.holder === 'string' && typeof info.doing === 'string' && typeof info.since === 'number';
      return valid && processAlive(info.pid as number) ? (info as WriterInfo) : null;
    } catch {
      return null;
    }
  }

  /** Takes the lock when it is free; null when another connection holds it. */
  static tryTake(dataDir: string, holder: string, doing: string, nativeBinding?: string): WriterLock | null {
    let db: Database.Database | null = null;
    try {
      mkdirSync(dataDir, { recursive: true });
      // SQLite would open a lock file it cannot write read-only, and then lock nothing.
      if (!writable(dataDir)) throw Object.assign(new Error(`${dataDir} is read-only`), { code: 'EROFS' });
      db = new Database(path.join(dataDir, LOCK_FILE), { timeout: 0, nativeBinding });
      // Nothing is ever written to it: no journal file beside it.
      db.pragma('journal_mode = MEMORY');
      db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      db?.close();
      if ((error as { code?: string }).code === 'SQLITE_BUSY') return null;
      if (!writable(dataDir)) {
        throw new UserError(
          'read-only',
          `The data folder ${dataDir} cannot be written (read-only media, or no permission): ${READ_ONLY_LIBRARY_ADVICE}.`,
          { cause: error },
        );
      }
      throw new UserError('storage', `Cannot take the library's writer lock in ${dataDir}: ${messageOf(error)}.`, { cause: error });
    }
    const lock = new WriterLock(db, path.join(dataDir, HOLDER_FILE), { pid: process.pid, holder, doing, since: Date.now() });
    lock.writeInfo();
    return lock;
  }

  /** Takes the lock, waiting for it with `wait`, else throwing WriterBusy when it is held. */
  static async take(dataDir: string, holder: string, doing: string, options: TakeOptions = {}): Promise<WriterLock> {
    let told = false;
    for (;;) {
      throwIfAborted(options.signal);
      const lock = WriterLock.tryTake(dataDir, holder, doing, options.nativeBinding);
      if (lock) return lock;
      const busy = await WriterLock.busy(dataDir, options.hint ?? 'wait for it to finish, or run again with --wait', options.idleHint ?? 'close it and run again, or run again with --wait to go on once it is closed');
      if (!options.wait) throw busy;
      if (!told) options.onWait?.(busy);
      told = true;
      await sleep(POLL_MS, undefined, { signal: options.signal }).catch(() => {});
    }
  }

  /** The error for a busy lock, naming its holder (who may take a moment to write its name). */
  static async busy(dataDir: string, hint: string, idleHint?: string): Promise<WriterBusy> {
    for (let tries = 0; tries < 10 && !WriterLock.holder(dataDir); tries++) await sleep(50);
    return WriterLock.busyNow(dataDir, hint, idleHint);
  }

  /** The error for a busy lock, naming its holder if it has said who it is. */
  static busyNow(dataDir: string, hint: string, idleHint?: string): WriterBusy {
    return new WriterBusy(WriterLock.holder(dataDir), hint, idleHint);
  }

  /** What the holder said it is doing ('indexing', 'changing', …). */
  get doing(): string {
    return this.info.doing;
  }

  /** Says what the holder is doing now (a second writer's message names it). */
  describe(doing: string): void {
    if (doing === this.info.doing) return;
    this.info = { ...this.info, doing };
    this.writeInfo();
  }

  release(): void {
    if (!this.db.open) return;
    rmSync(this.infoFile, { force: true });
    this.db.exec('ROLLBACK');
    this.db.close();
  }

  private writeInfo(): void {
    try {
      writeFileAtomicSync(this.infoFile, JSON.stringify(this.info));
    } catch {
      // Only a second writer's message is poorer for it.
    }
  }
}

/**
 * How an engine opens its data folder's library: as the one writer, or read-only (Note [One
 * writer] in storage/writer-lock.ts), restoring a damaged one from what still reads from it and its
 * backup (Notes [Salvage first] and [Backups] in storage/backups.ts), and keeping those backups.
 *
 * Note [Becoming the writer]: a CLI command that writes takes the lock before it starts and an
 * engine that only reads never does. The app takes it whenever it is free: when the library opens,
 * again at each write while another program holds it, and as soon as that program is done while
 * its catch-up waits (Note [Catch up at launch] in index-job.ts): the app would otherwise go on
 * searching what the library held when it opened, the photos a `lumen index` beside it stored
 * never found, those it forgot still counted, until the app wrote. An engine that becomes the
 * writer with a read-only library open opens it again, so it starts from everything the previous
 * writer stored; the old one stays open for calls in flight and closes with the engine. Whoever
 * waits for that (the catch-up, an index run, the window's status: Note [Another program
 * indexing] in index-job.ts) is told when the wait ends, and so is one left waiting where it cannot
 * end so (a data folder turned read-only): its next write says why.
 */
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { LibraryRestored } from '../../preload/contract.js';
import { UNREADABLE_DATA_ADVICE } from '../core/cli-advice.js';
import { UserError, codeOf, isUserError, messageOf } from '../core/errors.js';
import { listed } from '../core/wording.js';
import { Library } from '../library/library.js';
import { BACKUP_FOLDER, DAY_MS, type KeptFrom, type RestoreReport } from '../storage/backups.js';
import { DamagedDatabase, actionableError } from '../storage/damage.js';
import { DATABASE_FILE, Storage, emptiedBesideBackups } from '../storage/storage.js';
import { HOLDING, WriterLock, type TakeOptions, type WriterInfo } from '../storage/writer-lock.js';

export interface AccessOptions {
  dataDir: string;
  nativeBinding?: string | undefined;
  /** Take the writer lock whenever it is free (the app), as `holder`. */
  claimWhenFree?: string | undefined;
  /** Back up at most this often (Note [Backups]). */
  backupIntervalMs?: number | undefined;
  log: (message: string) => void;
  /** A library was opened (first, or again as the writer). */
  onOpen: (library: Library) => void;
  /** A damaged library was replaced by a new one (with what still read from it, and the backup's for the rest). */
  onRestored?: (report: RestoreReport) => void;
}

/** How often an app waiting to become the writer tries the lock (Note [Becoming the writer]). */
const WRITER_WAIT_MS = 3000;

export class LibraryAccess {
  private opened: Library | null = null;
  private lock: WriterLock | null = null;
  private readonly retired: Library[] = [];
  private writerWait: ReturnType<typeof setInterval> | null = null;
  /** Told when the wait to become the writer ends (Note [Becoming the writer]); a set, so one asked twice is told once. */
  private readonly writerWaiters = new Set<() => void>();
  /** Closed for good: no wait for the writer starts after (`becomeWriterWhenFree`). */
  private closed = false;
  /** What each job writing the library now does (Note [Said while it lasts]). */
  private readonly jobsDoing: string[] = [];
  /** What a CLI command that claimed the library does, for as long as it runs. */
  private claimedDoing: string | null = null;
  /**
   * Why the data folder cannot hold a library, found as the engine starts and said at each use,
   * before anything in it is met (the writer lock would say "cannot be written", and promise that
   * searching it still works): the app's engine starts all the same, so the window can say it.
   * Looked at again at each use while it is so: a folder whose permissions were fixed opens at
   * the window's "Try again", without a restart; a usable one is not looked at again.
   */
  private unusable: UserError | null;
  /** The damaged library this engine restored as it opened it, for the window to say (EngineStatus.restored). */
  private restoredNow: LibraryRestored | null = null;

  constructor(private readonly options: AccessOptions) {
    this.unusable = unusableDataFolder(options.dataDir);
  }

  private usable(): void {
    if (!this.unusable) return;
    this.unusable = unusableDataFolder(this.options.dataDir);
    if (this.unusable) throw this.unusable;
  }

  get restored(): LibraryRestored | null {
    return this.restoredNow;
  }

  get isWriter(): boolean {
    return this.lock !== null;
  }

  get current(): Library | null {
    return this.opened;
  }

  /** The other program writing the library, as it says; null while this engine is the writer, or nobody is. */
  otherWriter(): WriterInfo | null {
    return this.lock ? null : WriterLock.holder(this.options.dataDir);
  }

  /**
   * Whether there is a library: a database file that holds something (a first run stopped by a
   * full disk can leave an empty one), or one emptied beside its backups (Note [Emptied, not new]
   * in storage/storage.ts), to be restored.
   */
  exists(): boolean {
    if (this.opened !== null) return true;
    this.usable();
    const file = path.join(this.options.dataDir, DATABASE_FILE);
    return [file, `${file}-wal`].some((part) => (statInData(this.options.dataDir, part)?.size ?? 0) > 0) || emptiedBesideBackups(file, path.join(this.options.dataDir, BACKUP_FOLDER));
  }

  /** The library, opened on first use (read-only unless this engine is or can become the writer). */
  library(): Library {
    if (!this.opened) {
      this.usable();
      if (!this.lock && this.options.claimWhenFree) this.lock = this.takeIfWritable(this.options.claimWhenFree);
      this.opened = this.open();
      this.options.onOpen(this.opened);
    }
    return this.opened;
  }

  /** The library to change, as its writer; throws WriterBusy while another program writes. */
  writable(doing: string, holder = this.options.claimWhenFree ?? 'a program using its engine'): Library {
    if (!this.lock) {
      const lock = this.tryTake(holder, doing);
      if (!lock) throw WriterLock.busyNow(this.options.dataDir, 'try again when it has finished');
      this.becameWriter(lock);
    }
    // Note [Said while it lasts]: a change outside a job (a verdict, an album, a folder added)
    // was said as what the writer does until its next job ended, so a second writer heard the
    // idle app was "changing" the library. It is said until this turn ends; a job's own doing
    // (jobWriting) is said for as long as the job runs, and changes made meanwhile say nothing.
    if (this.jobsDoing.length === 0) {
      this.lock?.describe(doing);
      setImmediate(() => this.sayDoing());
    }
    return this.library();
  }

  /** Says that a job writes the library, doing `doing`, until the function returned is called (Note [Said while it lasts]). */
  jobWriting(doing: string): () => void {
    this.jobsDoing.push(doing);
    this.sayDoing();
    return () => {
      this.jobsDoing.splice(this.jobsDoing.indexOf(doing), 1);
      this.sayDoing();
    };
  }

  /** Says what the writer does now, for a second writer's message: the latest job's doing, the command's, or that it holds the library open. */
  private sayDoing(): void {
    this.lock?.describe(this.jobsDoing.at(-1) ?? this.claimedDoing ?? HOLDING);
  }

  /**
   * Becomes the writer as soon as the program writing the library now is done, opens the library
   * again and calls `then` (Note [Becoming the writer]); `then` is called too where the wait ends
   * otherwise (this engine became the writer by a write, or cannot become it), and never where it
   * can never start (an engine that is not the app's).
   */
  becomeWriterWhenFree(then: () => void): void {
    const holder = this.options.claimWhenFree;
    // Asked after the engine closed (a status read late): a wait begun then would take the lock and open a library nothing closes.
    if (!holder || this.closed) return;
    if (this.lock) return then();
    this.writerWaiters.add(then);
    this.writerWait ??= setInterval(() => {
      try {
        if (!this.lock) {
          const lock = this.tryTake(holder, HOLDING);
          if (!lock) return;
          this.becameWriter(lock);
          // A library the other program never made (it stopped first) is not made here either (Note [Lazy start] in engine.ts).
          if (this.exists()) this.library();
        }
      } catch (error) {
        if (!isUserError(error) || error.code !== 'read-only') this.options.log(`Could not become the library's writer: ${messageOf(error)}`);
      }
      this.stopWaiting();
      const waiters = [...this.writerWaiters];
      this.writerWaiters.clear();
      for (const waiter of waiters) waiter();
    }, WRITER_WAIT_MS);
    this.writerWait.unref?.();
  }

  private stopWaiting(): void {
    if (this.writerWait) clearInterval(this.writerWait);
    this.writerWait = null;
  }

  /** The library read so far stays open for calls in flight; the next use opens it again, as the writer. */
  private becameWriter(lock: WriterLock): void {
    this.lock = lock;
    if (this.opened) {
      this.retired.push(this.opened);
      this.opened = null;
    }
  }

  /** Becomes the writer before a CLI command that writes starts (Note [Becoming the writer]). */
  async claim(holder: string, doing: string, options: Omit<TakeOptions, 'nativeBinding'> = {}): Promise<void> {
    if (this.lock) return;
    this.usable();
    this.lock = await WriterLock.take(this.options.dataDir, holder, doing, { ...options, nativeBinding: this.options.nativeBinding });
    this.claimedDoing = doing;
  }

  /**
   * A backup of the person's own data when the last is old enough (Note [Backups]); never throws.
   * A backup reads every table of the person's own data, so it may be what meets damage: said as
   * such, and noted (Note [Damage voids a clean close] in storage/clean-close.ts).
   */
  async backupIfDue(): Promise<void> {
    if (!this.lock || !this.opened) return;
    try {
      await this.opened.storage.backups.createIfDue(this.options.backupIntervalMs ?? DAY_MS);
    } catch (error) {
      this.options.log(`Could not back up the library: ${messageOf(actionableError(error))}`);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopWaiting();
    this.writerWaiters.clear();
    const libraries = [...this.retired.splice(0), ...(this.opened ? [this.opened] : [])];
    this.opened = null;
    try {
      for (const library of libraries) await library.close();
    } finally {
      this.lock?.release();
      this.lock = null;
    }
  }

  /** The lock when it is free and the data folder can be written (the app reads read-only media). */
  private takeIfWritable(holder: string): WriterLock | null {
    try {
      return this.tryTake(holder, HOLDING);
    } catch (error) {
      if (isUserError(error) && error.code === 'read-only') return null;
      throw error;
    }
  }

  private tryTake(holder: string, doing: string): WriterLock | null {
    this.usable();
    return WriterLock.tryTake(this.options.dataDir, holder, doing, this.options.nativeBinding);
  }

  private open(): Library {
    const open = () => Library.open(this.options.dataDir, { nativeBinding: this.options.nativeBinding, readonly: !this.lock, check: this.lock !== null });
    try {
      return open();
    } catch (error) {
      if (!(error instanceof DamagedDatabase) || !this.lock) throw error;
      const report = Storage.restore(this.options.dataDir, { nativeBinding: this.options.nativeBinding });
      this.options.log(restoredMessage(error.reason, report, this.lock.doing === 'indexing'));
      const kinds = (source: KeptFrom | null) => keptFrom(report, source).map(({ kind }) => kind);
      this.restoredNow = { backupAt: report.backup?.at ?? null, fromBackup: kinds('backup'), lost: kinds(null) };
      const library = open();
      this.options.onRestored?.(report);
      return library;
    }
  }
}

/** Why `dataDir` cannot hold a library: a file, or a folder this user may not look into; null where it can (or does not exist yet). */
function unusableDataFolder(dataDir: string): UserError | null {
  let info: Stats | undefined;
  try {
    info = statInData(dataDir, dataDir);
  } catch (error) {
    if (isUserError(error)) return error;
    throw error;
  }
  if (!info) return null;
  if (!info.isDirectory()) {
    return new UserError('bad-input', `The data folder ${dataDir} is a file, not a folder. Pass --data with a folder (a new one is made if it does not exist), or move the file away.`);
  }
  try {
    accessSync(dataDir, constants.X_OK);
    return null;
  } catch (error) {
    return unreadableDataError(dataDir, error);
  }
}

/** The data folder, where this user may not look into it or into a folder on its way. */
function unreadableDataError(dataDir: string, cause: unknown): UserError {
  return new UserError('storage', `The data folder ${dataDir} cannot be read: no permission to look into it, or into a folder on its way. ${UNREADABLE_DATA_ADVICE}`, { cause });
}

/** `file` (the data folder, or a file in it) as `statSync` sees it, none where there is none; what stops the look said in words. */
function statInData(dataDir: string, file: string): Stats | undefined {
  try {
    return statSync(file, { throwIfNoEntry: false });
  } catch (error) {
    const code = codeOf(error);
    if (code === 'EACCES' || code === 'EPERM') throw unreadableDataError(dataDir, error);
    if (code === 'ENOTDIR') throw new UserError('bad-input', `Part of the data folder's path ${dataDir} is a file, not a folder. Pass --data with a folder (a new one is made if it does not exist).`, { cause: error });
    throw error;
  }
}

type Kind = keyof RestoreReport['kept'];

/** The kinds of the person's data in the order a message lists them; an optional one is left out of a list of what was kept when there is none of it. */
const KINDS: Array<{ kind: Kind; counted: (count: number) => string; named: string; optional: boolean }> = [
  { kind: 'folders', counted: (n) => plural(n, 'folder'), named: 'folders', optional: false },
  { kind: 'verdicts', counted: (n) => plural(n, 'tag verdict'), named: 'tag verdicts', optional: false },
  { kind: 'albums', counted: (n) => plural(n, 'album'), named: 'albums', optional: true },
  { kind: 'albumPhotos', counted: (n) => `${plural(n, 'photo')} in albums`, named: 'photos in albums', optional: true },
  { kind: 'zeroShotTags', counted: (n) => `${plural(n, 'tag')} set back to zero-shot`, named: 'tags set back to zero-shot', optional: true },
  { kind: 'vocabularies', counted: (n) => (n ? 'your vocabulary' : 'no vocabulary'), named: 'vocabulary', optional: true },
];

/** The kinds of the person's data a restore took from `source` (null: lost), in order. */
function keptFrom(report: RestoreReport, source: KeptFrom | null): typeof KINDS {
  return KINDS.filter(({ kind }) => report.kept[kind].from === source);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * What a restore did, in a few sentences (Note [Salvage first] in storage/backups.ts): what was
 * kept from the damaged file, what came from the backup and may lack the changes made since,
 * what was lost. `reason` is SQLite's few words, never its page-by-page account, and the advice
 * to index is left out where this run indexes.
 */
function restoredMessage(reason: string, report: RestoreReport, indexing: boolean): string {
  const counted = (kinds: typeof KINDS, all: boolean) => {
    const shown = kinds.filter(({ kind, optional }) => all || !optional || report.kept[kind].count > 0);
    return listed((shown.length ? shown : kinds).map(({ kind, counted }) => counted(report.kept[kind].count)));
  };
  const [kept, restored, lost] = [keptFrom(report, 'damaged file'), keptFrom(report, 'backup'), keptFrom(report, null)];
  const sentences = [`The library database was damaged (${reason}) and was moved to ${report.damagedFile}.`];
  if (kept.length === 0 && restored.length === 0) {
    sentences.push('Nothing could be read from it and there was no backup to restore it from: a new, empty library was made; add your folders again.');
    return sentences.join(' ');
  }
  if (kept.length) sentences.push(`What still read from it was kept: ${counted(kept, false)}.`);
  const backupAt = report.backup ? new Date(report.backup.at).toLocaleString() : '';
  if (restored.length && !kept.length) sentences.push(`Nothing could be read from it, so the library was restored from the backup of ${backupAt}: ${counted(restored, false)}; changes made since then may be lost.`);
  else if (restored.length) sentences.push(`Could not be read, so taken from the backup of ${backupAt}: ${counted(restored, true)}; changes to them made since then may be lost.`);
  if (lost.length) sentences.push(`Lost, as they could not be read and there is no backup: your ${listed(lost.map(({ named }) => named))}${lost.some(({ kind }) => kind === 'folders') ? '; add your folders again' : ''}.`);
  sentences.push(indexing ? 'Its photos come back as this run indexes them.' : 'Index it to bring its photos back (`lumen index`; the app starts by itself).');
  return sentences.join(' ');
}

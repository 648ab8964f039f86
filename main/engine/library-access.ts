/**
 * How an engine opens its data folder's library: as the one writer, or read-only (Note [One
 * writer] in storage/writer-lock.ts), restoring a damaged one from its backup (Note [Backups] in
 * storage/backups.ts), and keeping those backups.
 *
 * Note [Becoming the writer]: a CLI command that writes takes the lock before it starts and an
 * engine that only reads never does. The app takes it whenever it is free: when the library opens,
 * and again at each write while another program holds it. An engine that becomes the writer
 * with a read-only library open opens it again, so it starts from everything the previous writer
 * stored; the old one stays open for calls in flight and closes with the engine.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { UserError, isUserError, messageOf } from '../core/errors.js';
import { Library } from '../library/library.js';
import { DAY_MS, type RestoreReport } from '../storage/backups.js';
import { DamagedDatabase, actionableError } from '../storage/damage.js';
import { DATABASE_FILE, Storage } from '../storage/storage.js';
import { WriterLock, type TakeOptions } from '../storage/writer-lock.js';

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
  /** A damaged library was replaced by a new one (restored from a backup when there was one). */
  onRestored?: (report: RestoreReport) => void;
}

export class LibraryAccess {
  private opened: Library | null = null;
  private lock: WriterLock | null = null;
  private readonly retired: Library[] = [];

  constructor(private readonly options: AccessOptions) {
    const info = statSync(options.dataDir, { throwIfNoEntry: false });
    if (info && !info.isDirectory()) {
      throw new UserError('bad-input', `The data folder ${options.dataDir} is a file, not a folder. Pass --data with a folder (a new one is made if it does not exist), or move the file away.`);
    }
  }

  get isWriter(): boolean {
    return this.lock !== null;
  }

  get current(): Library | null {
    return this.opened;
  }

  /** Whether there is a library: a database file that holds something (a first run stopped by a full disk can leave an empty one). */
  exists(): boolean {
    if (this.opened !== null) return true;
    const file = path.join(this.options.dataDir, DATABASE_FILE);
    return [file, `${file}-wal`].some((part) => (statSync(part, { throwIfNoEntry: false })?.size ?? 0) > 0);
  }

  /** The library, opened on first use (read-only unless this engine is or can become the writer). */
  library(): Library {
    if (!this.opened) {
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
      this.lock = lock;
      if (this.opened) {
        this.retired.push(this.opened);
        this.opened = null;
      }
    }
    this.lock.describe(doing);
    return this.library();
  }

  /** Becomes the writer before a CLI command that writes starts (Note [Becoming the writer]). */
  async claim(holder: string, doing: string, options: Omit<TakeOptions, 'nativeBinding'> = {}): Promise<void> {
    if (this.lock) return;
    this.lock = await WriterLock.take(this.options.dataDir, holder, doing, { ...options, nativeBinding: this.options.nativeBinding });
  }

  /** Says the writer is idle again (for a second writer's message). */
  idle(): void {
    this.lock?.describe('using');
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
      return this.tryTake(holder, 'using');
    } catch (error) {
      if (isUserError(error) && error.code === 'read-only') return null;
      throw error;
    }
  }

  private tryTake(holder: string, doing: string): WriterLock | null {
    return WriterLock.tryTake(this.options.dataDir, holder, doing, this.options.nativeBinding);
  }

  private open(): Library {
    const open = () => Library.open(this.options.dataDir, { nativeBinding: this.options.nativeBinding, readonly: !this.lock, check: this.lock !== null });
    try {
      return open();
    } catch (error) {
      if (!(error instanceof DamagedDatabase) || !this.lock) throw error;
      const report = Storage.restore(this.options.dataDir, { nativeBinding: this.options.nativeBinding });
      this.options.log(restoredMessage(messageOf(error.cause), report));
      const library = open();
      this.options.onRestored?.(report);
      return library;
    }
  }
}

function restoredMessage(detail: string, report: RestoreReport): string {
  const { backup } = report;
  if (!backup) {
    return `The library database was damaged (${detail}) and there was no backup to restore it from. It was moved to ${report.damagedFile} and a new, empty library was made: add your folders again.`;
  }
  const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
  const parts = [plural(backup.folders, 'folder'), plural(backup.verdicts, 'tag verdict'), ...(backup.albums ? [plural(backup.albums, 'album')] : []), ...(backup.vocabularies ? ['your vocabulary'] : [])];
  const restored = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : (parts[0] as string);
  return `The library database was damaged (${detail}). It was moved to ${report.damagedFile}, and the library was restored from the backup of ${new Date(backup.at).toLocaleString()}: ${restored}. Index it to bring its photos back (\`lumen index\`; the app starts by itself).`;
}

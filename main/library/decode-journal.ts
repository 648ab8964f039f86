/**
 * Note [A photo that stops the process]: a file can crash its decoder natively (a bug in libvips
 * or a codec it calls) or make it run out of memory, and either ends the whole process, not one
 * decode. Left at that, every run would die on the same photo (in the app, every restart of the
 * engine), and nothing would say which photo. So a run writes each photo's path to a journal in
 * the data folder before decoding it, and takes it out once the decode settles, whichever way.
 * A photo still in the journal when a run starts was being decoded when a process ended (a crash,
 * or a kill): a suspect. A run decodes its suspects first, one at a time with no other decode
 * beside it. A suspect still there after that lone decode is what stopped the process: the next
 * run lists it as failed (`stops-decoder`, lasting until the file changes or a retry, for every
 * model) instead of decoding it, with any byte-identical copy met in the same run, and lets it go
 * from the journal only once the failure is stored. A photo is named only by a second end, alone,
 * so a run killed by a person, which leaves innocent photos in the journal too, costs them one
 * lone decode, not their place. Entries are matched by path, size, mtime and ctime: an edited
 * file is new content, decoded as usual, even one that kept its size and mtime (Note [Change
 * time] in walk.ts). An entry written before ctimes were, which has none, matches by the rest. A whole run forgets the suspects it did not meet (deleted,
 * changed), except in folders it could not reach (a drive unplugged).
 *
 * The journal is rewritten whole, synchronously before each decode begins, without fsync: a
 * crash keeps what the kernel holds; a power cut could lose it, at the cost of one more crash. A
 * journal that cannot be read or written (half-written when a process was killed, a full disk)
 * protects nothing but stops nothing either: the run's own writes say a full disk.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const JOURNAL = 'decoding.json';

/** A file as the walk found it: an entry names this one only while its size, mtime and ctime are the same. */
export interface JournalFile {
  path: string;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

interface Entry extends Omit<JournalFile, 'ctimeMs'> {
  /** Null for an entry written before ctimes were, which has none (see the Note). */
  ctimeMs: number | null;
  /** Decoded alone as a suspect when the process ended: the photo that stopped it. */
  alone: boolean;
}

export type Suspicion = 'stopped-alone' | 'stopped-among-others';

export class DecodeJournal {
  /** Decodes in flight now; `alone` for a suspect's lone decode. */
  private readonly decoding = new Map<string, Entry>();

  private constructor(
    private readonly file: string,
    /** What processes before left, not yet settled by this one. */
    private readonly left: Map<string, Entry>,
  ) {}

  static open(dataDir: string): DecodeJournal {
    const file = path.join(dataDir, JOURNAL);
    return new DecodeJournal(file, new Map(readEntries(file).map((entry) => [entry.path, entry])));
  }

  /** Whether processes before left suspects not yet settled. */
  get anyLeft(): boolean {
    return this.left.size > 0;
  }

  /** What a process that ended while decoding `file` left of it; null when none did. */
  suspicion(file: JournalFile): Suspicion | null {
    const entry = this.left.get(file.path);
    if (!entry || entry.size !== file.size || entry.mtimeMs !== file.mtimeMs || (entry.ctimeMs !== null && entry.ctimeMs !== file.ctimeMs)) return null;
    return entry.alone ? 'stopped-alone' : 'stopped-among-others';
  }

  /** Runs `decode` with `file` in the journal; a suspect's decode is taken as alone (the caller runs none beside it). */
  async decode<T>(file: JournalFile, decode: () => Promise<T>): Promise<T> {
    const entry = { path: file.path, size: file.size, mtimeMs: file.mtimeMs, ctimeMs: file.ctimeMs, alone: this.suspicion(file) !== null };
    this.decoding.set(file.path, entry);
    this.write();
    try {
      return await decode();
    } finally {
      this.decoding.delete(file.path);
      this.settle(file);
    }
  }

  /** `file` is dealt with (decoded, or listed as failed): no longer a suspect. */
  settle(file: JournalFile): void {
    this.left.delete(file.path);
    this.write();
  }

  /** A run that walked the whole library ends: what it did not meet is gone or changed, so no suspect any more, unless `unreached`. */
  forgetUnmet(unreached: (file: string) => boolean): void {
    const gone = [...this.left.keys()].filter((file) => !unreached(file));
    if (gone.length === 0) return;
    for (const file of gone) this.left.delete(file);
    this.write();
  }

  private write(): void {
    const entries = [...this.left.values()].filter((entry) => !this.decoding.has(entry.path)).concat([...this.decoding.values()]);
    try {
      writeFileSync(this.file, JSON.stringify(entries));
    } catch {
      // Protection lost, nothing else (see the Note).
    }
  }
}

function readEntries(file: string): Entry[] {
  try {
    const entries: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return Array.isArray(entries) ? entries.filter(isStoredEntry).map((entry) => ({ ...entry, ctimeMs: entry.ctimeMs ?? null })) : [];
  } catch {
    return [];
  }
}

/** An entry as the file holds it: one written before ctimes were has none, one rewritten since has null. */
function isStoredEntry(value: unknown): value is Omit<Entry, 'ctimeMs'> & { ctimeMs?: number | null } {
  const entry = value as Partial<Entry> | null;
  return typeof entry?.path === 'string' && typeof entry.size === 'number' && typeof entry.mtimeMs === 'number' && (entry.ctimeMs == null || typeof entry.ctimeMs === 'number') && typeof entry.alone === 'boolean';
}

/**
 * Note [A pause outlasts the app]: people pause work to spare the battery or the cores, and
 * quitting the app does not take that back. While a person holds indexing, tagging or reading
 * text paused (not a run paused by itself, stuck: Note [Stuck runs] in engine.ts), the library's
 * meta says so (`paused:<kind>`); a resume, a cancel or the job's end clears it, the cancel of
 * quitting (`dispose`) does not. What the engine starts again by itself at the next launch (the
 * catch-up's index run, Note [Catch up at launch] in index-job.ts, and the tagging and reading
 * after it) then starts paused (Note [Started paused] in jobs/registry.ts), with its Resume. Work
 * a person asks for runs, and running clears the mark: so `lumen index`, which has no Resume to
 * offer, just runs a run the app left paused, and the app runs as usual after it.
 */
import { messageOf } from '../core/errors.js';
import type { JobRegistry, JobStart } from '../jobs/registry.js';
import type { LibraryAccess } from './library-access.js';

/** The jobs whose pause the next launch keeps. */
const PAUSE_KEPT = ['index', 'tag', 'ocr'];

/** What keeping pauses needs of the engine. */
export interface KeptPausesHost {
  readonly jobs: JobRegistry;
  readonly access: Pick<LibraryAccess, 'current' | 'isWriter'>;
  closing(): boolean;
  log(message: string): void;
}

export class KeptPauses {
  constructor(private readonly host: KeptPausesHost) {}

  /**
   * Keeps in the library whether the person holds the jobs of `kind` paused, as one of them
   * changed; written only when that changes, and never as the engine closes. A failure to write
   * (a full disk) leaves the mark as it was.
   */
  keep(kind: string): void {
    const { jobs, access } = this.host;
    const library = access.current;
    if (!PAUSE_KEPT.includes(kind) || this.host.closing() || !library || !access.isWriter) return;
    const paused = jobs.list().some((job) => job.kind === kind && job.state === 'paused' && job.error === null);
    try {
      if (library.storage.library.leftPaused(kind) !== paused) library.storage.library.markLeftPaused(kind, paused);
    } catch (error) {
      this.host.log(`Could not note that ${kind} work is ${paused ? 'paused' : 'going on'}: ${messageOf(error)}`);
    }
  }

  /** How work the engine starts by itself starts: paused where the person left its kind paused. */
  asLeft(kind: string, how: JobStart): JobStart {
    if (how.background !== true || how.paused === true) return how;
    let left = false;
    try {
      left = this.host.access.current?.storage.library.leftPaused(kind) ?? false;
    } catch {
      // An unreadable mark is no pause: the work runs, as before there was one.
    }
    return left ? { ...how, paused: true } : how;
  }
}

/**
 * What was asked of the index job and no pass of it has taken yet: which folders to walk (Note
 * [Re-scan where it changed] in library/scope.ts), whether to try every failed file again, whether
 * a person asked (a job started for it is theirs: Note [Background jobs] in jobs/registry.ts), and the folders just
 * added, taken out again should the model fail on their first photos. Each pass takes all of it as
 * it starts; what is asked meanwhile waits for the next pass (Note [A job of several passes] in
 * library/job-figures.ts).
 */
import type { FolderRow } from '../storage/library-store.js';
import { widenScope, type WantedScope } from '../library/scope.js';

/** What one pass of the index job does. */
export interface IndexPass {
  scope: WantedScope;
  retryFailed: boolean;
  byPerson: boolean;
  newFolders: FolderRow[];
}

export class IndexAsks {
  private scope: WantedScope | null = null;
  private retryFailed = false;
  private byPerson = false;
  private readonly newFolders: FolderRow[] = [];

  /** Something is asked that no pass has taken. */
  get waiting(): boolean {
    return this.scope !== null;
  }

  /** Whether a person asked for what waits. */
  get askedByPerson(): boolean {
    return this.byPerson;
  }

  ask(scope: WantedScope, asked: { retryFailed?: boolean | undefined; byPerson: boolean; newFolders?: readonly FolderRow[] | undefined }): void {
    this.newFolders.push(...(asked.newFolders ?? []));
    this.scope = widenScope(this.scope, scope);
    this.retryFailed ||= asked.retryFailed === true;
    this.byPerson ||= asked.byPerson;
  }

  /** Everything asked, for a pass; the whole library where nothing was (a job started by hand). */
  take(): IndexPass {
    const pass = { scope: this.scope ?? 'everything', retryFailed: this.retryFailed, byPerson: this.byPerson, newFolders: this.newFolders.splice(0) };
    this.scope = null;
    this.retryFailed = false;
    this.byPerson = false;
    return pass;
  }

  /** A pass that failed, but for a cancel: what it was to do is still to do, by a retry or the next pass. */
  giveBack(pass: IndexPass): void {
    this.ask(pass.scope, { retryFailed: pass.retryFailed, byPerson: pass.byPerson });
  }

  /** New folders a pass did not index: new still, for the next. */
  keepNew(folders: readonly FolderRow[]): void {
    this.newFolders.unshift(...folders);
  }

  /** The new folders waiting, taken: the model failed on a pass, and they leave the library. */
  takeNew(): FolderRow[] {
    return this.newFolders.splice(0);
  }
}

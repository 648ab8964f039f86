/**
 * The renderer's state, assembled once in App.svelte and handed to components through context:
 * small stores that talk to `window.lumen` and to each other over the bus.
 */
import { flushSync, getContext, setContext, untrack } from 'svelte';
import type { LibraryRestored, RestoredKind } from '../../../preload/contract.js';
import type { LumenApi } from '../lib/api.js';
import { EventBus, relayEngineEvents, type BusEvents } from '../lib/bus.js';
import { taggingDone } from '../lib/follow-library.js';
import { tagFiltered } from '../lib/search-params.js';
import { installShortcuts, type ShortcutAction } from '../lib/shortcuts.js';
import { Announcer, type NoticeTopic, type WindowNotice } from './announcer.svelte.js';
import { DuplicatesStore } from './duplicates.svelte.js';
import { EditorState } from './editor.svelte.js';
import { JobsStore } from './jobs.svelte.js';
import { LibraryStore } from './library.svelte.js';
import { ModelsStore } from './models.svelte.js';
import { PhotoVersions } from './photo-versions.svelte.js';
import { ViewRouter } from './router.svelte.js';
import { SearchStore } from './search.svelte.js';
import { Selection } from './selection.svelte.js';
import { SettingsStore } from './settings.svelte.js';
import { StatusStore } from './status.svelte.js';
import { ViewerState } from './viewer.svelte.js';

export class AppState {
  readonly bus = new EventBus<BusEvents>();
  readonly router = new ViewRouter();
  readonly status: StatusStore;
  readonly models: ModelsStore;
  readonly settings: SettingsStore;
  readonly jobs: JobsStore;
  readonly search: SearchStore;
  readonly library: LibraryStore;
  /** Versions of the photos that lists not read again show, learned at each change (Note [Versions followed] in lib/photo-versions.ts). */
  readonly versions: PhotoVersions;
  readonly selection = new Selection();
  /** What a screen reader hears once, from any screen (announcer.svelte.ts). */
  readonly announcer = new Announcer();
  readonly viewer: ViewerState;
  readonly duplicates: DuplicatesStore;
  /** Kept across screens: a draft of the templates survives a look at another screen. */
  readonly editor: EditorState;
  shortcutsOpen = $state(false);
  /** The library's Filters panel: open while a person narrows, closed by Escape from anywhere. */
  filtersOpen = $state(false);
  /** The one thing a screen shows of its many (an open tag, an album), for the window's title (`nameInTitle`). */
  subject = $state<string | null>(null);
  /** A short message for the whole window (a drop that could not be used, a failed action). */
  notice = $state<WindowNotice | null>(null);
  /** A notice that stays until dismissed, set aside while a passing one shows (Note [Notices outdated]). */
  private setAside: WindowNotice | null = null;
  /** Where the search box is, so that `/` and Ctrl+K can focus it. */
  searchInput: HTMLInputElement | null = null;
  /** Whether this window said that the library was restored (`sayRestored`). */
  private restoredSaid = false;

  constructor(readonly api: LumenApi) {
    this.status = new StatusStore(api, this.bus);
    this.models = new ModelsStore(api, this.bus, this.announcer);
    this.settings = new SettingsStore(api, this.bus);
    this.jobs = new JobsStore(api, this.bus);
    this.status.onLibraryRead((library, askedAt) => this.jobs.failuresCounted(library.failed, askedAt));
    this.versions = new PhotoVersions(api, this.bus);
    this.search = new SearchStore(api, this.router, this.versions, (notice) => this.tell('drop', notice));
    this.library = new LibraryStore(
      api,
      this.bus,
      () => this.search.state,
      () => this.router.current === 'library' && !this.search.active,
    );
    this.viewer = new ViewerState(api, this.router, this.announcer);
    this.duplicates = new DuplicatesStore(api, this.bus, this.versions);
    this.editor = new EditorState(api);
    this.bus.on('settings-changed', () => void this.models.refresh());
    this.bus.on('library-changed', () => {
      void this.status.refresh();
      void this.viewer.recheck();
      this.search.libraryChanged();
    });
    this.bus.on('photos-stored', () => this.search.libraryGrew());
    this.bus.on('tags-changed', ({ tag }) => this.search.verdictGiven(tag));
    // A job that ends changes what the status says (photos, failures, models).
    this.bus.on('job', ({ job }) => {
      if (job.state === 'running' || job.state === 'paused') return;
      void this.status.refresh();
      if (job.kind === 'index') this.search.libraryChanged();
      // Results filtered by a tag follow the tags a run gave and took, as the library's grid does.
      else if (taggingDone(job) && tagFiltered(this.search.answeredFilters)) this.search.libraryChanged();
    });
  }

  /**
   * Starts listening and loads the first data; returns the cleanup. Untracked: called from an
   * effect, it would otherwise run again (events reconnected, the status, the models and the whole
   * timeline loaded again) whenever the state it reads changes, such as the query at each search.
   */
  start(): () => void {
    return untrack(() => {
      const stopEvents = relayEngineEvents(this.api, this.bus);
      const stopKeys = installShortcuts((action) => this.run(action));
      void this.loadStatus();
      void this.models.refresh();
      // The library screen may have asked for the timeline already: it is loaded once.
      this.library.followFilters();
      return () => {
        stopEvents();
        stopKeys();
      };
    });
  }

  /** Reads the status (the model loads meanwhile) and the jobs it lists: at launch, and again when that failed and the person tries again. */
  async loadStatus(): Promise<void> {
    await this.status.refresh();
    this.jobs.seed(this.status.status?.jobs ?? []);
  }

  /** Names `read()` in the window's title while the screen calling this (from its setup) shows it. */
  nameInTitle(read: () => string | null): void {
    $effect(() => {
      this.subject = read();
      return () => (this.subject = null);
    });
  }

  /** Runs a shortcut's action; false when it does not apply now (the key then does its usual thing). */
  run(action: ShortcutAction): boolean {
    // A dialog that asks (a confirmation, a comparison) has the keys until it is answered, Escape
    // too, which closes it; the viewer and this panel are marked as letting them through.
    if (document.querySelector('dialog:modal:not([data-shortcuts])')) return false;
    switch (action) {
      case 'focus-search':
        // The search box is behind the photo, which closes first (Back then shows the list, not
        // the photo); the grid it was opened from leaves the focus to the box.
        if (this.viewer.photoId !== null) {
          this.viewer.focusGoesElsewhere = true;
          this.viewer.close(() => this.run(action));
          return true;
        }
        // The open panel closes now, not at the next update: until then the box behind it takes no focus.
        flushSync(() => (this.shortcutsOpen = false));
        // The library opened to search in: the search then takes its place in the history.
        if (this.router.current !== 'library') this.router.go('library', '', true);
        this.searchInput?.focus();
        this.searchInput?.select();
        return true;
      case 'open-library':
        this.shortcutsOpen = false;
        this.router.go('library');
        return true;
      case 'open-settings':
        this.shortcutsOpen = false;
        this.router.go('settings');
        return true;
      case 'show-shortcuts':
        this.shortcutsOpen = true;
        return true;
      case 'close-panel':
        if (this.shortcutsOpen) this.shortcutsOpen = false;
        else if (this.viewer.photoId !== null) this.viewer.close();
        else if (this.filtersOpen && this.router.current === 'library') this.filtersOpen = false;
        else if (this.selection.size > 0) this.selection.clear();
        // A refused query kept over the library's photos is cleared too (Note [Queries being typed]).
        else if (this.search.asked && this.router.current === 'library') this.clearSearch();
        else return false;
        return true;
    }
  }

  /**
   * What an action about `about` came to: its notice replaces the one shown; null, it had nothing
   * to say, and a notice about an earlier such action goes (Note [Notices outdated]).
   */
  tell(about: NoticeTopic, notice: Omit<WindowNotice, 'about'> | null): void {
    // Read untracked: a search tells from inside the Library's effect, which must not follow the notice.
    const shown = untrack(() => this.notice);
    if (notice) {
      if (shown && shown.about === undefined) this.setAside = shown;
      this.notice = { ...notice, about };
    } else if (shown?.about === about) this.notice = this.takeSetAside();
  }

  /** The notice dismissed: one set aside for it comes back. */
  dismissNotice(): void {
    this.notice = this.takeSetAside();
  }

  private takeSetAside(): WindowNotice | null {
    const back = this.setAside;
    this.setAside = null;
    return back;
  }

  /**
   * Says that the engine found the library damaged and restored it (EngineStatus.restored), once
   * in each window that opens while that engine runs: an error, which stays until dismissed, as
   * the person may have lost work and nothing else on screen shows it (the photos come back as
   * the library indexes again).
   */
  sayRestored(restored: LibraryRestored): void {
    if (this.restoredSaid) return;
    this.restoredSaid = true;
    this.notice = { kind: 'error', text: restoredWords(restored) };
  }

  /** Gives the search up as asked (Escape, "Stop searching by"), saying so: focus lands on the library's photos, which do not say why. */
  clearSearch(): void {
    this.search.clear();
    this.announcer.say('Search cleared.');
  }
}

/** The person's own data a backup keeps, in the window's words. */
const RESTORED_KINDS: Record<RestoredKind, string> = {
  folders: 'folders',
  verdicts: 'tags you confirmed or rejected',
  albums: 'albums',
  albumPhotos: 'photos in albums',
  zeroShotTags: 'refinements you turned off',
  vocabularies: 'templates',
};

/** What a restore did, in the window's words (the engine's name the CLI's commands). */
function restoredWords({ backupAt, fromBackup, lost }: LibraryRestored): string {
  const kinds = (of: RestoredKind[]) => new Intl.ListFormat('en').format(of.map((kind) => RESTORED_KINDS[kind]));
  const said = ['Your library was damaged, and Lumen repaired it.'];
  if (fromBackup.length) said.push(`Your ${kinds(fromBackup)} were restored from the backup of ${new Date(backupAt ?? 0).toLocaleString()}: changes made to them since then may be lost.`);
  if (lost.length) said.push(`Your ${kinds(lost)} could not be read and had no backup, so they are lost.`);
  if (!fromBackup.length && !lost.length) said.push('Everything of yours was kept.');
  said.push(lost.includes('folders') ? 'Add your folders again to see their photos.' : 'Its photos come back as Lumen indexes them again.');
  return said.join(' ');
}

const KEY = Symbol('lumen-app-state');

export function provideAppState(state: AppState): void {
  setContext(KEY, state);
}

export function appState(): AppState {
  const state = getContext<AppState | undefined>(KEY);
  if (!state) throw new Error('appState() used outside <App>.');
  return state;
}

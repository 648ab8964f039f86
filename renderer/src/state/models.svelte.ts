/**
 * Installed, broken and downloadable models, and the downloads in flight.
 *
 * Note [Download state]: a download is followed from two sides. The call `models.download`
 * answers only when the download ends (ok, cancelled, failed), while `download-progress` events
 * move the bar meanwhile and `download-finished` also ends downloads this page did not start (one
 * started before a reload). Both sides write the same state, so their order does not matter.
 */
import type { DownloadProgressInfo, LumenApi, ModelsListing } from '../lib/api.js';
import type { AppBus } from '../lib/bus.js';
import { formatBytes } from '../lib/format.js';
import type { Announcer } from './announcer.svelte.js';

export type DownloadPhase = 'starting' | 'downloading' | 'cancelling' | 'cancelled' | 'failed';

export interface DownloadView {
  phase: DownloadPhase;
  progress: DownloadProgressInfo | null;
  error: string | null;
}

export function isActive(download: DownloadView | undefined): boolean {
  return download !== undefined && (download.phase === 'starting' || download.phase === 'downloading' || download.phase === 'cancelling');
}

export class ModelsStore {
  listing = $state<ModelsListing | null>(null);
  error = $state<string | null>(null);
  downloads = $state<Record<string, DownloadView>>({});
  importing = $state(false);
  importResult = $state<{ ok: boolean; message: string } | null>(null);
  /** What the last removal said (Note [Removing a model] in main/models/store.ts). */
  removal = $state<{ ok: boolean; message: string } | null>(null);
  private removing = false;

  constructor(
    private readonly api: LumenApi,
    private readonly bus: AppBus,
    private readonly announcer: Announcer,
  ) {
    bus.on('download-progress', ({ id, progress }) => {
      const current = this.downloads[id];
      if (current && !isActive(current)) return;
      this.downloads[id] = { phase: current?.phase === 'cancelling' ? 'cancelling' : 'downloading', progress, error: null };
    });
    bus.on('download-finished', ({ id, error }) => this.finish(id, error === null ? null : { code: '', message: error }));
  }

  async refresh(): Promise<void> {
    const outcome = await this.api.call('models.list', {});
    if (!outcome.ok) {
      this.error = outcome.error.message;
      return;
    }
    this.listing = outcome.value;
    this.error = null;
    for (const id of outcome.value.downloading) {
      if (!isActive(this.downloads[id])) this.downloads[id] = { phase: 'downloading', progress: null, error: null };
    }
  }

  async download(id: string): Promise<void> {
    if (isActive(this.downloads[id])) return;
    this.outdate();
    this.downloads[id] = { phase: 'starting', progress: null, error: null };
    const outcome = await this.api.call('models.download', { id });
    this.finish(id, outcome.ok ? null : outcome.error);
  }

  async cancel(id: string): Promise<void> {
    const current = this.downloads[id];
    if (!isActive(current) || !current) return;
    this.downloads[id] = { ...current, phase: 'cancelling' };
    const outcome = await this.api.call('models.cancelDownload', { id });
    const after = this.downloads[id];
    if (!outcome.ok && after?.phase === 'cancelling') {
      this.downloads[id] = { ...after, phase: 'downloading', error: `Could not cancel: ${outcome.error.message}` };
    } else if (outcome.ok && !outcome.value.cancelled && after?.phase === 'cancelling') {
      // Nothing was running any more: the download had already ended.
      delete this.downloads[id];
      void this.refresh();
    }
  }

  /** Dismisses a failed or cancelled download's message. */
  dismiss(id: string): void {
    if (!isActive(this.downloads[id])) delete this.downloads[id];
  }

  /**
   * Another way to a model begins: what the last one said (an import's result, a download that
   * failed or was cancelled) goes, so that two answers never show side by side as if both were
   * news. Downloads under way keep their progress.
   */
  private outdate(): void {
    this.importResult = null;
    for (const id of Object.keys(this.downloads)) this.dismiss(id);
  }

  /** Imports a model folder the person picks; a press while one is under way asks nothing more (its buttons stay focusable, aria-disabled). */
  async importFromDialog(): Promise<void> {
    if (this.importing) return;
    this.importing = true;
    this.outdate();
    try {
      const outcome = await this.api.call('models.importFromDialog', {});
      if (!outcome.ok) this.importResult = { ok: false, message: outcome.error.message };
      else if (outcome.value) {
        this.importResult = { ok: true, message: `Imported ${outcome.value.id}.` };
        // Also through the announcer: a notice that appears holding its text is often not read (Note [Status regions stay]).
        this.announcer.say(this.importResult.message);
        this.bus.emit('models-changed', { reason: 'import' });
        await this.refresh();
      }
    } finally {
      this.importing = false;
    }
  }

  /** Removes an installed model (Note [Removing a model] in main/models/store.ts). */
  async remove(id: string): Promise<void> {
    // Confirmed again meanwhile, it would be refused as no model any more.
    if (this.removing) return;
    this.removing = true;
    try {
      const outcome = await this.api.call('models.remove', { id });
      this.removal = outcome.ok ? { ok: true, message: `Removed ${id}; ${formatBytes(outcome.value.bytes)} freed.` } : { ok: false, message: outcome.error.message };
      if (outcome.ok) this.bus.emit('models-changed', { reason: 'remove' });
      // Also when refused: a model removed meanwhile (from another window), or whose files could not all be deleted, is listed no more.
      await this.refresh();
    } finally {
      this.removing = false;
    }
  }

  private finish(id: string, error: { code: string; message: string } | null): void {
    const current = this.downloads[id];
    if (error === null) {
      if (current === undefined) return; // Already handled (the event and the call both report it).
      // Its progress, and the live region that read it out, go with it: the end is said here.
      const name = this.listing?.catalogue.find((model) => model.id === id)?.name ?? id;
      this.announcer.say(`${name} is downloaded.`);
      delete this.downloads[id];
      this.bus.emit('models-changed', { reason: 'download' });
      void this.refresh();
      return;
    }
    const cancelled = error.code === 'cancelled' || current?.phase === 'cancelling' || current?.phase === 'cancelled';
    this.downloads[id] = cancelled
      ? { phase: 'cancelled', progress: current?.progress ?? null, error: null }
      : { phase: 'failed', progress: current?.progress ?? null, error: error.message };
  }
}

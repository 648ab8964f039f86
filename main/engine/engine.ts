/**
 * The engine behind the desktop app: one object that owns the data folder and answers the
 * contract's calls. It never imports Electron; main/app runs it in a utility process and relays
 * calls and events.
 *
 * Note [One model at a time]: the model in use is loaded once and kept warm (the first search
 * after idle must not pay for a reload); changing the model or provider setting disposes it.
 */
import type { AppEvent, AppStatus, CallResults, ModelsListing, SettingsInfo } from '../../preload/contract.js';
import { UserError, isUserError, messageOf } from '../core/errors.js';
import { SettingsFile } from '../core/settings.js';
import { ClipModel } from '../models/clip.js';
import { installedProviders, PROVIDERS, type ProviderPreference } from '../models/session.js';
import { ModelStore } from '../models/store.js';

export type EventSink = (event: AppEvent) => void;

export class Engine {
  private readonly store: ModelStore;
  private readonly settings: SettingsFile;
  private readonly downloads = new Map<string, AbortController>();
  private model: Promise<ClipModel> | null = null;

  constructor(
    readonly dataDir: string,
    private readonly emit: EventSink,
    private readonly log: (message: string) => void = () => {},
  ) {
    this.store = new ModelStore(dataDir);
    this.settings = new SettingsFile(dataDir);
  }

  /** The model in use, loaded on first need and kept. */
  async currentModel(): Promise<ClipModel> {
    this.model ??= (async () => {
      const { model, provider } = await this.settings.read();
      const dir = await this.store.resolve(model ?? undefined);
      return ClipModel.load(dir, { provider: provider as ProviderPreference, log: this.log });
    })().catch((error: unknown) => {
      this.model = null;
      throw error;
    });
    return this.model;
  }

  private async unloadModel(): Promise<void> {
    const loading = this.model;
    this.model = null;
    await (await loading?.catch(() => null))?.dispose();
  }

  async status(): Promise<AppStatus> {
    const settings = await this.settings.read();
    const base = { dataDir: this.dataDir, settings, availableProviders: [...installedProviders()], providerChoices: [...PROVIDERS] };
    try {
      const model = await this.currentModel();
      const providers = await model.providers();
      return { ...base, model: { id: model.id, dim: model.dim, layout: model.spec.layout, providers }, modelProblem: null };
    } catch (error) {
      if (!isUserError(error)) throw error;
      return { ...base, model: null, modelProblem: error.message };
    }
  }

  async listModels(): Promise<ModelsListing> {
    const listing = await this.store.list();
    return {
      installed: listing.installed.map(({ id, dir, dim, layout }) => ({ id, dir, dim, layout })),
      broken: listing.broken,
      catalogue: listing.catalogue,
      downloading: [...this.downloads.keys()],
    };
  }

  async downloadModel(id: string): Promise<CallResults['models.download']> {
    if (this.downloads.has(id)) throw new UserError('bad-input', `${id} is already downloading.`);
    const controller = new AbortController();
    this.downloads.set(id, controller);
    try {
      const dir = await this.store.download(id, {
        signal: controller.signal,
        onProgress: (progress) => this.emit({ type: 'download-progress', id, progress }),
      });
      this.emit({ type: 'download-finished', id, error: null });
      return { dir };
    } catch (error) {
      this.emit({ type: 'download-finished', id, error: messageOf(error) });
      throw error;
    } finally {
      this.downloads.delete(id);
    }
  }

  cancelDownload(id: string): CallResults['models.cancelDownload'] {
    const controller = this.downloads.get(id);
    controller?.abort();
    return { cancelled: controller !== undefined };
  }

  async importModel(dir: string): Promise<{ id: string; dir: string }> {
    const installed = await this.store.import(dir);
    return { id: installed.split(/[\\/]/).at(-1) as string, dir: installed };
  }

  async updateSettings(change: { model?: string | null | undefined; provider?: string | undefined }): Promise<SettingsInfo> {
    if (change.provider !== undefined && !(PROVIDERS as readonly string[]).includes(change.provider)) {
      throw new UserError('bad-input', `Unknown provider "${change.provider}".`);
    }
    if (change.model) await this.store.resolve(change.model);
    const next = await this.settings.update(
      Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined)) as Partial<SettingsInfo>,
    );
    await this.unloadModel();
    return next;
  }

  async dispose(): Promise<void> {
    for (const controller of this.downloads.values()) controller.abort();
    await this.unloadModel();
  }
}

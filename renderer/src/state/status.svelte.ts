/** The engine's status: model in use and where it runs, or why there is none. */
import type { EngineStatus, LumenApi } from '../lib/api.js';
import type { AppBus } from '../lib/bus.js';

export class StatusStore {
  status = $state<EngineStatus | null>(null);
  error = $state<string | null>(null);
  loading = $state(false);
  private generation = 0;
  /** Told the library's figures each time a status is read, with when it was asked for (Note [Failures fixed since] in jobs.svelte.ts). */
  private readonly libraryReaders: Array<(library: NonNullable<EngineStatus['library']>, askedAt: number) => void> = [];

  constructor(
    private readonly api: LumenApi,
    bus: AppBus,
  ) {
    bus.on('models-changed', () => void this.refresh());
    bus.on('settings-changed', () => void this.refresh());
  }

  /** Id of the model in use, if it loaded. */
  get modelId(): string | null {
    return this.status?.model?.id ?? null;
  }

  /** Calls `listener` with the library's figures at each status read from now on. */
  onLibraryRead(listener: (library: NonNullable<EngineStatus['library']>, askedAt: number) => void): void {
    this.libraryReaders.push(listener);
  }

  async refresh(): Promise<void> {
    const generation = ++this.generation;
    const askedAt = performance.now();
    this.loading = true;
    const outcome = await this.api.call('app.status', {});
    // An older answer that arrives late must not overwrite a newer one.
    if (generation !== this.generation) return;
    this.loading = false;
    if (outcome.ok) {
      this.status = outcome.value;
      this.error = null;
      const library = outcome.value.library;
      if (library) for (const reader of this.libraryReaders) reader(library, askedAt);
    } else {
      this.error = outcome.error.message;
    }
  }
}

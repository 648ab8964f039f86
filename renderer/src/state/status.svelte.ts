/** The engine's status: model in use and where it runs, or why there is none. */
import type { EngineStatus, LumenApi } from '../lib/api.js';
import type { AppBus } from '../lib/bus.js';

export class StatusStore {
  status = $state<EngineStatus | null>(null);
  error = $state<string | null>(null);
  loading = $state(false);
  private generation = 0;

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

  async refresh(): Promise<void> {
    const generation = ++this.generation;
    this.loading = true;
    const outcome = await this.api.call('app.status', {});
    // An older answer that arrives late must not overwrite a newer one.
    if (generation !== this.generation) return;
    this.loading = false;
    if (outcome.ok) {
      this.status = outcome.value;
      this.error = null;
    } else {
      this.error = outcome.error.message;
    }
  }
}

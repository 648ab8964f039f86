/** Changes to the settings (model in use, provider preference); the status follows via the bus. */
import type { LumenApi, SettingsInfo } from '../lib/api.js';
import type { AppBus } from '../lib/bus.js';

export type SettingsChange = { model?: string | null; provider?: string };

export class SettingsStore {
  /** Which field is being saved, for busy states. */
  saving = $state<keyof SettingsChange | null>(null);
  error = $state<{ field: keyof SettingsChange; message: string } | null>(null);

  constructor(
    private readonly api: LumenApi,
    private readonly bus: AppBus,
  ) {}

  async update(change: SettingsChange): Promise<SettingsInfo | null> {
    const field: keyof SettingsChange = change.model !== undefined ? 'model' : 'provider';
    this.saving = field;
    this.error = null;
    try {
      const outcome = await this.api.call('settings.update', change);
      if (!outcome.ok) {
        this.error = { field, message: outcome.error.message };
        return null;
      }
      this.bus.emit('settings-changed', outcome.value);
      return outcome.value;
    } finally {
      this.saving = null;
    }
  }
}

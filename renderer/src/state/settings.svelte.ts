/**
 * Changes to the settings (model in use, provider preference); the status follows via the bus.
 *
 * Note [Latest choice of a setting]: choices of one setting can be sent faster than they are
 * saved (the arrow keys on a closed select send one a press: ProviderSelect), and an earlier one
 * may be answered after a later one was sent. So each update is numbered, and only the latest of
 * its setting says whether that setting is being saved and what went wrong: an earlier choice's
 * refusal never shows over a later choice, and its end never takes "Saving…" away while the later
 * one saves. Any choice saved still has the status read again (the bus), which says what the
 * engine holds by then.
 */
import type { LumenApi, SettingsInfo } from '../lib/api.js';
import type { AppBus } from '../lib/bus.js';

export type SettingsChange = { model?: string | null; provider?: string };

export class SettingsStore {
  /** The number of each setting's latest update, while it is being saved (Note [Latest choice of a setting]). */
  private readonly pending = $state<Partial<Record<keyof SettingsChange, number>>>({});
  private sent = 0;
  error = $state<{ field: keyof SettingsChange; message: string } | null>(null);

  constructor(
    private readonly api: LumenApi,
    private readonly bus: AppBus,
  ) {}

  /** Which setting is being saved, for busy states: of two at once, the one changed last. */
  get saving(): keyof SettingsChange | null {
    const [newest] = (Object.entries(this.pending) as Array<[keyof SettingsChange, number]>).sort(([, a], [, b]) => b - a);
    return newest?.[0] ?? null;
  }

  async update(change: SettingsChange): Promise<SettingsInfo | null> {
    const field: keyof SettingsChange = change.model !== undefined ? 'model' : 'provider';
    const number = ++this.sent;
    this.pending[field] = number;
    this.error = null;
    try {
      const outcome = await this.api.call('settings.update', change);
      // Said at once here, before the engine's word to every window (Note [Settings followed] in main/engine/engine.ts) arrives.
      if (outcome.ok) this.bus.emit('settings-changed', { type: 'settings-changed' });
      else if (this.pending[field] === number) this.error = { field, message: outcome.error.message };
      return outcome.ok ? outcome.value : null;
    } finally {
      if (this.pending[field] === number) delete this.pending[field];
    }
  }
}

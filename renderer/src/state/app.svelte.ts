/**
 * The renderer's state, assembled once in App.svelte and handed to components through context:
 * small stores that talk to `window.lumen` and to each other over the bus.
 */
import { getContext, setContext } from 'svelte';
import type { LumenApi } from '../lib/api.js';
import { EventBus, relayEngineEvents, type BusEvents } from '../lib/bus.js';
import { installShortcuts, type ShortcutAction } from '../lib/shortcuts.js';
import { ModelsStore } from './models.svelte.js';
import { ViewRouter } from './router.svelte.js';
import { SettingsStore } from './settings.svelte.js';
import { StatusStore } from './status.svelte.js';

export class AppState {
  readonly bus = new EventBus<BusEvents>();
  readonly router = new ViewRouter();
  readonly status: StatusStore;
  readonly models: ModelsStore;
  readonly settings: SettingsStore;
  shortcutsOpen = $state(false);

  constructor(api: LumenApi) {
    this.status = new StatusStore(api, this.bus);
    this.models = new ModelsStore(api, this.bus);
    this.settings = new SettingsStore(api, this.bus);
    this.bus.on('settings-changed', () => void this.models.refresh());
  }

  /** Starts listening and loads the first data; returns the cleanup. */
  start(api: LumenApi): () => void {
    const stopEvents = relayEngineEvents(api, this.bus);
    const stopKeys = installShortcuts((action) => this.run(action));
    void this.status.refresh();
    void this.models.refresh();
    return () => {
      stopEvents();
      stopKeys();
    };
  }

  /** Runs a shortcut's action; false when it does not apply now (the key then does its usual thing). */
  run(action: ShortcutAction): boolean {
    switch (action) {
      case 'open-settings':
        this.shortcutsOpen = false;
        this.router.go('settings');
        return true;
      case 'show-shortcuts':
        this.shortcutsOpen = true;
        return true;
      case 'close-panel':
        if (this.shortcutsOpen) {
          this.shortcutsOpen = false;
          return true;
        }
        return false;
    }
  }
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

/**
 * A small typed event bus: the app's events (relayed from the engine) and the renderer's own
 * ("the installed models changed"), so that stores react to each other without importing each
 * other.
 */
import type { AppEvent, DownloadProgressInfo, LumenApi } from './api.js';

type EngineEvents = { [E in AppEvent as E['type']]: E };

export interface BusEvents extends EngineEvents {
  /** A model download moved on (from its job's events). */
  'download-progress': { id: string; progress: DownloadProgressInfo };
  /** A model download ended: `error` null when it succeeded. */
  'download-finished': { id: string; error: string | null };
  /** Models were installed, removed or imported. */
  'models-changed': { reason: string };
  /**
   * The person gave photos a verdict on `tag` (confirmed, rejected, added or withdrew it): what
   * shows which photos have a tag, or how many, reads it again (no tagging job says so).
   */
  'tags-changed': { tag: string };
}

type Listener<T> = (payload: T) => void;

export class EventBus<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  on<K extends keyof Events>(type: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => {
      set.delete(listener as Listener<never>);
    };
  }

  emit<K extends keyof Events>(type: K, payload: Events[K]): void {
    for (const listener of [...(this.listeners.get(type) ?? [])]) {
      try {
        (listener as Listener<Events[K]>)(payload);
      } catch (error) {
        console.error(`A listener of "${String(type)}" failed`, error);
      }
    }
  }
}

export type AppBus = EventBus<BusEvents>;

/** Relays the engine's events from `window.lumen` onto the bus; returns the unsubscribe. */
export function relayEngineEvents(api: LumenApi, bus: AppBus): () => void {
  return api.onEvent((event) => {
    if (event.type !== 'job') return bus.emit(event.type, event);
    bus.emit('job', event);
    const { job } = event;
    if (job.kind !== 'download' || job.subject === null) return;
    if (job.state === 'running' && job.progress) bus.emit('download-progress', { id: job.subject, progress: job.progress });
    else if (job.state === 'done' || job.state === 'failed' || job.state === 'cancelled') {
      bus.emit('download-finished', { id: job.subject, error: job.state === 'done' ? null : (job.error ?? 'Cancelled.') });
    }
  });
}

/**
 * The app's API in preview mode (main/app/preview.ts): the same calls and events as
 * `window.lumen` in the app, sent to the preview server on the page's own origin. The server
 * marks its pages with `<meta name="lumen-preview">`; the app itself never uses this.
 */
import type { AppEvent, CallName, CallOutcome, CallParams, LumenApi } from '../../../preload/contract.js';
import { photoPath } from '../../../preload/photo-path.js';

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** JSON with byte arrays as `{"$bytes": base64}` (main/app/preview-wire.ts is the other side). */
function encode(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (item instanceof Uint8Array ? { $bytes: toBase64(item) } : item));
}

export function isPreviewPage(): boolean {
  return document.querySelector('meta[name="lumen-preview"]') !== null;
}

/** Messages from the preview server's socket: a call's answer, or an engine event. */
type ServerMessage = { id: number; outcome: CallOutcome<CallName> } | { event: AppEvent };

const UNREACHABLE = { ok: false, error: { code: 'unavailable', message: 'The preview server is not reachable. Start it again.' } } as const;

/** How long a page that listens for events waits before it opens a closed socket again. */
export const RECONNECT_MS = 2000;

/**
 * Calls and events over one WebSocket to the page's own origin (Note [Calls beside the photos] in
 * main/app/preview.ts), opened at the first call or listener, and again after it closes: at the
 * next call, or after a pause while anyone listens (a page that only shows progress has no call to
 * make), as the `EventSource` it replaced did.
 */
export function previewApi(): LumenApi {
  const listeners = new Set<(event: AppEvent) => void>();
  const pending = new Map<number, (outcome: CallOutcome<CallName>) => void>();
  let nextId = 0;
  let socket: Promise<WebSocket | null> | null = null;

  const connect = (): Promise<WebSocket | null> => {
    socket ??= new Promise((resolve) => {
      const opening = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/socket`);
      opening.onopen = () => resolve(opening);
      opening.onmessage = (message: MessageEvent<string>) => {
        const received = JSON.parse(message.data) as ServerMessage;
        if ('event' in received) {
          for (const each of listeners) each(received.event);
          return;
        }
        pending.get(received.id)?.(received.outcome);
        pending.delete(received.id);
      };
      opening.onclose = () => {
        socket = null;
        resolve(null);
        for (const answer of pending.values()) answer(UNREACHABLE);
        pending.clear();
        setTimeout(() => {
          if (listeners.size > 0) void connect();
        }, RECONNECT_MS);
      };
    });
    return socket;
  };

  return {
    async call<N extends CallName>(name: N, params: CallParams<N>): Promise<CallOutcome<N>> {
      const open = await connect();
      if (!open) return UNREACHABLE;
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve as (outcome: CallOutcome<CallName>) => void);
        open.send(encode({ id, name, params }));
      });
    },
    onEvent(listener: (event: AppEvent) => void): () => void {
      listeners.add(listener);
      void connect();
      return () => listeners.delete(listener);
    },
    photoUrl: photoPath,
  };
}

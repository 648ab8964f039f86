/**
 * The app's API over HTTP, for preview mode (main/app/preview.ts): the same calls and events as
 * `window.lumen` in the app, sent to the preview server on the page's own origin. The server
 * marks its pages with `<meta name="lumen-preview">`; the app itself never uses this.
 */
import type { AppEvent, CallName, CallOutcome, CallParams, LumenApi, PhotoImageKind } from '../../../preload/contract.js';

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

export function previewApi(): LumenApi {
  const listeners = new Set<(event: AppEvent) => void>();
  let source: EventSource | null = null;
  return {
    async call<N extends CallName>(name: N, params: CallParams<N>): Promise<CallOutcome<N>> {
      try {
        const response = await fetch('/rpc', { method: 'POST', headers: { 'content-type': 'application/json' }, body: encode({ name, params }) });
        if (!response.ok) return { ok: false, error: { code: 'unavailable', message: `The preview server refused the call (${response.status}).` } };
        return (await response.json()) as CallOutcome<N>;
      } catch {
        return { ok: false, error: { code: 'unavailable', message: 'The preview server is not reachable. Start it again.' } };
      }
    },
    onEvent(listener: (event: AppEvent) => void): () => void {
      listeners.add(listener);
      source ??= new EventSource('/events');
      source.onmessage = (message: MessageEvent<string>) => {
        const event = JSON.parse(message.data) as AppEvent;
        for (const each of listeners) each(event);
      };
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          source?.close();
          source = null;
        }
      };
    },
    photoUrl(photoId: number, kind: PhotoImageKind): string {
      return `/photo/${kind}/${Math.trunc(photoId)}`;
    },
  };
}

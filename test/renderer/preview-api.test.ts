import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RECONNECT_MS, previewApi } from '../../renderer/src/lib/preview-api.js';

/** The browser's WebSocket as far as the page uses it, opened and closed by the test. */
class FakeSocket {
  static opened: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((message: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  readonly sent: string[] = [];
  constructor(readonly url: string) {
    FakeSocket.opened.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
}

describe('preview mode API on the page (Note [Calls beside the photos])', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.opened = [];
    vi.stubGlobal('WebSocket', FakeSocket);
    vi.stubGlobal('location', { origin: 'http://127.0.0.1:4173' });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('opens its socket again after it closes while anyone listens, and delivers the events that come on it', async () => {
    const api = previewApi();
    const events: unknown[] = [];
    const stop = api.onEvent((event) => events.push(event));
    expect(FakeSocket.opened.map((socket) => socket.url)).toEqual(['ws://127.0.0.1:4173/socket']);
    FakeSocket.opened[0]?.onopen?.();
    FakeSocket.opened[0]?.onclose?.();

    // Refused while the server is down: it keeps trying.
    await vi.advanceTimersByTimeAsync(RECONNECT_MS);
    expect(FakeSocket.opened).toHaveLength(2);
    FakeSocket.opened[1]?.onclose?.();
    await vi.advanceTimersByTimeAsync(RECONNECT_MS);
    expect(FakeSocket.opened).toHaveLength(3);
    const third = FakeSocket.opened[2] as FakeSocket;
    third.onopen?.();
    third.onmessage?.({ data: JSON.stringify({ event: { type: 'library-changed' } }) });
    expect(events).toEqual([{ type: 'library-changed' }]);

    // Nobody listening: a closed socket waits for the next call.
    stop();
    third.onclose?.();
    await vi.advanceTimersByTimeAsync(RECONNECT_MS * 3);
    expect(FakeSocket.opened).toHaveLength(3);
  });

  it('answers a call in flight as unreachable when the socket closes, and opens a new one at the next call', async () => {
    const api = previewApi();
    const first = api.call('app.status', {});
    FakeSocket.opened[0]?.onopen?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.opened[0]?.sent).toHaveLength(1);
    FakeSocket.opened[0]?.onclose?.();
    await expect(first).resolves.toMatchObject({ ok: false, error: { code: 'unavailable' } });

    const second = api.call('app.status', {});
    expect(FakeSocket.opened).toHaveLength(2);
    FakeSocket.opened[1]?.onopen?.();
    await vi.advanceTimersByTimeAsync(0);
    const { id } = JSON.parse(FakeSocket.opened[1]?.sent[0] as string) as { id: number };
    FakeSocket.opened[1]?.onmessage?.({ data: JSON.stringify({ id, outcome: { ok: true, value: 'answered' } }) });
    await expect(second).resolves.toEqual({ ok: true, value: 'answered' });
  });
});

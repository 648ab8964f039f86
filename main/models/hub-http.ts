/**
 * The HTTP layer to the Hugging Face Hub: which Hub, repo and revision a request is for
 * (`Context`), `fetch` with checked redirects, retries with backoff and an idle timeout, reading
 * response bodies, and the errors a person reads when the Hub fails.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { UserError, messageOf, throwIfAborted } from '../core/errors.js';
import { busyServer, plainNetworkFailure } from './network-words.js';
import { LOOPBACK, MAX_REDIRECTS, isAllowedRedirect } from './download-policy.js';

/** Which Hub and revision to ask (`downloadModel`'s options carry the same fields). */
export interface ListOptions {
  revision?: string;
  endpoint?: string;
  signal?: AbortSignal;
  fetchImpl?: typeof fetch;
}

/** One repo at one revision on one Hub, checked by `makeContext`: what every request is made for. */
export interface Context {
  repo: string;
  revision: string;
  endpoint: string;
  signal: AbortSignal | undefined;
  fetch: typeof fetch;
}

const DEFAULT_ENDPOINT = 'https://huggingface.co';
/** Retries after the first attempt; reset whenever an attempt made progress. */
const MAX_RETRIES = 4;
/** Hard cap on attempts per request, progress or not. */
const MAX_ATTEMPTS = 30;
const BACKOFF_MS = 200;
const BACKOFF_MAX_MS = 3_000;
/** An attempt that receives nothing for this long is treated as a dropped connection. */
const IDLE_TIMEOUT_MS = 30_000;
/** The way around the Hub that every message about it offers. */
export const IMPORT_HINT = 'or import the model folder from disk';

export function makeContext(repo: string, opts: ListOptions): Context {
  if (!/^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/.test(repo) || repo.includes('..')) {
    throw new UserError('bad-input', `"${repo}" is not a Hugging Face model name (expected owner/name).`);
  }
  const revision = opts.revision ?? 'main';
  if (revision === '' || revision.includes('..')) {
    throw new UserError('bad-input', `"${revision}" is not a valid revision of ${repo}.`);
  }
  const endpoint = (opts.endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new UserError('bad-input', `"${endpoint}" is not a valid Hub address.`);
  }
  const loopback = LOOPBACK.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new UserError('bad-input', `The Hub address ${endpoint} must use https.`);
  }
  return { repo, revision, endpoint, signal: opts.signal, fetch: opts.fetchImpl ?? globalThis.fetch };
}

/**
 * `fetch` that follows redirects itself, only where `isAllowedRedirect` says (Note [Download
 * limits] in download-policy.ts); `what` names the file for the message.
 */
export async function hubFetch(ctx: Context, url: string, init: RequestInit, what: string): Promise<Response> {
  let current = url;
  for (let hops = 0; ; hops++) {
    const res = await ctx.fetch(current, { ...init, redirect: 'manual' });
    const location = res.headers.get('location');
    if (![301, 302, 303, 307, 308].includes(res.status) || location === null) return res;
    await discardBody(res);
    let target: URL;
    try {
      target = new URL(location, current);
    } catch {
      throw malformed(ctx, `a redirect to ${JSON.stringify(location)} for ${what}`);
    }
    if (!isAllowedRedirect(ctx.endpoint, target)) {
      throw new UserError(
        'integrity',
        `The Hub redirected ${what} of ${ctx.repo} to ${target.protocol}//${target.host}, which is not one of its download servers; nothing was fetched from there. ` +
          `Check your network (a proxy?) and try again, ${IMPORT_HINT}.`,
      );
    }
    if (hops >= MAX_REDIRECTS) throw new RetryableError(`more than ${MAX_REDIRECTS} redirects`);
    current = target.href;
  }
}

/**
 * Runs `attempt` until it succeeds, retrying `RetryableError`s and fetch's own network errors
 * with backoff. The retry budget is restored whenever an attempt reports progress.
 */
export async function withRetries<T>(
  ctx: Context,
  what: string,
  attempt: (signal: AbortSignal, madeProgress: () => void) => Promise<T>,
): Promise<T> {
  let failures = 0;
  for (let attempts = 1; ; attempts++) {
    throwIfAborted(ctx.signal);
    const idle = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => idle.abort(new Error('no data received for a while')), IDLE_TIMEOUT_MS);
    };
    arm();
    const signal = ctx.signal ? AbortSignal.any([ctx.signal, idle.signal]) : idle.signal;
    let progressed = false;
    try {
      return await attempt(signal, () => {
        progressed = true;
        arm();
      });
    } catch (error) {
      if (ctx.signal?.aborted) throw new UserError('cancelled', 'Cancelled.');
      if (error instanceof UserError) throw error;
      if (!(error instanceof RetryableError) && !isFetchNetworkError(error) && !idle.signal.aborted) throw error;
      if (progressed) failures = 0;
      failures++;
      if (failures > MAX_RETRIES || attempts >= MAX_ATTEMPTS) {
        throw new UserError('network', whyNotDownloaded(ctx, what, error, idle.signal.aborted), { cause: error });
      }
    } finally {
      clearTimeout(timer);
    }
    try {
      await delay(Math.min(BACKOFF_MS * 2 ** (failures - 1), BACKOFF_MAX_MS), undefined, { signal: ctx.signal });
    } catch {
      throw new UserError('cancelled', 'Cancelled.');
    }
  }
}

/** fetch rejects with a TypeError for network failures and an AbortError/TimeoutError on abort. */
function isFetchNetworkError(error: unknown): boolean {
  return (
    error instanceof TypeError ||
    (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError'))
  );
}

/** A failure worth another try: dropped connection, timeout, 5xx, 408, 429 (`status`). */
export class RetryableError extends Error {
  readonly status: number | undefined;
  constructor(message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options);
    this.status = options?.status;
  }
}

/** The last try's failure, in plain words where it is a usual one (Note [Network failures in plain words]), and what to do. */
function whyNotDownloaded(ctx: Context, what: string, error: unknown, stalled: boolean): string {
  if (error instanceof RetryableError && error.status !== undefined) return `${busyServer(error.status, 'The Hugging Face Hub')} Try again later, ${IMPORT_HINT}.`;
  const plain = plainNetworkFailure(error, new URL(ctx.endpoint).host, stalled) ?? `Could not download ${what} from the Hugging Face Hub (${describe(error)}).`;
  return `${plain} Check your internet connection and try again, ${IMPORT_HINT}.`;
}

export function httpError(ctx: Context, status: number, file: string | null): Error {
  if (status === 404 || status === 401) {
    return new UserError(
      'not-found',
      file === null
        ? `The model repository ${ctx.repo} (revision ${ctx.revision}) was not found on the Hugging Face Hub` +
            `${status === 401 ? ' or is private' : ''}. Check the model name, ${IMPORT_HINT}.`
        : `The file ${file} was not found in ${ctx.repo} (revision ${ctx.revision}) on the Hugging Face Hub. ` +
            `Check the model name, ${IMPORT_HINT}.`,
    );
  }
  if (status === 408 || status === 429 || status >= 500) return new RetryableError(`HTTP ${status}`, { status });
  return new UserError(
    'network',
    `The Hugging Face Hub refused to send ${file ?? `the file list of ${ctx.repo}`} (HTTP ${status}). ` +
      `Check your internet connection and try again, ${IMPORT_HINT}.`,
  );
}

export function malformed(ctx: Context, detail: string): UserError {
  return new UserError(
    'network',
    `The Hugging Face Hub sent an unexpected file list for ${ctx.repo} (${detail}). ` +
      `Check your internet connection or proxy and try again, ${IMPORT_HINT}.`,
  );
}

/**
 * The chunks of a response's body. A read that fails (the connection dropped) is worth another
 * try; leaving the loop early cancels the rest of the body.
 */
export async function* bodyChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw new RetryableError(describe(error), { cause: error });
      }
      if (chunk.done) return;
      yield chunk.value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** The whole body, or null (and the rest discarded) as soon as it exceeds `maxBytes`. */
export async function readCapped(res: Response, maxBytes: number): Promise<Uint8Array | null> {
  if (!res.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of bodyChunks(res.body)) {
    total += chunk.byteLength;
    if (total > maxBytes) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function discardBody(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => undefined);
}

function describe(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  return cause === undefined ? messageOf(error) : `${messageOf(error)}: ${messageOf(cause)}`;
}

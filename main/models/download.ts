/**
 * Downloads a model repository from the Hugging Face Hub with integrity checks.
 *
 * Note [Never a half model]: files are streamed into a staging folder
 * `<dirname(destination)>/.partial/<basename(destination)>/` as `<path>.part`, hashed while they
 * stream, and checked against the size and hash the Hub's tree API publishes (SHA-256 for LFS
 * files, the git blob SHA-1 for small ones). Only when every file is verified are the parts moved
 * into a fresh temp folder next to `destination`, which is then renamed to `destination` in one
 * step. So `destination` either does not exist or holds the complete, verified model.
 *
 * Note [Resume]: parts stay in the staging folder when a download is cancelled or fails on the
 * network, so the next run (even after an app restart) re-hashes what is there and asks only for
 * the rest with a `Range` request. A dropped connection within a run is retried the same way.
 *
 * Note [Untrusted paths]: file paths come from the network. Any absolute path, `..`/`.`/empty
 * segment, backslash or NUL is rejected before anything is written, and every target path is
 * checked to stay inside the staging folder.
 */
import { createHash, type Hash } from 'node:crypto';
import { mkdir, mkdtemp, open, rename, rm, rmdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import type { DownloadProgressInfo } from '../../preload/contract.js';
import { UserError, messageOf, throwIfAborted } from '../core/errors.js';
import { writeAll } from '../core/temporary-files.js';
import { RateMeter } from '../jobs/job.js';
import { busyServer, plainNetworkFailure } from './network-words.js';
import { lockDownload } from './download-lock.js';
import { DEFAULT_LIMITS, LOOPBACK, MAX_LISTING_BYTES, MAX_REDIRECTS, isAllowedRedirect, limitProblem, type DownloadLimits } from './download-policy.js';

export interface HubFile {
  /** Repo-relative path with `/` separators, validated to be safe. */
  path: string;
  size: number;
  /** Lower-case hex SHA-256 of the content (LFS files). */
  sha256?: string;
  /** Lower-case hex git blob SHA-1 (small, non-LFS files). */
  gitSha1?: string;
}

/** Progress of a download, as the app's contract describes it. */
export type DownloadProgress = DownloadProgressInfo;

export interface DownloadOptions {
  /** e.g. "immich-app/ViT-B-32__openai" */
  repo: string;
  /** Default "main". */
  revision?: string;
  /** Which repo files to fetch. */
  include: (path: string) => boolean;
  /** Final folder; must not exist yet, created atomically. */
  destination: string;
  /** Default "https://huggingface.co". Plain http is only accepted for loopback hosts. */
  endpoint?: string;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  /** Default: global fetch. */
  fetchImpl?: typeof fetch;
  /** Default: per-kind caps only (`kindLimit`; Note [Download limits] in download-policy.ts). */
  limits?: DownloadLimits;
}

export interface ListOptions {
  revision?: string;
  endpoint?: string;
  signal?: AbortSignal;
  fetchImpl?: typeof fetch;
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
const MAX_PAGES = 10_000;
const PROGRESS_INTERVAL_MS = 100;
const RATE_WINDOW_MS = 5_000;
const IMPORT_HINT = 'or import the model folder from disk';

// ---------------------------------------------------------------------------------------------
// Listing

const lfsSchema = z.object({
  oid: z.string().regex(/^[0-9a-f]{64}$/i, 'lfs.oid must be a SHA-256 hex digest'),
  size: z.number().int().nonnegative(),
});

const entrySchema = z.object({
  type: z.string(),
  path: z.string().min(1),
  size: z.number().int().nonnegative().optional(),
  oid: z.string().optional(),
  lfs: lfsSchema.nullish(),
});

const pageSchema = z.array(entrySchema);

/** Lists the files of `repo` at `revision` with their sizes and hashes, following pagination. */
export async function listHubFiles(repo: string, opts: ListOptions = {}): Promise<HubFile[]> {
  const ctx = makeContext(repo, opts);
  return listWith(ctx);
}

async function listWith(ctx: Context): Promise<HubFile[]> {
  const { repo, revision, endpoint, signal } = ctx;
  const origin = new URL(endpoint).origin;
  let url: string | undefined =
    `${endpoint}/api/models/${repo}/tree/${encodeURIComponent(revision)}?recursive=true`;
  const files: HubFile[] = [];
  const seen = new Set<string>();
  let listed = 0;
  for (let page = 0; url !== undefined; page++) {
    if (page >= MAX_PAGES) throw malformed(ctx, 'too many pages');
    const { body, next, bytes } = await fetchJsonPage(ctx, url, MAX_LISTING_BYTES - listed);
    listed += bytes;
    const parsed = pageSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw malformed(ctx, issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid');
    }
    for (const entry of parsed.data) {
      if (entry.type !== 'file') continue;
      const file = toHubFile(ctx, entry);
      if (seen.has(file.path)) throw malformed(ctx, `duplicate path ${JSON.stringify(file.path)}`);
      seen.add(file.path);
      files.push(file);
    }
    if (next !== undefined && new URL(next).origin !== origin) {
      throw malformed(ctx, 'the next page is on another server');
    }
    url = next;
    throwIfAborted(signal);
  }
  return files;
}

function toHubFile(ctx: Context, entry: z.infer<typeof entrySchema>): HubFile {
  if (!isSafeRepoPath(entry.path)) {
    throw new UserError(
      'integrity',
      `The file list for ${ctx.repo} contains an unsafe path (${JSON.stringify(entry.path)}); nothing was downloaded. ` +
        `Try again later, ${IMPORT_HINT}.`,
    );
  }
  if (entry.lfs) return { path: entry.path, size: entry.lfs.size, sha256: entry.lfs.oid.toLowerCase() };
  if (entry.size === undefined || entry.oid === undefined || !/^[0-9a-f]{40}$/i.test(entry.oid)) {
    throw malformed(ctx, `no size or hash for ${JSON.stringify(entry.path)}`);
  }
  return { path: entry.path, size: entry.size, gitSha1: entry.oid.toLowerCase() };
}

/** A repo-relative path that cannot escape the folder it is joined to, on any platform. */
function isSafeRepoPath(p: string): boolean {
  if (p.length === 0 || p.length > 1024) return false;
  if (p.includes('\\') || p.includes('\0')) return false;
  if (p.startsWith('/') || path.win32.isAbsolute(p) || /^[a-zA-Z]:/.test(p)) return false;
  return p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

async function fetchJsonPage(ctx: Context, url: string, maxBytes: number): Promise<{ body: unknown; next: string | undefined; bytes: number }> {
  return withRetries(ctx, `the file list of ${ctx.repo}`, async (attemptSignal) => {
    const res = await hubFetch(ctx, url, { signal: attemptSignal, headers: { accept: 'application/json' } }, 'the file list');
    if (!res.ok) {
      await discardBody(res);
      throw httpError(ctx, res.status, null);
    }
    const bytes = await readCapped(res, maxBytes); // a dropped connection rejects here and is retried
    if (bytes === null) throw malformed(ctx, `the file list is larger than ${MAX_LISTING_BYTES / 2 ** 20} MiB`);
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw malformed(ctx, 'not JSON');
    }
    return { body, next: nextLink(res.headers.get('link'), res.url || url), bytes: bytes.byteLength };
  });
}

/**
 * The chunks of a response's body. A read that fails (the connection dropped) is worth another
 * try; leaving the loop early cancels the rest of the body.
 */
async function* bodyChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
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
async function readCapped(res: Response, maxBytes: number): Promise<Uint8Array | null> {
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

/**
 * `fetch` that follows redirects itself, only where `isAllowedRedirect` says (Note [Download
 * limits] in download-policy.ts); `what` names the file for the message.
 */
async function hubFetch(ctx: Context, url: string, init: RequestInit, what: string): Promise<Response> {
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

/** The `rel="next"` target of an RFC 8288 `Link` header, resolved against `base`. */
function nextLink(header: string | null, base: string): string | undefined {
  if (!header) return undefined;
  for (const m of header.matchAll(/<([^>]*)>((?:\s*;\s*[^,;]*)*)/g)) {
    const params = m[2] ?? '';
    if (/;\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(params)) {
      try {
        return new URL(m[1] ?? '', base).href;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Downloading

/**
 * Downloads the files of `opts.repo` selected by `opts.include` into `opts.destination`, which is
 * created atomically once every file is verified. See Note [Never a half model].
 */
export async function downloadModel(opts: DownloadOptions): Promise<{ files: HubFile[]; bytes: number }> {
  const ctx = makeContext(opts.repo, opts);
  const destination = path.resolve(opts.destination);
  const parent = path.dirname(destination);
  const name = path.basename(destination);
  if (name === '' || destination === parent) {
    throw new UserError('bad-input', `Cannot download a model into ${destination}; choose a new folder.`);
  }
  const staging = path.join(parent, '.partial', name);
  let release: (() => Promise<void>) | undefined;
  try {
    await assertAbsent(destination);
    release = await lockDownload(staging, name);
    const all = await listWith(ctx);
    const files = all.filter((f) => opts.include(f.path));
    if (files.length === 0) {
      throw new UserError(
        'not-found',
        `The repository ${ctx.repo} (revision ${ctx.revision}) has none of the model files this app needs. ` +
          `Check the model name, ${IMPORT_HINT}.`,
      );
    }
    const tooLarge = limitProblem(files, opts.limits ?? DEFAULT_LIMITS);
    if (tooLarge) throw new UserError('integrity', `The file list of ${ctx.repo} gives ${tooLarge}; nothing was downloaded. Try again later, ${IMPORT_HINT}.`);
    await mkdir(staging, { recursive: true });
    const bytesTotal = files.reduce((sum, f) => sum + f.size, 0);
    const meter = new Meter(opts.onProgress, files.length, bytesTotal);
    for (const [index, file] of files.entries()) {
      throwIfAborted(ctx.signal);
      await downloadFile(ctx, meter, file, index, staging);
    }
    throwIfAborted(ctx.signal);
    await publish(files, staging, destination);
    await rm(staging, { recursive: true, force: true });
    return { files, bytes: bytesTotal };
  } catch (error) {
    if (ctx.signal?.aborted) throw new UserError('cancelled', 'Cancelled.');
    throw error;
  } finally {
    await release?.();
    // Only if empty: parts kept to resume stay (Note [Resume]); a download refused before its first byte leaves nothing.
    await rmdir(path.dirname(staging)).catch(() => undefined);
  }
}

async function assertAbsent(destination: string): Promise<void> {
  const existing = await stat(destination).catch((e: unknown) => {
    if (isErrno(e, 'ENOENT')) return null;
    throw e;
  });
  if (existing) {
    throw new UserError(
      'bad-input',
      `${destination} already exists; remove it or choose another folder for the model.`,
    );
  }
}

/** Moves the verified parts into a temp folder and renames it to `destination` in one step. */
async function publish(files: HubFile[], staging: string, destination: string): Promise<void> {
  await assertAbsent(destination);
  const temp = await mkdtemp(path.join(path.dirname(destination), `.${path.basename(destination)}.tmp-`));
  const moved: HubFile[] = [];
  try {
    for (const file of files) {
      const target = insideOrThrow(temp, file.path);
      await mkdir(path.dirname(target), { recursive: true });
      await rename(partPathOf(staging, file), target);
      moved.push(file);
    }
    await assertAbsent(destination); // rename(2) would silently replace an empty directory
    await rename(temp, destination);
  } catch (error) {
    // Put the verified parts back so that a retry need not download them again.
    for (const file of moved) {
      await rename(path.join(temp, file.path), partPathOf(staging, file)).catch(() => undefined);
    }
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    if (isErrno(error, 'ENOTEMPTY') || isErrno(error, 'EEXIST')) {
      throw new UserError('bad-input', `${destination} already exists; remove it or choose another folder for the model.`);
    }
    throw error;
  }
}

function partPathOf(staging: string, file: HubFile): string {
  return insideOrThrow(staging, file.path) + '.part';
}

function insideOrThrow(root: string, rel: string): string {
  const target = path.resolve(root, ...rel.split('/'));
  if (!isSafeRepoPath(rel) || !target.startsWith(root + path.sep)) {
    throw new UserError('integrity', `Refusing to write ${JSON.stringify(rel)} outside ${root}.`);
  }
  return target;
}

async function downloadFile(ctx: Context, meter: Meter, file: HubFile, index: number, staging: string): Promise<void> {
  const part = partPathOf(staging, file);
  await mkdir(path.dirname(part), { recursive: true });
  meter.startFile(file.path, index);
  let mayStartOver = true;
  for (;;) {
    const { verified, resumed } = await fetchToPart(ctx, meter, file, part);
    if (verified) {
      meter.finishFile(file.size);
      return;
    }
    await rm(part, { force: true });
    // A part kept from an earlier run may come from an older revision of the file: discard it
    // and fetch the whole file once before calling it tampered.
    if (resumed && mayStartOver) {
      mayStartOver = false;
      meter.setFileBytes(0);
      continue;
    }
    throw new UserError(
      'integrity',
      `Downloaded ${file.path} does not match the checksum published for ${ctx.repo}; the download was discarded. ` +
        `Try again, ${IMPORT_HINT}.`,
    );
  }
}

function newHasher(file: HubFile): Hash {
  if (file.sha256 !== undefined) return createHash('sha256');
  const h = createHash('sha1');
  h.update(`blob ${file.size}\0`);
  return h;
}

function expectedDigest(file: HubFile): string {
  return file.sha256 ?? file.gitSha1 ?? '';
}

/**
 * Brings `part` to the full content of `file`, resuming what is there, and says whether it
 * matches the published size and hash, and whether any of it came from a resumed range.
 */
async function fetchToPart(
  ctx: Context,
  meter: Meter,
  file: HubFile,
  part: string,
): Promise<{ verified: boolean; resumed: boolean }> {
  let hasher = newHasher(file);
  let have = 0;
  let resumed = false;
  let complete = false;

  const existing = await stat(part).catch(() => null);
  if (existing) {
    if (existing.isFile() && existing.size <= file.size) {
      have = await hashExisting(part, hasher, ctx.signal, (n) => meter.setFileBytes(n));
      resumed = have > 0;
      complete = have === file.size;
    } else {
      await rm(part, { recursive: true, force: true });
    }
  }

  const url = `${ctx.endpoint}/${ctx.repo}/resolve/${encodeURIComponent(ctx.revision)}/${file.path
    .split('/')
    .map(encodeURIComponent)
    .join('/')}`;

  const startOver = async (): Promise<void> => {
    await rm(part, { force: true });
    hasher = newHasher(file);
    have = 0;
    resumed = false;
    meter.setFileBytes(0);
  };

  if (!complete) {
    await withRetries(ctx, file.path, async (attemptSignal, madeProgress) => {
      const headers: Record<string, string> = { 'accept-encoding': 'identity' };
      if (have > 0) headers.range = `bytes=${have}-`;
      const res = await hubFetch(ctx, url, { signal: attemptSignal, headers }, file.path);

      let append: boolean;
      if (res.status === 200) {
        append = false;
        if (have > 0) await startOver();
      } else if (res.status === 206 && have > 0 && contentRangeStart(res.headers.get('content-range')) === have) {
        append = true;
        resumed = true;
      } else if (res.status === 206 || res.status === 416) {
        // The server cannot continue our part: throw it away and fetch from the start.
        await discardBody(res);
        await startOver();
        throw new RetryableError(`HTTP ${res.status} for a resumed download`);
      } else {
        await discardBody(res);
        throw httpError(ctx, res.status, file.path);
      }
      if (!res.body) throw new RetryableError('empty response');

      const fh = await open(part, append ? 'a' : 'w');
      try {
        for await (const bytes of bodyChunks(res.body)) {
          if (have + bytes.byteLength > file.size) {
            // More than published: certainly not the right file.
            complete = false;
            have = file.size + 1;
            return;
          }
          await writeAll(fh, bytes);
          hasher.update(bytes);
          have += bytes.byteLength;
          madeProgress();
          meter.addNetwork(bytes.byteLength);
          meter.setFileBytes(have);
        }
      } finally {
        await fh.close();
      }
      if (have < file.size) throw new RetryableError('the connection closed early');
      complete = true;
    });
  }

  const verified = complete && have === file.size && hasher.digest('hex') === expectedDigest(file);
  return { verified, resumed };
}

async function hashExisting(
  file: string,
  hasher: Hash,
  signal: AbortSignal | undefined,
  onBytes: (n: number) => void,
): Promise<number> {
  const fh = await open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    let total = 0;
    for (;;) {
      throwIfAborted(signal);
      const { bytesRead } = await fh.read(buffer, 0, buffer.length, total);
      if (bytesRead === 0) return total;
      hasher.update(buffer.subarray(0, bytesRead));
      total += bytesRead;
      onBytes(total);
    }
  } finally {
    await fh.close();
  }
}

function contentRangeStart(header: string | null): number | null {
  const m = header ? /^\s*bytes\s+(\d+)-\d+\/(\d+|\*)\s*$/i.exec(header) : null;
  return m?.[1] !== undefined ? Number(m[1]) : null;
}

// ---------------------------------------------------------------------------------------------
// Requests, retries and errors

interface Context {
  repo: string;
  revision: string;
  endpoint: string;
  signal: AbortSignal | undefined;
  fetch: typeof fetch;
}

function makeContext(repo: string, opts: ListOptions): Context {
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

/** A failure worth another try: dropped connection, timeout, 5xx, 408, 429 (`status`). */
class RetryableError extends Error {
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

/**
 * Runs `attempt` until it succeeds, retrying `RetryableError`s and fetch's own network errors
 * with backoff. The retry budget is restored whenever an attempt reports progress.
 */
async function withRetries<T>(
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

function httpError(ctx: Context, status: number, file: string | null): Error {
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

function malformed(ctx: Context, detail: string): UserError {
  return new UserError(
    'network',
    `The Hugging Face Hub sent an unexpected file list for ${ctx.repo} (${detail}). ` +
      `Check your internet connection or proxy and try again, ${IMPORT_HINT}.`,
  );
}

async function discardBody(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => undefined);
}

function describe(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  return cause === undefined ? messageOf(error) : `${messageOf(error)}: ${messageOf(cause)}`;
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

// ---------------------------------------------------------------------------------------------
// Progress

class Meter {
  private doneBytes = 0; // bytes of finished files
  private fileBytes = 0;
  private file = '';
  private fileIndex = 0;
  private network = 0;
  private lastEmit = -Infinity;
  private readonly rate = new RateMeter(RATE_WINDOW_MS);

  constructor(
    private readonly onProgress: ((p: DownloadProgress) => void) | undefined,
    private readonly fileCount: number,
    private readonly bytesTotal: number,
  ) {
    this.rate.record(0);
  }

  startFile(file: string, index: number): void {
    this.file = file;
    this.fileIndex = index;
    this.fileBytes = 0;
  }

  setFileBytes(n: number): void {
    this.fileBytes = n;
    this.emit(false);
  }

  addNetwork(n: number): void {
    this.network += n;
  }

  finishFile(size: number): void {
    this.doneBytes += size;
    this.fileBytes = 0;
    this.emit(true);
  }

  private emit(force: boolean): void {
    if (!this.onProgress) return;
    const now = Date.now();
    if (!force && now - this.lastEmit < PROGRESS_INTERVAL_MS) return;
    this.lastEmit = now;
    // The rate is of bytes received (network), not of bytes done: resumed parts count as done at once.
    this.rate.record(this.network, now);
    const bytesDone = Math.min(this.doneBytes + this.fileBytes, this.bytesTotal);
    const remaining = this.bytesTotal - bytesDone;
    const eta = this.rate.eta(remaining);
    this.onProgress({
      file: this.file,
      fileIndex: this.fileIndex,
      fileCount: this.fileCount,
      bytesDone,
      bytesTotal: this.bytesTotal,
      bytesPerSecond: Math.round(this.rate.perSecond),
      etaSeconds: remaining === 0 ? 0 : eta === null ? null : Math.ceil(eta),
    });
  }
}

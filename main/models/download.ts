/**
 * Downloads a model repository from the Hugging Face Hub with integrity checks. The file list
 * comes from hub-listing.ts, each request goes through hub-http.ts, progress is counted in
 * download-meter.ts.
 *
 * Note [Never a half model]: files are streamed into a staging folder
 * `<dirname(destination)>/.partial/<basename(destination)>/` as `<path>.part`, hashed while they
 * stream, and checked against the size and hash the Hub's tree API publishes (SHA-256 for LFS
 * files, the git blob SHA-1 for small ones). Only when every file is verified are the parts moved
 * into a fresh temp folder next to `destination`, which is then renamed to `destination` in one
 * step. So `destination` either does not exist or holds the complete, verified model.
 *
 * Note [Downloads resume]: parts stay in the staging folder when a download is cancelled or fails on the
 * network, so the next run (even after an app restart) re-hashes what is there and asks only for
 * the rest with a `Range` request. A dropped connection within a run is retried the same way.
 */
import { createHash, type Hash } from 'node:crypto';
import { mkdir, mkdtemp, open, rename, rm, rmdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { DownloadProgressInfo } from '../../preload/contract.js';
import { UserError, throwIfAborted } from '../core/errors.js';
import { writeAll } from '../core/temporary-files.js';
import { Meter } from './download-meter.js';
import { lockDownload } from './download-lock.js';
import { DEFAULT_LIMITS, limitProblem, type DownloadLimits } from './download-policy.js';
import { IMPORT_HINT, RetryableError, bodyChunks, discardBody, httpError, hubFetch, makeContext, withRetries, type Context } from './hub-http.js';
import { isSafeRepoPath, listWith, type HubFile } from './hub-listing.js';

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
  const staging = stagingFolder(destination);
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
    // Only if empty: parts kept to resume stay (Note [Downloads resume]); a download refused before its first byte leaves nothing.
    await rmdir(path.dirname(staging)).catch(() => undefined);
  }
}

/** Where the download of a model into `destination` is staged (Note [Never a half model]). */
export function stagingFolder(destination: string): string {
  return path.join(path.dirname(destination), '.partial', path.basename(destination));
}

async function assertAbsent(destination: string): Promise<void> {
  const existing = await stat(destination).catch((e: unknown) => {
    if (isErrno(e, 'ENOENT')) return null;
    throw e;
  });
  if (existing) throw alreadyThere(destination);
}

function alreadyThere(destination: string): UserError {
  return new UserError('bad-input', `${destination} already exists; remove it or choose another folder for the model.`);
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
      throw alreadyThere(destination);
    }
    throw error;
  }
}

function partPathOf(staging: string, file: HubFile): string {
  return insideOrThrow(staging, file.path) + '.part';
}

/** `rel` joined to `root`, refused if it would land outside it (Note [Untrusted paths] in hub-listing.ts). */
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

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

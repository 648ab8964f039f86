/**
 * The file list of a model repository on the Hugging Face Hub, from its tree API: each file's
 * path, size and published hash, following pagination.
 *
 * Note [Untrusted paths]: file paths come from the network. Any absolute path, `..`/`.`/empty
 * segment, backslash or NUL is rejected before anything is written, and every target path is
 * checked to stay inside the staging folder.
 */
import * as path from 'node:path';
import { z } from 'zod';
import { UserError, throwIfAborted } from '../core/errors.js';
import { MAX_LISTING_BYTES } from './download-policy.js';
import { IMPORT_HINT, discardBody, httpError, hubFetch, makeContext, malformed, readCapped, withRetries, type Context, type ListOptions } from './hub-http.js';

export interface HubFile {
  /** Repo-relative path with `/` separators, validated to be safe. */
  path: string;
  size: number;
  /** Lower-case hex SHA-256 of the content (LFS files). */
  sha256?: string;
  /** Lower-case hex git blob SHA-1 (small, non-LFS files). */
  gitSha1?: string;
}

const MAX_PAGES = 10_000;

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

/** `listHubFiles` for a context already made (the download's own). */
export async function listWith(ctx: Context): Promise<HubFile[]> {
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
export function isSafeRepoPath(p: string): boolean {
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

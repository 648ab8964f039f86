/**
 * What a model download may hold, and where it may be sent: the rules, apart from the transfer.
 *
 * Note [Download limits]: sizes, lists and redirects come from the network too. A file listed
 * larger than such a file can be is refused before anything is fetched (a listing claiming a
 * 3 GB config once had 2.97 GB written before the hash check): a config or tokenizer at most
 * CONFIG_MAX_BYTES, a graph at most GRAPH_MAX_BYTES, and a catalogue model no more than its
 * expected size allows, file by file and in all (see `downloadLimits` in catalogue.ts). No
 * file is ever written past its listed size. The file list is read up to MAX_LISTING_BYTES over
 * all its pages (a model's is a few kilobytes). Redirects are followed by hand, at most
 * MAX_REDIRECTS, and only over https to the Hub's own download servers or the endpoint's own
 * host (a Hub played on this machine, for tests, may redirect to another port of it).
 */

/** Configs, tokenizers, vocabularies: even multilingual tokenizers are a small part of this. */
export const CONFIG_MAX_BYTES = 50_000_000;
/** An ONNX graph or its external data (protobuf keeps one graph file under 2 GB). */
export const GRAPH_MAX_BYTES = 4_000_000_000;
export const MAX_LISTING_BYTES = 2 ** 20;
export const MAX_REDIRECTS = 5;
/** Where the Hub sends downloads: itself (resolve caches), its LFS CDNs and its Xet storage. */
const HUB_DOWNLOAD_HOSTS = [/^huggingface\.co$/, /^cdn-lfs[a-z0-9-]*\.(hf|huggingface)\.co$/, /^cas-bridge\.xethub\.hf\.co$/];
export const LOOPBACK: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The most a download may hold. */
export interface DownloadLimits {
  /** Bytes one file may have. */
  fileBytes: (path: string) => number;
  /** Bytes all the selected files may have together. */
  totalBytes: number;
}

/** The cap for a file of this kind, when nothing more is known about the model. */
export function kindLimit(file: string): number {
  return /\.onnx(_data)?$|\.(bin|safetensors)$/.test(file) ? GRAPH_MAX_BYTES : CONFIG_MAX_BYTES;
}

export const DEFAULT_LIMITS: DownloadLimits = { fileBytes: kindLimit, totalBytes: Number.POSITIVE_INFINITY };

function megabytes(bytes: number): string {
  return `${Math.round(bytes / 1_000_000)} MB`;
}

/** What in a listing is larger than `limits` allow, in words ("config.json as 51 MB, but ..."), or null. */
export function limitProblem(files: ReadonlyArray<{ path: string; size: number }>, limits: DownloadLimits): string | null {
  for (const file of files) {
    const limit = limits.fileBytes(file.path);
    if (file.size > limit) return `${file.path} as ${megabytes(file.size)}, but such a file is at most ${megabytes(limit)}`;
  }
  const total = files.reduce((sum, file) => sum + file.size, 0);
  return total > limits.totalBytes ? `the model's files as ${megabytes(total)} in all, but it needs at most ${megabytes(limits.totalBytes)}` : null;
}

/** Whether a download of the Hub at `endpoint` may follow a redirect to `target`. */
export function isAllowedRedirect(endpoint: string, target: URL): boolean {
  const base = new URL(endpoint);
  if (LOOPBACK.has(base.hostname) && LOOPBACK.has(target.hostname) && (target.protocol === 'http:' || target.protocol === 'https:')) return true;
  if (target.protocol !== 'https:' || target.username !== '' || target.password !== '') return false;
  return (base.protocol === 'https:' && target.host === base.host) || HUB_DOWNLOAD_HOSTS.some((host) => host.test(target.hostname));
}

/** Human-readable numbers for the UI. Decimal units (1 MB = 1,000,000 bytes), like the catalogue. */

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

export function formatRate(bytesPerSecond: number): string {
  return bytesPerSecond > 0 ? `${formatBytes(bytesPerSecond)}/s` : '—';
}

export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return 'estimating time left…';
  const s = Math.round(seconds);
  if (s < 60) return `about ${Math.max(1, s)} s left`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `about ${minutes} min left`;
  return `about ${Math.floor(minutes / 60)} h ${minutes % 60} min left`;
}

/** Whole percent done, 0 to 100. */
export function percentOf(done: number, total: number): number {
  if (!(total > 0)) return 0;
  return Math.min(100, Math.max(0, Math.floor((done / total) * 100)));
}

const wholeNumber = new Intl.NumberFormat();

/** A count as the person's locale groups it: 12,345. */
export function formatCount(n: number): string {
  return wholeNumber.format(n);
}

/**
 * Note [Percentages in the person's locale]: a share is written as the person's locale writes a
 * percentage, "33%" in English, "33 %" in French, never a hand-made `${n} %` (English with a
 * French space). One formatter per number of decimals, made once.
 */
const percentFormats = new Map<number, Intl.NumberFormat>();

/** A share, 0 to 1, as a percentage with `decimals` decimals: 0.333 is "33%" in English. */
export function formatPercent(share: number, decimals = 0): string {
  let format = percentFormats.get(decimals);
  if (!format) {
    format = new Intl.NumberFormat(undefined, { style: 'percent', minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    percentFormats.set(decimals, format);
  }
  return format.format(share);
}

/** A count and its noun in the matching form: "1 photo", "12,345 photos". */
export function counted(n: number, singular: string, plural = `${singular}s`): string {
  return `${formatCount(n)} ${n === 1 ? singular : plural}`;
}

/** Names in the order a person reads them: their locale's, numbers by value ("tag 2" before "tag 10"). */
export const byName = new Intl.Collator(undefined, { numeric: true }).compare;

/** Why a count of photos is below its count of files (the tooltip of `inFiles`). */
export const COPIES_COUNT_ONCE = 'Identical copies of a photo count once: the viewer lists where its copies are.';

/** " in 12 files" where identical copies make `files` more than `photos`, as the Library's and the albums' headings say it; else nothing. */
export function inFiles(photos: number, files: number): string {
  return files > photos ? ` in ${counted(files, 'file')}` : '';
}

/** How long ago `then` was at `now` (ms since the epoch), in round figures: "just now", "12 minutes ago", "3 hours ago", "2 days ago". */
export function formatAgo(then: number, now: number): string {
  const minutes = Math.floor(Math.max(0, now - then) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${counted(minutes, 'minute')} ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${counted(hours, 'hour')} ago`;
  return `${counted(Math.floor(hours / 24), 'day')} ago`;
}

/**
 * Each folder as a list names it: its last part, or as many of its last parts as tell it from
 * the others ("alice/Photos" and "bob/Photos", not "Photos" twice).
 */
export function folderLabels(paths: readonly string[]): string[] {
  const parts = paths.map((path) => path.split(/[\\/]/).filter(Boolean));
  const tail = (list: string[], n: number) => list.slice(-n).join('/');
  const labels = [...paths];
  // Counted per number of parts, not compared pairwise: 20,000 folders took seconds.
  let unresolved = parts.map((_own, i) => i);
  for (let n = 1; unresolved.length > 0; n++) {
    const tails = parts.map((own) => tail(own, n));
    const counts = new Map<string, number>();
    for (const label of tails) counts.set(label, (counts.get(label) ?? 0) + 1);
    unresolved = unresolved.filter((i) => {
      if (n > (parts[i] as string[]).length) return false;
      const label = tails[i] as string;
      if (counts.get(label) !== 1) return true;
      labels[i] = label;
      return false;
    });
  }
  return labels;
}

/**
 * Each file as a list of copies names it: its file name, and where files share one (the same
 * IMG_0001.jpg in two folders), the folder that tells them apart ("IMG_0001.jpg in Phone/2023").
 */
export function copyNames(paths: readonly string[]): string[] {
  const split = paths.map((path) => {
    const parts = path.split(/[\\/]/);
    return { name: parts.pop() ?? path, folder: parts.join('/') };
  });
  return split.map(({ name }, i) => {
    const twins = split.flatMap((other, j) => (other.name === name ? [j] : []));
    if (twins.length === 1) return name;
    return `${name} in ${folderLabels(twins.map((j) => (split[j] as { folder: string }).folder))[twins.indexOf(i)]}`;
  });
}

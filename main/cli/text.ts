/** `ocr` and `text`: reading text in photos from the command line. */
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { nothingAt } from '../core/paths.js';
import type { OcrProgress, OcrSummary } from '../ocr/job.js';
import type { Command } from './command.js';
import { cancelledSaysWhatIsKept, commandAsGiven, count, DATA_OPTION, fileLine, oneLine, PROVIDER_OPTION, requireOne, shownPath, WAIT_OPTION } from './common.js';

const OCR_OPTIONS = { ...DATA_OPTION, ...PROVIDER_OPTION, ...WAIT_OPTION };

type OcrFailure = OcrSummary['failed'][number];

function summaryText(summary: OcrSummary, asked: { photos: boolean; all: boolean }): string {
  // "0 photos read" said nothing of why: a photo named again, or a library read to the end.
  if (summary.read + summary.skipped + summary.failed.length === 0) {
    return `Nothing new to read: every photo${asked.photos ? ' given' : ''} was read${asked.all ? '' : ', skipped by the quick look or found unreadable'} already (\`lumen text PHOTO\` prints a photo’s text).`;
  }
  const ownDefects = summary.failed.filter((failure) => !failure.outOfReach);
  const outOfReach = summary.failed.filter((failure) => failure.outOfReach);
  const parts = [`${count(summary.read, 'photo')} read`, `${summary.withText} with text`, `${summary.skipped} skipped by the quick look`, `${ownDefects.length} failed`, ...(outOfReach.length ? [`${outOfReach.length} out of reach`] : [])];
  return [`Text in photos: ${parts.join(', ')}.`, ...ownDefects.map((failure) => `  could not read ${fileLine(failure.path, failure.message)}`), ...outOfReachText(outOfReach)].join('\n');
}

/** The most folders of photos out of reach listed: an unplugged drive of dated folders would list hundreds. */
const OUT_OF_REACH_FOLDERS = 5;

/** Photos out of reach, a line a folder (not a line a photo), the folders with most first, then what brings them back. */
function outOfReachText(failures: OcrFailure[]): string[] {
  if (failures.length === 0) return [];
  const byFolder = new Map<string, OcrFailure[]>();
  for (const failure of failures) {
    const folder = path.dirname(failure.path);
    const inFolder = byFolder.get(folder);
    if (inFolder) inFolder.push(failure);
    else byFolder.set(folder, [failure]);
  }
  const folders = [...byFolder].sort(([, a], [, b]) => b.length - a.length);
  const lines = folders.slice(0, OUT_OF_REACH_FOLDERS).map(([folder, [first, ...others]]) => (others.length === 0 ? `  out of reach: ${oneLine((first as OcrFailure).message)}` : `  out of reach: ${count(others.length + 1, 'photo')} in ${shownPath(folder)}, such as: ${oneLine((first as OcrFailure).message)}`));
  const more = folders.slice(OUT_OF_REACH_FOLDERS);
  if (more.length > 0) lines.push(`  out of reach: ${count(more.reduce((sum, [, inFolder]) => sum + inFolder.length, 0), 'photo')} in ${count(more.length, 'more folder')}`);
  return [...lines, 'Photos out of reach were not read: the next `lumen ocr` reads them once they can be reached (a drive plugged in, a share mounted, permission given), and `lumen index` forgets those deleted.'];
}

/**
 * A folder or photo named by a path that is not there: a typo or a file gone, said as `search`
 * and `text` say it, not as a file outside the library. `#12`, and `12` where no file is named
 * so, are ids, which the engine resolves.
 */
function refuseMissing(named: readonly string[]): void {
  const missing = named.find((reference) => !/^(#|\d+$)/.test(reference.trim()) && nothingAt(path.resolve(reference.trim())));
  if (missing !== undefined) throw new UserError('not-found', `${shownPath(missing)} does not exist. Give a folder or photo of the library (a path or #id).`);
}

export const ocr: Command = {
  name: 'ocr',
  args: '[FOLDER|PHOTO...]',
  summary: 'Read text in photos (signs, receipts, screenshots) so `search \'"word"\'` finds them.',
  details: [
    'With no argument, reads the library’s photos not read yet; a quick look first skips photos unlikely to hold text.',
    'FOLDER and PHOTO (a path or #id) must be in the library. Photos already read are not read again; files that fail are listed and skipped.',
    'The exit status is 1 when photos could not be reached (a drive not plugged in, files deleted since the last scan): they are read by the next run once back.',
  ].join('\n'),
  options: {
    ...OCR_OPTIONS,
    all: { type: 'boolean', description: 'read every photo, also those the quick look would skip' },
  },
  writes: () => 'reading text in',
  // Before the library is claimed: a command refused for what it was given makes no data folder.
  check: async (context) => {
    refuseMissing(context.positionals);
  },
  async run(context) {
    const running = context.engine().readText({ photos: context.positionals, all: context.options['all'] === true });
    // Each photo's result is stored as it is read (Note [OCR progress is stored] in ocr/job.ts).
    const summary = await cancelledSaysWhatIsKept(running, (progress: OcrProgress | null) => `${progress?.done ?? 0} of ${count(progress?.total ?? 0, 'photo')} done and kept`, commandAsGiven(ocr, context));
    // Photos not reached were not read: the run is incomplete, as an index run that could not reach a folder is.
    return { json: summary, text: summaryText(summary, { photos: context.positionals.length > 0, all: context.options['all'] === true }), incomplete: summary.failed.some((failure) => failure.outOfReach) };
  },
};

export const text: Command = {
  name: 'text',
  args: 'PHOTO',
  summary: 'Print the text read in a photo of the library (a path or #id), reading it first if needed.',
  details: 'JSON: {"lines": [{"text", "confidence" (0 to 1), "box": [x, y, width, height] as fractions of the upright photo}]}, in reading order.',
  options: OCR_OPTIONS,
  writes: () => 'reading text in',
  // Before the library is claimed: a command refused for what it was given makes no data folder.
  check: async (context) => {
    requireOne(context, 'photo (a path or #id)');
  },
  async run(context) {
    const photo = requireOne(context, 'photo (a path or #id)');
    const { lines } = await context.engine().photoText(photo, { read: true, signal: context.signal });
    return { json: { lines }, text: lines.length ? lines.map((line) => line.text).join('\n') : `No text found in ${/^\d+$/.test(photo) ? `#${photo}` : shownPath(photo)}.` };
  },
};

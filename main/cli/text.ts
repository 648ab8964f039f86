/** `ocr` and `text`: reading text in photos from the command line. */
import type { OcrProgress, OcrSummary } from '../ocr/job.js';
import type { Command } from './command.js';
import { cancelledSaysWhatIsKept, count, DATA_OPTION, fileLine, PROVIDER_OPTION, requireOne, shownPath, WAIT_OPTION } from './common.js';

const OCR_OPTIONS = { ...DATA_OPTION, ...PROVIDER_OPTION, ...WAIT_OPTION };

function summaryText(summary: OcrSummary): string {
  const parts = [`${count(summary.read, 'photo')} read`, `${summary.withText} with text`, `${summary.skipped} skipped by the gate`, `${summary.failed.length} failed`];
  return [`Text in photos: ${parts.join(', ')}.`, ...summary.failed.map((failure) => `  could not read ${fileLine(failure.path, failure.message)}`)].join('\n');
}

export const ocr: Command = {
  name: 'ocr',
  args: '[FOLDER|PHOTO...]',
  summary: 'Read text in photos (signs, receipts, screenshots) so `search \'"word"\'` finds them.',
  details: [
    'With no argument, reads the library’s photos not read yet; a quick look first skips photos unlikely to hold text.',
    'FOLDER and PHOTO (a path or #id) must be in the library. Photos already read are not read again; files that fail are listed and skipped.',
  ].join('\n'),
  options: {
    ...OCR_OPTIONS,
    all: { type: 'boolean', description: 'read every photo, also those the quick look would skip' },
  },
  writes: () => 'reading text in',
  async run(context) {
    const running = context.engine().readText({ photos: context.positionals, all: context.options['all'] === true });
    // Each photo's result is stored as it is read (Note [OCR progress is stored] in ocr/job.ts).
    const summary = await cancelledSaysWhatIsKept(running, (progress: OcrProgress | null) => `${progress?.done ?? 0} of ${count(progress?.total ?? 0, 'photo')} done and kept; \`lumen ocr\` goes on from there`);
    return { json: summary, text: summaryText(summary) };
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

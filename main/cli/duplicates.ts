/**
 * `duplicates`: near-duplicate groups of the library, with the copy to keep in each and why.
 *
 * It only lists: moving copies to the system trash needs the person to look at them first, and
 * is done in the app's Duplicates section (Note [Never delete] in main/duplicates/trash.ts).
 */
import { DEFAULT_DUPLICATE_THRESHOLD } from '../duplicates/threshold.js';
import type { DuplicateGroup } from '../duplicates/index.js';
import type { Command } from './command.js';
import { count, MODEL_OPTIONS, numberOption, oneLine, shownPath, WAIT_OPTION } from './common.js';

// A copy alike to another of its group but not to the keep is said so, as the app leaves it
// unmarked: a script taking every copy but the keep would take it too (Note [Marked only beside
// the keep] in main/duplicates/grouping.ts).
const THROUGH_OTHERS = '  (alike to another copy, not to the keep)';

/** A group as a person reads it: the copy to keep and why, then the others. */
export function groupText(group: DuplicateGroup, n: number): string {
  const alike = group.similarity === null ? 'byte-identical' : `likeness ${group.similarity.toFixed(2)}`;
  const [keep, ...others] = group.paths;
  const apart = new Set(group.joinedThroughOthers);
  const copyLine = (file: string) => `        ${shownPath(file)}${apart.has(file) ? THROUGH_OTHERS : ''}`;
  return [`Group ${n} (${count(group.paths.length, 'copy', 'copies')}, ${alike}):`, `  keep  ${shownPath(keep as string)}`, `        why: ${oneLine(group.reason)}`, ...others.map(copyLine)].join('\n');
}

/** A group as scripts read it (the shape the command's help gives). */
export const groupJson = ({ keep, reason, paths, joinedThroughOthers = [] }: DuplicateGroup) => ({ keep, reason, paths, joinedThroughOthers });

export const duplicates: Command = {
  name: 'duplicates',
  args: '',
  summary: 'List groups of near-duplicate photos (re-saves, resized copies, crops, edits, bursts) with the copy to keep.',
  details: [
    'Uses the stored embeddings of the model serving the library; nothing is embedded again, and no file is moved.',
    `--threshold is on a scale calibrated per model: 1 is as alike as a typical edited copy, 0 as two far-apart views of one scene (default ${DEFAULT_DUPLICATE_THRESHOLD}).`,
    'JSON: {"groups": [{"keep": PATH, "reason": TEXT, "paths": [PATH, ...], "joinedThroughOthers": [PATH, ...]}]}, the copy to keep first in "paths"; "joinedThroughOthers" lists the copies alike to another copy but not to the keep (the app leaves them unmarked).',
  ].join('\n'),
  options: {
    ...MODEL_OPTIONS,
    threshold: { type: 'string', valueName: 'T', description: `how alike copies must be, -1 (loose) to 2 (strict) (default ${DEFAULT_DUPLICATE_THRESHOLD})` },
    ...WAIT_OPTION,
  },
  // It stores what it measures once (the model's calibration, each photo's sharpness).
  writes: () => 'finding near-duplicates in',
  async run(context) {
    const threshold = numberOption(context, 'threshold', DEFAULT_DUPLICATE_THRESHOLD, { min: -1, max: 2 });
    const report = await context.engine().duplicates.find({ threshold }).done;
    const groups = report.groups.map(groupJson);
    const copies = report.groups.reduce((sum, group) => sum + group.paths.length - 1, 0);
    const summary = report.groups.length
      ? `${count(report.groups.length, 'group')} of near-duplicates, ${count(copies, 'copy', 'copies')} besides the ones to keep, among ${count(report.images, 'photo')} (threshold ${threshold}, ${report.model}). Nothing was moved; review and move copies to the trash in the app's Duplicates section.`
      : `No near-duplicates among ${count(report.images, 'photo')} (threshold ${threshold}, ${report.model}).`;
    return { json: { groups }, text: [...report.groups.map((group, i) => groupText(group, i + 1)), summary].join('\n') };
  },
};

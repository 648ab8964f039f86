/** `models list | download ID | import DIR`: the catalogue and the models installed. */
import { UserError } from '../core/errors.js';
import type { DownloadProgress } from '../models/download.js';
import { ModelStore } from '../models/store.js';
import { stringOption, type Command, type CommandContext, type CommandResult } from './command.js';
import { DATA_OPTION, formatBytes } from './common.js';

async function list(store: ModelStore): Promise<CommandResult> {
  const listing = await store.list();
  const lines = [
    'Catalogue:',
    ...listing.catalogue.map(
      (entry) =>
        `  ${entry.installed ? '*' : ' '} ${entry.id}  (${entry.name}; about ${formatBytes(entry.approxBytes)}; ${entry.languages}; ${entry.licence})\n      ${entry.quality}`,
    ),
    `Installed in ${store.root}:`,
    ...(listing.installed.length ? listing.installed.map((model) => `    ${model.id}  (${model.layout} layout, ${model.dim}-d)`) : ['    (none)']),
    ...listing.broken.map((model) => `  ! ${model.id}: ${model.reason}`),
  ];
  return { json: listing, text: lines.join('\n') };
}

function progressReporter(context: CommandContext): (p: DownloadProgress) => void {
  let lastPrinted = 0;
  return (p) => {
    const now = Date.now();
    const finished = p.bytesDone === p.bytesTotal;
    if (now - lastPrinted < 1000 && !finished) return;
    lastPrinted = now;
    const percent = p.bytesTotal ? ((100 * p.bytesDone) / p.bytesTotal).toFixed(1) : '0.0';
    const eta = p.etaSeconds === null ? '' : `, ${Math.ceil(p.etaSeconds)} s left`;
    context.log(`${percent}%  ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}  ${formatBytes(p.bytesPerSecond)}/s${eta}  (${p.file})`);
  };
}

export const models: Command = {
  name: 'models',
  args: 'list | download ID | import DIR',
  summary: 'List, download or import models.',
  details: [
    'list           the catalogue and the models installed in the data folder',
    'download ID    download a catalogue model from Hugging Face, verified, resumable',
    'import DIR     check a model folder on disk and copy it into the data folder',
  ].join('\n'),
  options: {
    ...DATA_OPTION,
    name: { type: 'string', valueName: 'ID', description: 'import: the id to install the folder under (default: its folder name)' },
  },
  async run(context) {
    const store = new ModelStore(context.dataDir);
    const [action, target, ...rest] = context.positionals;
    if (rest.length > 0) throw new UserError('bad-input', `Unexpected argument "${rest[0]}". See \`models --help\`.`);
    switch (action) {
      case undefined:
      case 'list':
        return list(store);
      case 'download': {
        if (!target) throw new UserError('bad-input', 'Name the model to download, e.g. `models download ViT-B-32__laion2b-s34b-b79k`.');
        const dir = await store.download(target, { signal: context.signal, onProgress: progressReporter(context) });
        return { json: { installed: target, dir }, text: `Installed ${target} in ${dir}.` };
      }
      case 'import': {
        if (!target) throw new UserError('bad-input', 'Name the model folder to import, e.g. `models import ~/Downloads/my-clip`.');
        const dir = await store.import(target, stringOption(context, 'name'));
        return { json: { installed: dir.split(/[\\/]/).at(-1), dir }, text: `Imported ${target} as ${dir}.` };
      }
      default:
        throw new UserError('bad-input', `Unknown models action "${action}". Use list, download or import.`);
    }
  },
};

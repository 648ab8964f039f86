/** `models list | download ID | import DIR | remove ID`: the catalogue and the models installed. */
import { UserError } from '../core/errors.js';
import { requireModelFolder } from '../models/folder.js';
import { ModelNameReserved, ModelNameTaken } from '../models/store.js';
import { stringOption, type Command, type CommandContext, type CommandResult } from './command.js';
import { DATA_OPTION, count, formatBytes } from './common.js';

async function list(context: CommandContext): Promise<CommandResult> {
  const listing = await context.engine().listModels();
  const lines = [
    'Catalogue:',
    ...listing.catalogue.map(
      (entry) =>
        `  ${entry.installed ? '*' : ' '} ${entry.id}  (${entry.name}; about ${formatBytes(entry.approxBytes)}; ${entry.languages}; ${entry.licence})\n      ${entry.quality}`,
    ),
    `Installed in ${context.engine().modelsDir}:`,
    ...(listing.installed.length ? listing.installed.map((model) => `    ${model.id}  (${model.layout} layout, ${model.dim}-d; ${formatBytes(model.bytes)})`) : ['    (none)']),
    ...listing.broken.map((model) => `  ! ${model.id}: ${model.reason}`),
  ];
  return { json: listing, text: lines.join('\n') };
}

/** What import takes, said where the folder named is not one: never a catalogue id (that is `download`). */
const IMPORT_TAKES = '`models import` takes a folder holding a CLIP model (Immich or Hugging Face layout); to install one from the catalogue, use `models download ID` (see `models list`).';

export const models: Command = {
  name: 'models',
  args: 'list | download ID | import DIR | remove ID',
  summary: 'List, download, import or remove models.',
  details: [
    'list           the catalogue and the models installed in the data folder',
    'download ID    download a catalogue model from Hugging Face, verified, resumable',
    'import DIR     check a model folder on disk and copy it into the data folder',
    'remove ID      delete an installed model from the data folder (not the one in use); the library keeps its embeddings',
  ].join('\n'),
  options: {
    ...DATA_OPTION,
    name: { type: 'string', valueName: 'ID', description: 'import: the id to install the folder under (default: its folder name)' },
  },
  async run(context) {
    const [action, target, ...rest] = context.positionals;
    if (rest.length > 0) throw new UserError('bad-input', `Unexpected argument "${rest[0]}". See \`models --help\`.`);
    switch (action) {
      case undefined:
      case 'list':
        if (target !== undefined) throw new UserError('bad-input', `\`models list\` takes no argument; "${target}" is not one.`);
        return list(context);
      case 'download': {
        if (!target) throw new UserError('bad-input', 'Name the model to download, e.g. `models download ViT-B-32__laion2b-s34b-b79k`.');
        const dir = await context.engine().downloadModel(target).done;
        return { json: { installed: target, dir }, text: `Installed ${target} in ${dir}.` };
      }
      case 'import': {
        if (!target) throw new UserError('bad-input', 'Name the model folder to import, e.g. `models import ~/Downloads/my-clip`.');
        const name = stringOption(context, 'name');
        await requireModelFolder(target, IMPORT_TAKES);
        const imported = await context
          .engine()
          .importModel(target, name)
          .catch((error: unknown) => {
            if (error instanceof ModelNameReserved) throw new UserError('bad-input', `${error.reason} Choose another name with --name ID.`);
            if (error instanceof ModelNameTaken) throw new UserError('bad-input', `${error.message} Import it under another name with --name ID, or remove that folder first.`);
            throw error;
          });
        return { json: { installed: imported.id, dir: imported.dir }, text: `Imported ${target} as ${imported.dir}.` };
      }
      case 'remove': {
        if (!target) throw new UserError('bad-input', 'Name the model to remove, e.g. `models remove my-clip` (see `models list`).');
        const removed = await context.engine().removeModel(target);
        // Note [Removing a model] in models/store.ts: the embeddings stay, so adding it again needs no re-indexing.
        const kept = removed.embeddings > 0 ? ` The library keeps its embeddings of ${count(removed.embeddings, 'photo')}: added again, it needs no re-indexing.` : '';
        return { json: { removed: removed.id, dir: removed.dir, bytes: removed.bytes, embeddingsKept: removed.embeddings }, text: `Removed ${removed.id}; ${formatBytes(removed.bytes)} freed.${kept}` };
      }
      default:
        throw new UserError('bad-input', `Unknown models action "${action}". Use list, download, import or remove.`);
    }
  },
};

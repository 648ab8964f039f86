/** `index`, `search` and `similar`: the photo library from the command line. */
import { UserError } from '../core/errors.js';
import type { IndexProgress } from '../library/indexer.js';
import { DEFAULT_CUTOFF, PhotoSearch, type SearchFilters, type SearchOptions, type SearchPage, type SearchSort } from '../search/search.js';
import { stringOption, type Command, type CommandContext, type CommandResult, type OptionSpec } from './command.js';
import { MODEL_OPTIONS, requirePositionals, withLibrary, withModel } from './common.js';

function parseDate(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new UserError('bad-input', `--${name} takes a date like 2023-06-30, not "${value}".`);
  return time;
}

function positiveNumber(context: CommandContext, name: string, fallback: number): number {
  const raw = stringOption(context, name);
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new UserError('bad-input', `--${name} takes a number, not "${raw}".`);
  return value;
}

function progressLogger(context: CommandContext): (p: IndexProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 2000 && p.phase === 'indexing') return;
    last = now;
    const eta = p.etaSeconds === null ? '' : `, about ${Math.ceil(p.etaSeconds)} s left`;
    context.log(
      p.phase === 'scanning'
        ? `scanning: ${p.found} files found`
        : `${p.phase}: ${p.processed} of ${p.toProcess} (${p.embedded} embedded, ${p.failed} failed), ${p.imagesPerSecond.toFixed(1)} photos/s${eta}`,
    );
  };
}

export const index: Command = {
  name: 'index',
  args: 'FOLDER...',
  summary: 'Add folders to the library and bring its index up to date.',
  details: 'With no FOLDER, updates every folder already in the library. Files that fail are listed and skipped; the exit status is 0 when the run completed.',
  options: {
    ...MODEL_OPTIONS,
    exclude: { type: 'string', valueName: 'GLOBS', description: 'comma-separated globs to skip, relative to each folder (e.g. "**/Screenshots/**,*.gif")' },
    batch: { type: 'string', valueName: 'N', description: 'photos per inference batch on dynamic-batch models (default 16)' },
  },
  async run(context) {
    return withLibrary(context, async (library) => {
      const excludes = (stringOption(context, 'exclude') ?? '').split(',').map((glob) => glob.trim()).filter(Boolean);
      const folders = context.positionals.length ? await library.addFolders(context.positionals, excludes) : undefined;
      return withModel(context, async (model) => {
        const summary = await library.index(model, { folders, onProgress: progressLogger(context), batchSize: positiveNumber(context, 'batch', 16) });
        const text = [
          `Indexed with ${model.id}: ${summary.embedded} embedded, ${summary.unchanged} unchanged, ${summary.moved} moved, ${summary.removed} removed, ${summary.failed.length} failed in ${summary.seconds.toFixed(1)} s.`,
          ...summary.failed.map((failure) => `  skipped ${failure.path}: ${failure.message}`),
        ].join('\n');
        return { json: summary, text };
      });
    });
  },
};

const SEARCH_OPTIONS: Record<string, OptionSpec> = {
  ...MODEL_OPTIONS,
  k: { type: 'string', valueName: 'N', description: 'results per page (default 20)' },
  page: { type: 'string', valueName: 'N', description: 'page number, from 1 (default 1)' },
  sort: { type: 'string', valueName: 'ORDER', description: 'relevance (default), newest or oldest' },
  cutoff: { type: 'string', valueName: 'R', description: `relative relevance cutoff between 0 and 1 (default ${DEFAULT_CUTOFF})` },
  all: { type: 'boolean', description: 'show the plain ranking, without the relevance cutoff' },
  after: { type: 'string', valueName: 'DATE', description: 'only photos taken on or after DATE' },
  before: { type: 'string', valueName: 'DATE', description: 'only photos taken on or before DATE' },
  folder: { type: 'string', valueName: 'DIR', description: 'only photos under DIR' },
  camera: { type: 'string', valueName: 'TEXT', description: 'only photos whose camera make or model contains TEXT' },
  type: { type: 'string', valueName: 'LIST', description: 'only these file types, e.g. jpeg,png' },
  located: { type: 'boolean', description: 'only photos with a GPS position' },
};

function searchOptions(context: CommandContext): SearchOptions {
  const sort = stringOption(context, 'sort') ?? 'relevance';
  if (!['relevance', 'newest', 'oldest'].includes(sort)) throw new UserError('bad-input', `--sort takes relevance, newest or oldest, not "${sort}".`);
  const limit = positiveNumber(context, 'k', 20);
  const page = Math.max(1, positiveNumber(context, 'page', 1));
  const filters: SearchFilters = {
    takenAfter: parseDate(stringOption(context, 'after'), 'after'),
    takenBefore: parseDate(stringOption(context, 'before'), 'before'),
    folder: stringOption(context, 'folder'),
    camera: stringOption(context, 'camera'),
    formats: stringOption(context, 'type')?.split(',').filter(Boolean),
    hasLocation: context.options['located'] === true ? true : undefined,
  };
  const cutoff = positiveNumber(context, 'cutoff', DEFAULT_CUTOFF);
  if (cutoff > 1) throw new UserError('bad-input', '--cutoff is between 0 and 1.');
  return { limit, offset: (page - 1) * limit, sort: sort as SearchSort, cutoff, showAll: context.options['all'] === true, filters };
}

function pageResult(page: SearchPage): CommandResult {
  const text = page.results.length
    ? page.results.map((hit, i) => `${String(i + 1).padStart(3)}. ${hit.score.toFixed(3)}  #${hit.photoId}  ${hit.path}`).join('\n')
    : 'No matching photos.';
  return { json: page, text };
}

async function searching(context: CommandContext, run: (search: PhotoSearch) => Promise<SearchPage>): Promise<CommandResult> {
  return withLibrary(context, async (library) => {
    if (!library.servingModel() && !stringOption(context, 'model')) {
      throw new UserError('bad-input', 'The library is empty. Run `index FOLDER` first.');
    }
    return withModel(context, async (model) => pageResult(await run(new PhotoSearch(library, model))), library.servingModelReference());
  });
}

export const search: Command = {
  name: 'search',
  args: 'QUERY',
  summary: 'Find photos by description; combine terms with + and -, weights with N:, photos by path or #id.',
  details: 'Examples: "dog on the beach", "beach + sunset - people", "2:dog + ./photo.jpg".',
  options: SEARCH_OPTIONS,
  run: (context) => searching(context, (engine) => engine.search(requirePositionals(context, 'query').join(' '), searchOptions(context), context.signal)),
};

export const similar: Command = {
  name: 'similar',
  args: 'FILE|PHOTO_ID',
  summary: 'Find photos that look like a photo in the library (#id or id) or any image file.',
  options: SEARCH_OPTIONS,
  run: (context) =>
    searching(context, (engine) => {
      const [target] = requirePositionals(context, 'photo id or image file');
      const id = /^#?(\d+)$/.exec(target as string);
      return engine.similar(id ? Number(id[1]) : (target as string), searchOptions(context), context.signal);
    }),
};

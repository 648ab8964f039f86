/** `index`, `search`, `similar` and `failures`: the photo library from the command line. */
import path from 'node:path';
import { noEmbeddingsError, UserError } from '../core/errors.js';
import { isInside } from '../core/paths.js';
import type { IndexProgress, IndexSummary } from '../library/indexer.js';
import { checkPhotoFolders } from '../library/folder-checks.js';
import type { LibraryStatus } from '../library/library.js';
import { passedOverText } from '../library/photo-kinds.js';
import { DEFAULT_CUTOFF, MAX_PAGE_SIZE, MAX_SEARCH_OFFSET, normaliseFormatName, PHOTO_FORMATS, searchOptionsSchema, SORT_ORDERS, type SearchOptions } from '../search/options.js';
import type { SearchPage } from '../search/search.js';
import { stringOption, type Command, type CommandContext, type CommandResult, type OptionSpec } from './command.js';
import { dateBound } from '../search/date-bounds.js';
import { cutShortText } from '../search/cut-short.js';
import { cancelledSaysWhatIsKept, commandAsGiven, count, DATA_OPTION, fileLine, MODEL_OPTIONS, numberOption, oneLine, requireOne, requirePositionals, shownPath, WAIT_OPTION } from './common.js';
import { nearest } from './suggest.js';

/**
 * What an index job did over all its passes (Note [A job of several passes]): copies share one
 * image, and its embedding, with another file (Note [What a run counts] in indexer.ts). What it
 * passed over is said last, once (Note [Nothing skipped silently] in scan.ts).
 */
function indexText(modelId: string, summary: IndexSummary, stillFailing: number): string {
  const parts = [
    `${count(summary.embedded, 'photo')} embedded`,
    `${summary.unchanged} unchanged`,
    count(summary.copies, 'copy', 'copies'),
    `${summary.moved} moved`,
    `${summary.removed} removed`,
    `${summary.failed.length} failed`,
  ];
  const passedOver = passedOverText(summary.passedOver, String);
  // Failures this run did not try again (unchanged since) stand: "0 failed" alone read as all clear.
  const still = stillFailing === 0 ? [] : [`${count(stillFailing, 'file')} still could not be indexed (unchanged since, not tried again): \`lumen failures\` lists ${stillFailing === 1 ? 'it' : 'them'}, \`lumen index --retry-failed\` tries again.`];
  const others = summary.otherLibraries.length === 0 ? [] : [`Left out ${summary.otherLibraries.length === 1 ? "another Lumen library's data folder" : `${summary.otherLibraries.length} folders that are another Lumen library's data folders`} (thumbnails, no photos of yours): ${summary.otherLibraries.map(shownPath).join(', ')}.`];
  return [
    `Indexed with ${modelId}: ${parts.join(', ')} in ${summary.seconds.toFixed(1)} s.`,
    ...summary.failed.map((failure) => `  skipped ${fileLine(failure.path, failure.message)}`),
    ...still,
    ...(passedOver ? [passedOver] : []),
    ...others,
    ...summary.unreachable.map((folder) => oneLine(folder.message)),
  ].join('\n');
}

export const index: Command = {
  name: 'index',
  args: '[FOLDER...]',
  summary: 'Add folders to the library and bring its index up to date.',
  details: 'With no FOLDER, updates every folder already in the library. Files that fail are listed and skipped; the exit status is 0 when the run completed, and 1 when a library folder could not be reached (gone, or unreadable: its photos are kept, the rest is indexed) or a FOLDER was not added (said with why: the others are added and indexed).',
  options: {
    ...MODEL_OPTIONS,
    ...WAIT_OPTION,
    exclude: { type: 'string', valueName: 'GLOBS', mayBeEmpty: true, description: 'comma-separated globs to skip, relative to each folder (e.g. "**/Screenshots/**,*.gif"); a folder added again keeps its own unless given ("" clears them)' },
    batch: { type: 'string', valueName: 'N', description: 'photos per inference batch on dynamic-batch models (default 16 on the CPU, 64 on a GPU)' },
    'retry-failed': { type: 'boolean', description: 'try every file that failed before again, changed or not' },
  },
  writes: () => 'indexing',
  createsLibrary: true,
  // The data folder given as (or around) a photo folder is refused before it is made (Note [Other libraries] in data-folder.ts),
  // as is any other FOLDER, when none is left to add (Note [Some folders refused] in library.ts).
  check: async (context) => {
    await checkPhotoFolders(context.positionals, context.dataDir);
  },
  async run(context) {
    const engine = context.engine();
    const request = { batchSize: numberOption(context, 'batch', undefined, { min: 1, max: 1024, integer: true }), retryFailed: context.options['retry-failed'] === true };
    // Without --exclude, a folder added again keeps its exclusions; `--exclude ""` clears them.
    const given = stringOption(context, 'exclude');
    const excludes = given === undefined ? null : given.split(',').map((glob) => glob.trim()).filter(Boolean);
    if (excludes && !context.positionals.length) throw new UserError('bad-input', '--exclude applies to the folders you add: give the FOLDER too.');
    const added = context.positionals.length ? await engine.addFolders(context.positionals, excludes, request) : null;
    // Said as the run starts, which may be long: the others are added and indexed, as `cp` copies the files it can (Note [Some folders refused] in library.ts).
    for (const folder of added?.refused ?? []) context.log(`lumen index: Not added: ${oneLine(folder.reason)}`);
    const running = added?.indexing ?? engine.index(request);
    const summary = await cancelledSaysWhatIsKept(running, (progress: IndexProgress | null) => `${count(progress?.indexed ?? 0, 'photo')} indexed and kept`, commandAsGiven(index, context));
    const failedNow = new Set([...summary.failed, ...summary.unreachable].map((failure) => failure.path));
    const stillFailing = engine.failures().filter((failure) => !failedNow.has(failure.path)).length;
    // A library folder out of reach, or a FOLDER refused: the rest is indexed, and the exit status says not all was (Note [A folder out of reach] in walk.ts).
    const incomplete = summary.unreachable.length > 0 || (added?.refused.length ?? 0) > 0;
    return { json: { ...summary, refused: added?.refused ?? [] }, text: indexText((await engine.indexingModel()).id, summary, stillFailing), incomplete };
  },
};

const SEARCH_OPTIONS: Record<string, OptionSpec> = {
  ...MODEL_OPTIONS,
  k: { type: 'string', valueName: 'N', description: `results per page, 1 to ${MAX_PAGE_SIZE} (default 20)` },
  page: { type: 'string', valueName: 'N', description: 'page number, from 1 (default 1)' },
  sort: { type: 'string', valueName: 'ORDER', description: `${SORT_ORDERS.join(', ')} (default relevance)` },
  cutoff: { type: 'string', valueName: 'R', description: `how relevant a photo must be, 0 to 1: 0 lets in every photo scoring above the library's average for the query, 1 only its best match (default ${DEFAULT_CUTOFF}; --all shows every photo)` },
  all: { type: 'boolean', description: 'show the plain ranking, without the relevance cutoff' },
  after: { type: 'string', valueName: 'DATE', description: 'only photos taken on or after DATE' },
  before: { type: 'string', valueName: 'DATE', description: 'only photos taken on or before DATE' },
  folder: { type: 'string', valueName: 'DIR', description: 'only photos under DIR' },
  camera: { type: 'string', valueName: 'TEXT', description: 'only photos whose camera make and model have every word of TEXT' },
  type: { type: 'string', valueName: 'LIST', description: `only these file types (${PHOTO_FORMATS.join(', ')}), e.g. jpeg,png` },
  located: { type: 'boolean', description: 'only photos with a GPS position' },
  tag: { type: 'string', valueName: 'NAME', description: 'only photos showing the tag NAME (given by the tagger or confirmed)' },
};

function dateOption(context: CommandContext, name: 'after' | 'before'): number | undefined {
  const value = stringOption(context, name);
  if (value === undefined) return undefined;
  const time = dateBound(value, name === 'before');
  if (time === null) throw new UserError('bad-input', `--${name} takes a date like 2023-06-30, not "${value}".`);
  return time;
}

/** The search options the flags ask for, checked by the same schema the app's requests are. */
function searchOptions(context: CommandContext): SearchOptions {
  const limit = numberOption(context, 'k', 20, { min: 1, max: MAX_PAGE_SIZE, integer: true });
  const page = numberOption(context, 'page', 1, { min: 1, integer: true });
  // Refused as the --page typed, not as the search's offset, an option the person never gave.
  const lastPage = Math.floor(MAX_SEARCH_OFFSET / limit) + 1;
  if (page > lastPage) throw new UserError('bad-input', `--page ${stringOption(context, 'page')} is further than a search goes: with ${limit} photos a page (--k), it reaches page ${lastPage}.`);
  const formats = stringOption(context, 'type')?.split(',').filter(Boolean).map(normaliseFormatName);
  const unknown = formats?.find((format) => !(PHOTO_FORMATS as readonly string[]).includes(format));
  if (unknown) throw new UserError('bad-input', `--type takes ${PHOTO_FORMATS.join(', ')}, not "${unknown}".`);
  const sort = stringOption(context, 'sort') ?? 'relevance';
  if (!(SORT_ORDERS as readonly string[]).includes(sort)) throw new UserError('bad-input', `--sort takes ${SORT_ORDERS.join(', ')}, not "${sort}".`);
  const folder = stringOption(context, 'folder');
  const [after, before] = [dateOption(context, 'after'), dateOption(context, 'before')];
  if (after !== undefined && before !== undefined && after > before) throw new UserError('bad-input', `--after ${stringOption(context, 'after')} is later than --before ${stringOption(context, 'before')}: no photo can be both.`);
  const parsed = searchOptionsSchema.safeParse({
    limit,
    offset: (page - 1) * limit,
    sort,
    cutoff: numberOption(context, 'cutoff', DEFAULT_CUTOFF, { min: 0, max: 1 }),
    showAll: context.options['all'] === true,
    filters: {
      takenAfter: after,
      takenBefore: before,
      folder: folder === undefined ? undefined : path.resolve(folder),
      camera: stringOption(context, 'camera'),
      formats,
      hasLocation: context.options['located'] === true ? true : undefined,
      tag: stringOption(context, 'tag'),
    },
  });
  if (!parsed.success) throw new UserError('bad-input', `The search options are not valid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}.`);
  return parsed.data;
}

/** A photo's day as a column, YYYY-MM-DD as its clock showed it (Note [Dates as the clock showed] in decode.ts). */
function dayOf(time: number): string {
  const date = new Date(time);
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}-${String(date.getUTCDate()).padStart(2, '0')}`;
}

/** Sorted by date, each line shows its photo's date: the order the person asked for is then there to see. */
function pageText(page: SearchPage, limit: number, byDate: boolean): string {
  const hidden = page.belowCutoff > 0 ? ` (${count(page.belowCutoff, 'more photo')} below the relevance cutoff: --all shows them)` : '';
  if (page.total === 0) return `No matching photos${hidden}.`;
  const pages = Math.ceil(page.total / limit);
  const pageNumber = Math.floor(page.offset / limit) + 1;
  if (page.results.length === 0) return `Page ${pageNumber} is past the end: ${count(page.total, 'photo')} match, on ${count(pages, 'page')}${hidden}.`;
  // Columns of one width down the page: a score may be negative, and ids differ in length.
  const rankWidth = Math.max(4, String(page.offset + page.results.length).length);
  const idWidth = Math.max(...page.results.map((hit) => String(hit.photoId).length)) + 1;
  // A photo whose own text has words of the query ranks by them too, above what its score alone gives (Note [Fused search]).
  const TEXT_MARK = '  [its text matches]';
  const lines = page.results.map((hit, i) => `${String(page.offset + i + 1).padStart(rankWidth)}. ${hit.score.toFixed(3).padStart(6)}  ${byDate ? `${dayOf(hit.takenAt)}  ` : ''}${`#${hit.photoId}`.padEnd(idWidth)}  ${shownPath(hit.path)}${hit.textMatch ? TEXT_MARK : ''}`);
  const shown = `${page.offset + 1}-${page.offset + page.results.length}`;
  const below = page.belowCutoff > 0 ? ` ${count(page.belowCutoff, 'more photo')} ${page.belowCutoff === 1 ? 'is' : 'are'} below the relevance cutoff: --all shows them.` : '';
  const byText = page.results.some((hit) => hit.textMatch) ? ' Photos whose text matches rank by it too, not by their score alone.' : '';
  return [...lines, `${count(page.total, 'photo')} match${page.total === 1 ? 'es' : ''}; showing ${shown}${pages > 1 ? `, page ${pageNumber} of ${pages}` : ''}.${below}${byText}`].join('\n');
}

/** The first few of `names` (folders, tags), for a message, each on one line (Note [One path, one line] in common.ts). */
function some(names: readonly string[]): string {
  const shown = names.slice(0, 8).map(shownPath).join(', ');
  return names.length > 8 ? `${shown}, …` : shown;
}

/**
 * Why a search found nothing when a filter names what the library does not have (a mistyped
 * tag, a folder outside it): said instead of a bare "No matching photos".
 */
function emptyBecause(context: CommandContext, { filters }: SearchOptions): string | null {
  if (filters.tag !== undefined) {
    const tags = context.engine().tags().verdicts.counts().filter((tag) => tag.photos > 0).map((tag) => tag.tag);
    if (!tags.some((tag) => tag.toLowerCase() === filters.tag?.toLowerCase())) {
      const guess = nearest(filters.tag, tags);
      if (!tags.length) return `No photo has the tag "${filters.tag}": no photo has any tag yet (\`lumen tag\` tags them).`;
      return `No photo has the tag "${filters.tag}".${guess ? ` Did you mean "${guess}"?` : ''} Tags in the library: ${some(tags)} (\`lumen tags\` lists them).`;
    }
  }
  if (filters.folder !== undefined) {
    const wanted = filters.folder;
    const shown = shownPath(wanted);
    const roots = context.engine().library().folders().map((folder) => folder.path);
    if (!roots.some((root) => isInside(wanted, root) || isInside(root, wanted))) {
      return roots.length ? `No photos under ${shown}: it is not in the library, whose folders are ${some(roots)}.` : `No photos under ${shown}: the library has no folders yet.`;
    }
  }
  return null;
}

/**
 * A search with a model the library has no embeddings from finds nothing, for want of anything to
 * compare with: a mistake in what was asked, said as `tag` and `duplicates` say it.
 */
function requireEmbeddings(context: CommandContext, model: string): void {
  if (context.engine().library().storage.embeddings.count(model) === 0) throw noEmbeddingsError(model);
}

async function searching(context: CommandContext, run: (options: SearchOptions) => Promise<SearchPage>): Promise<CommandResult> {
  const asked = searchOptions(context);
  // --folder as the library spells its photos' paths (named through a link, say).
  const folder = asked.filters.folder === undefined ? undefined : await context.engine().library().storedPath(asked.filters.folder);
  const options = folder === undefined ? asked : { ...asked, filters: { ...asked.filters, folder } };
  const page = await run(options);
  if (page.total === 0) requireEmbeddings(context, page.model);
  const why = page.total === 0 ? emptyBecause(context, options) : null;
  const cut = page.cutShort.map(cutShortText);
  // With --json the reason goes with the page, so a script learns what a person reads (the page's own fields are unchanged).
  return { json: why === null ? page : { ...page, reason: why }, text: [why ?? pageText(page, options.limit, options.sort !== 'relevance'), ...cut].join('\n') };
}

export const search: Command = {
  name: 'search',
  args: 'QUERY',
  summary: 'Find photos by description; combine terms with + and -, weights with N:, photos by path or #id.',
  details: 'Examples: "dog on the beach", "beach + sunset - people", "2:dog + ./photo.jpg". Quoted text is looked for in the text read in photos (`lumen ocr`): \'"lisboa"\', \'receipt "lisboa"\', \'menu - "closed"\'. JSON: the page ({"results", "total", ...}), with "reason" when a filter names a tag or folder the library does not have.',
  options: SEARCH_OPTIONS,
  run: (context) => searching(context, (options) => context.engine().search(requirePositionals(context, 'query').join(' '), options, context.signal, { imageFiles: true })),
};

export const similar: Command = {
  name: 'similar',
  args: 'FILE|PHOTO_ID',
  summary: 'Find photos that look like a photo in the library (#id or id) or any image file.',
  options: SEARCH_OPTIONS,
  run: (context) =>
    searching(context, (options) => {
      const target = requireOne(context, 'photo id or image file');
      const id = /^#?(\d+)$/.exec(target);
      return context.engine().similar(id ? Number(id[1]) : path.resolve(target), options, context.signal);
    }),
};

export const folders: Command = {
  name: 'folders',
  args: '',
  summary: 'List the folders in the library, or take one out of it (--remove).',
  details: 'Taking a folder out forgets its photos, their tags and thumbnails; the files themselves are never touched. `index FOLDER` adds one.',
  options: {
    ...DATA_OPTION,
    ...WAIT_OPTION,
    remove: { type: 'string', valueName: 'FOLDER', description: 'take this folder out of the library' },
  },
  writes: (context) => (context.options['remove'] !== undefined ? 'changing the folders of' : null),
  async run(context) {
    const engine = context.engine();
    const listed = engine.library().folders();
    const target = stringOption(context, 'remove');
    if (target === undefined) {
      const lines = listed.map((folder) => `${shownPath(folder.path)}${folder.excludes.length ? ` (leaving out ${oneLine(folder.excludes.join(', '))})` : ''}`);
      return { json: listed, text: lines.length ? lines.join('\n') : 'The library has no folders yet. Add one with `lumen index FOLDER`.' };
    }
    const wanted = path.resolve(target);
    const folder = await engine.library().folderAt(wanted);
    if (!folder) {
      const known = listed.length ? `its folders are ${listed.map((candidate) => candidate.path).join(', ')}` : 'it has no folders';
      throw new UserError('bad-input', `${wanted} is not a folder of the library; ${known}.`);
    }
    await engine.removeFolder(folder.id);
    return { json: { removed: folder }, text: `Took ${shownPath(folder.path)} out of the library. Its files were not touched.` };
  },
};

export const failures: Command = {
  name: 'failures',
  args: '',
  summary: 'List the files that could not be indexed, with the reason (retry them with `index --retry-failed`).',
  options: { ...MODEL_OPTIONS },
  async run(context) {
    const list = context.engine().failures();
    // A library folder out of reach is listed with why, but is no file (Note [A folder out of reach] in walk.ts).
    const roots = new Set(list.length ? context.engine().library().folders().map((folder) => folder.path) : []);
    const folders = list.filter((failure) => roots.has(failure.path)).length;
    const files = list.length - folders;
    const counts = [...(files ? [`${count(files, 'file')} could not be indexed.`] : []), ...(folders ? [`${count(folders, 'library folder')} could not be reached; ${folders === 1 ? 'its' : 'their'} photos are kept.`] : [])];
    const text = list.length ? [...list.map((f) => fileLine(f.path, f.message)), ...counts].join('\n') : noFailures(context.engine().library().status());
    return { json: list, text };
  },
};

/**
 * With no file failed, what is true of the rest, known as status knows it (Note [Status beside a
 * writer] in status.ts): a run that has not finished (stopped, or going on in another process)
 * has not reached every file, and a photo not embedded yet is not indexed either.
 */
function noFailures(library: LibraryStatus): string {
  const serving = library.models.find((model) => model.model === library.servingModel);
  if (library.unfinishedRun) {
    const embedded = serving ? `${count(serving.embedded, 'photo')} embedded` : 'none embedded yet';
    return `No file failed to index, but the last index run has not finished (${embedded}): the files it had not reached are not indexed yet (\`lumen index\` goes on).`;
  }
  if (serving && serving.missing > 0) {
    const one = serving.missing === 1;
    return `No file failed to index; ${count(serving.missing, 'photo')} ${one ? 'is' : 'are'} not embedded yet (\`lumen index\` embeds ${one ? 'it' : 'them'}).`;
  }
  return 'No file failed to index: every file in the library was indexed.';
}

/**
 * Tagging from the command line: `tag`, `tags`, `albums`, `vocabulary`, and the measurements
 * `tag-scores`, `eval-zeroshot` and `eval-retrieval`.
 */
import path from 'node:path';
import { text as textOf } from 'node:stream/consumers';
import { UserError } from '../core/errors.js';
import { MIN_VERDICTS } from '../tags/refine-rules.js';
import { SIDECAR_STYLES, withTemplates, type AlbumSummary, type PhotoTags, type RefinementReport, type SidecarStyle, type TagCount, type Vocabulary, type XmpExportSummary } from '../tags/index.js';
import { formatVocabulary, validateTemplate, vocabularyOfText } from '../tags/vocabulary.js';
import { unmeasuredVerdictsText } from '../tags/unmeasured-verdicts.js';
import { tagNameKey } from '../tags/vocabulary-rules.js';
import { stringOption, type Command, type CommandContext, type CommandResult, type OptionSpec } from './command.js';
import { count, countColumn, DATA_OPTION, fileLine, MODEL_OPTIONS, numberOption, oneLine, requireOne, requirePositionals, shownPath, WAIT_OPTION } from './common.js';
import { nearest } from './suggest.js';

const VOCABULARY_OPTION: Record<string, OptionSpec> = {
  vocabulary: { type: 'string', valueName: 'FILE', description: 'tag vocabulary file (default: the library’s, else the built-in one)' },
};

/** The photos an evaluation left out, one a line with the reason: its figures are over the rest only. */
function skippedLines(skipped: ReadonlyArray<{ path: string; reason: string }>): string[] {
  return skipped.map((s) => `  skipped ${fileLine(s.path, s.reason)}`);
}

const percent = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`);

/** At most one of `names` is given; returns it. */
function oneOf<T extends string>(context: CommandContext, names: readonly T[]): T | undefined {
  const given = names.filter((name) => context.options[name] !== undefined);
  if (given.length > 1) throw new UserError('bad-input', `Give one of ${names.map((name) => `--${name}`).join(', ')} at a time.`);
  return given[0];
}

export const tagScores: Command = {
  name: 'tag-scores',
  args: 'IMAGE...',
  summary: 'Print the raw cosine of each photo against each enabled tag of a vocabulary.',
  details: 'JSON: {"tags": [names in vocabulary order], "scores": [[cosine per tag] per image], "probabilities": [...], "assigned": [[tag names] per image]}.',
  options: { ...MODEL_OPTIONS, ...VOCABULARY_OPTION },
  async run(context) {
    const images = requirePositionals(context, 'image file');
    const scored = await context.engine().scoreImages(images, { vocabularyFile: stringOption(context, 'vocabulary'), signal: context.signal });
    const scores = scored.cosines.map((row) => Array.from(row));
    const json = { model: scored.model, images, tags: scored.tags, scores, probabilities: scored.probabilities.map((row) => Array.from(row)), assigned: scored.assigned };
    const text = images
      .map((image, i) => {
        const top = scored.tags
          .map((tag, t) => ({ tag, cosine: scores[i]?.[t] as number, p: scored.probabilities[i]?.[t] as number }))
          .sort((a, b) => b.cosine - a.cosine)
          .slice(0, 5)
          .map((entry) => `${entry.tag} ${entry.cosine.toFixed(3)} (p ${entry.p.toFixed(2)})`);
        return `${shownPath(image)}: ${top.join(', ')}  -> ${scored.assigned[i]?.join(', ') || 'no tag'}`;
      })
      .join('\n');
    return { json, text };
  },
};

export const evalZeroshot: Command = {
  name: 'eval-zeroshot',
  args: '[FOLDER]',
  summary: 'Zero-shot accuracy on a folder with one subfolder of photos per tag, or on the tags you confirmed and rejected.',
  details: [
    'Every enabled tag of the vocabulary is a candidate. JSON: {"n", "top1", "top5", "perTag": {tag: {n, top1, top5}}, "confusion": {actual: {predicted: count}}, "topConfusions"}.',
    'Compare templates with --template: "a photo of a {}." alone against the vocabulary’s ensemble.',
    'With --labelled (and no FOLDER): how the tagger’s decisions agree with your confirmed (right) and rejected (wrong) tags in the library;',
    '--vocabulary and --template apply there too.',
  ].join('\n'),
  options: {
    ...MODEL_OPTIONS,
    ...VOCABULARY_OPTION,
    template: { type: 'string', valueName: 'T[|T...]', description: 'use these templates for every tag instead (separate several with |)' },
    labelled: { type: 'boolean', description: 'evaluate on the library’s confirmed and rejected tags instead of a folder' },
  },
  async run(context) {
    const engine = context.engine();
    // Checked before any photo is embedded: templates wrong are said at once.
    const templates = templatesOption(context);
    if (context.options['labelled'] === true) {
      if (context.positionals.length) throw new UserError('bad-input', '--labelled evaluates the library; give no FOLDER with it.');
      const vocabularyFile = stringOption(context, 'vocabulary');
      const vocabulary = await engine.vocabulary(vocabularyFile);
      const report = await engine.tags().evaluateLabelled(templates ? withTemplates(vocabulary, templates) : vocabulary, context.signal);
      const text =
        report.confirmed + report.rejected === 0
          ? noVerdictsText(engine.tags().verdicts.counts(), vocabulary, vocabularyFile !== undefined)
          : `${count(report.photos, 'photo')}, ${report.confirmed} confirmed and ${report.rejected} rejected tags: accuracy ${percent(report.accuracy)}, precision ${percent(report.precision)}, recall ${percent(report.recall)}, confirmed tag top-1 ${percent(report.top1)}, top-5 ${percent(report.top5)}.`;
      return { json: report, text };
    }
    // Without a folder, the other way to evaluate is said too: --labelled needs none.
    const [folder] = context.positionals;
    if (folder === undefined) throw new UserError('bad-input', 'Give a folder with one subfolder of photos per tag, or --labelled to evaluate on the tags you confirmed and rejected in the library.');
    const report = await engine.evaluateZeroShot(folder, {
      vocabularyFile: stringOption(context, 'vocabulary'),
      templates,
      signal: context.signal,
      onProgress: (p) => p.done === p.total && context.log(`embedded ${count(p.done, 'photo')}`),
    });
    const lines = [
      `${count(report.n, 'photo')}, ${count(report.tags.length, 'candidate tag')}: top-1 ${percent(report.top1)}, top-5 ${percent(report.top5)}`,
      ...Object.entries(report.perTag).map(([tag, entry]) => `  ${tag.padEnd(20)} ${countColumn(entry.n, 5, 'photo').padEnd(12)}  top-1 ${percent(entry.top1)}  top-5 ${percent(entry.top5)}`),
      ...(report.topConfusions.length ? ['Most frequent mistakes:', ...report.topConfusions.map((c) => `  ${c.actual} taken for ${c.predicted}: ${c.count}`)] : []),
      ...skippedLines(report.skipped),
    ];
    return { json: report, text: lines.join('\n') };
  },
};

/** The templates of `--template T|T...`, checked; undefined without it. */
function templatesOption(context: CommandContext): string[] | undefined {
  const raw = stringOption(context, 'template');
  if (raw === undefined) return undefined;
  const templates = raw.split('|').map((template) => template.trim()).filter(Boolean);
  if (!templates.length) throw new UserError('bad-input', `--template "${raw}" holds no template: give one or more, each with {} where the tag goes, separated by | (e.g. --template "a photo of a {}.").`);
  return templates.map(validateTemplate);
}

/** Why an evaluation on the verdicts measured none, in the CLI's terms (Note [Verdicts not measured]). */
function noVerdictsText(counts: readonly TagCount[], vocabulary: Vocabulary, givenVocabulary: boolean): string {
  return unmeasuredVerdictsText(counts, vocabulary, {
    count,
    none: 'No confirmed or rejected tags yet. Confirm or reject tags with `tags --confirm TAG PHOTO` first.',
    addTags: givenVocabulary ? 'Give a vocabulary that has those tags, or leave out --vocabulary to use the library’s.' : 'Add those tags to the vocabulary to measure them.',
    index: 'run `index`',
  });
}

export const evalRetrieval: Command = {
  name: 'eval-retrieval',
  args: 'CAPTIONS_FILE',
  summary: 'Text-to-image and image-to-text retrieval (Recall@1/5/10, MRR) on a captions file.',
  details: 'CAPTIONS_FILE: {"images": [{"path": "a.jpg", "captions": ["..."]}]}, paths relative to the file. JSON: {"textToImage": {"recallAt1", "recallAt5", "recallAt10", "mrr"}, "imageToText": {...}}.',
  options: MODEL_OPTIONS,
  async run(context) {
    const [file] = requirePositionals(context, 'captions file');
    const report = await context.engine().evaluateRetrieval(file as string, context.signal);
    const line = (name: string, m: typeof report.textToImage) =>
      `${name}: R@1 ${percent(m.recallAt1)}, R@5 ${percent(m.recallAt5)}, R@10 ${percent(m.recallAt10)}, MRR ${m.mrr.toFixed(3)} (${count(m.n, 'query', 'queries')})`;
    const skipped = report.skipped.length ? `; skipped ${count(report.skipped.length, 'photo')} and ${report.skipped.length === 1 ? 'its' : 'their'} captions, listed below` : '';
    const text = [
      `${count(report.images, 'photo')}, ${count(report.captions, 'caption')}${skipped}`,
      line('text->image', report.textToImage),
      line('image->text', report.imageToText),
      ...skippedLines(report.skipped),
    ].join('\n');
    return { json: report, text };
  },
};

export const tag: Command = {
  name: 'tag',
  args: '',
  summary: 'Tag the library’s photos with the tag vocabulary (only new photos when the vocabulary is unchanged).',
  details: 'Uses the stored photo embeddings of the model serving the library; only the text model runs. Confirmed and rejected tags are never changed.',
  options: {
    ...MODEL_OPTIONS,
    ...WAIT_OPTION,
    vocabulary: { type: 'string', valueName: 'FILE', description: 'import this vocabulary into the library first (same as `vocabulary --import FILE`)' },
    full: { type: 'boolean', description: 'decide every photo again, not only new ones' },
  },
  writes: () => 'tagging',
  async run(context) {
    const engine = context.engine();
    const file = stringOption(context, 'vocabulary');
    if (file) await engine.tags().vocabulary.import(file);
    const summary = await engine.tagLibrary({ full: context.options['full'] === true }).done;
    const counts = engine.tags().verdicts.counts();
    // A tag only ever rejected has its verdicts counted (in the JSON), but is on no photo.
    const shown = counts.filter((c) => c.photos > 0);
    const text = [
      `Tagged ${count(summary.images, 'photo')} with ${summary.model}${summary.incremental ? ' (new photos only)' : ''}: ${count(summary.added, 'tag')} added, ${summary.updated} updated, ${summary.removed} removed in ${summary.seconds.toFixed(1)} s.`,
      shown.length ? `Most common: ${shown.slice(0, 10).map((c) => `${c.tag} (${c.photos})`).join(', ')}` : 'No photo got a tag.',
    ].join('\n');
    return { json: { ...summary, counts }, text };
  },
};

/** How each sidecar style names a photo's sidecar, as the help shows it. */
const SIDECAR_EXAMPLE: Record<SidecarStyle, string> = { 'jpg.xmp': 'photo.jpg.xmp', xmp: 'photo.xmp' };

/** "3 written (2 photo.jpg.xmp, 1 photo.xmp)": the files as they are named, whatever style was asked (Note [Sidecars by style] in tags/xmp-export.ts). */
function writtenText(summary: XmpExportSummary): string {
  const byStyle = SIDECAR_STYLES.filter((style) => summary.writtenAs[style] > 0).map((style) => `${summary.writtenAs[style]} ${SIDECAR_EXAMPLE[style]}`);
  return `${summary.written} written${byStyle.length ? ` (${byStyle.join(', ')})` : ''}`;
}

/** "; 92 photos have no tags to write": they got no sidecar, said apart from the sidecars left unchanged. */
function withoutTagsText(photos: number): string {
  return photos ? `; ${count(photos, 'photo')} ${photos === 1 ? 'has' : 'have'} no tags to write` : '';
}

function photoText(photo: PhotoTags): string {
  const tags = photo.tags.map((t) => `${t.tag}${t.source === 'person' ? ' (confirmed)' : t.score === null ? '' : ` ${t.score.toFixed(2)}`}`);
  return `#${photo.photoId} ${shownPath(photo.path)}: ${tags.join(', ') || 'no tags'}${photo.rejected.length ? `; rejected: ${photo.rejected.join(', ')}` : ''}`;
}

export const tags: Command = {
  name: 'tags',
  args: '[PHOTO...]',
  summary: 'List tags (per photo, or counts per tag); confirm, reject or clear a tag on photos; write tags to XMP sidecars.',
  details: [
    'PHOTO is a photo id (12 or #12) or the path of an indexed photo.',
    '  lumen tags                        counts per tag',
    '  lumen tags PHOTO                  the tags of a photo',
    '  lumen tags --confirm dog PHOTO... the photos show a dog: tagging never removes it',
    '  lumen tags --reject dog PHOTO...  they do not: tagging never adds it',
    '  lumen tags --clear dog PHOTO...   withdraw your verdict; the tagger decides again',
    '  lumen tags --export-xmp [--sidecar-style jpg.xmp|xmp] [PHOTO...]',
    '        write keywords (dc:subject, lr:hierarchicalSubject "Lumen|tag") to photo.jpg.xmp or photo.xmp;',
    '        jpg.xmp merges into an existing photo.xmp that is the photo’s alone rather than add photo.jpg.xmp;',
    '        an existing sidecar keeps everything else; originals are never touched.',
  ].join('\n'),
  options: {
    ...MODEL_OPTIONS,
    confirm: { type: 'string', valueName: 'TAG', description: 'confirm TAG on the given photos' },
    reject: { type: 'string', valueName: 'TAG', description: 'reject TAG on the given photos' },
    clear: { type: 'string', valueName: 'TAG', description: 'withdraw your confirmation or rejection of TAG on the given photos' },
    'export-xmp': { type: 'boolean', description: 'write tags into XMP sidecars (all photos, or the given ones)' },
    'sidecar-style': { type: 'string', valueName: 'STYLE', description: 'jpg.xmp (photo.jpg.xmp, default) or xmp (photo.xmp)' },
    ...WAIT_OPTION,
  },
  writes(context) {
    if (context.options['export-xmp'] !== undefined) return 'writing XMP sidecars for';
    return ['confirm', 'reject', 'clear'].some((action) => context.options[action] !== undefined) ? 'changing' : null;
  },
  async run(context) {
    const action = oneOf(context, ['confirm', 'reject', 'clear', 'export-xmp'] as const);
    const style = stringOption(context, 'sidecar-style');
    if (style !== undefined && action !== 'export-xmp') throw new UserError('bad-input', '--sidecar-style goes with --export-xmp.');
    if (style !== undefined && !(SIDECAR_STYLES as readonly string[]).includes(style)) {
      throw new UserError('bad-input', `--sidecar-style takes ${SIDECAR_STYLES.join(' or ')}, not "${style}".`);
    }
    const engine = context.engine();
    const library = engine.library();
    const { verdicts } = engine.tags();
    if (action === 'export-xmp') {
      const photoIds = context.positionals.length ? context.positionals.map((ref) => library.resolvePhoto(ref).photoId) : undefined;
      const summary = await engine.exportXmp({ style: (style ?? 'jpg.xmp') as SidecarStyle, photoIds }).done;
      const text = [`XMP sidecars: ${writtenText(summary)}, ${summary.unchanged} unchanged, ${summary.skipped.length} skipped${withoutTagsText(summary.withoutTags)}.`, ...summary.skipped.map((s) => `  skipped ${fileLine(s.path, s.reason)}`)].join('\n');
      // A photo out of reach leaves the export incomplete, as an index run that could not reach a photo is; a sidecar's own defect is skipped and listed.
      return { json: summary, text, incomplete: summary.skipped.some((skip) => skip.outOfReach) };
    }
    if (action) {
      const name = tagOption(context, action);
      // Every photo named is found before any verdict is given: a mistyped one leaves all of them as they were.
      const photoIds = requirePositionals(context, `photo to ${action} "${name}" on`).map((ref) => library.resolvePhoto(ref).photoId);
      await engine.giveVerdict(photoIds, name, action);
      const photos = photoIds.map((id) => verdicts.tagsOf(id));
      return { json: { photos }, text: photos.map(photoText).join('\n') };
    }
    if (context.positionals.length === 1) {
      const photo = verdicts.tagsOf(context.positionals[0] as string);
      return { json: photo, text: photoText(photo) };
    }
    if (context.positionals.length > 1) {
      const photos = context.positionals.map((ref) => verdicts.tagsOf(ref));
      return { json: { photos }, text: photos.map(photoText).join('\n') };
    }
    const counts = verdicts.counts();
    const tagWidth = Math.max(20, ...counts.map((c) => c.tag.length));
    const numberWidth = Math.max(...counts.map((c) => String(c.photos).length));
    const text = counts.length
      ? counts
          .map((c) => `${c.tag.padEnd(tagWidth)} ${countColumn(c.photos, numberWidth, 'photo')}${c.confirmed ? `, ${c.confirmed} confirmed` : ''}${c.rejected ? `, ${c.rejected} rejected` : ''}`)
          .join('\n')
      : 'No tags yet. Run `tag` first.';
    return { json: { counts }, text };
  },
};

/** How many saved albums' names a refusal offers. */
const ALBUMS_OFFERED = 8;

/** The saved album called `name`, in any case or Unicode form (Note [Album names] in tags/album-rules.ts); else refused, with the saved albums offered. */
function savedAlbumCalled(context: CommandContext, name: string): { id: string; name: string } {
  const saved = context.engine().tags().savedAlbumNames();
  const found = saved.find((album) => album.name === name) ?? saved.find((album) => tagNameKey(album.name) === tagNameKey(name));
  if (found) return found;
  if (!saved.length) throw new UserError('bad-input', `There is no saved album "${name}": none is saved yet (the app saves a selection of photos as one).`);
  const names = saved.map((album) => album.name);
  const guess = nearest(name, names);
  const more = names.length > ALBUMS_OFFERED ? `, and ${names.length - ALBUMS_OFFERED} more` : '';
  const offered = `${names.slice(0, ALBUMS_OFFERED).map((album) => `"${album}"`).join(', ')}${more}`;
  throw new UserError('bad-input', `There is no saved album "${name}".${guess ? ` Did you mean "${guess}"?` : ''} Saved albums: ${offered} (\`lumen albums\` lists them).`);
}

/** `albums NAME`: a saved album's photos, a path a line, for a script to act on. */
function albumListing(context: CommandContext): CommandResult {
  if (context.options['min-share'] !== undefined) throw new UserError('bad-input', '--min-share goes with the summary of every album: give no NAME with it.');
  const album = savedAlbumCalled(context, requireOne(context, 'album name'));
  const photos = context.engine().library().storage.photos.rows(context.engine().tags().albumPhotos(album.id)).map((row) => ({ photoId: row.photoId, path: row.path }));
  return { json: { ...album, photos }, text: photos.length ? photos.map((photo) => shownPath(photo.path)).join('\n') : `The album "${oneLine(album.name)}" has no photos.` };
}

export const albums: Command = {
  name: 'albums',
  args: '[NAME]',
  summary: 'Summarise each album (the albums saved in the app, then each folder of photos) by its most common tags, or list a saved album’s photos.',
  details: [
    'A tag describes an album when at least --min-share of its photos have it. JSON: [{"id", "kind" ("saved" or "folder"), "album" (a folder’s path, a saved album’s name), "name", "photos", "files", "tags": [{"tag", "photos", "share", "meanScore"}], "label"}].',
    'With NAME (in any case): the photos of that saved album, a path a line. JSON: {"id", "name", "photos": [{"photoId", "path"}]}.',
  ].join('\n'),
  options: {
    ...DATA_OPTION,
    'min-share': { type: 'string', valueName: 'F', description: 'least share of an album’s photos a tag needs (0 to 1, default 0.25)' },
  },
  async run(context) {
    if (context.positionals.length) return albumListing(context);
    const found = context.engine().tags().albums({ minShare: numberOption(context, 'min-share', 0.25, { min: 0, max: 1 }) });
    // As the app lists them, the person's own albums first: a saved album named as a folder is told apart by its mark.
    const list = [...found.filter((album) => album.kind === 'saved'), ...found.filter((album) => album.kind === 'folder')];
    const where = (album: AlbumSummary) => (album.kind === 'saved' ? 'saved album' : shownPath(album.album));
    return { json: list, text: list.length ? list.map((album) => `${oneLine(album.label)}  (${count(album.photos, 'photo')}, ${where(album)})`).join('\n') : 'The library has no photos yet.' };
  },
};

/**
 * `--import -`: the vocabulary piped in, as `--export -` writes it (an edit with `jq` between the
 * two), read and checked before the library is claimed: pasted at a terminal, the app could not
 * write the library while the person typed.
 */
const piped = new WeakMap<CommandContext, Vocabulary>();

async function readPipedVocabulary(context: CommandContext): Promise<void> {
  if (stringOption(context, 'import') !== '-') return;
  if (process.stdin.isTTY) context.log('Reading the vocabulary from standard input: paste it, then press Ctrl-D.');
  piped.set(context, vocabularyOfText(await textOf(process.stdin), 'The vocabulary on standard input'));
}

/** `--import FILE`, or the vocabulary piped in (`readPipedVocabulary`). */
async function importVocabulary(context: CommandContext): Promise<Vocabulary> {
  const book = context.engine().tags().vocabulary;
  const given = piped.get(context);
  return given ? book.replace(given) : book.import(stringOption(context, 'import') as string);
}

export const vocabulary: Command = {
  name: 'vocabulary',
  args: '',
  summary: 'Show the library’s tag vocabulary, or import, export or reset it.',
  details: 'File format: {"templates": ["a photo of a {}.", ...], "tags": [{"name": "dog", "prompts": ["dog", "puppy"], "templates": [...], "threshold": 0.1, "enabled": true}]}; the last three fields are optional. Run `tag` afterwards to re-tag.',
  options: {
    ...DATA_OPTION,
    import: { type: 'string', valueName: 'FILE', description: 'replace the vocabulary with this file (- for standard input)' },
    export: { type: 'string', valueName: 'FILE', description: 'write the vocabulary to this file (new, or an earlier export; - for standard output)' },
    reset: { type: 'boolean', description: 'go back to the built-in vocabulary' },
    ...WAIT_OPTION,
  },
  writes: (context) => (context.options['import'] !== undefined || context.options['reset'] !== undefined ? 'changing' : null),
  check: readPipedVocabulary,
  async run(context) {
    const engine = context.engine();
    const action = oneOf(context, ['import', 'export', 'reset'] as const);
    if (!action) {
      const current = await engine.vocabulary();
      return { json: current, text: describeVocabulary(current, engine.hasLibrary() ? 'library' : 'built-in') };
    }
    const book = engine.tags().vocabulary;
    if (action === 'export') {
      const file = stringOption(context, 'export') as string;
      const current = await book.get();
      // `-` is standard output, the file's text as it is (Note [An export replaces only an export] in tags/library-vocabulary.ts).
      if (file === '-') return { json: current, text: formatVocabulary(current).trimEnd() };
      await book.export(file, engine.dataDir);
      return { json: { file: path.resolve(file), tags: current.tags.length }, text: `Wrote ${count(current.tags.length, 'tag')} to ${shownPath(file)}.` };
    }
    const changed = action === 'import' ? await importVocabulary(context) : await book.reset();
    return { json: changed, text: `${describeVocabulary(changed, action === 'import' ? 'imported' : 'built-in')}\nRun \`tag\` to re-tag the library.` };
  },
};

function describeVocabulary(vocabulary: Vocabulary, which: string): string {
  const enabled = vocabulary.tags.filter((t) => t.enabled ?? true);
  return [
    `Vocabulary (${which}): ${count(vocabulary.tags.length, 'tag')} (${enabled.length} enabled), ${count(vocabulary.templates.length, 'template')}.`,
    `Templates: ${vocabulary.templates.join('  ')}`,
    `Tags: ${vocabulary.tags.map((t) => `${t.name}${(t.enabled ?? true) ? '' : ' (off)'}`).join(', ')}`,
  ].join('\n');
}

/** The tag named by `--confirm TAG` (or another action): one of spaces alone names none. */
function tagOption(context: CommandContext, action: string): string {
  const name = stringOption(context, action) as string;
  if (!name.trim()) throw new UserError('bad-input', `--${action} was given an empty tag name: give the tag, e.g. --${action} dog.`);
  return name;
}

export const refine: Command = {
  name: 'refine',
  args: '',
  summary: 'Show the tags learned from your confirmed and rejected photos, or switch one back to zero-shot.',
  details: [
    `A tag with at least ${MIN_VERDICTS} confirmed and ${MIN_VERDICTS} rejected photos is refined from them, and used only when cross-validation`,
    'on those verdicts shows a gain over zero-shot. The listing shows the tags with verdicts; JSON has every tag: [{"tag", "status", "reason", "confirmed", "rejected", "zeroShot", "refined"}].',
  ].join('\n'),
  options: {
    ...MODEL_OPTIONS,
    off: { type: 'string', valueName: 'TAG', description: 'score TAG zero-shot again (its refinement is kept, unused)' },
    on: { type: 'string', valueName: 'TAG', description: 'use TAG’s refinement again when it shows a gain' },
    ...WAIT_OPTION,
  },
  // Refinements are fitted and stored as they are shown.
  writes: () => 'changing',
  async run(context) {
    const engine = context.engine();
    const action = oneOf(context, ['off', 'on'] as const);
    if (action) {
      // A tag without a refinement is scored zero-shot either way: the switch is said of that tag, and tagging the whole library again would change nothing.
      const current = await engine.refinementReports();
      const named = tagNameKey(tagOption(context, action));
      const unrefined = current.find((report) => tagNameKey(report.tag) === named);
      if (unrefined?.status === 'zero-shot') {
        // Allowed again, a tag switched off before uses the refinement it gets later, as `--on` asks.
        if (action === 'on') await engine.setRefinement(unrefined.tag, true, { retag: false });
        return { json: current, text: noRefinementToSwitch(unrefined, action === 'on') };
      }
    }
    const reports = action ? await engine.setRefinement(tagOption(context, action), action === 'on') : await engine.refinementReports();
    if (action) await engine.tagLibrary().done;
    const figures = (side: { precision: number | null; recall: number | null } | null) => (side ? `precision ${percent(side.precision)}, recall ${percent(side.recall)}` : 'n/a');
    // Tags nobody gave a verdict on have nothing to say but that they need verdicts: listing them all (over a hundred) buries the few that do.
    const text = reports.some((report) => report.folds > 0)
      ? reports
          .filter((r) => r.status !== 'zero-shot' || r.confirmed + r.rejected > 0)
          .map((r) => `${r.tag.padEnd(20)} ${r.status.padEnd(13)} ${r.confirmed} confirmed, ${r.rejected} rejected; held out: zero-shot ${figures(r.zeroShot)}, refined ${figures(r.refined)}\n${' '.repeat(21)}${r.reason}`)
          .join('\n')
      : `No tag has enough verdicts to learn from yet (${MIN_VERDICTS} confirmed and ${MIN_VERDICTS} rejected photos). Confirm and reject tags with \`tags --confirm\` and \`tags --reject\`.`;
    return { json: reports, text };
  },
};

/** What switching a tag scored zero-shot (it has no refinement) on or off leaves as it was, said of that tag. */
function noRefinementToSwitch(report: RefinementReport, on: boolean): string {
  return on
    ? `"${report.tag}" has no refinement to switch on, so it is scored zero-shot: ${report.reason}. It will use a refinement once it has one that shows a gain.`
    : `"${report.tag}" has no refinement to switch off, so it is scored zero-shot already: ${report.reason}. Nothing changed.`;
}

export const TAG_COMMANDS: Command[] = [tag, tags, albums, vocabulary, refine, tagScores, evalZeroshot, evalRetrieval];

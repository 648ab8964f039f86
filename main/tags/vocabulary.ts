/**
 * Tag vocabularies: what each tag is called, the prompts that describe it and the templates the
 * prompts are put into, in the file format people import and export.
 *
 *     {"templates": ["a photo of a {}.", ...],
 *      "background": ["a photo.", ...],                       (optional)
 *      "tags": [{"name": "dog", "prompts": ["dog", "puppy"],
 *                "templates": [...], "threshold": 0.2, "enabled": true}]}   (last three optional)
 *
 * `{}` marks where a prompt goes; a template must hold exactly one. A tag without templates of
 * its own uses the global ones. `threshold` is the least probability (0 to 1, see Note [Tag
 * assignment] in scoring.ts) a photo needs to get the tag; higher is stricter.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { isBinaryText } from '../core/control-character.js';
import { UserError, messageOf } from '../core/errors.js';
import { whyUnreadable } from '../core/photo-file.js';
import { HIERARCHY_SEPARATOR, MAX_LIST, MAX_NAME, MAX_TAGS, MAX_TEXT, MAX_TEXTS, promptTextCount, SLOT, slotCount, tagNameKey, tooManyTextsText, unsafeCharacter } from './vocabulary-rules.js';

export interface TagDefinition {
  name: string;
  prompts: string[];
  templates?: string[];
  threshold?: number;
  enabled?: boolean;
}

export interface Vocabulary {
  templates: string[];
  /** Neutral prompts ("a photo.") that stand for "none of these tags"; defaults when absent. */
  background?: string[];
  tags: TagDefinition[];
}

/** A tag with every default filled in and the key its ensembled embedding is cached under. */
export interface ResolvedTag {
  name: string;
  prompts: string[];
  templates: string[];
  threshold: number;
  enabled: boolean;
  /** Hash of the prompts and effective templates: the same text, the same embedding. */
  key: string;
}

/** Least probability a photo needs to get a tag, unless the tag says otherwise. */
export const DEFAULT_THRESHOLD = 0.1;

export const DEFAULT_BACKGROUND: readonly string[] = ['a photo.', 'a picture.', 'an image.', 'a snapshot.'];

// The limits and characters allowed are in vocabulary-rules.ts (Note [Vocabulary limits]),
// which the template editor checks drafts with too.
function text(max: number) {
  return z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((value) => unsafeCharacter(value) === null, { message: 'must not contain control characters or characters XML cannot hold' });
}

function list<T extends z.ZodType>(item: T, what: string) {
  return z.array(item).max(MAX_LIST, `must have at most ${MAX_LIST} ${what}`);
}

const template = text(MAX_TEXT).refine((value) => slotCount(value) === 1, { message: 'must contain {} exactly once, where the prompt goes' });

const prompt = text(MAX_TEXT).refine((value) => !value.includes(SLOT), { message: 'must not contain {} (that belongs in templates)' });

const tagName = text(MAX_NAME).refine((value) => !value.includes(HIERARCHY_SEPARATOR), { message: `must not contain “${HIERARCHY_SEPARATOR}”: XMP sidecars use it to separate the levels of a keyword` });

/**
 * A name or text as a message shows it: in the curly quotes the app's words use, cut short when
 * long, and with any character a name must not hold written as its code (`\u0007`): those are
 * what may be wrong with it, and would be lost, or break the line, shown as they are.
 */
function quoted(text: string): string {
  const characters = [...text.trim()];
  const shown = characters.length > 60 ? [...characters.slice(0, 57), '…'] : characters;
  return `“${shown.map((character) => (unsafeCharacter(character) === null ? character : `\\u${(character.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`)).join('')}”`;
}

/** A tag name by the vocabulary's rules (for tags a person adds to one photo by hand). */
export function validateTagName(name: string): string {
  const result = tagName.safeParse(name);
  if (!result.success) throw new UserError('bad-input', `The tag name ${quoted(name)} ${result.error.issues[0]?.message ?? 'is not valid'}.`);
  return result.data;
}

const tagSchema = z.strictObject({
  name: tagName,
  prompts: list(prompt, 'prompts').min(1, 'needs at least one prompt'),
  templates: list(template, 'templates').min(1, 'needs at least one template, or leave it out to use the global ones').optional(),
  threshold: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
  enabled: z.boolean().optional(),
});

const vocabularySchema = z
  .strictObject({
    description: z.string().optional(),
    templates: list(template, 'templates').min(1, 'needs at least one template'),
    background: list(prompt, 'prompts').min(1, 'needs at least one prompt, or leave it out').optional(),
    tags: z.array(tagSchema).max(MAX_TAGS, `must be at most ${MAX_TAGS} tags`),
  })
  .superRefine((value, context) => {
    const seen = new Map<string, number>();
    value.tags.forEach((tag, i) => {
      const folded = tagNameKey(tag.name);
      const first = seen.get(folded);
      if (first !== undefined) {
        context.addIssue({ code: 'custom', path: ['tags', i, 'name'], message: `is a second tag named "${tag.name}" (tags[${first}] has that name)`, params: { secondName: tag.name } });
      }
      seen.set(folded, i);
    });
    const texts = promptTextCount(value);
    if (texts > MAX_TEXTS) {
      context.addIssue({ code: 'custom', path: [], message: `has ${tooManyTextsText(texts)}` });
    }
  });

/** Names the tag and field an issue is about: `tag "dog" (tags[3]) templates[1]`. */
function describePath(raw: unknown, issuePath: readonly PropertyKey[]): string {
  const [first, index, ...rest] = issuePath;
  const field = (parts: readonly PropertyKey[]) => parts.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i > 0 ? '.' : ''}${String(part)}`)).join('');
  if (first === 'tags' && typeof index === 'number') {
    const tags = (raw as { tags?: unknown[] } | null)?.tags;
    const name = (tags?.[index] as { name?: unknown } | undefined)?.name;
    // A name too long to be valid is cut short, so five problems stay one readable message.
    const shown = typeof name === 'string' ? (name.trim().length > 60 ? `${name.trim().slice(0, 57)}…` : name.trim()) : '';
    const label = shown ? `tag "${shown}" (tags[${index}])` : `tags[${index}]`;
    return rest.length ? `${label} ${field(rest)}` : label;
  }
  return issuePath.length ? field(issuePath) : 'the vocabulary';
}

function describeIssue(raw: unknown, issue: z.core.$ZodIssue): string {
  const where = describePath(raw, issue.path);
  if (issue.code === 'unrecognized_keys') return `${where} has unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
  if (issue.code === 'invalid_type') {
    const expected: Record<string, string> = { array: 'a list', object: 'an object', boolean: 'true or false' };
    return `${where} must be ${expected[issue.expected] ?? `a ${issue.expected}`}`;
  }
  return `${where} ${issue.message}`;
}

/**
 * Note [Problems in words]: a vocabulary's problems are told two ways. The command line, read by
 * the person with the file open in an editor, names each field by its path (`tag "dog" (tags[3])
 * templates[1]`), to find it by. The app, where a file is imported by someone who may never have
 * opened it, says them in words, with no JSON paths: "it has no list of templates; the tag “x”
 * needs at least one prompt". A path quotes a name as the file does; words, in the app's curly
 * quotes.
 */
export type ProblemWording = 'paths' | 'words';

/** What a field of the file is called in words: the list (`templates`) or one item of it (`template 2`). */
const FIELD_WORDS: Record<string, { list: string; item: string }> = {
  templates: { list: 'templates', item: 'template' },
  prompts: { list: 'prompts', item: 'prompt' },
  background: { list: 'background prompts', item: 'background prompt' },
  tags: { list: 'tags', item: 'tag' },
};
const FIELD_NAMES: Record<string, string> = { name: 'name', threshold: 'threshold', enabled: 'switch “enabled”', description: 'description' };
/** What a list that may be left out, found empty, could be instead (by `tag templates` or `background`). */
const LEFT_OUT: Record<string, string> = {
  'tag templates': ', or no templates of its own to use the global ones',
  background: ', or no background prompts to use the built-in ones',
};
const KINDS: Record<string, string> = { object: 'an object', boolean: 'true or false', string: 'text' };

/** The value at an issue's path, to tell a field left out from one of the wrong kind. */
function valueAt(raw: unknown, issuePath: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const part of issuePath) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[part] : undefined;
  return value;
}

/** One problem in words (Note [Problems in words]): whose (the vocabulary, "it", or a tag), which field, what is wrong. */
function describeInWords(raw: unknown, issue: z.core.$ZodIssue): string {
  const [first, index, ...rest] = issue.path;
  const inTag = first === 'tags' && typeof index === 'number';
  const name = inTag ? valueAt(raw, ['tags', index, 'name']) : undefined;
  const owner = inTag ? (typeof name === 'string' && name.trim() ? `the tag ${quoted(name)}` : `tag ${index + 1}`) : 'it';
  const [field, item] = inTag ? rest : issue.path;
  if (issue.code === 'custom' && typeof issue.params?.['secondName'] === 'string') return `two tags are named ${quoted(issue.params['secondName'] as string)}`;
  if (field === undefined) {
    if (issue.code === 'invalid_type' && issue.expected === 'object') return inTag ? `${owner} is not a tag: a name and its prompts` : 'it is not a vocabulary: templates and tags';
    return issue.code === 'unrecognized_keys' ? `${owner} has ${unknownFields(issue.keys)}` : `${owner} ${issue.message}`;
  }
  const words = FIELD_WORDS[String(field)];
  const whose = owner === 'it' ? '' : ` of ${owner}`;
  const value = valueAt(raw, issue.path);
  const wrongKind = issue.code === 'invalid_type' ? `must be ${KINDS[issue.expected] ?? `a ${issue.expected}`}` : null;
  if (typeof item === 'number') return `${words?.item ?? String(field)} ${item + 1}${whose} ${wrongKind ?? issue.message}`;
  if (issue.code === 'invalid_type' && issue.expected === 'array') return value === undefined ? `${owner} has no list of ${words?.list ?? String(field)}` : `the ${words?.list ?? String(field)}${whose} are not a list`;
  // A list's size is said of its owner: "the prompts of the tag “x” needs at least one prompt" would not agree.
  if (words && Array.isArray(value)) {
    if (issue.code === 'too_small') return `${owner} needs at least one ${words.item}${LEFT_OUT[`${inTag ? 'tag ' : ''}${String(field)}`] ?? ''}`;
    if (issue.code === 'too_big') return `${owner} has ${value.length.toLocaleString('en')} ${words.list}, more than the ${issue.maximum.toLocaleString('en')} allowed`;
  }
  const called = `the ${FIELD_NAMES[String(field)] ?? words?.list ?? String(field)}`;
  if (wrongKind) return value === undefined ? `${owner} has no ${called.slice('the '.length)}` : `${called}${whose} ${wrongKind}`;
  return `${called}${whose} ${issue.message}`;
}

const unknownFields = (keys: readonly string[]) => `${keys.length > 1 ? 'unknown fields' : 'an unknown field'} ${keys.map((key) => `“${key}”`).join(', ')}`;

/**
 * Checks a vocabulary in the file format; throws one `UserError` naming the tag and field of
 * every problem (`source` says where it came from, e.g. the file name), by its path or in words
 * (Note [Problems in words]).
 */
export function parseVocabulary(raw: unknown, source = 'The vocabulary', wording: ProblemWording = 'paths'): Vocabulary {
  const result = vocabularySchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.slice(0, 5).map((issue) => (wording === 'words' ? describeInWords(raw, issue) : describeIssue(raw, issue)));
    const more = result.error.issues.length > 5 ? ` (and ${result.error.issues.length - 5} more)` : '';
    const lead = wording === 'words' ? `${source} is not a vocabulary Lumen can use` : `${source} is not valid`;
    throw new UserError('bad-input', `${lead}: ${problems.join('; ')}${more}. Fix it and try again.`);
  }
  const { description: _description, ...vocabulary } = result.data;
  return vocabulary;
}

/** Checks one template on its own (for editors), with the same rule files follow. */
export function validateTemplate(value: string): string {
  const result = template.safeParse(value);
  if (!result.success) throw new UserError('bad-input', `The template ${quoted(value)} ${result.error.issues[0]?.message ?? 'is not valid'}.`);
  return result.data;
}

export async function readVocabularyFile(file: string): Promise<Vocabulary> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UserError('bad-input', `Cannot read the vocabulary file ${file}: ${whyUnreadable(file, error)}. Check the path.`, { cause: error });
  }
  return vocabularyOfText(text, `The vocabulary file ${file}`);
}

/** The vocabulary a file's text holds; `source` names where it came from in what a refusal says ("The vocabulary file x.json"). */
export function vocabularyOfText(text: string, source: string): Vocabulary {
  let raw: unknown;
  try {
    // A byte order mark is how Windows Notepad begins a UTF-8 file; JSON.parse refuses it.
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    if (isBinaryText(text)) throw new UserError('bad-input', `${source} is not JSON but binary data (a photo?). Give the vocabulary's JSON file.`, { cause: error });
    throw new UserError('bad-input', `${source} is not JSON (${messageOf(error)}). Fix it and try again.`, { cause: error });
  }
  return parseVocabulary(raw, source);
}

/** The vocabulary as a file people can edit: two-space JSON with a final newline. */
export function formatVocabulary(vocabulary: Vocabulary): string {
  return `${JSON.stringify(vocabulary, null, 2)}\n`;
}

/** Every text the ensemble of `prompts` in `templates` embeds, prompt by prompt. */
export function promptTexts(prompts: readonly string[], templates: readonly string[]): string[] {
  // split/join, not replace: a prompt with `$&` in it must stay literal.
  return prompts.flatMap((p) => templates.map((t) => t.split(SLOT).join(p)));
}

/** Cache key of an ensemble: the same prompts in the same templates, in any order. */
export function ensembleKey(prompts: readonly string[], templates: readonly string[]): string {
  const canonical = JSON.stringify({ prompts: [...prompts].sort(), templates: [...templates].sort() });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

export function resolveTag(tag: TagDefinition, vocabulary: Vocabulary): ResolvedTag {
  const templates = tag.templates ?? vocabulary.templates;
  return {
    name: tag.name,
    prompts: tag.prompts,
    templates,
    threshold: tag.threshold ?? DEFAULT_THRESHOLD,
    enabled: tag.enabled ?? true,
    key: ensembleKey(tag.prompts, templates),
  };
}

/** The background pseudo-tag: the neutral prompts on their own, without templates. */
export function backgroundTag(vocabulary: Vocabulary): ResolvedTag {
  const prompts = vocabulary.background ?? [...DEFAULT_BACKGROUND];
  return { name: '(background)', prompts, templates: [SLOT], threshold: 1, enabled: true, key: ensembleKey(prompts, [SLOT]) };
}

export function enabledTags(vocabulary: Vocabulary): ResolvedTag[] {
  return vocabulary.tags.map((tag) => resolveTag(tag, vocabulary)).filter((tag) => tag.enabled);
}

/** The vocabulary's own spelling of `name`, matched ignoring case and Unicode form (Note [One name, one tag]); undefined when it has none. */
export function findTag(vocabulary: Vocabulary, name: string): TagDefinition | undefined {
  const key = tagNameKey(name);
  return vocabulary.tags.find((tag) => tagNameKey(tag.name) === key);
}

/** The same vocabulary with every tag's templates replaced by `templates` (for evaluation). */
export function withTemplates(vocabulary: Vocabulary, templates: readonly string[]): Vocabulary {
  // With none, every tag's ensemble would be empty: found only once every photo was embedded.
  if (!templates.length) throw new UserError('bad-input', 'No template was given: give at least one, with {} where the prompt goes.');
  const checked = templates.map(validateTemplate);
  return { ...vocabulary, templates: checked, tags: vocabulary.tags.map(({ templates: _own, ...tag }) => tag) };
}

/**
 * The folder with the app's bundled resources: `resources/` at the repository root, found from
 * this module (main/tags/ in sources, out/main/ when built), unless the caller names one (the
 * packaged app passes `process.resourcesPath`).
 */
export function resourcesDir(override?: string): string {
  if (override) return override;
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const candidate of [path.resolve(here, '..', '..', 'resources'), path.resolve(here, '..', 'resources')]) {
    if (existsSync(path.join(candidate, 'vocabulary'))) return candidate;
  }
  return path.resolve(here, '..', '..', 'resources');
}

export function defaultVocabularyFile(resources?: string): string {
  return path.join(resourcesDir(resources), 'vocabulary', 'default.json');
}

/** The vocabulary Lumen ships; a broken or missing one is an installation problem. */
export async function loadDefaultVocabulary(resources?: string): Promise<Vocabulary> {
  const file = defaultVocabularyFile(resources);
  if (!existsSync(file)) throw new UserError('not-found', `The default tag vocabulary is missing (${file}). Reinstall Lumen, or import a vocabulary file.`);
  return readVocabularyFile(file);
}

/**
 * The template editor's pure logic: checking a draft as the person types (the same rules the
 * engine applies on save, said where the problem is), and what changed against the saved
 * vocabulary.
 */
import type { VocabularyInfo } from './api.js';
// The engine's own rules (pure: no Node or zod reaches the bundle), so a draft the editor lets
// through is one the engine accepts.
import { HIERARCHY_SEPARATOR, MAX_LIST, MAX_NAME, MAX_TAGS, MAX_TEXT, MAX_TEXTS, promptTextCount, SLOT, slotCount, tagNameKey, tooManyTextsText, unsafeCharacter } from '../../../main/tags/vocabulary-rules.js';

export type TagDraft = VocabularyInfo['tags'][number];

export interface Problem {
  /** Where: 'templates', or a tag's index and field. */
  field: 'templates' | 'background' | { tag: number; part: 'name' | 'prompts' | 'templates' | 'threshold' };
  message: string;
}

/** Items past a list's limit, numbered as the other messages number them ("Template 101: …"). */
function overLimit(count: number, max: number, label: string): string[] {
  const extra = count - max;
  if (extra <= 0) return [];
  const which = extra === 1 ? `${label} ${max + 1}` : `${label}s ${max + 1}–${count}`;
  return [`${which}: there can be at most ${max} ${label.toLowerCase()}s; remove ${extra === 1 ? 'one' : extra}.`];
}

function characterProblems(value: string, where: string): string[] {
  const character = unsafeCharacter(value);
  return character ? [`${where} contains a control or invisible character (${character}): remove it.`] : [];
}

function lengthProblems(value: string, where: string): string[] {
  return value.trim().length > MAX_TEXT ? [`${where} is longer than ${MAX_TEXT} characters.`] : [];
}

function templateProblems(templates: readonly string[]): string[] {
  const each = templates.flatMap((template, i) => {
    const where = `Template ${i + 1}`;
    if (!template.trim()) return [`${where} is empty: remove the line or write a template.`];
    if (slotCount(template) !== 1) return [`${where} must contain {} exactly once, where the tag's words go (“a photo of a {}.”).`];
    return [...lengthProblems(template, where), ...characterProblems(template, where)];
  });
  return [...each, ...overLimit(templates.length, MAX_LIST, 'Template')];
}

function promptProblems(prompts: readonly string[]): string[] {
  if (prompts.length === 0) return ['Give at least one prompt: the words that describe the tag.'];
  const each = prompts.flatMap((prompt, i) => {
    const where = `Prompt ${i + 1}`;
    if (!prompt.trim()) return [`${where} is empty.`];
    if (prompt.includes(SLOT)) return [`${where} contains {}: that belongs in templates.`];
    return [...lengthProblems(prompt, where), ...characterProblems(prompt, where)];
  });
  return [...each, ...overLimit(prompts.length, MAX_LIST, 'Prompt')];
}

/** What is wrong with a tag's name (trimmed), in the editor's words; the viewer's "Add a tag" says the same. */
export function nameProblems(name: string): string[] {
  if (!name) return ['The tag needs a name.'];
  if (name.length > MAX_NAME) return [`The name is longer than ${MAX_NAME} characters.`];
  if (name.includes(HIERARCHY_SEPARATOR)) return [`The name must not contain “${HIERARCHY_SEPARATOR}”: XMP sidecars use it to separate the levels of a keyword.`];
  return characterProblems(name, 'The name');
}

export function problems(draft: VocabularyInfo): Problem[] {
  const found: Problem[] = [];
  if (draft.templates.length === 0) found.push({ field: 'templates', message: 'Give at least one template, such as “a photo of a {}.”' });
  for (const message of templateProblems(draft.templates)) found.push({ field: 'templates', message });
  const texts = promptTextCount(draft);
  if (texts > MAX_TEXTS) {
    found.push({ field: 'templates', message: `There are ${tooManyTextsText(texts)}.` });
  }
  // Two tags of one name (Note [One name, one tag]) are each told of the other: whichever is being edited says so.
  const byName = new Map<string, number[]>();
  draft.tags.forEach((tag, index) => {
    const key = tagNameKey(tag.name);
    if (key) byName.set(key, [...(byName.get(key) ?? []), index]);
  });
  draft.tags.forEach((tag, index) => {
    const name = tag.name.trim();
    const at = (part: 'name' | 'prompts' | 'templates' | 'threshold', messages: readonly string[]) => {
      for (const message of messages) found.push({ field: { tag: index, part }, message });
    };
    at('name', nameProblems(name));
    // Said on each tag past the limit, since the editor shows the selected tag's problems only.
    if (index >= MAX_TAGS) at('name', overLimit(draft.tags.length, MAX_TAGS, 'Tag'));
    const other = byName.get(tagNameKey(name))?.find((each) => each !== index);
    if (other !== undefined) at('name', [`Another tag is already called “${draft.tags[other]?.name.trim()}”.`]);
    at('prompts', promptProblems(tag.prompts));
    at('templates', templateProblems(tag.templates ?? []));
    if (tag.threshold !== undefined && !(tag.threshold >= 0 && tag.threshold <= 1)) at('threshold', ['The threshold is between 0 and 1.']);
  });
  return found;
}

/** A tag's name as the notes about it say it. */
export const tagCalled = (name: string): string => (name.trim() ? `“${name.trim()}”` : 'the tag with no name');

/** Text lines as the editor's text areas show them, and back (blank lines dropped). */
export const toLines = (values: readonly string[] | undefined): string => (values ?? []).join('\n');
export const fromLines = (text: string): string[] => text.split('\n').map((line) => line.trim()).filter(Boolean);

/**
 * Each draft tag's name in the saved vocabulary, null for a tag added in the draft: how a rename
 * is told from a removal and an addition (Note [Renamed tags] in main/tags/library-vocabulary.ts).
 */
export type Origins = ReadonlyArray<string | null>;

/** The origins of a draft whose tags were never renamed: each is the saved tag of its name, if any. */
export function originsByName(saved: VocabularyInfo, draft: VocabularyInfo): Origins {
  return draft.tags.map((tag) => saved.tags.find((old) => tagNameKey(old.name) === tagNameKey(tag.name))?.name ?? null);
}

export interface Changes {
  added: string[];
  removed: string[];
  /** Kept tags whose name changed, in any way (verdicts are stored under the exact name). */
  renamed: Array<{ from: string; to: string }>;
  /** Kept tags whose words, templates, threshold or switch changed, by their new name. */
  changed: string[];
  templates: boolean;
}

/** What changed against the saved vocabulary, matching each draft tag to its origin. */
export function changes(saved: VocabularyInfo, draft: VocabularyInfo, origins: Origins = originsByName(saved, draft)): Changes {
  const key = (tag: TagDraft) => JSON.stringify([tag.prompts, tag.templates ?? null, tag.threshold ?? null, tag.enabled ?? true]);
  const before = new Map(saved.tags.map((tag) => [tag.name, tag]));
  const kept = draft.tags.flatMap((tag, index) => {
    const old = before.get(origins[index] ?? '');
    return old ? [{ old, tag }] : [];
  });
  const keptNames = new Set(kept.map(({ old }) => old.name));
  return {
    added: draft.tags.filter((_, index) => !before.has(origins[index] ?? '')).map((tag) => tag.name),
    removed: saved.tags.filter((tag) => !keptNames.has(tag.name)).map((tag) => tag.name),
    renamed: kept.filter(({ old, tag }) => old.name !== tag.name.trim()).map(({ old, tag }) => ({ from: old.name, to: tag.name.trim() })),
    changed: kept.filter(({ old, tag }) => key(old) !== key(tag)).map(({ tag }) => tag.name),
    templates: JSON.stringify(saved.templates) !== JSON.stringify(draft.templates) || JSON.stringify(saved.background ?? null) !== JSON.stringify(draft.background ?? null),
  };
}

export function isChanged(saved: VocabularyInfo, draft: VocabularyInfo, origins?: Origins): boolean {
  const c = changes(saved, draft, origins);
  return c.added.length + c.removed.length + c.renamed.length + c.changed.length > 0 || c.templates || saved.tags.map((t) => t.name).join('\n') !== draft.tags.map((t) => t.name).join('\n');
}

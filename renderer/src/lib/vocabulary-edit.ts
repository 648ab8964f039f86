/**
 * The template editor's pure logic: checking a draft as the person types (the same rules the
 * engine applies on save, said where the problem is), and what changed against the saved
 * vocabulary.
 */
import type { VocabularyInfo } from './api.js';

export type TagDraft = VocabularyInfo['tags'][number];

export interface Problem {
  /** Where: 'templates', or a tag's index and field. */
  field: 'templates' | 'background' | { tag: number; part: 'name' | 'prompts' | 'templates' | 'threshold' };
  message: string;
}

const SLOT = '{}';
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function slots(template: string): number {
  return template.split(SLOT).length - 1;
}

function templateProblems(templates: readonly string[], label: string): string[] {
  return templates.flatMap((template, i) => {
    const where = `${label} ${i + 1}`;
    if (!template.trim()) return [`${where} is empty: remove the line or write a template.`];
    if (slots(template) !== 1) return [`${where} must contain {} exactly once, where the tag's words go (“a photo of a {}.”).`];
    if (template.length > 1000) return [`${where} is longer than 1000 characters.`];
    if (CONTROL.test(template)) return [`${where} contains a control character.`];
    return [];
  });
}

export function problems(draft: VocabularyInfo): Problem[] {
  const found: Problem[] = [];
  if (draft.templates.length === 0) found.push({ field: 'templates', message: 'Give at least one template, such as “a photo of a {}.”' });
  for (const message of templateProblems(draft.templates, 'Template')) found.push({ field: 'templates', message });
  const seen = new Map<string, number>();
  draft.tags.forEach((tag, index) => {
    const name = tag.name.trim();
    const at = (part: 'name' | 'prompts' | 'templates' | 'threshold', message: string) => found.push({ field: { tag: index, part }, message });
    if (!name) at('name', 'The tag needs a name.');
    else if (name.length > 100) at('name', 'The name is longer than 100 characters.');
    else if (name.includes('|')) at('name', 'The name may not contain “|”.');
    else if (CONTROL.test(name)) at('name', 'The name contains a control character.');
    const folded = name.toLowerCase();
    const first = seen.get(folded);
    if (name && first !== undefined) at('name', `Another tag is already called “${name}”.`);
    if (name && first === undefined) seen.set(folded, index);
    if (tag.prompts.length === 0) at('prompts', 'Give at least one prompt: the words that describe the tag.');
    tag.prompts.forEach((prompt, i) => {
      if (!prompt.trim()) at('prompts', `Prompt ${i + 1} is empty.`);
      else if (prompt.includes(SLOT)) at('prompts', `Prompt ${i + 1} contains {}: that belongs in templates.`);
      else if (CONTROL.test(prompt)) at('prompts', `Prompt ${i + 1} contains a control character.`);
    });
    for (const message of templateProblems(tag.templates ?? [], 'Template')) at('templates', message);
    if (tag.threshold !== undefined && !(tag.threshold >= 0 && tag.threshold <= 1)) at('threshold', 'The threshold is between 0 and 1.');
  });
  return found;
}

/** Text lines as the editor's text areas show them, and back (blank lines dropped). */
export const toLines = (values: readonly string[] | undefined): string => (values ?? []).join('\n');
export const fromLines = (text: string): string[] => text.split('\n').map((line) => line.trim()).filter(Boolean);

/** Names of tags added, removed or changed against the saved vocabulary. */
export function changes(saved: VocabularyInfo, draft: VocabularyInfo): { added: string[]; removed: string[]; changed: string[]; templates: boolean } {
  const key = (tag: TagDraft) => JSON.stringify([tag.prompts, tag.templates ?? null, tag.threshold ?? null, tag.enabled ?? true]);
  const before = new Map(saved.tags.map((tag) => [tag.name.toLowerCase(), tag]));
  const after = new Map(draft.tags.map((tag) => [tag.name.toLowerCase(), tag]));
  return {
    added: draft.tags.filter((tag) => !before.has(tag.name.toLowerCase())).map((tag) => tag.name),
    removed: saved.tags.filter((tag) => !after.has(tag.name.toLowerCase())).map((tag) => tag.name),
    changed: draft.tags.filter((tag) => {
      const old = before.get(tag.name.toLowerCase());
      return old !== undefined && key(old) !== key(tag);
    }).map((tag) => tag.name),
    templates: JSON.stringify(saved.templates) !== JSON.stringify(draft.templates) || JSON.stringify(saved.background ?? null) !== JSON.stringify(draft.background ?? null),
  };
}

export function isChanged(saved: VocabularyInfo, draft: VocabularyInfo): boolean {
  const c = changes(saved, draft);
  return c.added.length + c.removed.length + c.changed.length > 0 || c.templates || saved.tags.map((t) => t.name).join('\n') !== draft.tags.map((t) => t.name).join('\n');
}

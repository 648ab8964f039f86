/**
 * The rules every vocabulary follows, on their own: pure, with no Node or zod import, so the
 * engine's schema (vocabulary.ts) and the template editor's checks as the person types
 * (renderer/src/lib/vocabulary-edit.ts) are one set of rules.
 *
 * Note [Vocabulary limits]: tag names become XMP keywords and prompts become model input, so all
 * of it is plain text: no control characters (C0, DEL, C1) and nothing XML 1.0 cannot hold (lone
 * surrogates, U+FFFE, U+FFFF; see Note [Only well-formed sidecars] in xmp.ts). Sizes are bounded
 * so that no imported file makes tagging unbounded work: a name at most 100 characters (a
 * keyword, not a sentence), a prompt or template at most 1000 (the text tower reads 77 tokens or
 * so; the rest would be cut anyway), at most 100 prompts, templates or background prompts in one
 * list, and at most 5000 tags (the default vocabulary has about a hundred; every tag's ensemble
 * is embedded once and scored against every photo). Each of a tag's prompts is embedded in each
 * of its templates: at most 50,000 such texts in all (the default vocabulary has 2,848), where
 * the other limits alone would allow 50 million, weeks of the text tower's time.
 */
import { controlCharacter } from '../core/control-character.js';
import { forbiddenCharacter } from './xml-check.js';

export const MAX_TAGS = 5000;
export const MAX_NAME = 100;
export const MAX_TEXT = 1000;
export const MAX_LIST = 100;
export const MAX_TEXTS = 50_000;

interface PromptLists {
  templates: readonly string[];
  background?: readonly string[] | undefined;
  tags: ReadonlyArray<{ prompts: readonly string[]; templates?: readonly string[] | undefined }>;
}

/** The texts a vocabulary embeds: each prompt in each template of its tag (the global ones without its own), the background's in the global ones. */
export function promptTextCount(vocabulary: PromptLists): number {
  const { templates, background, tags } = vocabulary;
  return tags.reduce((sum, tag) => sum + tag.prompts.length * (tag.templates?.length ? tag.templates : templates).length, (background?.length ?? 0) * templates.length);
}

/** Why a vocabulary with more than MAX_TEXTS prompt texts is refused, after its count: "There are " or "has " goes before. */
export function tooManyTextsText(texts: number): string {
  return `${texts.toLocaleString('en')} prompts to embed, each prompt in each template of its tag; at most ${MAX_TEXTS.toLocaleString('en')} keep tagging to minutes: use fewer templates or prompts`;
}

/** Placeholder a template puts its prompt in. */
export const SLOT = '{}';

/** Separator of lr:hierarchicalSubject paths, so tag names may not contain it. */
export const HIERARCHY_SEPARATOR = '|';

export function slotCount(template: string): number {
  return template.split(SLOT).length - 1;
}

/**
 * Note [One name, one tag]: a tag is found by its name whatever its case and whatever Unicode
 * form it is typed in: "café" composed (NFC, as most keyboards type it) and decomposed (NFD, "e"
 * and a combining accent, as macOS file names and some editors give it) look the same, so they
 * are one name: two such tags are refused, and either finds the tag. This key is what names
 * are compared by; a name is kept as the vocabulary spells it, since verdicts are stored by name
 * (Note [Renamed tags]) and rewriting a name saved decomposed would leave its verdicts behind.
 */
export function tagNameKey(name: string): string {
  return name.trim().normalize('NFC').toLowerCase();
}

/** The first control character, else the first one XML cannot hold, as `U+XXXX`; null for plain text. */
export function unsafeCharacter(value: string): string | null {
  return controlCharacter(value) ?? forbiddenCharacter(value);
}

/**
 * Note [Drafts kept]: a template draft not yet saved outlives a reload and the app's closing. At
 * each change it is kept in the window's local storage (this machine's, like everything else),
 * with the saved vocabulary it was drafted from, and brought back over that same vocabulary. Over
 * one changed meanwhile (the command line, an import) saving it would undo those changes, so it is
 * kept aside instead: the person is told, and brings it back (choosing to replace those changes)
 * or lets it go. The draft set aside is kept under a key of its own, so that edits made since
 * neither overwrite it nor, discarded, take its place.
 */
import type { VocabularyInfo } from './api.js';
import type { Origins } from './vocabulary-edit.js';

const KEYS = { draft: 'lumen:templates-draft', aside: 'lumen:templates-draft-aside' } as const;

/** The draft being edited, or the one set aside. */
export type DraftSlot = keyof typeof KEYS;

interface Kept {
  base: string;
  draft: VocabularyInfo;
  origins: Origins;
}

/** A kept draft, `stale` when it was drafted from another vocabulary than the one saved now. */
export type KeptDraft = { draft: VocabularyInfo; origins: Origins; stale: boolean } | null;

const strings = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

/** Storage is the renderer's own, but may hold anything (an older version's, a hand edit): only a well-formed draft is taken. */
function isKept(value: unknown): value is Kept {
  if (typeof value !== 'object' || value === null) return false;
  const { base, draft, origins } = value as Partial<Kept>;
  if (typeof base !== 'string' || typeof draft !== 'object' || draft === null || !strings(draft.templates) || !Array.isArray(draft.tags)) return false;
  const tagsWellFormed = draft.tags.every((tag) => typeof tag === 'object' && tag !== null && typeof tag.name === 'string' && strings(tag.prompts));
  return tagsWellFormed && Array.isArray(origins) && origins.length === draft.tags.length && origins.every((origin) => origin === null || typeof origin === 'string');
}

export function keepDraft(slot: DraftSlot, saved: VocabularyInfo, draft: VocabularyInfo, origins: Origins): void {
  try {
    localStorage.setItem(KEYS[slot], JSON.stringify({ base: JSON.stringify(saved), draft, origins } satisfies Kept));
  } catch {
    // Storage full or refused: the draft is still on screen, as it always was; nothing else is lost.
  }
}

export function dropDraft(slot: DraftSlot): void {
  localStorage.removeItem(KEYS[slot]);
}

export function keptDraft(slot: DraftSlot, saved: VocabularyInfo): KeptDraft {
  let kept: unknown;
  try {
    kept = JSON.parse(localStorage.getItem(KEYS[slot]) ?? 'null');
  } catch {
    kept = null;
  }
  if (!isKept(kept)) return null;
  return { draft: kept.draft, origins: kept.origins, stale: kept.base !== JSON.stringify(saved) };
}

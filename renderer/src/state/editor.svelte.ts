/**
 * The template editor: the saved vocabulary, the person's draft of it, validation as they type,
 * the live preview of the tag being edited (Note [Live preview] in main/tags/preview.ts) and the
 * evaluation on their verdicts. Answers to older drafts never replace newer ones.
 */
import { untrack } from 'svelte';
import { SvelteMap } from 'svelte/reactivity';
import { MAX_VOCABULARY_CHARS } from '../../../preload/limits.js';
import type { EvaluationInfo, LumenApi, TagPreviewInfo, VocabularyInfo } from '../lib/api.js';
import { dropDraft, keepDraft, keptDraft } from '../lib/draft-kept.js';
import { changes, isChanged, type Changes, problems, type Origins, type Problem, type TagDraft } from '../lib/vocabulary-edit.js';
import { tagNameKey } from '../../../main/tags/vocabulary-rules.js';

/**
 * Note [One preview at a time]: on a large library a preview can take longer than a keystroke, and
 * the engine computes every call it is sent, stale or not: one call per keystroke queued up, each
 * waiting on the ones before (seconds behind the last key at 19,000 photos). So at most one preview
 * call is out; a draft changed meanwhile only marks another as wanted, and when the call returns
 * its answer (now stale) is dropped and the latest draft is sent, once. The preview waits for a
 * pause in typing, PREVIEW_DELAY_MS: longer than the gap between keys of steady typing (about
 * 150 ms), so a word typed asks for one preview, not one a letter.
 */
const PREVIEW_DELAY_MS = 220;

/** A new tag's prompts for its name (Note [A new tag's prompt]): the name, or none while it is blank. */
const namePrompts = (name: string): string[] => (name.trim() ? [name.trim()] : []);

type Message = { kind: 'ok' | 'error'; text: string };

/**
 * Note [Pages follow a rename]: after a rename is saved, Back leads to the pages of the tag's old
 * name (the tag page that opened the editor), which would say there is no such tag. So each rename
 * saved in this window is kept, by the old name's key, through renames in a row, and a page
 * asked for a name no tag has any more shows the tag it became instead, as the Library filtered
 * by it is filtered by that tag (FiltersBar.svelte). Only to a tag there is: names swapped, or the
 * tag it became deleted since, would send the address back and forth.
 */
const renamedHere = new SvelteMap<string, string>();

/** The name the tag once called `name` has after the renames saved in this window; null if none renamed it. */
export function renamedInThisWindow(name: string): string | null {
  return renamedHere.get(tagNameKey(name)) ?? null;
}

/** Keeps the renames just saved; a name renamed before follows its tag to the newest name. */
function keepRenames(renames: Changes['renamed']): void {
  const newName = new Map(renames.map(({ from, to }) => [tagNameKey(from), to]));
  for (const [old, now] of renamedHere) renamedHere.set(old, newName.get(tagNameKey(now)) ?? now);
  for (const [from, to] of newName) renamedHere.set(from, to);
}

export class EditorState {
  saved = $state.raw<VocabularyInfo | null>(null);
  draft = $state<VocabularyInfo>({ templates: [], tags: [] });
  /** Each draft tag's saved name, by position, so a renamed tag keeps its verdicts (Note [Renamed tags]). */
  private origins = $state.raw<Origins>([]);
  selected = $state(0);
  /** The tag deleted last, with its saved name and place, while it can be put back (Note [Deleting a tag]). */
  removed = $state.raw<{ tag: TagDraft; origin: string | null; index: number } | null>(null);
  preview = $state.raw<TagPreviewInfo | null>(null);
  previewError = $state<string | null>(null);
  evaluation = $state.raw<EvaluationInfo | null>(null);
  evaluating = $state(false);
  busy = $state(false);
  message = $state<Message | null>(null);
  /** A draft from before, drafted over templates that have changed since (Note [Drafts kept]). */
  setAside = $state.raw<{ draft: VocabularyInfo; origins: Origins } | null>(null);
  /** The draft `evaluation` measured, as JSON (`evaluationStale`). */
  private evaluatedDraft: string | null = null;
  /** Bumps with each evaluation asked for and each vocabulary adopted: a late answer is dropped. */
  private evaluationGeneration = 0;
  /** A preview call is out; `previewWanted`: the draft changed since it was sent (Note [One preview at a time]). */
  private previewInFlight = false;
  private previewWanted = false;
  /** Bumps with every request for the saved vocabulary: an older answer never replaces a newer one. */
  private savedGeneration = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** The saved name of the tag shown when a tag was last added: Discard goes back to it. */
  private shownBeforeAdding: string | null = null;

  constructor(private readonly api: LumenApi) {
    // Every change to the draft is kept until it is saved or discarded (Note [Drafts kept] in lib/draft-kept.ts).
    $effect.root(() => {
      $effect(() => {
        // The snapshot reads the whole draft, so that any edit runs this again.
        const draft = $state.snapshot(this.draft);
        const aside = this.setAside;
        if (!this.saved) return;
        if (this.dirty) keepDraft('draft', this.saved, draft, this.origins);
        else dropDraft('draft');
        if (aside) keepDraft('aside', this.saved, aside.draft, aside.origins);
        else dropDraft('aside');
      });
    });
  }

  get problems(): Problem[] {
    return problems(this.draft);
  }

  get valid(): boolean {
    return this.problems.length === 0;
  }

  get dirty(): boolean {
    return this.saved !== null && isChanged(this.saved, this.draft, this.origins);
  }

  /** Whether the draft has been edited since `evaluation` measured it. */
  get evaluationStale(): boolean {
    return this.evaluation !== null && JSON.stringify(this.draft) !== this.evaluatedDraft;
  }

  get tag(): VocabularyInfo['tags'][number] | undefined {
    return this.draft.tags[this.selected];
  }

  /** Whether the tag shown has a saved self to compare its preview with: a tag added since has none. */
  get tagSaved(): boolean {
    return (this.origins[this.selected] ?? null) !== null;
  }

  private adopt(vocabulary: VocabularyInfo): void {
    this.shownBeforeAdding = null;
    this.saved = vocabulary;
    this.draft = structuredClone(vocabulary);
    this.origins = vocabulary.tags.map((tag) => tag.name);
    this.removed = null;
    this.selected = Math.min(this.selected, Math.max(0, vocabulary.tags.length - 1));
    this.evaluation = null;
    this.evaluationGeneration++;
    this.evaluating = false;
    this.schedulePreview();
  }

  async load(): Promise<void> {
    const generation = ++this.savedGeneration;
    // Untracked: an effect that loads must not run again at each edit.
    const asked = untrack(() => JSON.stringify(this.draft));
    const outcome = await this.api.call('vocabulary.get', {});
    // An import, save or reset answered meanwhile (the first load can be that slow): keep it.
    if (generation !== this.savedGeneration) return;
    if (!outcome.ok) {
      this.message = { kind: 'error', text: outcome.error.message };
      return;
    }
    // Edits typed meanwhile over the templates still saved stay; over others, they are kept aside below (Note [Drafts kept]).
    if (JSON.stringify(this.draft) !== asked && JSON.stringify(outcome.value.vocabulary) === JSON.stringify(this.saved)) return;
    this.adopt(outcome.value.vocabulary);
    // Read before the effect that keeps drafts runs again, as it would over the vocabulary just adopted.
    const kept = keptDraft('draft', outcome.value.vocabulary);
    const keptAside = keptDraft('aside', outcome.value.vocabulary);
    // Of two drafts over templates changed since, the newer is kept aside and the older let go: one is kept aside at a time.
    const aside = kept?.stale ? kept : keptAside;
    if (aside) this.setAside = { draft: aside.draft, origins: aside.origins };
    if (kept && !kept.stale) {
      this.draft = kept.draft;
      this.origins = kept.origins;
      this.schedulePreview();
    }
    this.message = backMessage(kept !== null && !kept.stale, aside !== null) ?? this.message;
  }

  /** Brings back the draft set aside, over the templates saved since: saving it replaces them. Edits made since go aside in its place. */
  bringBack(): void {
    if (!this.saved || !this.setAside) return;
    const { tags } = this.saved;
    const since = this.dirty ? { draft: $state.snapshot(this.draft), origins: this.origins } : null;
    this.draft = this.setAside.draft;
    // A tag drafted from one saved since renamed or removed is a new tag now.
    this.origins = this.setAside.origins.map((origin) => (origin !== null && tags.some((tag) => tag.name === origin) ? origin : null));
    this.setAside = since;
    this.removed = null;
    this.message = { kind: 'ok', text: `Your unsaved changes from before are back.${since ? ' The changes you made since are kept aside in their place.' : ''} Saving them replaces the templates saved since.` };
    this.schedulePreview();
  }

  /** Lets the draft set aside go, for good. */
  letGo(): void {
    this.setAside = null;
    this.message = null;
  }

  select(index: number): void {
    this.selected = index;
    this.schedulePreview();
  }

  /** Adds a tag named `wanted` (numbered if the name is taken), its name its prompt (Note [A new tag's prompt]), and selects it. */
  addTag(wanted = 'new tag'): void {
    let name = wanted;
    for (let n = 2; this.draft.tags.some((tag) => tagNameKey(tag.name) === tagNameKey(name)); n++) name = `${wanted} ${n}`;
    this.shownBeforeAdding = this.origins[this.selected] ?? this.shownBeforeAdding;
    this.draft.tags.push({ name, prompts: namePrompts(name) });
    this.origins = [...this.origins, null];
    this.removed = null;
    this.select(this.draft.tags.length - 1);
  }

  /**
   * Note [A new tag's prompt]: a tag added here starts with its name as its one prompt, and while
   * that is still so the prompt follows the name as it is typed, so that "new tag" typed over
   * looks for what the name says. Prompts the person has written are theirs; nor does a saved
   * tag's rename change what it looks for (Note [Renamed tags]).
   */
  rename(index: number, name: string): void {
    const tag = this.draft.tags[index];
    if (!tag) return;
    const following = this.origins[index] === null && JSON.stringify(tag.prompts) === JSON.stringify(namePrompts(tag.name));
    tag.name = name;
    if (following) tag.prompts = namePrompts(name);
  }

  /**
   * Note [Deleting a tag]: Delete takes a tag out of the draft at once, and Undo puts it back where
   * it was, saved name and all, until the next edit, add or save: one press undone without
   * discarding every other change. Undo rather than asking first (AskTwice): deleting several
   * tags stays one press each, and a press too many costs nothing.
   */
  removeTag(index: number): void {
    const [tag] = this.draft.tags.splice(index, 1);
    if (!tag) return;
    this.removed = { tag: $state.snapshot(tag), origin: this.origins[index] ?? null, index };
    this.origins = this.origins.filter((_, i) => i !== index);
    this.select(Math.max(0, Math.min(index, this.draft.tags.length - 1)));
  }

  /** Puts back the tag deleted last, and selects it (Note [Deleting a tag]). */
  undoRemove(): void {
    if (!this.removed) return;
    const { tag, origin, index } = this.removed;
    this.draft.tags.splice(index, 0, tag);
    this.origins = this.origins.toSpliced(index, 0, origin);
    this.removed = null;
    this.select(index);
  }

  /** The tags `vocabulary`, the draft, renames from the saved one, as saving it would say them. */
  private renames(vocabulary: VocabularyInfo): Changes['renamed'] {
    return this.saved ? changes(this.saved, vocabulary, this.origins).renamed : [];
  }

  /** After any edit: the preview follows once typing pauses. */
  schedulePreview(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.runPreview(), PREVIEW_DELAY_MS);
  }

  private async runPreview(): Promise<void> {
    if (this.previewInFlight) {
      this.previewWanted = true;
      return;
    }
    const tag = this.tag;
    if (!tag || !this.valid) {
      this.preview = null;
      return;
    }
    const vocabulary = $state.snapshot(this.draft);
    // A renamed tag is previewed against itself as saved, with its verdicts (Note [Live preview]).
    const renames = this.renames(vocabulary);
    this.previewInFlight = true;
    const outcome = await this.api.call('vocabulary.preview', { vocabulary, tag: tag.name.trim(), renames }).finally(() => (this.previewInFlight = false));
    // The draft changed while this was computed: its answer is stale, the latest draft is asked about instead.
    if (this.previewWanted) {
      this.previewWanted = false;
      void this.runPreview();
      return;
    }
    this.preview = outcome.ok ? outcome.value : null;
    this.previewError = outcome.ok ? null : outcome.error.message;
  }

  /** Evaluates the draft; the figures, when they are the answer to the latest draft asked about. */
  async evaluate(): Promise<EvaluationInfo | null> {
    if (!this.valid) return null;
    const generation = ++this.evaluationGeneration;
    const vocabulary = $state.snapshot(this.draft);
    this.evaluating = true;
    const outcome = await this.api.call('vocabulary.evaluate', { vocabulary, renames: this.renames(vocabulary) });
    // Saved, discarded, imported or reset meanwhile: the figures are of a draft that is gone.
    if (generation !== this.evaluationGeneration) return null;
    this.evaluating = false;
    this.evaluation = outcome.ok ? outcome.value : null;
    this.evaluatedDraft = JSON.stringify(vocabulary);
    if (!outcome.ok) this.message = { kind: 'error', text: outcome.error.message };
    return this.evaluation;
  }

  /**
   * Saves the vocabulary `call` answers with. One that replaces the saved vocabulary with another
   * (`replacing`: an import, a reset) keeps unsaved changes aside, as Note [Drafts kept] keeps
   * them over a vocabulary changed elsewhere: the person brings them back or lets them go.
   */
  private async apply(call: Promise<{ ok: true; value: { vocabulary: VocabularyInfo } } | { ok: false; error: { message: string } }>, done: string, replacing = false): Promise<boolean> {
    const unsaved = replacing && this.dirty ? { draft: $state.snapshot(this.draft), origins: this.origins } : null;
    this.busy = true;
    ++this.savedGeneration;
    const outcome = await call;
    this.busy = false;
    if (!outcome.ok) {
      this.message = { kind: 'error', text: outcome.error.message };
      return false;
    }
    this.adopt(outcome.value.vocabulary);
    if (unsaved) this.setAside = unsaved;
    this.message = { kind: 'ok', text: unsaved ? `${done} Your unsaved changes are kept aside: bring them back over it, or let them go.` : done };
    return true;
  }

  async save(): Promise<boolean> {
    const vocabulary = $state.snapshot(this.draft);
    const basedOn = this.saved;
    const renames = this.renames(vocabulary);
    if (await this.apply(this.api.call('vocabulary.save', { vocabulary, renames, ...(basedOn ? { basedOn } : {}) }), 'Saved. Your photos are being tagged again with it.')) {
      keepRenames(renames);
      return true;
    }
    await this.followSavedElsewhere();
    return false;
  }

  /**
   * A save refused because the templates were saved elsewhere since the edit began (Note [Saved
   * over a change] in main/tags/library-vocabulary.ts): what is saved now is shown, the edit kept
   * aside to bring back over it, as Note [Drafts kept] keeps a draft over templates changed.
   */
  private async followSavedElsewhere(): Promise<void> {
    const refused = this.message?.text ?? '';
    const generation = ++this.savedGeneration;
    const outcome = await this.api.call('vocabulary.get', {});
    if (generation !== this.savedGeneration || !outcome.ok || JSON.stringify(outcome.value.vocabulary) === JSON.stringify(this.saved)) return;
    const unsaved = { draft: $state.snapshot(this.draft), origins: this.origins };
    this.adopt(outcome.value.vocabulary);
    this.setAside = unsaved;
    this.message = { kind: 'error', text: `${refused} The templates saved now are shown; your changes are kept aside: bring them back over them, or let them go.` };
  }

  reset(): Promise<boolean> {
    return this.apply(this.api.call('vocabulary.reset', {}), 'Back to the built-in tags and templates.', true);
  }

  /** Imports a vocabulary file the person picked; what keeps it from being read or sent is said as the engine says what is wrong in one. */
  async importFile(file: File): Promise<boolean> {
    const refused = (text: string) => {
      this.message = { kind: 'error', text };
      return false;
    };
    if (file.size === 0) return refused(`${file.name} is not a vocabulary exported from Lumen: it is empty.`);
    // Its bytes are never fewer than its characters: a file within the limit is sent whole, one over it not even read
    // (Note [Limits the window checks] in preload/limits.ts). In decimal megabytes, as the app says sizes (lib/format.ts).
    if (file.size > MAX_VOCABULARY_CHARS) return refused(`${file.name} is larger than ${MAX_VOCABULARY_CHARS / 1_000_000} MB, the most Lumen imports as a vocabulary.`);
    let json: string;
    try {
      json = await file.text();
    } catch {
      // Moved, deleted or changed since it was picked, or not readable by the person.
      return refused(`${file.name} could not be read: it may have been moved or changed since you chose it. Choose it again.`);
    }
    return this.apply(this.api.call('vocabulary.import', { json }), `Imported ${file.name}.`, true);
  }

  discard(): void {
    const shown = this.origins[this.selected] ?? this.shownBeforeAdding;
    if (this.saved) {
      this.adopt(this.saved);
      // The tag shown stays shown as saved; one added and now gone gives way to the tag shown before it.
      const at = this.saved.tags.findIndex((tag) => tag.name === shown);
      if (at >= 0) this.select(at);
    }
    this.message = null;
  }

  /** Switches a tag's refinement on or off; whether it was. */
  async setRefinement(tag: string, enabled: boolean): Promise<boolean> {
    const outcome = await this.api.call('tags.setRefinement', { tag, enabled });
    if (!outcome.ok) this.message = { kind: 'error', text: outcome.error.message };
    else if (this.evaluation) this.evaluation = { ...this.evaluation, refinements: outcome.value };
    return outcome.ok;
  }

  /** The vocabulary file's text, for the person to keep. */
  async exportText(): Promise<string | null> {
    const outcome = await this.api.call('vocabulary.export', {});
    if (!outcome.ok) this.message = { kind: 'error', text: outcome.error.message };
    return outcome.ok ? outcome.value.json : null;
  }
}

/** What a reload found kept: the draft being edited (`back`), one set aside, or both. */
function backMessage(back: boolean, aside: boolean): Message | null {
  const asideText = 'saved templates have changed since, and saving your changes would undo that.';
  if (back && aside) return { kind: 'ok', text: `Your unsaved changes from before are back. Older ones are kept aside: the ${asideText}` };
  if (aside) return { kind: 'error', text: `Your unsaved changes from before are kept aside: the ${asideText}` };
  if (back) return { kind: 'ok', text: 'Your unsaved changes from before are back. Save them, or discard them for the saved templates.' };
  return null;
}

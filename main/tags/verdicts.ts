/**
 * A person's say over tags: which tags a photo has, and confirming, rejecting or withdrawing a
 * tag on a photo. Verdicts are never overwritten by tagging runs (Note [Tagging runs]).
 */
import { UserError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import type { PhotoRef } from '../storage/photo-store.js';
import type { TagSource } from '../storage/tag-store.js';
import type { LibraryVocabulary } from './library-vocabulary.js';
import type { Tagger } from './tagger.js';
import { tagNameKey } from './vocabulary-rules.js';
import { findTag, validateTagName, type Vocabulary } from './vocabulary.js';

export interface PhotoTag {
  tag: string;
  source: TagSource;
  /** Probability the tagger gave it; null for a person's tag it never scored. */
  score: number | null;
  cosine: number | null;
  model: string | null;
}

export interface PhotoTags {
  photoId: number;
  path: string;
  tags: PhotoTag[];
  /** Tags the person rejected for this photo. */
  rejected: string[];
}

export type Verdict = 'confirm' | 'reject' | 'clear' | 'add';

/** Which photos had the person's own verdict on a tag: confirmed (or added) on some, rejected on others. */
export interface VerdictsHeld {
  confirmed: number[];
  rejected: number[];
}

/**
 * Which of `photos` the person confirmed `tag` on (or added it to), and which they rejected it on,
 * the tag named in any capitals as verdicts name it: what a verdict's Undo gives back, not the
 * tagger's say (Note [Undo a verdict on a selection] in renderer/src/components/selection-verdict.ts).
 */
function verdictsHeld(photos: readonly PhotoTags[], tag: string): VerdictsHeld {
  const named = (name: string) => tagNameKey(name) === tagNameKey(tag);
  return {
    confirmed: photos.filter((photo) => photo.tags.some((each) => each.source === 'person' && named(each.tag))).map((photo) => photo.photoId),
    rejected: photos.filter((photo) => photo.rejected.some(named)).map((photo) => photo.photoId),
  };
}

export interface TagCount {
  tag: string;
  /** Photos showing it (the tagger's or confirmed, not rejected). */
  photos: number;
  auto: number;
  confirmed: number;
  rejected: number;
}

export class Verdicts {
  constructor(
    private readonly library: Library,
    private readonly vocabulary: LibraryVocabulary,
    private readonly tagger: Tagger,
  ) {}

  private get store() {
    return this.library.storage.tags;
  }

  tagsOf(photo: string | number): PhotoTags {
    return this.tagsOfResolved(this.library.resolvePhoto(photo));
  }

  private tagsOfResolved(ref: PhotoRef): PhotoTags {
    const rows = this.store.tagsOfImage(ref.imageId);
    return {
      photoId: ref.photoId,
      path: ref.path,
      tags: rows.filter((row) => !row.rejected).map(({ tag, source, score, cosine, model }) => ({ tag, source, score, cosine, model })),
      rejected: rows.filter((row) => row.rejected).map((row) => row.tag),
    };
  }

  counts(): TagCount[] {
    return this.store.counts();
  }

  /**
   * The tag's name as the vocabulary spells it; a tag the photo already has; or, when `anyName`
   * (a tag added by hand), the name itself once it passes the vocabulary's rules for names.
   */
  private canonicalTag(vocabulary: Vocabulary, imageId: number, name: string, anyName: boolean): string {
    const tag = findTag(vocabulary, name);
    if (tag) return tag.name;
    const existing = this.store.tagsOfImage(imageId).find((row) => tagNameKey(row.tag) === tagNameKey(name));
    if (existing) return existing.tag;
    if (anyName) return validateTagName(name.trim());
    const names = vocabulary.tags.map((t) => t.name);
    throw new UserError('not-found', `There is no tag "${name}" in the vocabulary (${names.slice(0, 8).join(', ')}${names.length > 8 ? ', ...' : ''}). Add it to the vocabulary first, or check the spelling.`);
  }

  /**
   * One verdict on photos, all or none: each photo, and the tag's name on it, is resolved before
   * any verdict is stored, so one photo gone since the window showed it (or a tag unknown on one)
   * changes none of them. `confirm` and `reject` are the person's for good (no tagging run
   * overrides them, Note [Tagging runs]); `add` confirms a tag outside the vocabulary too;
   * `clear` withdraws the verdict, and the tagger decides the tag again, now. A caller that shows
   * the photos' tags reads them (`tagsOf`): a selection of a year's photos answered with each
   * one's tags was megabytes nobody read. Answers which of them had the person's verdict on the
   * tag, read as it is stored, with nothing awaited between: another verdict given meanwhile is
   * not undone by this one's Undo.
   */
  async give(photos: ReadonlyArray<string | number>, tag: string, verdict: Verdict): Promise<VerdictsHeld> {
    // Read once, not per photo: a selection of a year's photos read and checked it thousands of times.
    const vocabulary = await this.vocabulary.get();
    const planned = photos.map((photo) => {
      const ref = this.library.resolvePhoto(photo);
      return { ref, tag: this.canonicalTag(vocabulary, ref.imageId, tag, verdict === 'add') };
    });
    const before = verdictsHeld(planned.map((plan) => this.tagsOfResolved(plan.ref)), tag);
    const cleared = this.store.giveVerdicts(planned.map((plan) => ({ imageId: plan.ref.imageId, tag: plan.tag })), verdict === 'add' ? 'confirm' : verdict);
    if (cleared.length) {
      const model = await this.tagger.currentModel();
      const embedded = cleared.filter((imageId) => this.library.storage.embeddings.has(model.id, imageId));
      if (embedded.length) await this.tagger.retag(embedded);
    }
    return before;
  }
}

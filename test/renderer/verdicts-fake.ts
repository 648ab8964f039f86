/**
 * A person's verdicts on tags for `libraryFake`: the tag calls answered as the engine answers them,
 * over the fake's three photos (ids 1 to 3, each its own image) and a vocabulary of tag names.
 * - A verdict names its tag as the engine does (main/tags/verdicts.ts, `canonicalTag`): as the
 *   vocabulary spells it, else as the photo has it, whatever the capitals given; `add` takes a new
 *   name as given, and a `confirm` or `reject` of a tag neither knows is refused, on every photo.
 * - `confirm` and `add` make the tag the person's, `reject` rejects it, and `clear` withdraws the
 *   verdict: a tag the person added goes, one the tagger scored is the tagger's again. Each
 *   answer says which photos had the person's own verdict before it (`before`).
 * - tags.ofPhoto lists a photo's tags by name; tags.list the vocabulary, then the other tags photos
 *   have, most photos first (main/engine/tag-info.ts); tags.photos and a card's samples put the
 *   person's first, then by score (the tag store's order).
 * The viewer's other asks (its text, similar photos) are answered empty, so a test sees its tags alone.
 */
import { CARD_PHOTOS } from '../../main/tags/albums.js';
import type { CallName, CallOutcome, CallParams, PhotoTagInfo, PhotoTagsInfo, TagInfo } from '../../preload/contract.js';
import { FAKE_TIMELINE, libraryFake, type FakeLumen } from './harness.js';

interface TagRow extends PhotoTagInfo {
  rejected: boolean;
}

/** A photo's tag as a test gives it: not rejected unless it says so. */
export type StartingTag = PhotoTagInfo & { rejected?: boolean };

type Answer<N extends CallName> = (params: CallParams<N>) => CallOutcome<N>;

/** Names in the tag store's order (SQLite's, by code point). */
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** `libraryFake` whose photos have the tags `start` gives them, and whose vocabulary holds the tags `vocabulary` names. */
export function verdictsFake(start: Record<number, StartingTag[]>, vocabulary: readonly string[] = []): FakeLumen & { photosShowing(tag: string): number[] } {
  const fake = libraryFake();
  const rows = new Map<number, TagRow[]>(FAKE_TIMELINE.ids.map((id) => [id, (start[id] ?? []).map((row) => ({ rejected: false, ...row }))]));
  const rowsOf = (id: number) => rows.get(id) ?? [];
  const ofPhoto = (photoId: number): PhotoTagsInfo => {
    const sorted = [...rowsOf(photoId)].sort((a, b) => byName(a.tag, b.tag));
    return {
      photoId,
      tags: sorted.filter((row) => !row.rejected).map(({ tag, source, score }) => ({ tag, source, score })),
      rejected: sorted.filter((row) => row.rejected).map((row) => row.tag),
    };
  };
  /** The photos showing `tag`, the person's first, then by score. */
  const showing = (tag: string) =>
    FAKE_TIMELINE.ids
      .flatMap((id) => rowsOf(id).filter((row) => row.tag === tag && !row.rejected).map((row) => ({ id, row })))
      .sort((a, b) => Number(b.row.source === 'person') - Number(a.row.source === 'person') || (b.row.score ?? 0) - (a.row.score ?? 0) || a.id - b.id)
      .map(({ id }) => id);
  const sameName = (name: string) => (each: string) => each.toLowerCase() === name.trim().toLowerCase();
  const nameOn = (id: number, name: string, verdict: CallParams<'tags.verdict'>['verdict']) =>
    vocabulary.find(sameName(name)) ?? rowsOf(id).map((row) => row.tag).find(sameName(name)) ?? (verdict === 'add' ? name.trim() : undefined);

  const listed = (name: string): TagInfo => {
    const rowsNamed = [...rows.values()].flat().filter((row) => row.tag === name);
    const inVocabulary = vocabulary.includes(name);
    return { name, enabled: inVocabulary, inVocabulary, photos: showing(name).length, confirmed: rowsNamed.filter((row) => row.source === 'person' && !row.rejected).length, rejected: rowsNamed.filter((row) => row.rejected).length, samples: showing(name).slice(0, CARD_PHOTOS) };
  };

  const answers: { [N in CallName]?: Answer<N> } = {
    'tags.ofPhoto': ({ id }) => ({ ok: true, value: ofPhoto(id) }),
    'tags.verdict': ({ photoIds, tag, verdict }) => {
      // All or none, as the engine: every photo's name for the tag first.
      const planned = photoIds.map((id) => ({ id, name: nameOn(id, tag, verdict) }));
      if (planned.some(({ name }) => name === undefined)) return { ok: false, error: { code: 'not-found', message: `There is no tag "${tag}" in the vocabulary. Add it to the vocabulary first, or check the spelling.` } };
      const named = sameName(tag);
      const had = (rejected: boolean) => photoIds.filter((id) => rowsOf(id).some((row) => named(row.tag) && row.rejected === rejected && (rejected || row.source === 'person')));
      const before = { confirmed: had(false), rejected: had(true) };
      for (const { id, name } of planned as Array<{ id: number; name: string }>) {
        const list = rowsOf(id);
        const row = list.find((each) => each.tag === name);
        if (verdict === 'clear') {
          if (row?.source === 'person' && row.score === null) list.splice(list.indexOf(row), 1);
          else if (row) Object.assign(row, { source: 'auto', rejected: false });
        } else if (row) Object.assign(row, { source: 'person', rejected: verdict === 'reject' });
        else list.push({ tag: name, source: 'person', score: null, rejected: verdict === 'reject' });
      }
      return { ok: true, value: { given: photoIds.length, photo: photoIds.length === 1 ? ofPhoto(photoIds[0] as number) : null, before } };
    },
    'tags.list': () => {
      const others = [...new Set([...rows.values()].flat().map((row) => row.tag))].filter((name) => !vocabulary.includes(name)).map(listed);
      others.sort((a, b) => b.photos - a.photos || byName(a.name, b.name));
      return { ok: true, value: [...vocabulary.map(listed), ...others] };
    },
    'tags.photos': ({ tag }) => {
      const ids = showing(tag);
      const pick = <T>(values: T[]) => ids.map((id) => values[FAKE_TIMELINE.ids.indexOf(id)] as T);
      return { ok: true, value: { ids, ratios: pick(FAKE_TIMELINE.ratios), takenAt: pick(FAKE_TIMELINE.takenAt), names: pick(FAKE_TIMELINE.names), folderIds: pick(FAKE_TIMELINE.folderIds), versions: pick(FAKE_TIMELINE.versions) } };
    },
    'photos.details': ({ id }) => {
      const name = FAKE_TIMELINE.names[FAKE_TIMELINE.ids.indexOf(id)] as string;
      return { ok: true, value: { id, name, folderId: 1, takenAt: Date.UTC(2024, 5, id), width: 400, height: 300, format: 'jpeg', version: id, path: `/p/${name}`, size: 1, capturedAt: null, camera: null, lens: null, location: null, copies: [] } };
    },
    'photos.text': () => ({ ok: true, value: { read: true, skipped: false, lines: [] } }),
    'search.similar': () => ({ ok: true, value: { results: [], total: 0, belowCutoff: 0, offset: 0, model: 'm', method: 'exact', counted: true } }),
  };
  Object.assign(fake.overrides, answers);
  return Object.assign(fake, { photosShowing: showing });
}

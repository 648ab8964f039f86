/**
 * Albums for `libraryFake`: the album calls answered as the engine answers them (main/tags/albums.ts),
 * over the fake's three photos: one folder album of all of them, and saved albums that can be
 * renamed (by the engine's rules: Note [Album names] in main/tags/album-rules.ts), added to (each
 * photo once), taken from and deleted. In the fake every photo is its own image.
 */
import { albumNameAsSaved, albumNameProblem } from '../../main/tags/album-rules.js';
import { tagNameKey } from '../../main/tags/vocabulary-rules.js';
import type { AlbumInfo, CallName, CallOutcome, CallParams } from '../../preload/contract.js';
import { FAKE_TIMELINE, libraryFake, type FakeLumen } from './harness.js';

/** The folder of `libraryFake`'s photos, as an album. */
export const FOLDER_ALBUM = 'folder:0123456789abcdef';

interface Saved {
  name: string;
  members: Set<number>;
}

type Answer<N extends CallName> = (params: CallParams<N>) => CallOutcome<N>;

const refuse = (code: string, message: string) => ({ ok: false as const, error: { code, message } });

/** `libraryFake` with saved albums, by name and photo ids (ids 1 to 3); the first is `saved:1`. */
export function albumsFake(saved: Record<string, number[]>): FakeLumen & { albums: Map<number, Saved> } {
  const fake = libraryFake() as FakeLumen & { albums: Map<number, Saved> };
  const albums = new Map<number, Saved>(Object.entries(saved).map(([name, ids], i) => [i + 1, { name, members: new Set(ids) }]));
  fake.albums = albums;
  let nextId = albums.size + 1;

  const info = (id: number): AlbumInfo => {
    const album = albums.get(id) as Saved;
    return { id: `saved:${id}`, kind: 'saved', name: album.name, album: album.name, photos: album.members.size, files: album.members.size, tags: [], label: `${album.name}: (no common tags)`, samples: [...album.members].slice(0, 4) };
  };
  const folder: AlbumInfo = { id: FOLDER_ALBUM, kind: 'folder', name: 'Pictures', album: '/home/ada/Pictures', photos: FAKE_TIMELINE.ids.length, files: FAKE_TIMELINE.ids.length, tags: [], label: 'Pictures: (no common tags)', samples: FAKE_TIMELINE.ids.slice(0, 4) };
  const exists = (photoId: number) => FAKE_TIMELINE.ids.includes(photoId);
  const byName = (name: string) => [...albums].find(([, album]) => tagNameKey(album.name) === tagNameKey(name));
  /** A new or changed name by the engine's rules; `renaming` may keep its own in another case. */
  const nameError = (name: string, renaming?: number) => {
    const problem = albumNameProblem(albumNameAsSaved(name));
    if (problem) return problem;
    const other = byName(name);
    return other && other[0] !== renaming ? `There is already an album called “${other[1].name}”. Choose another name.` : null;
  };
  /** The saved album an id names, or why it cannot be changed. */
  const savedAlbum = (id: string, doing: string): number | ReturnType<typeof refuse> => {
    const match = /^saved:(\d+)$/.exec(id);
    if (!match) return refuse('bad-input', `A folder's album follows its folder and cannot be ${doing}: save its photos as an album of your own instead.`);
    return albums.has(Number(match[1])) ? Number(match[1]) : refuse('not-found', 'That album is not there any more: it was deleted.');
  };

  const answers: { [N in CallName]?: Answer<N> } = {
    'albums.list': () => ({ ok: true, value: [folder, ...[...albums.keys()].sort((a, b) => info(a).name.localeCompare(info(b).name)).map(info)] }),
    'albums.names': () => ({ ok: true, value: [...albums.keys()].map(info).sort((a, b) => a.name.localeCompare(b.name)).map(({ id, name }) => ({ id, name })) }),
    'albums.photos': ({ id }) => {
      const members = id === FOLDER_ALBUM ? new Set(FAKE_TIMELINE.ids) : (albums.get(Number(/^saved:(\d+)$/.exec(id)?.[1])) ?? { members: new Set<number>() }).members;
      const keep = FAKE_TIMELINE.ids.map((photoId) => members.has(photoId));
      const pick = <T>(values: T[]) => values.filter((_, i) => keep[i]);
      return { ok: true, value: { ids: pick(FAKE_TIMELINE.ids), ratios: pick(FAKE_TIMELINE.ratios), takenAt: pick(FAKE_TIMELINE.takenAt), names: pick(FAKE_TIMELINE.names), folderIds: pick(FAKE_TIMELINE.folderIds), versions: pick(FAKE_TIMELINE.versions) } };
    },
    'albums.save': ({ name, photoIds }) => {
      const error = nameError(name);
      if (error) return refuse('bad-input', error);
      const id = nextId++;
      albums.set(id, { name: albumNameAsSaved(name), members: new Set(photoIds.filter(exists)) });
      return { ok: true, value: info(id) };
    },
    'albums.rename': ({ id, name }) => {
      const album = savedAlbum(id, 'renamed');
      if (typeof album !== 'number') return album;
      const error = nameError(name, album);
      if (error) return refuse('bad-input', error);
      (albums.get(album) as Saved).name = albumNameAsSaved(name);
      return { ok: true, value: info(album) };
    },
    'albums.add': ({ id, photoIds }) => {
      const album = savedAlbum(id, 'changed');
      if (typeof album !== 'number') return album;
      const { members } = albums.get(album) as Saved;
      const wanted = new Set(photoIds.filter(exists));
      const added = [...wanted].filter((photoId) => !members.has(photoId));
      for (const photoId of added) members.add(photoId);
      return { ok: true, value: { album: info(album), added: added.length, already: wanted.size - added.length } };
    },
    'albums.remove': ({ id, photoIds }) => {
      const album = savedAlbum(id, 'changed');
      if (typeof album !== 'number') return album;
      const { members } = albums.get(album) as Saved;
      let removed = 0;
      for (const photoId of new Set(photoIds)) if (members.delete(photoId)) removed++;
      return { ok: true, value: { album: info(album), removed } };
    },
    'albums.delete': ({ id }) => {
      if (!id.startsWith('saved:')) return refuse('bad-input', "A folder's album follows its folder: take the folder out of the library to remove it.");
      const album = savedAlbum(id, 'deleted');
      if (typeof album !== 'number') return album;
      albums.delete(album);
      return { ok: true, value: { deleted: true } };
    },
  };
  Object.assign(fake.overrides, answers);
  return fake;
}

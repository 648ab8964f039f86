/**
 * Albums summarised by their tags: each folder of photos, or any selection, described by the
 * tags a quarter or more of its photos share ("Lisbon 2023: city, beach, food").
 */
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { folderKey } from '../core/folder-key.js';
import type { SavedAlbum } from '../storage/album-store.js';
import { folderPath } from '../storage/photo-store.js';
import { albumNameAsSaved, albumNameProblem } from './album-rules.js';
import type { Storage } from '../storage/storage.js';
import { tagNameKey } from './vocabulary-rules.js';

export interface AlbumTag {
  tag: string;
  photos: number;
  /** Fraction of the album's photos with the tag. */
  share: number;
  /** Mean score of the photos that have it (a confirmed tag the tagger never scored counts 1). */
  meanScore: number;
}

export interface AlbumSummary {
  /** `folder:<hash of its path>` or `saved:<id>`: how the app names it. */
  id: string;
  kind: 'folder' | 'saved';
  /** The folder the photos are in; for a saved album, its name. */
  album: string;
  name: string;
  /** Its pictures: identical copies are one photo (Note [Folder albums count pictures] in storage/photo-store.ts). */
  photos: number;
  /** The files they are: more than `photos` where a folder holds identical copies; a saved album's photos are one file each. */
  files: number;
  tags: AlbumTag[];
  /** "Lisbon 2023: city, beach, food". */
  label: string;
  /** The album's first photos, in its order, to show on its card. */
  samples: number[];
}

/** How many of an album's or a tag's photos its card shows (the app's cards have four places). */
export const CARD_PHOTOS = 4;

export interface AlbumOptions {
  /** Least share of an album's photos a tag needs to describe the album (default 0.25). */
  minShare?: number | undefined;
  /** Most tags per album (default 5). */
  maxTags?: number | undefined;
}

/** How many of an album's photos show a tag, and the sum of their scores (a confirmed tag never scored counts 1). */
type TagTally = { tag: string; photos: number; scoreSum: number };

function albumTags(photoCount: number, tallies: readonly TagTally[], options: AlbumOptions): AlbumTag[] {
  const minShare = options.minShare ?? 0.25;
  const maxTags = options.maxTags ?? 5;
  return tallies
    .map(({ tag, photos, scoreSum }) => ({ tag, photos, share: photoCount ? photos / photoCount : 0, meanScore: scoreSum / photos }))
    .filter((tag) => tag.share >= minShare)
    .sort((a, b) => b.share - a.share || b.meanScore - a.meanScore || a.tag.localeCompare(b.tag))
    .slice(0, maxTags);
}

/** Album-level tags of any selection of photos: share of photos and mean score per tag. */
export function summariseSelection(storage: Storage, photoIds: readonly number[], options: AlbumOptions = {}): AlbumTag[] {
  const wanted = [...new Set(photoIds)];
  return albumTags(wanted.length, storage.tags.tagsOfPhotos(wanted), options);
}

/** One summary per folder that holds photos (an album), by path. */
export function folderAlbums(storage: Storage, options: AlbumOptions = {}): AlbumSummary[] {
  const tallies = new Map<string, TagTally[]>();
  for (const { folder, ...tally } of storage.tags.tagsPerFolder()) {
    let list = tallies.get(folder);
    if (!list) tallies.set(folder, (list = []));
    list.push(tally);
  }
  return storage.photos
    .photosPerFolder()
    .map(({ folder, photos, files }) => ({ folder, photos, files, album: folderPath(folder) }))
    .sort((a, b) => a.album.localeCompare(b.album))
    .map(({ folder, photos, files, album }) => {
      const samples = storage.photos.photosInFolder(folder, CARD_PHOTOS).map((photo) => photo.photoId);
      return summary(folderKey(album), 'folder', album, path.basename(album), { photos, files }, albumTags(photos, tallies.get(folder) ?? [], options), samples);
    });
}

function summary(id: string, kind: AlbumSummary['kind'], album: string, name: string, count: { photos: number; files: number }, tags: AlbumTag[], samples: number[]): AlbumSummary {
  return { id, kind, album, name, ...count, tags, label: `${name}: ${tags.length ? tags.map((t) => t.tag).join(', ') : '(no common tags)'}`, samples };
}

/** The albums a person saved from selections, summarised like folders. */
export function savedAlbums(storage: Storage, options: AlbumOptions = {}): AlbumSummary[] {
  return storage.albums.list().map((album) => savedSummary(storage, album, options));
}

/** The saved albums' ids and names, by name, without their summaries. */
export function savedAlbumNames(storage: Storage): { id: string; name: string }[] {
  return storage.albums.list().map((album) => ({ id: savedId(album), name: album.name }));
}

function savedId(album: SavedAlbum): string {
  return `saved:${album.id}`;
}

function savedSummary(storage: Storage, album: SavedAlbum, options: AlbumOptions = {}): AlbumSummary {
  const photos = storage.albums.photos(album.id);
  const count = { photos: photos.length, files: photos.length };
  return summary(savedId(album), 'saved', album.name, album.name, count, summariseSelection(storage, photos, options), photos.slice(0, CARD_PHOTOS));
}

/**
 * A name for a saved album (new, or renamed from `renaming`), as saved, and its key: by the rules
 * of Note [Album names], and no other album's (the album being renamed may change its name's case).
 */
function albumName(storage: Storage, name: string, renaming?: number): { name: string; key: string } {
  const saved = albumNameAsSaved(name);
  const problem = albumNameProblem(saved);
  if (problem) throw new UserError('bad-input', problem);
  // Compared as tags' names are (Note [One name, one tag]).
  const key = tagNameKey(saved);
  const other = storage.albums.byKey(key, tagNameKey);
  if (other && other.id !== renaming) throw new UserError('bad-input', `There is already an album called “${other.name}”. Choose another name.`);
  return { name: saved, key };
}

/** Saves a selection as an album named `name` (unique: Note [Album names]). */
export function saveAlbum(storage: Storage, name: string, photoIds: readonly number[]): AlbumSummary {
  const id = storage.albums.create(albumName(storage, name), photoIds);
  return savedSummary(storage, storage.albums.byId(id) as SavedAlbum);
}

const SAVED_ID = /^saved:(\d+)$/;

/**
 * The saved album `id` names, to change (`doing`: "renamed", "changed"). A folder's album is
 * its folder: what is in it, and its name, change only with the folder.
 */
function savedAlbum(storage: Storage, id: string, doing: string): SavedAlbum {
  const saved = SAVED_ID.exec(id);
  if (!saved) throw new UserError('bad-input', `A folder's album follows its folder and cannot be ${doing}: save its photos as an album of your own instead.`);
  const album = storage.albums.byId(Number(saved[1]));
  if (!album) throw new UserError('not-found', 'That album is not there any more: it was deleted.');
  return album;
}

/** Renames a saved album, by the same rules as a new album's name. */
export function renameAlbum(storage: Storage, id: string, name: string): AlbumSummary {
  const album = savedAlbum(storage, id, 'renamed');
  storage.albums.rename(album.id, albumName(storage, name, album.id));
  return savedSummary(storage, storage.albums.byId(album.id) as SavedAlbum);
}

/** Adds photos to a saved album; photos in it already (as any copy) are not added twice. */
export function addToAlbum(storage: Storage, id: string, photoIds: readonly number[]): { album: AlbumSummary; added: number; already: number } {
  const album = savedAlbum(storage, id, 'changed');
  const { added, already } = storage.albums.add(album.id, photoIds);
  return { album: savedSummary(storage, album), added, already };
}

/** Takes photos out of a saved album; they stay in the library. */
export function removeFromAlbum(storage: Storage, id: string, photoIds: readonly number[]): { album: AlbumSummary; removed: number } {
  const album = savedAlbum(storage, id, 'changed');
  const removed = storage.albums.removePhotos(album.id, photoIds);
  return { album: savedSummary(storage, album), removed };
}

/** The photos of an album (folder or saved), by photo id. */
export function albumPhotos(storage: Storage, id: string): number[] {
  const saved = SAVED_ID.exec(id);
  if (saved) return storage.albums.photos(Number(saved[1]));
  const folder = storage.photos.photosPerFolder().find(({ folder }) => folderKey(folderPath(folder)) === id)?.folder;
  const photos = folder === undefined ? [] : storage.photos.photosInFolder(folder);
  if (photos.length === 0) throw new UserError('not-found', 'That album is not in the library any more.');
  return photos.map((photo) => photo.photoId);
}

export function deleteAlbum(storage: Storage, id: string): void {
  if (!SAVED_ID.test(id)) throw new UserError('bad-input', "A folder's album follows its folder: take the folder out of the library to remove it.");
  storage.albums.remove(savedAlbum(storage, id, 'deleted').id);
}

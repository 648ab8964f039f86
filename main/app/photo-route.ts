/**
 * Photos on the app's own origin: `/photo/<thumbnail|preview|original>/<id>`, with `?v=<version>`
 * or without, served by the app protocol and by preview mode alike.
 *
 * Note [Photos by id]: the renderer names a photo only by its id; the engine maps the id to a
 * file it knows (a thumbnail, a preview it makes, or the indexed original). Anything but the
 * exact pattern is not a photo URL, so no path, `..` or encoded separator can reach a file.
 *
 * Note [Photo versions]: a photo keeps its id when its file is edited in place (Note [Edited in
 * place] in library/indexer.ts), and a page does not ask again for a URL it has loaded: an <img>
 * keeps its picture, and one made again for the same URL gets the picture the page holds, or the
 * one cached. So each photo the engine describes carries a version, the id of the image (the
 * content) its file shows, and the renderer's URLs carry it: `/photo/<kind>/<id>?v=<version>`
 * (preload/photo-path.ts). An edited photo gets a new URL, which the page fetches. The id alone
 * says what is served; the version, whether the answer may be cached. Image ids are never reused
 * (AUTOINCREMENT), so a versioned URL stands for one picture, cached as before; the exception, an
 * old version asked for just after an edit and served the new picture, is kept an hour at most,
 * and shown only if the file goes back to that content meanwhile. An unversioned URL, from a list
 * that carries no versions until the renderer learns them (Note [Versions followed]
 * in renderer/src/lib/photo-versions.ts), is asked for again after a reload. The
 * query belongs to the exact pattern: `?v=` and an id, or nothing.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { codeOf } from '../core/errors.js';
import { isWholeWebp } from '../library/thumbnails.js';
import type { EngineClient } from './handlers.js';

export type PhotoKind = 'thumbnail' | 'preview' | 'original';

const PHOTO_PATH = /^\/photo\/(thumbnail|preview|original)\/([1-9]\d{0,14})$/;
/** The query of a photo URL: its version, or none (Note [Photo versions]). */
const PHOTO_QUERY = /^(?:\?v=([1-9]\d{0,14}))?$/;

const IMAGE_TYPES: Record<string, string> = {
  '.webp': 'image/webp',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.jpe': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.avif': 'image/avif',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.heic': 'image/heic',
  '.heif': 'image/heif',
};

/** The photo a URL names, or null when it is not exactly a photo URL. */
export function parsePhotoUrl(url: URL): { kind: PhotoKind; id: number; version: number | null } | null {
  const photo = PHOTO_PATH.exec(url.pathname);
  const query = PHOTO_QUERY.exec(url.search);
  if (!photo || !query) return null;
  return { kind: photo[1] as PhotoKind, id: Number(photo[2]), version: query[1] === undefined ? null : Number(query[1]) };
}

export function isPhotoPath(urlPath: string): boolean {
  return urlPath.startsWith('/photo/');
}

/** The bytes of a photo's file; a thumbnail or preview gone or damaged is made again, once (Note [Thumbnails made again] in library/thumbnails.ts). */
async function photoBytes(engine: EngineClient, { kind, id }: { kind: PhotoKind; id: number }): Promise<{ file: string; body: Buffer }> {
  const { path: file } = await engine.call('photos.file', { kind, id });
  if (kind === 'original') return { file, body: await readFile(file) };
  const body = await readFile(file).catch(() => null);
  if (body && isWholeWebp(body)) return { file, body };
  const { path: remade } = await engine.call('photos.file', { kind, id, remake: true });
  return { file: remade, body: await readFile(remade) };
}

/** Why a photo has nothing to show: no such photo, or its file gone, unreadable or undecodable; a 404, as for an unknown id. Anything else is a fault the caller says. */
const NOTHING_TO_SHOW = new Set(['not-found', 'image-unreadable', 'image-undecodable', 'ENOENT', 'EACCES']);

/** A photo's bytes, content type and cache-control, or null when the URL is not exactly a photo URL or the photo has nothing to show; rejects on any other failure (an engine stopped, a damaged library). */
export async function loadPhoto(engine: EngineClient, url: URL): Promise<{ body: Buffer; contentType: string; cacheControl: string } | null> {
  const photo = parsePhotoUrl(url);
  if (!photo) return null;
  try {
    const { file, body } = await photoBytes(engine, photo);
    return {
      body,
      contentType: IMAGE_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      // Only a versioned URL names the same picture for as long as it is kept (Note [Photo versions]).
      cacheControl: photo.version === null ? 'no-cache' : 'private, max-age=3600',
    };
  } catch (error) {
    if (NOTHING_TO_SHOW.has(codeOf(error) ?? '')) return null;
    throw error;
  }
}

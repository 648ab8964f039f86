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
 * that carries no versions until the renderer learns them (Note [Photo versions], in the
 * renderer, in renderer/src/lib/photo-versions.ts), is asked for again after a reload. The
 * query belongs to the exact pattern: `?v=` and an id, or nothing.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
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

/** A photo's bytes, content type and cache-control, or null when the URL is not exactly a photo URL or the engine knows no such photo. */
export async function loadPhoto(engine: EngineClient, url: URL): Promise<{ body: Buffer; contentType: string; cacheControl: string } | null> {
  const photo = parsePhotoUrl(url);
  if (!photo) return null;
  try {
    const { path: file } = await engine.call('photos.file', { kind: photo.kind, id: photo.id });
    return {
      body: await readFile(file),
      contentType: IMAGE_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      // Note [Photo versions]: only a versioned URL names the same picture for as long as it is kept.
      cacheControl: photo.version === null ? 'no-cache' : 'private, max-age=3600',
    };
  } catch {
    return null;
  }
}

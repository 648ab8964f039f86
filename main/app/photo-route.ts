/**
 * Photos on the app's own origin: `/photo/<thumbnail|preview|original>/<id>`, served by the app
 * protocol and by preview mode alike.
 *
 * Note [Photos by id]: the renderer names a photo only by its id; the engine maps the id to a
 * file it knows (a thumbnail, a preview it makes, or the indexed original). Anything but the
 * exact pattern is not a photo URL, so no path, `..` or encoded separator can reach a file.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EngineClient } from './handlers.js';

export type PhotoKind = 'thumbnail' | 'preview' | 'original';

const PHOTO_PATH = /^\/photo\/(thumbnail|preview|original)\/([1-9]\d{0,14})$/;

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

/** The photo a URL path names, or null when it is not exactly a photo URL. */
export function parsePhotoPath(urlPath: string): { kind: PhotoKind; id: number } | null {
  const match = PHOTO_PATH.exec(urlPath);
  return match ? { kind: match[1] as PhotoKind, id: Number(match[2]) } : null;
}

export function isPhotoPath(urlPath: string): boolean {
  return urlPath.startsWith('/photo/');
}

/** The bytes and content type of a photo, or null when the engine knows no such photo. */
export async function loadPhoto(engine: EngineClient, urlPath: string): Promise<{ body: Buffer; contentType: string } | null> {
  const photo = parsePhotoPath(urlPath);
  if (!photo) return null;
  try {
    const { path: file } = await engine.call('photos.file', photo);
    return { body: await readFile(file), contentType: IMAGE_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream' };
  } catch {
    return null;
  }
}

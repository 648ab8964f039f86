/**
 * Where a photo's image is served on the app's origin (main/app/photo-route.ts serves it), with
 * its version when the caller knows it (Note [Photo versions] there). Free of zod and Node: the
 * preload builds the app's photo URLs with it, and the renderer's preview mode its own.
 */
import type { PhotoImageKind } from './contract.js';

export function photoPath(photoId: number, kind: PhotoImageKind, version?: number): string {
  const path = `/photo/${kind}/${Math.trunc(photoId)}`;
  return version === undefined ? path : `${path}?v=${Math.trunc(version)}`;
}

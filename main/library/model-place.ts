import path from 'node:path';
import { isInside } from '../core/paths.js';

/*
 * Note [Models kept beside the library]: a model installed in the data folder is known by its
 * place in it (`models/<id>`), not by its whole path: a data folder copied (a backup, a new
 * drive) uses its own copy of the model, not the one in the folder it was copied from, which may
 * be deleted next. A model elsewhere is known by its whole path.
 */

/** How the library records the folder a model was loaded from. */
export function modelPlace(dataDir: string, modelDir: string): string {
  return isInside(modelDir, dataDir) ? path.relative(dataDir, modelDir) : modelDir;
}

/** The folder a recorded place names, for the data folder as it is now. */
export function modelFolderAt(dataDir: string, place: string): string {
  return path.resolve(dataDir, place);
}

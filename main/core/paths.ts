/**
 * Where the app keeps its own data. The CLI and the desktop app share one library, so this
 * mirrors Electron's `app.getPath('userData')` for the product name without importing Electron.
 */
import { accessSync, constants, statfsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const PRODUCT_NAME = 'Lumen';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env['LUMEN_DATA']) return path.resolve(env['LUMEN_DATA']);
  const home = os.homedir();
  if (platform === 'win32') return path.join(env['APPDATA'] ?? path.join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', PRODUCT_NAME);
  return path.join(env['XDG_CONFIG_HOME'] ?? path.join(home, '.config'), PRODUCT_NAME);
}

/** Whether `file` is `dir` or lies under it. */
export function isInside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

/** Whether nothing is at `file` (a typo, a file gone), as against something there this process may not reach. */
export function nothingAt(file: string): boolean {
  try {
    statSync(file);
    return false;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return code === 'ENOENT' || code === 'ENOTDIR';
  }
}

export function modelsDir(dataDir: string): string {
  return path.join(dataDir, 'models');
}

/** Model graphs derived from the installed ones (Note [Short graphs kept] in models/text-graphs.ts). */
export function graphsDir(dataDir: string): string {
  return path.join(dataDir, 'graphs');
}

/** Whether this process may create and change files in `dir` (false on read-only media). */
export function canWrite(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the disk holding `dir` has no room left: SQLite says only "disk I/O error" when a full
 * disk stops it opening a database (its shared-memory file cannot grow), so the space is asked.
 */
export function isOutOfSpace(dir: string): boolean {
  try {
    const { bavail, bsize } = statfsSync(dir);
    return bavail * bsize < 64 * 1024;
  } catch {
    return false;
  }
}

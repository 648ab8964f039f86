/**
 * Where the desktop app finds better-sqlite3 built for Electron.
 *
 * Note [Two ABIs]: better-sqlite3 is not N-API, so one addon cannot serve both Node (the tests,
 * the CLI) and Electron (the app). `npm install` keeps Node's build where npm put it and, in its
 * `postinstall` (and again before `npm start`, when missing), builds a second copy for the
 * installed Electron into `.cache/electron-sqlite/` with @electron/rebuild, working on a copy of
 * the package so Node's build is never touched (tools/build-electron-sqlite.ts). In development
 * the app hands that file to better-sqlite3 as its `nativeBinding`; packaged builds carry only
 * Electron's build (electron-builder rebuilds the addons for Electron) and use the default.
 * Without the Electron build the app says so and how to make it, instead of crashing.
 */
import path from 'node:path';

export const ELECTRON_SQLITE_DIR = path.join('.cache', 'electron-sqlite');

/** The Electron build of better-sqlite3 for `electronVersion`, under the project at `projectRoot`. */
export function electronSqliteBinding(projectRoot: string, electronVersion: string): string {
  return path.join(projectRoot, ELECTRON_SQLITE_DIR, `better_sqlite3-electron-${electronVersion}.node`);
}

export const MISSING_BINDING_MESSAGE =
  'The database module built for Electron is missing, so Lumen cannot open your library. ' +
  'Run `npm run rebuild:electron` in the project folder (it needs a network connection), then start Lumen again.';

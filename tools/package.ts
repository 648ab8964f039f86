/**
 * `npm run package`, after `electron-vite build`: electron-builder with `electron-builder.yml`
 * (its arguments passed on), and Node's builds of the native addons put back after it.
 *
 * Note [Packaging keeps Node's build]: electron-builder rebuilds the app's native addons for
 * Electron (`npmRebuild`: better-sqlite3 is not N-API, Note [Two ABIs] in
 * main/app/sqlite-binding.ts) where they are, in the project's own node_modules, the project
 * being the app's folder. Left so, Node's better-sqlite3 would be Electron's, and usearch would
 * have a build of its own in `build/`, which it then loads before its prebuilt one: the tests and
 * the CLI would fail to load them. So Node's files are kept aside first and put back after,
 * whether packaging succeeded or not.
 *
 *   tsx tools/package.ts [electron-builder arguments]
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Files a rebuild for Electron replaces, and folders it makes, under the project. */
const REPLACED = ['node_modules/better-sqlite3/build/Release/better_sqlite3.node'];
const MADE = ['node_modules/usearch/build'];

/** Runs `work` with the project's Node builds of its native addons put back after it (Note [Packaging keeps Node's build]). */
export async function keepingNodeBuilds<T>(root: string, work: () => Promise<T>): Promise<T> {
  const aside = await mkdtemp(path.join(os.tmpdir(), 'lumen-node-builds-'));
  const kept = REPLACED.filter((file) => existsSync(path.join(root, file)));
  const absent = MADE.filter((folder) => !existsSync(path.join(root, folder)));
  try {
    for (const [i, file] of kept.entries()) await copyFile(path.join(root, file), path.join(aside, String(i)));
    return await work();
  } finally {
    for (const [i, file] of kept.entries()) await copyFile(path.join(aside, String(i)), path.join(root, file));
    for (const folder of absent) await rm(path.join(root, folder), { recursive: true, force: true });
    await rm(aside, { recursive: true, force: true });
  }
}

function electronBuilder(root: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'electron-builder.cmd' : 'electron-builder'), args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  process.exitCode = await keepingNodeBuilds(root, () => electronBuilder(root, process.argv.slice(2)));
}

/**
 * Whether preview mode must build the renderer before serving it.
 *
 * Note [Fresh preview]: preview mode serves `out/renderer`, which `electron-vite build` and
 * earlier previews leave behind. Served as found, an edit to a component or to the contract
 * did not show until someone remembered `--rebuild`; so the build counts as stale when any file
 * it is made from (the renderer, the contract and the search options it imports, the Vite
 * config) changed after its index.html was written.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * What the renderer's build is made from, relative to the project's root: the renderer, what it
 * imports from outside it (a test checks that each such import is listed), and the Vite config.
 */
export const RENDERER_SOURCES = [
  'renderer',
  'preload',
  path.join('main', 'core', 'control-character.ts'),
  path.join('main', 'core', 'lru.ts'),
  path.join('main', 'library', 'photo-kinds.ts'),
  path.join('main', 'duplicates', 'threshold.ts'),
  path.join('main', 'search', 'date-bounds.ts'),
  path.join('main', 'search', 'cut-short.ts'),
  path.join('main', 'search', 'options.ts'),
  path.join('main', 'search', 'page-limit.ts'),
  path.join('main', 'tags', 'album-rules.ts'),
  path.join('main', 'tags', 'refine-rules.ts'),
  path.join('main', 'tags', 'vocabulary-rules.ts'),
  path.join('main', 'tags', 'xml-check.ts'),
  'electron.vite.config.ts',
];

/** The latest modification time (ms) of `entry` and, for a folder, of every file under it; 0 if absent. */
function newestChange(entry: string): number {
  const stats = statSync(entry, { throwIfNoEntry: false });
  if (!stats) return 0;
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const name of readdirSync(entry, { recursive: true, encoding: 'utf8' })) {
    newest = Math.max(newest, statSync(path.join(entry, name), { throwIfNoEntry: false })?.mtimeMs ?? 0);
  }
  return newest;
}

/** Whether `outDir` holds no build, or one older than a source under `root`. */
export function rendererBuildIsStale(root: string, outDir: string): boolean {
  const built = statSync(path.join(outDir, 'index.html'), { throwIfNoEntry: false });
  if (!built) return true;
  return RENDERER_SOURCES.some((source) => newestChange(path.join(root, source)) > built.mtimeMs);
}

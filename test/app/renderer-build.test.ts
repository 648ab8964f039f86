import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RENDERER_SOURCES, rendererBuildIsStale } from '../../main/app/renderer-build.js';
import { ROOT, tempDir } from '../helpers/fixtures.js';

describe('preview mode builds the renderer when its build is missing or stale (Note [Fresh preview])', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  const at = (seconds: number) => new Date(1_700_000_000_000 + seconds * 1000);
  async function touch(file: string, seconds: number): Promise<void> {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, '');
    await utimes(file, at(seconds), at(seconds));
  }
  beforeAll(async () => {
    scratch = await tempDir();
  });
  afterAll(() => scratch.cleanup());

  it('is stale with no build, fresh after one, stale again after any source changes', async () => {
    const root = scratch.dir;
    const out = path.join(root, 'out', 'renderer');
    await touch(path.join(root, 'renderer', 'src', 'views', 'LibraryView.svelte'), 10);
    await touch(path.join(root, 'preload', 'contract.ts'), 10);
    await touch(path.join(root, 'main', 'search', 'options.ts'), 10);
    await touch(path.join(root, 'electron.vite.config.ts'), 10);
    for (const dir of ['renderer', path.join('renderer', 'src'), path.join('renderer', 'src', 'views'), 'preload']) await utimes(path.join(root, dir), at(10), at(10));
    expect(rendererBuildIsStale(root, out)).toBe(true);

    await touch(path.join(out, 'index.html'), 20);
    expect(rendererBuildIsStale(root, out)).toBe(false);
    // Code the renderer does not use may change without a build.
    await touch(path.join(root, 'main', 'search', 'search.ts'), 30);
    expect(rendererBuildIsStale(root, out)).toBe(false);

    for (const source of [path.join('renderer', 'src', 'views', 'LibraryView.svelte'), path.join('preload', 'contract.ts'), path.join('main', 'search', 'options.ts'), 'electron.vite.config.ts']) {
      await touch(path.join(root, source), 30);
      expect(rendererBuildIsStale(root, out), source).toBe(true);
      await touch(path.join(root, source), 10);
    }
    // A new file in a folder is a change too.
    await touch(path.join(root, 'renderer', 'src', 'views', 'NewView.svelte'), 30);
    expect(rendererBuildIsStale(root, out)).toBe(true);
  });

  it('lists every file outside renderer/ that the renderer imports, and what those import', async () => {
    const covered = (file: string) => RENDERER_SOURCES.some((source) => file === path.join(ROOT, source) || file.startsWith(`${path.join(ROOT, source)}${path.sep}`));
    const pending = (await readdir(path.join(ROOT, 'renderer', 'src'), { recursive: true })).filter((name) => /\.(ts|svelte)$/.test(name)).map((name) => path.join(ROOT, 'renderer', 'src', name));
    const outside: string[] = [];
    for (const seen = new Set<string>(); pending.length > 0; ) {
      const file = pending.pop() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const [, specifier] of (await readFile(file, 'utf8')).matchAll(/from '(\.[^']+)'/g)) {
        const imported = path.resolve(path.dirname(file), (specifier as string).replace(/\.js$/, '.ts'));
        if (imported.startsWith(path.join(ROOT, 'renderer') + path.sep)) continue;
        outside.push(imported);
        pending.push(imported);
      }
    }
    expect(outside.length).toBeGreaterThan(0);
    expect(outside.filter((file) => !covered(file))).toEqual([]);
  });
});

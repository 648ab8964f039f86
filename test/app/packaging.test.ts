/** Note [Packaging keeps Node's build] in tools/package.ts: packaging leaves the project's Node builds of its native addons as they were. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keepingNodeBuilds } from '../../tools/package.js';
import { tempDir } from '../helpers/fixtures.js';

const SQLITE = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
const USEARCH_BUILD = 'node_modules/usearch/build';

/** What electron-builder's rebuild for Electron does to the project's node_modules. */
async function rebuildForElectron(root: string): Promise<void> {
  await writeFile(path.join(root, SQLITE), 'electron build');
  await mkdir(path.join(root, USEARCH_BUILD, 'Release'), { recursive: true });
  await writeFile(path.join(root, USEARCH_BUILD, 'Release', 'usearch.node'), 'compiled from source');
}

describe('packaging', () => {
  it('puts Node’s builds back after packaging, whether it succeeded or failed', async () => {
    for (const outcome of ['succeeds', 'fails'] as const) {
      const { dir: root, cleanup } = await tempDir();
      await mkdir(path.dirname(path.join(root, SQLITE)), { recursive: true });
      await mkdir(path.join(root, 'node_modules', 'usearch', 'prebuilds'), { recursive: true });
      await writeFile(path.join(root, SQLITE), 'node build');
      const packaging = keepingNodeBuilds(root, async () => {
        await rebuildForElectron(root);
        if (outcome === 'fails') throw new Error('electron-builder failed');
        return 0;
      });
      if (outcome === 'fails') await expect(packaging).rejects.toThrow('electron-builder failed');
      else expect(await packaging).toBe(0);
      expect(await readFile(path.join(root, SQLITE), 'utf8')).toBe('node build');
      expect(existsSync(path.join(root, USEARCH_BUILD))).toBe(false);
      expect(existsSync(path.join(root, 'node_modules', 'usearch', 'prebuilds'))).toBe(true);
      await cleanup();
    }
  });
});

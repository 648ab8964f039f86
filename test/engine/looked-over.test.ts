/**
 * Note [Looked over where not watched] in main/library/watcher.ts, through the Engine as the app
 * runs it: a library folder on a network share is looked over rather than watched, and the
 * library's status says so under the folder (the window is told to read it again as it happens:
 * the watcher's `onLookedOver`, in watcher-recorded.test.ts).
 * `statfs` is a stand-in: the folder's file system is NFS.
 */
import path from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { Engine } from '../../main/engine/engine.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

const shares = vi.hoisted(() => new Set<string>());
vi.mock('node:fs/promises', async (original) => {
  const fs = await original<typeof import('node:fs/promises')>();
  const statfs = async (dir: string) => ({ ...(await fs.statfs(dir)), type: shares.has(dir) ? 0x6969 : 0xef53 });
  return { ...fs, statfs, default: { ...fs, statfs } };
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  shares.clear();
});

it.runIf(process.platform === 'linux')('says under a folder on a network share that it is looked over, and why; a folder watched says nothing', async () => {
  const scratch = await tempDir();
  cleanups.push(scratch.cleanup);
  const [share, local] = ['Share', 'Local'].map((name) => path.join(scratch.dir, name)) as [string, string];
  const photos = await fixturePhotos();
  await copyPhotos(photos.slice(0, 1), share);
  await copyPhotos(photos.slice(1, 2), local);
  shares.add(share);
  const engine = new Engine({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL, provider: 'cpu', watch: true });
  cleanups.push(() => engine.dispose());
  await (await engine.addFolders([share, local])).indexing.done;
  const lookedOver = async () => new Map((await engine.status()).library?.folders.map((folder) => [folder.path, folder.lookedOver]));
  await expect.poll(async () => (await lookedOver()).get(share), { timeout: 10_000 }).toMatch(/^Not every folder here can be watched for changes: it is on a network share, whose changes made elsewhere are not reported\. Lumen looks here for new photos every 10 minutes instead\.$/);
  expect((await lookedOver()).get(local)).toBeNull();
});

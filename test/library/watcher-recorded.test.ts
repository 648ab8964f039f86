/**
 * What the folder watcher does with what the system gives it, played exactly: `fs.watch` and
 * `statfs` are recorded and answered here. Note [A watch per folder] on macOS and Windows: one
 * recursive watch of each library folder, whose reports (paths below it) are taken as its
 * folders' own watches would give them. Note [Looked over where not watched]: a library folder
 * not wholly watched, or on a network share, is reported changed at intervals instead.
 */
import type { FSWatcher, WatchListener } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WantedScope } from '../../main/library/scope.js';
import { FolderWatcher } from '../../main/library/watcher.js';
import { tempDir } from '../helpers/fixtures.js';

const watches = vi.hoisted(() => [] as Array<{ dir: string; recursive: boolean; listener: WatchListener<string> }>);
/** Folders whose watch fails, with the error's code; folders on a network file system (NFS). */
const system = vi.hoisted(() => ({ failing: new Map<string, string>(), network: new Set<string>(), walked: [] as string[] }));
vi.mock('node:fs', async (original) => {
  const fs = await original<typeof import('node:fs')>();
  const { EventEmitter } = await import('node:events');
  const watch = (dir: string, options: { recursive?: boolean }, listener: WatchListener<string>): FSWatcher => {
    const code = system.failing.get(dir);
    if (code) throw Object.assign(new Error(`${code}: cannot watch`), { code });
    watches.push({ dir, recursive: options.recursive === true, listener });
    return Object.assign(new EventEmitter(), { close: () => {}, ref: () => {}, unref: () => {} }) as unknown as FSWatcher;
  };
  return { ...fs, watch, default: { ...fs, watch } };
});
vi.mock('node:fs/promises', async (original) => {
  const fs = await original<typeof import('node:fs/promises')>();
  const statfs = async (dir: string) => ({ ...(await fs.statfs(dir)), type: system.network.has(dir) ? 0x6969 : 0xef53 });
  const opendir = (dir: string) => {
    system.walked.push(dir);
    return fs.opendir(dir);
  };
  return { ...fs, statfs, opendir, default: { ...fs, statfs, opendir } };
});

describe('the folder watcher, on what the system reports', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let photos: string;
  let changes: WantedScope[];
  let logged: string[];
  let lookedOverSaid = 0;
  let watcher: FolderWatcher | null = null;
  const start = async (recursive: boolean, sweepMs = 60_000) => {
    watcher = new FolderWatcher((changed) => changes.push(changed), (message) => logged.push(message), path.join(photos, 'data'), { quietMs: 20, recheckMs: 50, sweepMs, recursive, onLookedOver: () => lookedOverSaid++ });
    watcher.sync([{ id: 7, path: photos, excludes: ['**/Private/**'] }]);
    await vi.waitFor(() => expect(watches.length).toBeGreaterThan(0));
    // The walk for links goes on after the first watch.
    await new Promise((resolve) => setTimeout(resolve, 200));
  };

  beforeEach(async () => {
    scratch = await tempDir();
    photos = path.join(scratch.dir, 'Photos');
    for (const dir of ['2024/Summer', '2024/Private', '.hidden', 'data']) await mkdir(path.join(photos, dir), { recursive: true });
    watches.length = 0;
    system.failing.clear();
    system.network.clear();
    system.walked.length = 0;
    changes = [];
    logged = [];
  });
  afterEach(async () => {
    watcher?.close();
    await scratch.cleanup();
  });

  it('holds one watch where a watch per folder holds one for each folder the walk enters', async () => {
    await start(true);
    expect(watches.map(({ dir, recursive }) => ({ dir, recursive }))).toEqual([{ dir: photos, recursive: true }]);
    watcher?.close();
    watches.length = 0;
    await start(false);
    expect(watches.map(({ dir }) => dir).sort()).toEqual([photos, path.join(photos, '2024'), path.join(photos, '2024', 'Summer')]);
  });

  it('reports the folder a path below it changed in, never what the walk leaves out, its own data, or the folder above', async () => {
    await start(true);
    const [{ listener }] = watches as [(typeof watches)[number]];
    const reported = async (name: string | null) => {
      listener('rename', name as string);
      await new Promise((resolve) => setTimeout(resolve, 250));
      return changes.splice(0).map((changed) => (changed === 'everything' ? changed : Object.fromEntries(changed)));
    };
    expect(await reported(path.join('2024', 'Summer', 'beach.jpg'))).toEqual([{ 7: [path.join(photos, '2024', 'Summer')] }]);
    expect(await reported(path.join('2024', 'Private', 'a.jpg'))).toEqual([]);
    expect(await reported(path.join('.hidden', 'b.jpg'))).toEqual([]);
    expect(await reported(path.join('data', 'thumbs', 'c.jpg'))).toEqual([]);
    expect(await reported(path.join('2024', 'Summer', 'notes.txt'))).toEqual([]);
    // The library folder itself (renamed, made again): what it holds is looked at.
    expect(await reported('')).toEqual([{ 7: [photos] }]);
    expect(await reported(null)).toEqual([{ 7: [photos] }]);
    // A folder changed (Windows says so of every file written in it) is not walked again for links; one made or moved in is.
    system.walked.length = 0;
    listener('change', '2024');
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(system.walked).toEqual([]);
    listener('rename', '2024');
    await vi.waitFor(() => expect(system.walked).toContain(path.join(photos, '2024')));
  });

  it.each([false, true])('watches a library folder whose watch failed once a watch of it works, reports it changed, and says so once (Note [Folders that come back]); recursive: %s', async (recursive) => {
    // Unreadable when watching began (chmod 000, which these tests, run as root, could not feel), made readable later: the same folder.
    system.failing.set(photos, 'EACCES');
    watcher = new FolderWatcher((changed) => changes.push(changed), (message) => logged.push(message), path.join(photos, 'data'), { quietMs: 20, recheckMs: 50, recursive });
    watcher.sync([{ id: 7, path: photos, excludes: [] }]);
    await vi.waitFor(() => expect(logged).toHaveLength(1));
    // Tried again, and said no more.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect([logged, watches, changes]).toEqual([[expect.stringMatching(/^Cannot watch .*Photos for changes \(EACCES: cannot watch\)/)], [], []]);
    system.failing.clear();
    await vi.waitFor(() => expect(watches.map(({ dir }) => dir)).toContain(photos), { timeout: 3000 });
    await vi.waitFor(() => expect(changes).toEqual([new Map([[7, [photos]]])]));
    // A photo copied in now is reported.
    changes = [];
    watches.find(({ dir }) => dir === photos)?.listener('rename', 'new.jpg');
    await vi.waitFor(() => expect(changes).toEqual([new Map([[7, [photos]]])]));
    expect(logged).toHaveLength(1);
  });

  it('looks a library folder over at intervals once the system runs out of watches in it, and says why', async () => {
    system.failing.set(path.join(photos, '2024', 'Summer'), 'ENOSPC');
    lookedOverSaid = 0;
    await start(false, 150);
    expect(logged).toEqual([expect.stringMatching(/^Not every folder of .*Photos can be watched for changes: the system's limit of watched folders is reached \(raise fs\.inotify\.max_user_watches to watch them all\)\. Lumen looks there for new photos every/)]);
    // Said under the folder in Settings too, once the app is told.
    expect(watcher?.lookedOver(7)).toBe("Not every folder here can be watched for changes: the system's limit of watched folders is reached (raise fs.inotify.max_user_watches to watch them all). Lumen looks here for new photos every minute instead.");
    expect(lookedOverSaid).toBe(1);
    await vi.waitFor(() => expect(changes.length).toBeGreaterThanOrEqual(2), { timeout: 3000 });
    expect(new Set(changes.map((changed) => JSON.stringify(changed === 'everything' ? changed : [...changed])))).toEqual(new Set([JSON.stringify([[7, [photos]]])]));
  });

  // Network shares are told by Linux's file system types only.
  it.runIf(process.platform === 'linux')('looks a library folder on a network share over at intervals, and one wholly watched never', async () => {
    system.network.add(photos);
    await start(true, 150);
    expect(logged).toEqual([`Not every folder of ${photos} can be watched for changes: it is on a network share, whose changes made elsewhere are not reported. Lumen looks there for new photos every minute instead.`]);
    expect(watcher?.lookedOver(7)).toBe('Not every folder here can be watched for changes: it is on a network share, whose changes made elsewhere are not reported. Lumen looks here for new photos every minute instead.');
    await vi.waitFor(() => expect(changes.length).toBeGreaterThanOrEqual(2), { timeout: 3000 });
    // Another folder there now (a drive mounted in its place), on a local disk: watched again, and the app is told.
    lookedOverSaid = 0;
    system.network.clear();
    await rm(photos, { recursive: true });
    await mkdir(photos);
    await vi.waitFor(() => expect([watcher?.lookedOver(7), lookedOverSaid]).toEqual([null, 1]), { timeout: 3000 });
    watcher?.close();
    system.network.clear();
    changes = [];
    await start(true, 150);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect([changes, logged.slice(1), watcher?.lookedOver(7)]).toEqual([[], [], null]);
  });
});

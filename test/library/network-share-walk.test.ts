/**
 * Note [Stats on a network share] in main/library/scan.ts: on a network share a walk stats files
 * with the promise API, so a stat the share does not answer holds the walk, not the engine's
 * thread; on a local disk it stats them synchronously, which is faster. `statfs` (which file
 * system a folder is on) and the stats are stand-ins here: a share, and its server's answers.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { scanFolder, type ScanProblem, type ScannedFile } from '../../main/library/scan.js';
import { walkStarts } from '../../main/library/scope.js';
import { tempDir } from '../helpers/fixtures.js';

/** Folders on a network share (NFS); paths whose stat waits until let go, or fails with a code; paths stat'd synchronously. */
const share = vi.hoisted(() => ({ network: new Set<string>(), waiting: new Set<string>(), letGo: new Map<string, () => void>(), failing: new Map<string, string>(), statSynced: [] as string[] }));
vi.mock('node:fs/promises', async (original) => {
  const fs = await original<typeof import('node:fs/promises')>();
  const statfs = async (dir: string) => ({ ...(await fs.statfs(dir)), type: share.network.has(dir) ? 0x6969 : 0xef53 });
  const stat = (async (file: string, options?: object) => {
    const code = share.failing.get(String(file));
    if (code) throw Object.assign(new Error(`${code}: stat '${String(file)}'`), { code });
    if (share.waiting.has(String(file))) await new Promise<void>((resolve) => share.letGo.set(String(file), resolve));
    return fs.stat(file, options);
  }) as typeof fs.stat;
  return { ...fs, statfs, stat, default: { ...fs, statfs, stat } };
});
vi.mock('node:fs', async (original) => {
  const fs = await original<typeof import('node:fs')>();
  const statSync = ((file: string, options?: object) => {
    share.statSynced.push(String(file));
    return fs.statSync(file, options);
  }) as typeof fs.statSync;
  return { ...fs, statSync, default: { ...fs, statSync } };
});

describe('a walk of a folder on a network share', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let photos: string;
  const at = (...parts: string[]) => path.join(photos, ...parts);

  beforeEach(async () => {
    scratch = await tempDir();
    photos = path.join(scratch.dir, 'Photos');
    await mkdir(at('2024'), { recursive: true });
    for (const name of ['a.jpg', 'b.jpg', 'c.jpg']) await writeFile(at('2024', name), name);
    share.network.add(photos);
  });
  afterEach(async () => {
    for (const letGo of share.letGo.values()) letGo();
    for (const set of [share.network, share.waiting, share.letGo, share.failing]) set.clear();
    share.statSynced.length = 0;
    await scratch.cleanup();
  });

  async function walk(problems: ScanProblem[] = []): Promise<string[]> {
    const found: ScannedFile[] = [];
    for await (const file of scanFolder(photos, { onProblem: (problem) => problems.push(problem) })) found.push(file);
    return found.map((file) => path.basename(file.path)).sort();
  }

  it('leaves the engine free while the share does not answer a stat, and goes on once it does', async () => {
    share.waiting.add(at('2024', 'b.jpg'));
    let walked = false;
    const walking = walk().finally(() => (walked = true));
    await vi.waitFor(() => expect(share.letGo.has(at('2024', 'b.jpg'))).toBe(true));
    // Timers still fire: the thread is free, the walk waits.
    await sleep(50);
    expect(walked).toBe(false);
    share.letGo.get(at('2024', 'b.jpg'))?.();
    expect(await walking).toEqual(['a.jpg', 'b.jpg', 'c.jpg']);
    expect(share.statSynced.filter((file) => file.startsWith(photos))).toEqual([]);
  });

  it('lists a file the share cannot stat, and leaves out silently one gone since its folder was listed', async () => {
    share.failing.set(at('2024', 'a.jpg'), 'EIO');
    share.failing.set(at('2024', 'b.jpg'), 'ENOENT');
    const problems: ScanProblem[] = [];
    expect(await walk(problems)).toEqual(['c.jpg']);
    expect(problems).toEqual([{ path: at('2024', 'a.jpg'), reason: 'unreadable', message: 'a.jpg could not be read: the disk reported a read error (EIO).', unwalked: at('2024', 'a.jpg') }]);
  });

  it('starts a re-scan of a changed folder without holding the engine while the share does not answer', async () => {
    share.waiting.add(at('2024'));
    let started = false;
    const starting = walkStarts(photos, [at('2024')]).finally(() => (started = true));
    await vi.waitFor(() => expect(share.letGo.has(at('2024'))).toBe(true));
    await sleep(50);
    expect(started).toBe(false);
    share.letGo.get(at('2024'))?.();
    expect(await starting).toEqual([at('2024')]);
  });

  it('stats synchronously on a local disk, which is faster', async () => {
    share.network.clear();
    expect(await walk()).toEqual(['a.jpg', 'b.jpg', 'c.jpg']);
    expect(share.statSynced.filter((file) => file.startsWith(photos)).sort()).toEqual(['a.jpg', 'b.jpg', 'c.jpg'].map((name) => at('2024', name)));
  });
});

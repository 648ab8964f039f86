/**
 * `lumen status` while another process indexes the same library (Note [One writer] in
 * main/storage/writer-lock.ts): what is left to index is not known to a reader then, so status
 * says who is indexing rather than "0 to do".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli-main.js';
import { Storage } from '../../main/storage/storage.js';
import { IMMICH_MODEL, ROOT, tempDir } from '../helpers/fixtures.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';

/** Another process holding the writer lock as `lumen index` does while it indexes. */
async function indexingElsewhere(data: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'helpers', 'hold-writer-lock.ts'), data, '`lumen index`'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const [said] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  expect(said.toString()).toBe('held\n');
  return child;
}

describe('status beside an index run in another process', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let data: string;
  const model = ['--model', IMMICH_MODEL, '--provider', 'cpu'];

  beforeAll(async () => {
    scratch = await tempDir();
    data = path.join(scratch.dir, 'data');
    const folder = path.join(scratch.dir, 'Photos');
    await copyPhotos((await fixturePhotos()).slice(0, 4), folder);
    expect((await cli('index', folder, '--data', data, ...model)).code).toBe(0);
  });
  afterAll(() => scratch.cleanup());

  it('says that another process is indexing instead of "0 to do", and says "0 to do" again once it has gone', async () => {
    const child = await indexingElsewhere(data);
    try {
      const text = await cli('status', '--data', data, ...model);
      expect(text.code).toBe(0);
      expect(text.stdout).not.toMatch(/\b0 to do\b/);
      expect(text.stdout).toMatch(new RegExp(`^Indexing: +\`lumen index\` \\(pid ${child.pid}\\) is indexing this library`, 'm'));
      expect(text.stdout).toMatch(/tiny-clip-immich: 4 embedded so far, the rest not counted until that run ends/);
      const json = JSON.parse((await cli('status', '--data', data, ...model, '--json')).stdout);
      expect(json.writer).toMatchObject({ pid: child.pid, holder: '`lumen index`', doing: 'indexing' });
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    const after = await cli('status', '--data', data, ...model);
    expect(after.stdout).toMatch(/tiny-clip-immich: 4 embedded, 0 to do \(serving searches\)/);
    expect(after.stdout).not.toMatch(/^Indexing:/m);
    expect(JSON.parse((await cli('status', '--data', data, ...model, '--json')).stdout).writer).toBeNull();
  });

  it('says the last index run did not finish, instead of "0 to do", until a run does', async () => {
    // As a run stopped by Ctrl-C or a kill leaves it.
    const storage = Storage.open(data);
    storage.library.markIndexRun('unfinished');
    storage.close();
    const text = await cli('status', '--data', data, ...model);
    expect(text.stdout).toMatch(/tiny-clip-immich: 4 embedded; the last index run did not finish, so what it had not reached is not counted \(`lumen index` goes on\)/);
    expect(text.stdout).not.toMatch(/\b0 to do\b/);
    expect(JSON.parse((await cli('status', '--data', data, ...model, '--json')).stdout).library.unfinishedRun).toBe(true);
    expect((await cli('index', '--data', data, ...model)).code).toBe(0);
    expect((await cli('status', '--data', data, ...model)).stdout).toMatch(/tiny-clip-immich: 4 embedded, 0 to do/);
  });

  it('says when the backup of what only the person made was last made, and that there is none before the first', async () => {
    const said = await cli('status', '--data', data, ...model, '--json');
    const at = JSON.parse(said.stdout).library.lastBackupAt as number;
    expect(Date.now() - at).toBeLessThan(60 * 60 * 1000);
    expect((await cli('status', '--data', data, ...model)).stdout).toMatch(new RegExp(`^Backup: +made ${escaped(new Date(at).toLocaleString())}$`, 'm'));
    const backups = path.join(data, 'backups');
    await rename(backups, `${backups}-aside`);
    try {
      expect((await cli('status', '--data', data, ...model)).stdout).toMatch(/^Backup: +none yet \(one is made after an index run, once a day\)$/m);
    } finally {
      await rename(`${backups}-aside`, backups);
    }
  });

  it('says a search index a killed run left unsaved is out of date, not "rebuilding" with nothing running, until a run saves it', async () => {
    // A run killed before it saved the index leaves files the library has moved past: here, no sidecar at all.
    await rm(path.join(data, 'index', 'tiny-clip-immich.usearch.json'));
    for (const argv of [['status'], ['search', 'a photo of a star.']]) expect((await cli(...argv, '--data', data, ...model)).code).toBe(0);
    expect((await cli('status', '--data', data, ...model)).stdout).toMatch(/^Index: +out of date: each search rebuilds it in memory until `lumen index` \(or the app\) saves it rebuilt, 4 of 4 vectors$/m);
    expect((await cli('index', '--data', data, ...model)).code).toBe(0);
    expect((await cli('status', '--data', data, ...model)).stdout).toMatch(/^Index: +ready, 4 of 4 vectors$/m);
  });
});

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

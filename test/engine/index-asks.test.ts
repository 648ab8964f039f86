/** What the index job's passes take of what was asked (main/engine/index-asks.ts). */
import { describe, expect, it } from 'vitest';
import { IndexAsks } from '../../main/engine/index-asks.js';
import type { FolderRow } from '../../main/storage/library-store.js';

const folder = (id: number): FolderRow => ({ id, path: `/photos/${id}`, excludes: [] }) as unknown as FolderRow;

describe('what is asked of the index job', () => {
  it('is taken whole by a pass, the folders asked for joined, and nothing waits after it', () => {
    const asks = new IndexAsks();
    expect(asks.waiting).toBe(false);
    asks.ask(new Map([[1, ['/photos/1/a']]]), { byPerson: false });
    asks.ask(new Map([[1, ['/photos/1/b']], [2, ['/photos/2']]]), { byPerson: false, retryFailed: true, newFolders: [folder(2)] });
    expect(asks.waiting).toBe(true);
    expect(asks.askedByPerson).toBe(false);
    const pass = asks.take();
    expect(pass).toEqual({ scope: new Map([[1, ['/photos/1/a', '/photos/1/b']], [2, ['/photos/2']]]), retryFailed: true, byPerson: false, newFolders: [folder(2)] });
    expect(asks.waiting).toBe(false);
    expect(asks.take()).toEqual({ scope: 'everything', retryFailed: false, byPerson: false, newFolders: [] });
  });

  it('is the whole library once any ask is, and a person’s once a person asks', () => {
    const asks = new IndexAsks();
    asks.ask(new Map([[1, ['/photos/1']]]), { byPerson: false });
    asks.ask('everything', { byPerson: true });
    expect(asks.askedByPerson).toBe(true);
    expect(asks.take()).toMatchObject({ scope: 'everything', byPerson: true });
  });

  it('keeps what a failed pass was to do, beside what was asked meanwhile, and its new folders first', () => {
    const asks = new IndexAsks();
    asks.ask(new Map([[1, ['/photos/1']]]), { byPerson: true, newFolders: [folder(1)] });
    const failed = asks.take();
    asks.ask(new Map([[2, ['/photos/2']]]), { byPerson: false, newFolders: [folder(2)] });
    asks.giveBack(failed);
    asks.keepNew(failed.newFolders);
    expect(asks.take()).toEqual({ scope: new Map([[2, ['/photos/2']], [1, ['/photos/1']]]), retryFailed: false, byPerson: true, newFolders: [folder(1), folder(2)] });
  });

  it('gives up its new folders to be taken out', () => {
    const asks = new IndexAsks();
    asks.ask('everything', { byPerson: true, newFolders: [folder(3)] });
    expect(asks.takeNew()).toEqual([folder(3)]);
    expect(asks.take().newFolders).toEqual([]);
  });
});

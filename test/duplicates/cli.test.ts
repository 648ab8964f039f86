/**
 * `duplicates` from the command line: the exact JSON shape scripts rely on, the listing a person
 * reads, and the exit status of each kind of mistake. Nothing is ever moved.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli-main.js';
import { writeCopies } from '../helpers/duplicate-sets.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';

const MODEL = ['--model', IMMICH_MODEL, '--provider', 'cpu'];

describe('duplicates from the command line', () => {
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  let photos: string;
  let data: string;
  let expected: string[][];

  beforeAll(async () => {
    scratch = await tempDir();
    photos = path.join(scratch.dir, 'Photos');
    data = path.join(scratch.dir, 'data');
    expected = (await writeCopies(photos, 2)).groups;
    expect((await cli('index', photos, '--data', data, ...MODEL)).code).toBe(0);
  });
  afterAll(() => scratch.cleanup());

  it('prints exactly {"groups": [{"keep", "reason", "paths", "joinedThroughOthers"}]} with --json, the copy to keep first', async () => {
    const before = await readdir(photos);
    const result = await cli('duplicates', '--data', data, ...MODEL, '--json');
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as { groups: Array<Record<string, unknown>> };
    expect(Object.keys(parsed)).toEqual(['groups']);
    expect(parsed.groups.map((group) => Object.keys(group))).toEqual([
      ['keep', 'reason', 'paths', 'joinedThroughOthers'],
      ['keep', 'reason', 'paths', 'joinedThroughOthers'],
    ]);
    expect(parsed.groups.map((group) => group['joinedThroughOthers'])).toEqual([[], []]);
    for (const group of parsed.groups) {
      expect((group['paths'] as string[])[0]).toBe(group['keep']);
      expect(path.basename(group['keep'] as string)).toMatch(/-original\.jpg$/);
      expect(group['reason']).toEqual(expect.any(String));
    }
    expect(parsed.groups.map((group) => [...(group['paths'] as string[])].sort()).sort()).toEqual([...expected].sort());
    expect(await readdir(photos)).toEqual(before);
  });

  it('lists the groups for a person, with the copy to keep and why', async () => {
    const result = await cli('duplicates', '--data', data, ...MODEL, '--threshold', '0.75');
    expect(result.code).toBe(0);
    const circle = expected.find((group) => group[0]?.includes('circle')) as string[];
    expect(result.stdout).toContain(`  keep  ${path.join(photos, 'circle-original.jpg')}\n        why: `);
    for (const file of circle) expect(result.stdout).toContain(file);
    expect(result.stdout).toMatch(/^Group 1 \(3 copies, likeness \d\.\d\d\):$/m);
    expect(result.stdout).toMatch(/^2 groups of near-duplicates, 4 copies besides the ones to keep, among 9 photos \(threshold 0\.75, tiny-clip-immich\)\. Nothing was moved;/m);
    expect(result.stderr).not.toMatch(/error/i);
  });

  it('exits with 2 and one line for a threshold off the scale or a data folder without a library', async () => {
    for (const threshold of ['3', 'strict']) {
      const bad = await cli('duplicates', '--data', data, ...MODEL, '--threshold', threshold);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^lumen duplicates: --threshold takes a number from -1 to 2, not ".*"\.\n$/);
    }
    expect(await cli('duplicates', '--data', data, ...MODEL, '--threshold', '')).toMatchObject({ code: 2, stderr: 'lumen duplicates: --threshold is empty (an unset shell variable?): give --threshold T, or leave it out.\n' });
    const empty = await cli('duplicates', '--data', path.join(scratch.dir, 'nothing'), ...MODEL, '--json');
    expect(empty.code).toBe(2);
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toMatch(/^lumen duplicates: There is no library in .* yet\. Add a folder of photos first/);
  });
});

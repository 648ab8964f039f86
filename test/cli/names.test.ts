/**
 * Names with a newline (legal on Linux) or another control character in the CLI's text output:
 * one path, one line, written as the shell's $'…' quoting (Note [One path, one line] in
 * main/cli/common.ts); --json keeps every name exact.
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneLine, shownPath } from '../../main/cli/common.js';
import { cli } from '../helpers/cli-main.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { fixturePhotos } from '../helpers/library.js';

/** What bash makes of `shown` as one word. */
function bashReads(shown: string): string {
  return execFileSync('bash', ['-c', `printf '%s' ${shown}`], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } });
}

const lines = (text: string) => text.replace(/\n$/, '').split('\n');

describe('names with control characters', () => {
  it('writes a name with a control character as $\'…\', which the shell reads back exactly, and any other name as it is', () => {
    for (const name of ['/photos/plain name.jpg', "/photos/it's.jpg", '/photos/back\\slash.jpg', '/photos/caf\\xE9.jpg', '/photos/été ☀.jpg']) expect(shownPath(name)).toBe(name);
    const nasty = ['/photos/two\nlines.jpg', "/photos/tab\tand 'quotes'.jpg", '/photos/\x1b[31mred.jpg', '/photos/next line\u0085.jpg', '/photos/del\x7f and \\x41.jpg', '/photos/cr\r\n', '/photos/\x01a'];
    for (const name of nasty) {
      const shown = shownPath(name);
      expect(shown).toMatch(/^\$'.*'$/);
      expect([...shown].every((char) => char.charCodeAt(0) >= 0x20 && (char.charCodeAt(0) < 0x7f || char.charCodeAt(0) >= 0xa0))).toBe(true);
      expect(bashReads(shown)).toBe(name);
    }
    expect(oneLine('two\nlines.jpg is not an image.')).toBe('two\\nlines.jpg is not an image.');
  });

  describe('in every command that prints paths', () => {
    let scratch: { dir: string; cleanup: () => Promise<void> };
    let data: string;
    let folder: string;
    let twoLines: string;
    let copy: string;
    let broken: string;
    const model = ['--model', IMMICH_MODEL, '--provider', 'cpu'];

    beforeAll(async () => {
      scratch = await tempDir();
      data = path.join(scratch.dir, 'data');
      folder = path.join(scratch.dir, 'Trip\nDay 1');
      await mkdir(folder, { recursive: true });
      const photos = await fixturePhotos();
      twoLines = path.join(folder, 'beach\nsunset.jpg');
      copy = path.join(folder, 'copy of\nbeach.jpg');
      broken = path.join(folder, 'broken\nfile.jpg');
      await copyFile(photos[0]!.file, twoLines);
      await copyFile(photos[0]!.file, copy);
      await copyFile(photos[20]!.file, path.join(folder, 'plain.jpg'));
      await writeFile(broken, 'not a photo');
    });
    afterAll(() => scratch.cleanup());

    it('keeps one line per path in index, search, similar, failures, folders, tags and duplicates', { timeout: 120_000 }, async () => {
      const indexed = await cli('index', folder, '--data', data, ...model);
      expect(indexed.code).toBe(0);
      expect(lines(indexed.stdout)).toHaveLength(2);
      expect(lines(indexed.stdout)[1]).toMatch(new RegExp(`^  skipped ${escapeRegExp(shownPath(broken))}: broken\\\\nfile\\.jpg is not an image`));

      // --json is exact: the names as they are.
      const found = JSON.parse((await cli('search', 'a photo of a circle.', '--all', '--data', data, ...model, '--json')).stdout) as { results: Array<{ path: string; photoId: number }> };
      // One result per image: the two copies are one.
      expect(found.results.map((hit) => (hit.path === copy ? twoLines : hit.path)).sort()).toEqual([twoLines, path.join(folder, 'plain.jpg')].sort());

      const searched = await cli('search', 'a photo of a circle.', '--all', '--data', data, ...model);
      expect(lines(searched.stdout)).toHaveLength(found.results.length + 1);
      for (const [i, hit] of found.results.entries()) expect(lines(searched.stdout)[i]).toMatch(new RegExp(`#${hit.photoId}  ${escapeRegExp(shownPath(hit.path))}$`));

      // Photos like the plain one: the one with a newline in its name.
      const plain = found.results.find((hit) => hit.path.endsWith('plain.jpg'))!;
      const alike = JSON.parse((await cli('similar', `#${plain.photoId}`, '--all', '--data', data, ...model, '--json')).stdout) as { results: Array<{ path: string }> };
      expect(alike.results.map((hit) => hit.path.includes('\n'))).toEqual([true]);
      const similar = await cli('similar', `#${plain.photoId}`, '--all', '--data', data, ...model);
      expect(lines(similar.stdout)).toHaveLength(2);
      expect(lines(similar.stdout)[0]).toMatch(new RegExp(`  ${escapeRegExp(shownPath(alike.results[0]!.path))}$`));

      const failed = await cli('failures', '--data', data, ...model);
      expect(lines(failed.stdout)).toHaveLength(2);
      expect(lines(failed.stdout)[0]).toMatch(new RegExp(`^${escapeRegExp(shownPath(broken))}: broken\\\\nfile\\.jpg is not an image`));

      expect((await cli('folders', '--data', data)).stdout).toBe(`${shownPath(folder)}\n`);
      expect(JSON.parse((await cli('folders', '--data', data, '--json')).stdout)[0].path).toBe(folder);
      // An error quoting a name says it on one line too.
      const refused = await cli('folders', '--remove', path.join(scratch.dir, 'Not\nhere'), '--data', data);
      expect(refused.code).toBe(2);
      expect(lines(refused.stderr)).toEqual([expect.stringContaining('Not\\nhere is not a folder of the library')]);

      const tagged = await cli('tags', twoLines, '--data', data, ...model);
      expect(lines(tagged.stdout)).toHaveLength(1);
      expect(tagged.stdout).toContain(shownPath(twoLines));

      const duplicates = await cli('duplicates', '--data', data, ...model);
      expect(duplicates.code).toBe(0);
      // The group's heading, the copy to keep, why, the other copy, and the summary.
      expect(lines(duplicates.stdout)).toHaveLength(5);
      for (const file of [twoLines, copy]) expect(duplicates.stdout).toContain(shownPath(file));
      const groups = JSON.parse((await cli('duplicates', '--data', data, ...model, '--json')).stdout) as { groups: Array<{ paths: string[] }> };
      expect(groups.groups[0]?.paths.sort()).toEqual([twoLines, copy].sort());
    });
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * How the command line reads what it is given, before any work: help for a command asked in
 * either order, options before the command, one message per kind of slip; and a full disk met
 * as the library closes, said once and in words.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cli } from '../helpers/cli-main.js';
import { UserError } from '../../main/core/errors.js';
import { Engine } from '../../main/engine/engine.js';
import { tempDir } from '../helpers/fixtures.js';

describe('the command line’s usage', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let data: string;

  beforeAll(async () => {
    scratch = await tempDir();
    data = path.join(scratch.dir, 'data');
  });

  afterAll(async () => {
    await scratch?.cleanup();
  });

  it('gives a command’s help for `lumen help COMMAND` as for `lumen COMMAND --help`', async () => {
    const asked = await cli('help', 'index');
    expect(asked).toMatchObject({ code: 0, stdout: (await cli('index', '--help')).stdout });
    expect(asked.stdout).toMatch(/^Usage: lumen index/);
    const unknown = await cli('help', 'serch');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^lumen: unknown command "serch"\. Did you mean `search`\?/);
  });

  it('reads options given before the command as if they came after it', async () => {
    const before = await cli('--data', data, 'status', '--json');
    const after = await cli('status', '--data', data, '--json');
    expect(before.stderr).toBe(after.stderr);
    expect(before).toMatchObject({ code: after.code, stdout: after.stdout });
    expect(before.stderr).not.toMatch(/unknown command/);
    // A value that is also a command's name stays the option's value.
    const named = await cli('--data', 'status', 'search', '--help');
    expect(named).toMatchObject({ code: 0 });
    expect(named.stdout).toMatch(/^Usage: lumen search/);
  });

  it('asks for exactly one photo alike whether none or two are given', async () => {
    for (const command of ['similar', 'text']) {
      const none = await cli(command, '--data', data);
      const two = await cli(command, '--data', data, '1', '2');
      expect(none.code).toBe(2);
      expect(two.code).toBe(2);
      expect(none.stderr).toBe(two.stderr);
      expect(none.stderr).toMatch(new RegExp(`^lumen ${command}: Give one photo`));
    }
  });

  it('says an option’s missing value one way', async () => {
    const search = await cli('search', 'beach', '--data', data, '--k');
    expect(search.code).toBe(2);
    expect(search.stderr).toBe('lumen search: --k needs a value: --k N. See `lumen search --help`.\n');
  });

  describe('a full disk met as the library closes', () => {
    const diskFull = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    afterEach(() => {
      vi.restoreAllMocks();
    });

    it('says what was saved and what was not, in words, and the run is no success', async () => {
      vi.spyOn(Engine.prototype, 'dispose').mockRejectedValueOnce(diskFull());
      const run = await cli('status', '--data', data);
      expect(run.code).toBe(1);
      expect(run.stderr).not.toMatch(/ENOSPC|could not close/);
      expect(run.stderr).toMatch(/^lumen status: The disk is full: what this command did is saved, but the search index could not be put away; free some space \(the next command brings it up to date\)\.$/m);
    });

    it('says nothing more once the command itself said the disk is full', async () => {
      vi.spyOn(Engine.prototype, 'status').mockRejectedValueOnce(new UserError('disk-full', 'The disk is full; free some space and try again.'));
      vi.spyOn(Engine.prototype, 'dispose').mockRejectedValueOnce(Object.assign(new Error('Invalid argument'), { code: 'EINVAL' }));
      const run = await cli('status', '--data', data);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe('lumen status: The disk is full; free some space and try again.\n');
    });
  });
});

/**
 * Messages that send a person on: each names the way the command has for what they asked, as its
 * help does (eval-zeroshot's --labelled, import's --name, download for a catalogue id).
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli-main.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';

describe('messages that name the other way', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let data: string;

  beforeAll(async () => {
    scratch = await tempDir();
    data = path.join(scratch.dir, 'data');
  });
  afterAll(() => scratch.cleanup());

  it('eval-zeroshot without a folder names --labelled, which needs none', async () => {
    const result = await cli('eval-zeroshot', '--data', data, '--model', IMMICH_MODEL, '--provider', 'cpu');
    expect(result).toMatchObject({
      code: 2,
      stderr: 'lumen eval-zeroshot: Give a folder with one subfolder of photos per tag, or --labelled to evaluate on the tags you confirmed and rejected in the library.\n',
    });
  });

  it('models import of a folder that is not there says what import takes, and that a catalogue id is for download', async () => {
    const missing = path.join(scratch.dir, 'nonexist');
    const result = await cli('models', 'import', missing, '--data', data);
    expect(result.stderr).toBe(
      `lumen models: Model folder ${missing} does not exist. \`models import\` takes a folder holding a CLIP model (Immich or Hugging Face layout); to install one from the catalogue, use \`models download ID\` (see \`models list\`).\n`,
    );
    expect(result.stderr).not.toMatch(/Pass a model folder or a catalogue id/);
  });

  it('models import of a file says it is a file, not a folder', async () => {
    const file = path.join(scratch.dir, 'model.onnx');
    await writeFile(file, 'not a folder');
    const imported = await cli('models', 'import', file, '--data', data);
    expect(imported).toMatchObject({ code: 2, stderr: expect.stringContaining(`Model folder ${file} is a file, not a folder. \`models import\` takes a folder`) });
  });

  it('models import of a name already installed says that --name imports it under another', async () => {
    expect((await cli('models', 'import', IMMICH_MODEL, '--data', data)).code).toBe(0);
    const again = await cli('models', 'import', IMMICH_MODEL, '--data', data);
    const installed = path.join(data, 'models', 'tiny-clip-immich');
    expect(again).toMatchObject({ code: 2, stderr: `lumen models: A model named tiny-clip-immich is already installed at ${installed}. Import it under another name with --name ID, or remove that folder first.\n` });
    expect((await cli('models', 'import', IMMICH_MODEL, '--data', data, '--name', 'tiny-clip-copy')).code).toBe(0);
    expect(existsSync(path.join(data, 'models', 'tiny-clip-copy'))).toBe(true);
  });
});

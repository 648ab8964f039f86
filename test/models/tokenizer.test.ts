import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readModelFolder } from '../../main/models/folder.js';
import { TextTokenizer, canonicalize } from '../../main/models/tokenizer.js';
import { HF_MODEL, IMMICH_MODEL, ROOT, loadReference } from '../helpers/fixtures.js';

async function fixtureTokenizer(dir: string): Promise<TextTokenizer> {
  const { text } = await readModelFolder(dir);
  return TextTokenizer.load(text.tokenizerPath, text.tokenizerConfigPath, text.contextLength, text.clean);
}

describe('tokenizer', () => {
  it.each([
    ['immich', IMMICH_MODEL],
    ['hf', HF_MODEL],
  ])('reproduces the reference token ids of the %s fixture, truncating like CLIP', async (_, dir) => {
    const tokenizer = await fixtureTokenizer(dir);
    const reference = await loadReference();
    expect(reference.tokens.length).toBeGreaterThan(10);
    for (const { text, ids, truncated } of reference.tokens) {
      expect(tokenizer.encode(text).ids, text).toEqual(truncated ?? ids);
    }
    const long = reference.tokens.find((t) => t.truncated);
    expect(long?.truncated).toHaveLength(16);
    expect(long?.truncated?.at(-1)).toBe(long?.ids.at(-1));
  });

  it('pads with the configured pad token', async () => {
    const tokenizer = await fixtureTokenizer(IMMICH_MODEL);
    const ids = tokenizer.encode('a photo').ids;
    expect(tokenizer.padId).toBe(ids.at(-1));
  });

  it('canonicalises text for SigLIP-style models', () => {
    expect(canonicalize('  A Dog,   on the_beach!  ')).toBe('a dog on the beach');
  });

  // The real CLIP vocabulary lives beside the project (../shared), as on CI; the project never ships it.
  const clipTokenizer = path.join(ROOT, '..', 'shared', 'clip-tokenizer');
  it.skipIf(!existsSync(clipTokenizer))('matches the reference ids of the real CLIP BPE tokenizer', async () => {
    const tokenizer = await TextTokenizer.load(path.join(clipTokenizer, 'tokenizer.json'), path.join(clipTokenizer, 'tokenizer_config.json'), 77, 'none');
    expect(tokenizer.encode('a photo of a dog').ids).toEqual([49406, 320, 1125, 539, 320, 1929, 49407]);
    expect(tokenizer.encode('').ids).toEqual([49406, 49407]);
    const long = tokenizer.encode('dog '.repeat(200)).ids;
    expect(long).toHaveLength(77);
    expect(long[0]).toBe(49406);
    expect(long.at(-1)).toBe(49407);
    expect(long[75]).toBe(1929);
  });
});

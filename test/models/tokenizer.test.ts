import { existsSync } from 'node:fs';
import { cp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readModelFolder } from '../../main/models/folder.js';
import { ClipModel } from '../../main/models/clip.js';
import { TextTokenizer, TokenizerThread, canonicalize, startTokenizer } from '../../main/models/tokenizer.js';
import { HF_MODEL, IMMICH_MODEL, ROOT, loadReference, tempDir } from '../helpers/fixtures.js';

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

  it('gives the part of a text longer than the context that its ids hold, and nothing of a text read whole', async () => {
    const tokenizer = await fixtureTokenizer(HF_MODEL);
    expect(tokenizer.encode('a red star').read).toBeUndefined();
    const long = 'a red star and a blue circle and a green square and a yellow triangle on a white background at noon';
    const { ids, read } = tokenizer.encode(long);
    expect(ids).toHaveLength(16);
    expect(long.startsWith(read ?? 'none')).toBe(true);
    expect(read!.split(' ').length).toBe(14);
  });

  it('pads with the configured pad token', async () => {
    const tokenizer = await fixtureTokenizer(IMMICH_MODEL);
    const ids = tokenizer.encode('a photo').ids;
    expect(tokenizer.padId).toBe(ids.at(-1));
  });

  it('on its own thread (Note [Tokenizer off the event loop]), encodes as it does on this one, and refuses a broken tokenizer in the same words', async () => {
    const { text } = await readModelFolder(HF_MODEL);
    const settings = { tokenizerPath: text.tokenizerPath, configPath: text.tokenizerConfigPath, contextLength: text.contextLength, clean: text.clean };
    const here = await fixtureTokenizer(HF_MODEL);
    const thread = await TokenizerThread.start(settings);
    const texts = (await loadReference()).tokens.map((token) => token.text);
    expect(await thread.encode(texts)).toEqual(texts.map((each) => here.encode(each)));
    expect(thread.padId).toBe(here.padId);
    const onThisThread = await startTokenizer(settings, false);
    expect(await onThisThread.encode(texts)).toEqual(texts.map((each) => here.encode(each)));
    expect(onThisThread.padId).toBe(here.padId);
    // Requests in flight together each get their own answer.
    const [one, two] = await Promise.all([thread.encode(['a red star']), thread.encode(['x', 'a blue circle'])]);
    expect([one, two]).toEqual([[here.encode('a red star')], [here.encode('x'), here.encode('a blue circle')]]);
    await thread.release();

    const broken = await tempDir();
    try {
      const tokenizerPath = path.join(broken.dir, 'tokenizer.json');
      await cp(text.tokenizerPath, tokenizerPath);
      await writeFile(tokenizerPath, '{"model": {"type": "nothing known"}}');
      const refusal = await TextTokenizer.load(tokenizerPath, text.tokenizerConfigPath, 16, 'none').catch((error: unknown) => error);
      expect(refusal).toMatchObject({ code: 'model-invalid' });
      await expect(TokenizerThread.start({ ...settings, tokenizerPath })).rejects.toMatchObject({ code: 'model-invalid', message: (refusal as Error).message });
    } finally {
      await broken.cleanup();
    }
  });

  it("embeds texts the same with the app's tokenizer thread as without it", async () => {
    const texts = ['a red star', 'x', 'a photo of a blue circle on a white background'];
    const [threaded, plain] = await Promise.all([ClipModel.load(HF_MODEL, { provider: 'cpu', tokenizerThread: true }), ClipModel.load(HF_MODEL, { provider: 'cpu' })]);
    expect(await threaded.embedTexts(texts)).toEqual(await plain.embedTexts(texts));
    expect(await threaded.tokenize('a red star')).toEqual(await plain.tokenize('a red star'));
    await Promise.all([threaded.dispose(), plain.dispose()]);
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

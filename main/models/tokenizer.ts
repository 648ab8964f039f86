/**
 * Text -> token ids exactly as the model's authors tokenised during training.
 *
 * Note [Tokenizer library]: `@huggingface/tokenizers` (pure TypeScript, no dependencies) reads
 * the `tokenizer.json` that every model folder brings, so BPE (CLIP), SentencePiece/Unigram
 * (XLM-R, SigLIP) and WordPiece all work without code of ours per family.
 *
 * Note [Truncation]: CLIP's `tokenize(truncate=True)` keeps the first `context - 1` tokens and
 * ends the sequence with the end-of-text token, because the text tower pools at that token. We
 * do the same for any tokenizer whose post-processor appends a closing special token.
 */
import { readFile } from 'node:fs/promises';
import { Tokenizer } from '@huggingface/tokenizers';
import { UserError, messageOf } from '../core/errors.js';
import type { TextClean } from './folder.js';

export interface TokenizedText {
  /** Token ids, special tokens included, truncated to the context; not padded. */
  ids: number[];
}

export class TextTokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    readonly contextLength: number,
    /** Id used to fill a sequence up to a fixed length. */
    readonly padId: number,
    private readonly clean: TextClean,
  ) {}

  static async load(tokenizerPath: string, configPath: string, contextLength: number, clean: TextClean): Promise<TextTokenizer> {
    let json: unknown;
    let config: Record<string, unknown>;
    try {
      json = JSON.parse(await readFile(tokenizerPath, 'utf8'));
      config = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new UserError('model-invalid', `Could not read the tokenizer ${tokenizerPath} (${messageOf(error)}). Download the model again.`);
    }
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(json as object, config);
      tokenizer.encode('a photo');
    } catch (error) {
      throw new UserError('model-invalid', `The tokenizer ${tokenizerPath} is not usable (${messageOf(error)}). Download the model again.`);
    }
    return new TextTokenizer(tokenizer, contextLength, padIdOf(tokenizer, config), clean);
  }

  encode(text: string): TokenizedText {
    const input = this.clean === 'canonicalize' ? canonicalize(text) : text;
    const { ids } = this.tokenizer.encode(input);
    if (ids.length <= this.contextLength) return { ids };
    const closing = ids[ids.length - 1] as number;
    const endsWithSpecial = this.tokenizer.encode(input, { add_special_tokens: false }).ids.at(-1) !== closing;
    return {
      ids: endsWithSpecial ? [...ids.slice(0, this.contextLength - 1), closing] : ids.slice(0, this.contextLength),
    };
  }
}

function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'content' in value && typeof value.content === 'string') return value.content;
  return undefined;
}

/** The configured pad token's id; open_clip pads with 0 when a tokenizer names none. */
function padIdOf(tokenizer: Tokenizer, config: Record<string, unknown>): number {
  const pad = tokenContent(config['pad_token']);
  return (pad === undefined ? undefined : tokenizer.token_to_id(pad)) ?? 0;
}

/** open_clip's `canonicalize_text` (SigLIP): no punctuation, lower case, single spaces. */
export function canonicalize(text: string): string {
  return text
    .replaceAll('_', ' ')
    .replace(/[!"#$%&'()*+,\-./:;<=>?@[\\\]^`{|}~]/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

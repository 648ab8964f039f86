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
import { UserError, messageOf, type UserErrorCode } from '../core/errors.js';
import { ThreadRequests, startWorker, type ThreadAnswer } from '../core/worker-thread.js';
import type { TextClean } from './folder.js';

export interface TokenizedText {
  /** Token ids, special tokens included, truncated to the context; not padded. */
  ids: number[];
  /** Where the text is longer than the context: the part of it the ids hold, as the tokenizer spells it. */
  read?: string;
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
    const kept = endsWithSpecial ? [...ids.slice(0, this.contextLength - 1), closing] : ids.slice(0, this.contextLength);
    return { ids: kept, read: this.tokenizer.decode(kept, { skip_special_tokens: true }).trim() };
  }
}

/** What a tokenizer's thread builds its tokenizer from. */
export interface TokenizerStart {
  tokenizerPath: string;
  configPath: string;
  contextLength: number;
  clean: TextClean;
}

export interface TokenizerRequest {
  id: number;
  texts: string[];
}

export type TokenizerReply =
  | { kind: 'ready'; padId: number }
  | { kind: 'failed'; code: UserErrorCode | null; message: string }
  | ThreadAnswer<TokenizedText[]>;

/**
 * Note [Tokenizer off the event loop]: building a CLIP tokenizer from its tokenizer.json (49,000
 * tokens and merges into maps) takes 0.15 s of a core idle and 0.25-0.45 s at the app's launch,
 * and it ran on the engine's event loop: the app's first search waited for it, on its own or
 * behind the warm start that built it (Note [Photos first] in the app's engine-service.ts). So
 * the app's tokenizer is built and run on a thread of its own; a text's hop to it and back costs a
 * fraction of a millisecond. It still starts after the first screen, not beside the text tower at
 * launch: on two cores its build beside the first screen delayed the first photos by 0.15 s. The
 * CLI builds it on its event loop, which serves no one else and waits for the text tower anyway:
 * a thread's start (a JavaScript engine, the tokenizer's modules again) costs 0.1 s of a core more.
 */
export class TokenizerThread implements Tokenizing {
  private constructor(
    private readonly request: (texts: string[]) => Promise<TokenizedText[]>,
    private readonly stop: () => Promise<void>,
    /** Id used to fill a sequence up to a fixed length. */
    readonly padId: number,
  ) {}

  /** Starts the thread; rejects as `TextTokenizer.load` does when the tokenizer cannot be built. */
  static start(settings: TokenizerStart): Promise<TokenizerThread> {
    const worker = startWorker(import.meta.url, 'tokenizer-thread', settings);
    const stop = () => worker.terminate().then(() => {});
    return new Promise<TokenizerThread>((resolveStart, rejectStart) => {
      const requests = new ThreadRequests<TokenizedText[]>(worker, "the tokenizer's thread", rejectStart);
      worker.on('message', (reply: TokenizerReply) => {
        switch (reply.kind) {
          case 'ready':
            requests.idleIfDone();
            resolveStart(new TokenizerThread((texts) => requests.send((id) => ({ id, texts }) satisfies TokenizerRequest), stop, reply.padId));
            return;
          case 'failed':
            rejectStart(reply.code ? new UserError(reply.code, reply.message) : new Error(reply.message));
            void stop();
            return;
          case 'result':
          case 'error':
            requests.settle(reply);
        }
      });
    });
  }

  /** Each text's token ids, in order (see `TextTokenizer.encode`). */
  encode(texts: readonly string[]): Promise<TokenizedText[]> {
    return this.request([...texts]);
  }

  release(): Promise<void> {
    return this.stop();
  }
}

/** A tokenizer as the text tower uses it, on this thread or on its own (Note [Tokenizer off the event loop]). */
export interface Tokenizing {
  readonly padId: number;
  /** Each text's token ids, in order (see `TextTokenizer.encode`). */
  encode(texts: readonly string[]): Promise<TokenizedText[]>;
  release(): Promise<void>;
}

/** Builds the tokenizer on a thread of its own, or on this one. */
export async function startTokenizer(settings: TokenizerStart, onItsOwnThread: boolean): Promise<Tokenizing> {
  if (onItsOwnThread) return TokenizerThread.start(settings);
  const tokenizer = await TextTokenizer.load(settings.tokenizerPath, settings.configPath, settings.contextLength, settings.clean);
  return { padId: tokenizer.padId, encode: async (texts) => texts.map((text) => tokenizer.encode(text)), release: async () => {} };
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

/**
 * The worker thread behind a `TokenizerThread` (Note [Tokenizer off the event loop] in
 * tokenizer.ts): builds one tokenizer, then encodes texts on request.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isUserError, messageOf } from '../core/errors.js';
import { TextTokenizer, type TokenizerReply, type TokenizerRequest, type TokenizerStart } from './tokenizer.js';

const port = parentPort;
if (!port) throw new Error('tokenizer-thread runs only as a worker thread');
const reply = (message: TokenizerReply) => port.postMessage(message);
const { tokenizerPath, configPath, contextLength, clean } = workerData as TokenizerStart;

// No top-level await: the command-line build is CommonJS.
TextTokenizer.load(tokenizerPath, configPath, contextLength, clean).then(
  (tokenizer) => {
    port.on('message', ({ id, texts }: TokenizerRequest) => {
      try {
        reply({ kind: 'result', id, value: texts.map((text) => tokenizer.encode(text)) });
      } catch (error) {
        reply({ kind: 'error', id, message: messageOf(error) });
      }
    });
    reply({ kind: 'ready', padId: tokenizer.padId });
  },
  (error: unknown) => reply({ kind: 'failed', code: isUserError(error) ? error.code : null, message: messageOf(error) }),
);

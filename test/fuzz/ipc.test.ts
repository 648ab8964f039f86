/**
 * Every payload that crosses a process boundary, fuzzed: the renderer's calls as the main
 * process's router checks them (Note [No paths from the renderer] in preload/contract.ts), and
 * the engine process's requests answered by the real engine over a small library (Note [Checked
 * on arrival] in main/app/rpc.ts). Whatever arrives is answered, or refused with a clear message,
 * or (for a message that is not a request at all) ignored; nothing crashes, hangs or comes back
 * as "Something went wrong".
 */
import fc from 'fast-check';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallRouter, type CallHandlers, type SenderInfo } from '../../main/app/router.js';
import { serveRpc, type RpcResponse } from '../../main/app/rpc.js';
import { UserError } from '../../main/core/errors.js';
import { engineCallSchemas, engineHandlers, type EngineCallName } from '../../main/engine/calls.js';
import { Engine } from '../../main/engine/engine.js';
import { callSchemas, type CallName } from '../../preload/contract.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { fuzz } from '../helpers/fuzz.js';
import { copyPhotos, fixturePhotos } from '../helpers/library.js';
import { arbitraryFor } from '../helpers/zod-arbitrary.js';

const ORIGIN = 'app://lumen';
const appFrame: SenderInfo = { url: `${ORIGIN}/index.html`, isTopFrame: true, fromAppWindow: true };

describe('renderer calls, fuzzed through the router', () => {
  const logged: string[] = [];
  let received: Array<{ name: string; params: unknown }> = [];
  /** Handlers that record what reached them, and fail as the engine may. */
  const handlers = (failure: 'none' | 'user' | 'bug') =>
    Object.fromEntries(
      (Object.keys(callSchemas) as CallName[]).map((name) => [
        name,
        async (params: unknown) => {
          received.push({ name, params });
          if (failure === 'user') throw new UserError('not-found', 'There is no photo #7 in the library.');
          if (failure === 'bug') throw new TypeError('x is undefined');
          return { answered: name };
        },
      ]),
    ) as unknown as CallHandlers;

  for (const name of Object.keys(callSchemas) as CallName[]) {
    it(`${name}: handled exactly when its schema accepts the payload, else refused with a reason`, async () => {
      const schema = callSchemas[name];
      await fc.assert(
        fc.asyncProperty(arbitraryFor(schema), fc.constantFrom('none', 'user', 'bug') as fc.Arbitrary<'none' | 'user' | 'bug'>, async (params, failure) => {
          received = [];
          logged.length = 0;
          const outcome = await new CallRouter(handlers(failure), [ORIGIN], (message) => logged.push(message)).handle(appFrame, { name, params });
          const checked = schema.safeParse(params ?? {});
          if (!checked.success) {
            expect(outcome).toMatchObject({ ok: false, error: { code: 'bad-input', message: expect.stringMatching(new RegExp(`^Invalid request for ${name.replace('.', '\\.')}: .+\\.$`, 's')) } });
            expect((outcome as { error: { message: string } }).error.message.length).toBeLessThan(2000);
            expect(received).toEqual([]);
            return;
          }
          expect(received).toEqual([{ name, params: checked.data }]);
          if (failure === 'none') expect(outcome).toEqual({ ok: true, value: { answered: name } });
          if (failure === 'user') expect(outcome).toEqual({ ok: false, error: { code: 'not-found', message: 'There is no photo #7 in the library.' } });
          if (failure === 'bug') {
            expect(outcome).toEqual({ ok: false, error: { code: 'internal', message: 'Something went wrong: x is undefined' } });
            expect(logged).toEqual([expect.stringContaining(`${name} failed: TypeError: x is undefined`)]);
          }
        }),
        fuzz(40),
      );
    });
  }

  it('any request at all, from anyone: never throws, and only the app’s own frame is answered', async () => {
    const sender = fc.record({ url: fc.option(fc.oneof(fc.constant(`${ORIGIN}/index.html`), fc.webUrl(), fc.string()), { nil: null }), isTopFrame: fc.boolean(), fromAppWindow: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(sender, fc.oneof(fc.anything(), fc.record({ name: fc.oneof(fc.constantFrom(...Object.keys(callSchemas)), fc.string()), params: fc.anything() })), async (from, request) => {
        received = [];
        const outcome = await new CallRouter(handlers('none'), [ORIGIN], () => {}).handle(from, request);
        const trusted = from.fromAppWindow && from.isTopFrame && from.url === `${ORIGIN}/index.html`;
        if (!trusted) expect(outcome).toEqual({ ok: false, error: { code: 'forbidden', message: 'This page may not use Lumen.' } });
        if (!outcome.ok) expect(received).toEqual([]);
      }),
      fuzz(300),
    );
  });
});

/**
 * Engine calls a fuzzer may not make against a real engine: ones that take paths (only the main
 * process sends those, after a native dialog: `/` would index the whole disk), that download
 * from the network, change the model or provider for every later call, or stop the engine.
 */
const NOT_FUZZED_ON_A_REAL_ENGINE: ReadonlySet<string> = new Set(['library.addFolders', 'models.import', 'models.download', 'settings.update', 'dispose']);

describe('engine requests, fuzzed against a real engine', () => {
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let engine: Engine;
  const internal: string[] = [];
  let post: (message: unknown) => void = () => {};
  const waiting = new Map<number, (response: RpcResponse) => void>();
  let nextId = 1;

  beforeAll(async () => {
    scratch = await tempDir();
    const folder = path.join(scratch.dir, 'Photos');
    await copyPhotos((await fixturePhotos()).slice(0, 10), folder);
    engine = new Engine({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL, provider: 'cpu', app: true });
    await (await engine.addFolders([folder])).indexing.done;
    serveRpc(
      {
        postMessage: (message) => {
          if ('id' in message) waiting.get(message.id)?.(message);
        },
        onMessage: (listener) => (post = listener),
      },
      engineHandlers(engine),
      engineCallSchemas,
      (message) => internal.push(message),
    );
  });
  afterAll(async () => {
    await engine.dispose();
    await scratch.cleanup();
  });

  function request(name: string, params: unknown): Promise<RpcResponse> {
    const id = nextId++;
    return new Promise((resolve) => {
      waiting.set(id, resolve);
      post({ id, name, params });
    });
  }

  // Removing a folder empties the library: fuzz it last.
  const names = (Object.keys(engineCallSchemas) as EngineCallName[]).filter((name) => !NOT_FUZZED_ON_A_REAL_ENGINE.has(name)).sort((a, b) => Number(a === 'library.removeFolder') - Number(b === 'library.removeFolder'));

  for (const name of names) {
    it(`${name}: answered, or refused with a reason a person can act on`, async () => {
      await fc.assert(
        fc.asyncProperty(arbitraryFor(engineCallSchemas[name]), async (params) => {
          internal.length = 0;
          const response = await request(name, params);
          // The whole error, and what the log was told, are what a failure here prints.
          expect(internal).toEqual([]);
          if (!response.ok) {
            expect(response.error).not.toMatchObject({ code: 'internal' });
            expect(response.error.message.length).toBeGreaterThan(0);
          }
        }),
        fuzz(name.startsWith('search.') ? 15 : 25),
      );
    });
  }

  it('anything that is not a request is ignored, and the engine goes on answering', async () => {
    fc.assert(
      fc.property(fc.anything(), (message) => {
        post(message);
      }),
      fuzz(300),
    );
    expect(await request('app.status', {})).toMatchObject({ ok: true });
  });
});

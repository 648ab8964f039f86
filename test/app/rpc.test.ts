import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { forkEngine } from '../../main/app/preview-engine.js';
import { UserError, messageOf, noEmbeddingsError } from '../../main/core/errors.js';
import { ModelStore } from '../../main/models/store.js';
import { z } from 'zod';
import { engineArgs, parseEngineArgs } from '../../main/app/engine-args.js';
import { CallFailure, describeIssues, RpcClient, serveRpc, toCallError, type ChildPort, type Methods, type ParamSchemas, type ParentPort, type RpcRequest } from '../../main/app/rpc.js';
import { DOWNLOADED_ADVICE, OTHER_LIBRARY_ADVICE, PROVIDER_ADVICE, READ_ONLY_LIBRARY_ADVICE, UNREADABLE_DATA_ADVICE, WRITABLE_DATA_ADVICE } from '../../main/core/cli-advice.js';
import { noLibraryError } from '../../main/engine/no-library.js';
import { actionableError } from '../../main/storage/damage.js';
import type { AppEvent, JobInfo } from '../../preload/contract.js';
import { copyModel, IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';

/**
 * A fake utility process: messages cross as structured clones on a later task, like a real
 * port. `serve` runs the engine side in it; `exit` makes it die.
 */
class FakeChild implements ChildPort {
  readonly sent: RpcRequest[] = [];
  private messageListeners: Array<(message: unknown) => void> = [];
  private exitListeners: Array<(code: number | null, signal?: NodeJS.Signals | null) => void> = [];
  private toEngine: Array<(message: unknown) => void> = [];
  killed = false;
  alive = true;

  postMessage(message: RpcRequest): void {
    this.sent.push(message);
    const copy = structuredClone(message);
    setTimeout(() => this.alive && this.toEngine.forEach((listener) => listener(copy)));
  }
  onMessage(listener: (message: unknown) => void): void {
    this.messageListeners.push(listener);
  }
  onExit(listener: (code: number | null, signal?: NodeJS.Signals | null) => void): void {
    this.exitListeners.push(listener);
  }
  kill(): void {
    this.killed = true;
    this.exit(0);
  }

  /** Posts a message from the engine side to the main process. */
  fromEngine(message: unknown): void {
    const copy = structuredClone(message);
    setTimeout(() => this.messageListeners.forEach((listener) => listener(copy)));
  }

  /** The engine side's view of this process. */
  parentPort(): ParentPort {
    return {
      postMessage: (message) => this.alive && this.fromEngine(message),
      onMessage: (listener) => this.toEngine.push(listener),
    };
  }

  serve(methods: Methods, log: (message: string) => void = () => {}, schemas: ParamSchemas = TEST_SCHEMAS): (event: AppEvent) => void {
    return serveRpc(this.parentPort(), methods, schemas, log);
  }

  exit(code: number | null, signal: NodeJS.Signals | null = null): void {
    if (!this.alive) return;
    this.alive = false;
    this.exitListeners.forEach((listener) => listener(code, signal));
  }
}

const TEST_SCHEMAS: ParamSchemas = {
  echo: z.object({ text: z.string().max(100) }),
  slow: z.object({ ms: z.number().int().min(0) }),
  fail: z.object({ kind: z.string() }),
  'search.query': z.object({}),
  'photos.details': z.object({}),
};

type TestCalls = {
  echo: { params: { text: string }; result: string };
  slow: { params: { ms: number }; result: number };
  fail: { params: { kind: string }; result: never };
  missing: { params: object; result: never };
  'search.query': { params: object; result: never };
  'photos.details': { params: object; result: never };
};

function setup(methods: Methods = defaultMethods()) {
  const children: FakeChild[] = [];
  const events: AppEvent[] = [];
  const log = vi.fn();
  const engineLog = vi.fn();
  const client = new RpcClient<TestCalls>(
    () => {
      const child = new FakeChild();
      child.serve(methods, engineLog);
      children.push(child);
      return child;
    },
    { onEvent: (event) => events.push(event), log },
  );
  return { client, children, events, log, engineLog };
}

/** What SQLite throws when a read meets a damaged page. */
const damagedPage = () => Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' });

function defaultMethods(): Methods {
  return {
    echo: ({ text }: { text: string }) => `echo: ${text}`,
    slow: ({ ms }: { ms: number }) => new Promise((resolve) => setTimeout(() => resolve(ms), ms)),
    'search.query': () => new Promise(() => {}),
    'photos.details': () => new Promise(() => {}),
    fail: ({ kind }: { kind: string }) => {
      if (kind === 'user') throw new UserError('model-missing', 'No model is installed. Download one in Settings.');
      if (kind === 'failure') throw new CallFailure('cancelled', 'Cancelled.');
      if (kind === 'full') throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      if (kind === 'damaged') throw damagedPage();
      if (kind === 'no-library') throw noLibraryError('/home/ana/.config/Lumen (data)');
      throw new Error('index out of range');
    },
  };
}

describe('rpc protocol', () => {
  it('sends {id, name, params} with fresh ids and matches answers that arrive out of order', async () => {
    const { client, children } = setup();
    const slow = client.call('slow', { ms: 30 });
    const fast = client.call('echo', { text: 'hi' });
    expect(children).toHaveLength(1);
    expect(children[0]?.sent).toEqual([
      { id: 1, name: 'slow', params: { ms: 30 } },
      { id: 2, name: 'echo', params: { text: 'hi' } },
    ]);
    let slowDone = false;
    void slow.then(() => (slowDone = true));
    await expect(fast).resolves.toBe('echo: hi');
    expect(slowDone).toBe(false);
    await expect(slow).resolves.toBe(30);
    expect(client.pendingCount).toBe(0);
  });

  it('keeps the code and message of UserError and CallFailure', async () => {
    const { client, engineLog } = setup();
    await expect(client.call('fail', { kind: 'user' })).rejects.toMatchObject({
      name: 'CallFailure',
      code: 'model-missing',
      message: 'No model is installed. Download one in Settings.',
    });
    await expect(client.call('fail', { kind: 'failure' })).rejects.toMatchObject({ code: 'cancelled', message: 'Cancelled.' });
    expect(engineLog).not.toHaveBeenCalled();
  });

  it('maps other errors to internal with a generic message and logs them in the engine', async () => {
    const { client, engineLog } = setup();
    const error = await client.call('fail', { kind: 'bug' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallFailure);
    expect(error).toMatchObject({ code: 'internal', message: 'Something went wrong: index out of range' });
    expect(engineLog).toHaveBeenCalledWith(expect.stringMatching(/^fail failed: Error: index out of range/));
  });

  it('says a full disk is full, whatever the call (not a bug to report)', async () => {
    const { client, engineLog } = setup();
    await expect(client.call('fail', { kind: 'full' })).rejects.toMatchObject({ code: 'disk-full', message: expect.stringMatching(/^The disk is full \(database or disk is full\); free some space/) });
    expect(engineLog).not.toHaveBeenCalled();
  });

  it('tells a person in the app to restart it to restore a damaged library, for a call and for a job (Note [App wording])', async () => {
    const { client } = setup();
    const restart = '; restart Lumen to restore your folders, tags, albums and vocabulary from what still reads of it and the last backup (the damaged file is kept).';
    await expect(client.call('fail', { kind: 'damaged' })).rejects.toMatchObject({ code: 'integrity', message: `The library database is damaged (database disk image is malformed)${restart}` });

    // A job's error is said where the job runs, for the CLI and the app alike; its event is put in the app's words.
    const posted: unknown[] = [];
    const emit = serveRpc({ postMessage: (message) => posted.push(message), onMessage: () => {} }, {}, {}, () => {});
    const failed = { id: 'index-1', kind: 'index', subject: null, state: 'failed', error: messageOf(actionableError(damagedPage())), progress: null } as JobInfo;
    emit({ type: 'job', job: failed });
    expect(posted).toEqual([{ event: { type: 'job', job: { ...failed, error: `The library database is damaged (database disk image is malformed)${restart}` } } }]);
  });

  it('tells a person in the app where to add a folder when there is no library, with no command, flag or data folder (Note [App wording])', async () => {
    const { client } = setup();
    const addFolder = 'There are no photos yet. Add a folder of photos first: go to Library and choose “Add a folder…”.';
    await expect(client.call('fail', { kind: 'no-library' })).rejects.toMatchObject({ code: 'not-found', message: addFolder });

    const posted: unknown[] = [];
    const emit = serveRpc({ postMessage: (message) => posted.push(message), onMessage: () => {} }, {}, {}, () => {});
    const failed = { id: 'tag-1', kind: 'tag', subject: null, state: 'failed', error: noLibraryError('/tmp/data').message, progress: null } as JobInfo;
    emit({ type: 'job', job: failed });
    expect(posted).toEqual([{ event: { type: 'job', job: { ...failed, error: addFolder } } }]);
  });

  it('says the jobs of a status in the app’s words too: a window opened after a job failed reads it there (Note [App wording])', async () => {
    const posted: unknown[] = [];
    let deliver: (message: unknown) => void = () => {};
    const readOnly = `The data folder /d cannot be written (read-only media, or no permission): ${READ_ONLY_LIBRARY_ADVICE}.`;
    const failed = { id: 'index-1', kind: 'index', subject: null, state: 'paused', error: readOnly, progress: null, background: true } as JobInfo;
    const methods: Methods = { 'app.status': () => ({ jobs: [failed] }), 'jobs.resume': () => failed };
    const schemas = { 'app.status': z.object({}), 'jobs.resume': z.object({}) } as unknown as ParamSchemas;
    serveRpc({ postMessage: (message) => posted.push(message), onMessage: (listener) => (deliver = listener) }, methods, schemas, () => {});
    deliver({ id: 1, name: 'app.status', params: {} });
    deliver({ id: 2, name: 'jobs.resume', params: {} });
    await vi.waitFor(() => expect(posted).toHaveLength(2));
    const inApp = 'The data folder /d cannot be written (read-only media, or no permission): its photos can still be searched and browsed, but not changed; to change the library, copy Lumen’s data folder to a writable disk.';
    expect(posted).toEqual([
      { id: 1, ok: true, value: { jobs: [{ ...failed, error: inApp }] } },
      { id: 2, ok: true, value: { ...failed, error: inApp } },
    ]);
  });

  // The messages as the engine builds them, each with its piece of the CLI's advice.
  const advised = [
    ['bad-input', `No GPU execution provider is available on this machine. ${PROVIDER_ADVICE}`, 'No GPU execution provider is available on this machine. Choose “Automatic” or “CPU” under “Run models on” in Settings.'],
    ['read-only', `The models folder /d/models cannot be written (read-only media, or no permission), so no model can be added there. ${WRITABLE_DATA_ADVICE}`, 'The models folder /d/models cannot be written (read-only media, or no permission), so no model can be added there. Lumen keeps its models in its data folder, which must be on a disk it can write to.'],
    ['busy', `Model m is already being downloaded by another Lumen process (pid 7); wait for it to finish, ${DOWNLOADED_ADVICE}.`, 'Model m is already being downloaded by another Lumen process (pid 7); wait for it to finish, then it shows in Settings as installed.'],
    ['bad-input', `/p is another Lumen library's data folder (/p: its thumbnails and index), not a folder of photos. Add the folder your photos are in${OTHER_LIBRARY_ADVICE}.`, "/p is another Lumen library's data folder (/p: its thumbnails and index), not a folder of photos. Add the folder your photos are in."],
    ['read-only', `The data folder /d cannot be written (read-only media, or no permission): ${READ_ONLY_LIBRARY_ADVICE}.`, 'The data folder /d cannot be written (read-only media, or no permission): its photos can still be searched and browsed, but not changed; to change the library, copy Lumen’s data folder to a writable disk.'],
    ['storage', `The data folder /d cannot be read: no permission to look into it, or into a folder on its way. ${UNREADABLE_DATA_ADVICE}`, 'The data folder /d cannot be read: no permission to look into it, or into a folder on its way. Lumen keeps its library there: fix the permissions so that it may read it.'],
    ['bad-input', noEmbeddingsError('tiny-clip').message, 'No photo in the library has an embedding from tiny-clip. Add a folder of photos, or let indexing finish, in Settings › Photo folders.'],
  ] as const;
  it.each(advised)('says the CLI’s advice in the app’s words, naming no flag or command (%s, Note [App wording])', (code, message, inApp) => {
    expect(toCallError(new UserError(code, message), () => {}, 'a call')).toEqual({ code, message: inApp });
  });

  it('says a model folder gone in the app’s words (Note [App wording])', async () => {
    const scratch = await tempDir();
    try {
      const gone = await new ModelStore(scratch.dir).resolve('/home/ana/Models/clip-b32').catch((error: unknown) => error);
      expect(toCallError(gone, () => {}, 'a call')).toEqual({ code: 'model-missing', message: 'The model "/home/ana/Models/clip-b32" is not installed (its folder is gone, or it was never downloaded): pick a model or download one in Settings.' });
    } finally {
      await scratch.cleanup();
    }
  });

  it('says a missing model, none installed, one to choose and a model folder gone with no command or flag (Note [App wording])', async () => {
    const scratch = await tempDir();
    try {
      const store = new ModelStore(scratch.dir);
      const inApp = async (resolving: Promise<unknown>) => toCallError(await resolving.catch((error: unknown) => error), () => {}, 'a call').message;
      expect(await inApp(store.resolve())).toBe('No model is installed yet: download one, or import a model folder you have, in Settings.');
      expect(await inApp(store.resolve('ViT-B-32__laion2b-s34b-b79k'))).toBe('The model ViT-B-32__laion2b-s34b-b79k is not installed: download it in Settings, or choose another there.');
      expect(await inApp(store.resolve('clip-b32', () => '/media/ana/Models/clip-b32'))).toMatch(/and that folder is gone\. Put that folder back, or choose or download another model in Settings\.$/);
      for (const name of ['first', 'second']) await copyModel(IMMICH_MODEL, path.join(scratch.dir, 'models'), name);
      expect(await inApp(store.resolve())).toBe('Several models are installed (first, second); choose the one Lumen should use in Settings.');
    } finally {
      await scratch.cleanup();
    }
  });

  it('answers unknown names with bad-input', async () => {
    const { client } = setup();
    await expect(client.call('missing', {})).rejects.toMatchObject({ code: 'bad-input', message: 'Unknown engine call "missing".' });
  });

  it('relays engine events', async () => {
    const { client, children, events } = setup();
    await client.call('echo', { text: 'start' });
    const event: AppEvent = { type: 'library-changed' };
    children[0]?.fromEngine({ event });
    await vi.waitFor(() => expect(events).toEqual([event]));
  });

  it('checks params against the call’s schema in the engine, and events against the contract in the main process', async () => {
    const { client, children, events, log } = setup();
    await expect(client.call('echo', { text: 'x'.repeat(101) })).rejects.toMatchObject({ code: 'bad-input', message: expect.stringMatching(/^Invalid request for echo: text: /) });
    await expect(client.call('slow', { ms: -1 } as never)).rejects.toMatchObject({ code: 'bad-input' });
    children[0]?.fromEngine({ event: { type: 'job', job: { id: 'j', kind: 'format-disk' } } });
    children[0]?.fromEngine({ event: { type: 'library-changed', extra: '<script>' } });
    await expect(client.call('echo', { text: 'after' })).resolves.toBe('echo: after');
    expect(events).toEqual([]);
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/^Dropped a malformed event/));
  });

  it('fails a call whose answer is malformed instead of passing it on', async () => {
    const { client, children } = setup({ echo: () => new Promise(() => {}) });
    const call = client.call('echo', { text: 'x' });
    await vi.waitFor(() => expect(children[0]?.sent).toHaveLength(1));
    children[0]?.fromEngine({ id: 1, ok: false, error: { code: 42 } });
    await expect(call).rejects.toMatchObject({ code: 'internal', message: expect.stringMatching(/malformed answer/) });
  });

  it('rejects pending calls with an actionable message when the process dies, and restarts on the next call', async () => {
    const { client, children, log } = setup();
    const first = client.call('slow', { ms: 10_000 });
    const second = client.call('slow', { ms: 10_000 });
    children[0]?.exit(139);
    for (const call of [first, second]) {
      await expect(call).rejects.toMatchObject({
        code: 'engine-crashed',
        message: expect.stringMatching(/stopped unexpectedly \(exit code 139\) while working\. Try again/),
      });
    }
    expect(log).toHaveBeenCalledWith('Engine process exited with code 139.');
    expect(client.running).toBe(false);
    expect(client.pendingCount).toBe(0);

    await expect(client.call('echo', { text: 'again' })).resolves.toBe('echo: again');
    expect(children).toHaveLength(2);
    expect(children[1]?.sent[0]?.id).toBe(3);
  });

  it('says every job still under way failed when the process dies, as it can no more (Note [Jobs outlive no engine])', async () => {
    const { client, children, events } = setup();
    await client.call('echo', { text: 'start' });
    const job = (id: string, kind: 'index' | 'tag' | 'ocr', state: JobInfo['state']) => ({ id, kind, subject: null, state, error: null, progress: null, background: false }) as JobInfo;
    for (const sent of [job('index-1', 'index', 'running'), job('tag-2', 'tag', 'running'), job('tag-2', 'tag', 'done'), job('ocr-3', 'ocr', 'paused')]) children[0]?.fromEngine({ event: { type: 'job', job: sent } });
    await vi.waitFor(() => expect(events).toHaveLength(4));
    children[0]?.exit(139);
    expect(events.slice(4)).toEqual([
      { type: 'job', job: { ...job('index-1', 'index', 'failed'), error: expect.stringMatching(/^The photo engine stopped unexpectedly \(exit code 139\) while indexing\. Try again/) } },
      { type: 'job', job: { ...job('ocr-3', 'ocr', 'failed'), error: expect.stringMatching(/\) while reading text in photos\. Try again/) } },
    ]);
    // The next process starts with none under way.
    await client.call('echo', { text: 'again' });
    children[1]?.exit(1);
    expect(events).toHaveLength(6);
  });

  it('says what a call was doing in words, never its name, and a signal as a signal', async () => {
    const { client, children, log } = setup();
    const searching = client.call('search.query', {});
    const details = client.call('photos.details', {});
    await vi.waitFor(() => expect(children[0]?.sent).toHaveLength(2));
    children[0]?.exit(null, 'SIGKILL');
    await expect(searching).rejects.toMatchObject({ code: 'engine-crashed', message: expect.stringMatching(/^The photo engine stopped unexpectedly \(it was stopped by SIGKILL\) while searching\. Try again/) });
    await expect(details).rejects.toMatchObject({ message: expect.stringMatching(/\(it was stopped by SIGKILL\) while reading a photo’s details\. Try again/) });
    expect(log).toHaveBeenCalledWith('Engine process was stopped by SIGKILL.');
  });

  it('hears of a signal from preview mode’s engine process, not of an exit code', async () => {
    const scratch = await tempDir();
    try {
      const entry = path.join(scratch.dir, 'killed-engine.mjs');
      await writeFile(entry, "process.on('message', () => process.kill(process.pid, 'SIGKILL'));\n");
      const engine = forkEngine({ dataDir: scratch.dir }, () => {}, () => {}, entry);
      await expect(engine.call('search.query', { query: 'a red star' })).rejects.toMatchObject({ code: 'engine-crashed', message: expect.stringMatching(/\(it was stopped by SIGKILL\) while searching\./) });
    } finally {
      await scratch.cleanup();
    }
  });

  it('ignores late answers from a process that has died', async () => {
    const { client, children } = setup({ echo: () => new Promise(() => {}) });
    const call = client.call('echo', { text: 'x' });
    const dead = children[0];
    dead?.exit(1);
    await expect(call).rejects.toMatchObject({ code: 'engine-crashed' });
    dead?.fromEngine({ id: 1, ok: true, value: 'too late' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(client.pendingCount).toBe(0);
  });

  it('ignores malformed messages', async () => {
    const { client, children, events } = setup();
    const call = client.call('slow', { ms: 20 });
    children[0]?.fromEngine('nonsense');
    children[0]?.fromEngine({ id: 'x', ok: true });
    children[0]?.fromEngine({ id: 999, ok: true, value: 1 });
    await expect(call).resolves.toBe(20);
    expect(events).toEqual([]);
  });

  it('fails calls when the process cannot start, then tries again', async () => {
    let attempts = 0;
    const log = vi.fn();
    const client = new RpcClient<TestCalls>(
      () => {
        attempts++;
        if (attempts === 1) throw new Error('spawn ENOENT');
        const child = new FakeChild();
        child.serve(defaultMethods());
        return child;
      },
      { onEvent: () => {}, log },
    );
    await expect(client.call('echo', { text: 'a' })).rejects.toMatchObject({ code: 'engine-unavailable', message: expect.stringContaining('spawn ENOENT') });
    await expect(client.call('echo', { text: 'b' })).resolves.toBe('echo: b');
  });

  it('start() starts the process before any call, once; one that cannot start is logged and tried again at the next call', async () => {
    const { client, children } = setup();
    client.start();
    client.start();
    expect(client.running).toBe(true);
    await expect(client.call('echo', { text: 'a' })).resolves.toBe('echo: a');
    expect(children).toHaveLength(1);

    const log = vi.fn();
    let attempts = 0;
    const failing = new RpcClient<TestCalls>(
      () => {
        if (++attempts === 1) throw new Error('spawn ENOENT');
        const child = new FakeChild();
        child.serve(defaultMethods());
        return child;
      },
      { onEvent: () => {}, log },
    );
    failing.start();
    expect(log).toHaveBeenCalledWith('Could not start the engine process: spawn ENOENT');
    await expect(failing.call('echo', { text: 'b' })).resolves.toBe('echo: b');
  });

  it('stop() fails pending calls and kills the process', async () => {
    const { client, children } = setup();
    const call = client.call('slow', { ms: 10_000 });
    client.stop();
    await expect(call).rejects.toMatchObject({ code: 'engine-crashed', message: expect.stringContaining('stopped before it answered') });
    expect(children[0]?.killed).toBe(true);
  });
});

describe('describeIssues', () => {
  it('says where and what, and stays short whatever arrived: echoed keys are clipped, extra issues counted', () => {
    const one = z.object({ text: z.string().max(3) }).strict().safeParse({ text: 'long' });
    expect(one.success || describeIssues(one.error)).toBe('text: Too big: expected string to have <=3 characters');
    const longKey = ' '.repeat(5000);
    const many = z.object({ a: z.string(), b: z.string(), c: z.string(), d: z.string() }).strict().safeParse({ [longKey]: 1 });
    expect(many.success).toBe(false);
    const message = many.success ? '' : describeIssues(many.error);
    expect(message).toMatch(/^a: .+; b: .+; c: .+; and 2 more$/);
    expect(message.length).toBeLessThan(500);
    const echoed = z.object({}).strict().safeParse({ [longKey]: 1 });
    expect(echoed.success || describeIssues(echoed.error)).toMatch(/^params: Unrecognized key: " {100,}…$/);
  });
});

describe('engine process arguments', () => {
  it('round-trips what the main process passes', () => {
    const args = { dataDir: '/home/a/.config/Lumen', resourcesDir: '/opt/Lumen/resources', sqliteBinding: '/p/.cache/b.node' };
    expect(parseEngineArgs(['/electron', ...engineArgs(args)])).toEqual(args);
    expect(parseEngineArgs(['/electron', '--data-dir='])).toBeNull();
    expect(parseEngineArgs(['/electron'])).toBeNull();
  });
});

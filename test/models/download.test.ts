import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../main/core/errors.js';
import { downloadModel, type DownloadProgress } from '../../main/models/download.js';
import { listHubFiles } from '../../main/models/hub-listing.js';
import { plainNetworkFailure } from '../../main/models/network-words.js';

import { FakeHub, gitSha1, sha256, type FakeFile } from '../helpers/fake-hub.js';

const REPO = 'acme/clip-test';

let hub: FakeHub;
let tmp: string;

const small1: FakeFile = { path: 'config.json', content: Buffer.from('{"embed_dim": 512}\n') };
const small2: FakeFile = { path: 'textual/tokenizer.json', content: Buffer.from('{"model": "bpe"}') };
const large: FakeFile = { path: 'visual/model.onnx', content: randomBytes(300_000), lfs: true };
const excluded: FakeFile = { path: 'README.md', content: Buffer.from('# readme\n') };

const include = (p: string): boolean => p !== 'README.md';

beforeEach(async () => {
  hub = new FakeHub();
  hub.files = [small1, large, excluded, small2];
  await hub.start();
  tmp = await mkdtemp(path.join(tmpdir(), 'download-test-'));
});

afterEach(async () => {
  await hub.stop();
  await rm(tmp, { recursive: true, force: true });
});

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

async function listTree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

async function expectUserError(promise: Promise<unknown>, code: string): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  expect((error as UserError).code).toBe(code);
  return error as UserError;
}

function options(destination: string, extra: Partial<Parameters<typeof downloadModel>[0]> = {}) {
  return { repo: REPO, include, destination, endpoint: hub.hubUrl, ...extra };
}

describe('listHubFiles', () => {
  it('lists files across pages with their hashes and skips directories', async () => {
    const files = await listHubFiles(REPO, { endpoint: hub.hubUrl });
    expect(files.map((f) => f.path).sort()).toEqual(
      ['README.md', 'config.json', 'textual/tokenizer.json', 'visual/model.onnx'].sort(),
    );
    expect(files.find((f) => f.path === large.path)).toEqual({
      path: large.path,
      size: large.content.length,
      sha256: sha256(large.content),
    });
    expect(files.find((f) => f.path === small1.path)).toEqual({
      path: small1.path,
      size: small1.content.length,
      gitSha1: gitSha1(small1.content),
    });
    expect(hub.requests.filter((r) => r.url.includes('cursor=')).length).toBeGreaterThan(0);
  });

  it('reports a malformed answer as a network error', async () => {
    hub.treeBody = '[{"type": "file", "path": 42}]';
    await expectUserError(listHubFiles(REPO, { endpoint: hub.hubUrl }), 'network');
    hub.treeBody = '<html>proxy login</html>';
    await expectUserError(listHubFiles(REPO, { endpoint: hub.hubUrl }), 'network');
  });
});

describe('downloadModel', () => {
  it('downloads the included files, verified, into the destination', async () => {
    const destination = path.join(tmp, 'models', 'clip');
    const events: DownloadProgress[] = [];
    const result = await downloadModel(options(destination, { onProgress: (p) => events.push(p) }));

    const total = small1.content.length + small2.content.length + large.content.length;
    expect(result.bytes).toBe(total);
    expect(result.files.map((f) => f.path).sort()).toEqual([small1.path, small2.path, large.path].sort());
    expect(await listTree(destination)).toEqual([small1.path, small2.path, large.path].sort());
    for (const f of [small1, small2, large]) {
      expect((await readFile(path.join(destination, f.path))).equals(f.content)).toBe(true);
    }
    // Nothing left over next to the destination: no staging, no temp folder.
    expect(await readdir(path.dirname(destination))).toEqual(['clip']);

    expect(events.length).toBeGreaterThan(0);
    for (let i = 1; i < events.length; i++) {
      expect(events[i]!.bytesDone).toBeGreaterThanOrEqual(events[i - 1]!.bytesDone);
    }
    const last = events.at(-1)!;
    expect(last).toMatchObject({ bytesDone: total, bytesTotal: total, fileCount: 3, etaSeconds: 0 });
    expect(events.every((e) => e.bytesTotal === total && e.fileIndex < 3)).toBe(true);
    // The LFS file came from the CDN (another origin), the excluded file was never requested.
    expect(hub.rangesFor(large)).toEqual([undefined]);
    expect(hub.requests.some((r) => r.url.includes('README'))).toBe(false);
  });

  it('resumes with a Range request after a dropped connection', async () => {
    hub.dropOnce.add(large.path);
    const destination = path.join(tmp, 'clip');
    await downloadModel(options(destination));
    // The socket is destroyed after half is written; what was still in flight may be lost, so the
    // resume starts somewhere in (0, half], never from the beginning.
    const ranges = hub.rangesFor(large);
    expect(ranges).toHaveLength(2);
    expect(ranges[0]).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(ranges[1] ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(large.content.length >> 1);
    expect((await readFile(path.join(destination, large.path))).equals(large.content)).toBe(true);
  });

  it('keeps the part when cancelled and resumes it on the next run', async () => {
    const destination = path.join(tmp, 'clip');
    const part = path.join(tmp, '.partial', 'clip', 'visual', 'model.onnx.part');
    const half = large.content.length >> 1;
    const controller = new AbortController();
    hub.stall.set(large.path, () => {
      // Abort once the client has written everything it was sent.
      const poll = (): void => {
        void stat(part).then(
          (s) => (s.size >= half ? controller.abort() : setTimeout(poll, 5)),
          () => setTimeout(poll, 5),
        );
      };
      poll();
    });
    const error = await expectUserError(downloadModel(options(destination, { signal: controller.signal })), 'cancelled');
    expect(error.message).toBe('Cancelled.');
    expect(await exists(destination)).toBe(false);
    expect((await stat(part)).size).toBe(half);

    const requestsBefore = hub.requests.length;
    await downloadModel(options(destination));
    expect(hub.rangesFor(large)).toEqual([undefined, `bytes=${half}-`]);
    expect((await readFile(path.join(destination, large.path))).equals(large.content)).toBe(true);
    // The small file finished before the cancel was not downloaded again.
    const later = hub.requests.slice(requestsBefore);
    expect(later.some((r) => r.url.endsWith('/config.json'))).toBe(false);
    expect(await exists(path.join(tmp, '.partial'))).toBe(false);
  });

  it('refuses a second download of a model under way, and takes over the lock a killed download left (Note [One download of a model at a time])', async () => {
    const destination = path.join(tmp, 'clip');
    const controller = new AbortController();
    let stalled!: () => void;
    const halfway = new Promise<void>((resolve) => (stalled = resolve));
    hub.stall.set(large.path, () => stalled());
    const first = downloadModel(options(destination, { signal: controller.signal }));
    await halfway;
    const second = await expectUserError(downloadModel(options(destination)), 'busy');
    expect(second.message).toBe(`Model clip is already being downloaded by another Lumen process (pid ${process.pid}); wait for it to finish, then see \`models list\`.`);
    controller.abort();
    await expectUserError(first, 'cancelled');
    // Released as it stopped; and a lock naming a process that is gone is no lock.
    expect(await exists(path.join(tmp, '.partial', 'clip.lock'))).toBe(false);
    await writeFile(path.join(tmp, '.partial', 'clip.lock'), '999999999');
    await downloadModel(options(destination));
    expect((await readFile(path.join(destination, large.path))).equals(large.content)).toBe(true);
    expect(await exists(path.join(tmp, '.partial'))).toBe(false);
  });

  it('starts over once when a kept part turns out to be stale', async () => {
    const destination = path.join(tmp, 'clip');
    const part = path.join(tmp, '.partial', 'clip', 'visual', 'model.onnx.part');
    await mkdir(path.dirname(part), { recursive: true });
    await writeFile(part, randomBytes(1000)); // e.g. from an older revision of the file
    await downloadModel(options(destination));
    expect(hub.rangesFor(large)).toEqual(['bytes=1000-', undefined]);
    expect((await readFile(path.join(destination, large.path))).equals(large.content)).toBe(true);
  });

  it('retries a server error and uses fetchImpl', async () => {
    let failed = false;
    const fetchImpl: typeof fetch = async (input, init) => {
      if (!failed && String(input).endsWith('/config.json')) {
        failed = true;
        return new Response('busy', { status: 503 });
      }
      return fetch(input, init);
    };
    const destination = path.join(tmp, 'clip');
    await downloadModel(options(destination, { fetchImpl }));
    expect(failed).toBe(true);
    expect(await readFile(path.join(destination, small1.path), 'utf8')).toBe(small1.content.toString());
  });

  it('discards a file that does not match its checksum', async () => {
    hub.tampered.add(large.path);
    const destination = path.join(tmp, 'clip');
    const error = await expectUserError(downloadModel(options(destination)), 'integrity');
    expect(error.message).toContain(large.path);
    expect(error.message).toContain(REPO);
    expect(await exists(destination)).toBe(false);
    expect(await exists(path.join(tmp, '.partial', 'clip', 'visual', 'model.onnx.part'))).toBe(false);
  });

  it('also checks the git SHA-1 of small files', async () => {
    hub.tampered.add(small2.path);
    const destination = path.join(tmp, 'clip');
    const error = await expectUserError(downloadModel(options(destination)), 'integrity');
    expect(error.message).toContain(small2.path);
    expect(await exists(destination)).toBe(false);
  });

  it('reports a missing repository or file as not-found', async () => {
    const destination = path.join(tmp, 'clip');
    hub.treeStatus = 404;
    const repoError = await expectUserError(downloadModel(options(destination)), 'not-found');
    expect(repoError.message).toContain(REPO);
    expect(await exists(destination)).toBe(false);

    hub.treeStatus = 200;
    hub.fileStatus.set(small2.path, 404);
    const fileError = await expectUserError(downloadModel(options(destination)), 'not-found');
    expect(fileError.message).toContain(small2.path);
    expect(await exists(destination)).toBe(false);
  });

  it('says a failed connection in plain words, without the errno text (Note [Network failures in plain words])', async () => {
    const offline = Object.assign(new Error('getaddrinfo ENOTFOUND huggingface.co'), { code: 'ENOTFOUND', hostname: 'huggingface.co' });
    const fetchImpl: typeof fetch = () => Promise.reject(new TypeError('fetch failed', { cause: offline }));
    const error = await expectUserError(downloadModel(options(path.join(tmp, 'clip'), { fetchImpl, endpoint: 'https://huggingface.co' })), 'network');
    expect(error.message).toBe('Lumen could not reach huggingface.co. Check your internet connection and try again, or import the model folder from disk.');
  }, 20_000);

  it('names each usual network failure plainly and keeps an unexpected one’s own text', () => {
    const failed = (cause: unknown) => new TypeError('fetch failed', { cause });
    const errno = (code: string, message = `connect ${code} 1.2.3.4:443`) => Object.assign(new Error(message), { code });
    const host = 'huggingface.co';
    expect(plainNetworkFailure(failed(errno('ENOTFOUND')), host)).toBe('Lumen could not reach huggingface.co.');
    expect(plainNetworkFailure(failed(errno('EAI_AGAIN')), host)).toBe('Lumen could not reach huggingface.co.');
    expect(plainNetworkFailure(failed(errno('ECONNREFUSED')), host)).toBe('Lumen could not reach huggingface.co: the connection was refused.');
    // Node tries each address, and rejects with all of their errors.
    expect(plainNetworkFailure(failed(new AggregateError([errno('ECONNREFUSED'), errno('ECONNREFUSED')])), host)).toBe('Lumen could not reach huggingface.co: the connection was refused.');
    expect(plainNetworkFailure(failed(errno('ECONNRESET', 'read ECONNRESET')), host)).toBe('The connection to huggingface.co was cut off.');
    expect(plainNetworkFailure(failed(errno('ETIMEDOUT')), host)).toBe('The connection to huggingface.co timed out.');
    expect(plainNetworkFailure(failed(errno('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error')), host)).toBe('The connection to huggingface.co timed out.');
    expect(plainNetworkFailure(new Error('no data received for a while'), host, true)).toBe('The connection to huggingface.co stopped sending data.');
    expect(plainNetworkFailure(failed(errno('EWHATEVER', 'something odd')), host)).toBeNull();
  });

  it('says a server that keeps failing is not working just now, without blaming the connection', async () => {
    hub.fileStatus.set(small1.path, 503);
    const error = await expectUserError(downloadModel(options(path.join(tmp, 'clip'))), 'network');
    expect(error.message).toBe('The Hugging Face Hub is not working properly just now (HTTP 503). Try again later, or import the model folder from disk.');
  }, 20_000);

  it('keeps an unexpected failure’s own text, where nothing plainer is known', async () => {
    const fetchImpl: typeof fetch = () => Promise.reject(new TypeError('fetch failed', { cause: new Error('something odd') }));
    const error = await expectUserError(downloadModel(options(path.join(tmp, 'clip'), { fetchImpl })), 'network');
    expect(error.message).toContain('(fetch failed: something odd)');
    expect(error.message).toMatch(/Check your internet connection/);
  }, 20_000);

  it('does not retry other client errors and reports them as network errors', async () => {
    hub.fileStatus.set(small1.path, 403);
    const destination = path.join(tmp, 'clip');
    const error = await expectUserError(downloadModel(options(destination)), 'network');
    expect(error.message).toMatch(/connection/);
    expect(error.message).toMatch(/import/);
    expect(hub.requests.filter((r) => r.url.endsWith('/config.json'))).toHaveLength(1);
  });

  it('rejects unsafe paths from the file list and writes nothing outside', async () => {
    const parent = path.join(tmp, 'a', 'b');
    await mkdir(parent, { recursive: true });
    for (const evil of ['../evil', 'visual/../../evil', '/tmp/evil', 'visual\\..\\evil', 'C:/evil']) {
      hub.extraEntries = [{ type: 'file', oid: gitSha1(Buffer.from('x')), size: 1, path: evil }];
      const destination = path.join(parent, 'clip');
      await expectUserError(downloadModel(options(destination, { include: () => true })), 'integrity');
      expect(await exists(destination)).toBe(false);
    }
    expect((await listTree(tmp)).filter((p) => p.includes('evil'))).toEqual([]);
    expect(hub.requests.some((r) => r.url.includes('resolve'))).toBe(false);
  });

  it('refuses an existing destination', async () => {
    const destination = path.join(tmp, 'clip');
    await mkdir(destination);
    await writeFile(path.join(destination, 'mine.txt'), 'keep');
    await expectUserError(downloadModel(options(destination)), 'bad-input');
    expect(await readFile(path.join(destination, 'mine.txt'), 'utf8')).toBe('keep');
    expect(hub.requests).toEqual([]);
  });
});

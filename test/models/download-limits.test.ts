/**
 * The downloader trusts neither the sizes a file list claims nor the list itself nor where a
 * download is redirected (Note [Download limits] in download-policy.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../main/core/errors.js';
import { DEFAULT_MODEL_ID, findCatalogueEntry } from '../../main/models/catalogue.js';
import { CONFIG_MAX_BYTES, isAllowedRedirect } from '../../main/models/download-policy.js';
import { downloadModel } from '../../main/models/download.js';
import { listHubFiles } from '../../main/models/hub-listing.js';
import { ModelStore } from '../../main/models/store.js';
import { FakeHub, type FakeFile } from '../helpers/fake-hub.js';
import { IMMICH_MODEL } from '../helpers/fixtures.js';

const REPO = 'acme/clip-test';
const config: FakeFile = { path: 'config.json', content: Buffer.from('{"embed_dim": 512}\n') };
const graph: FakeFile = { path: 'visual/model.onnx', content: randomBytes(50_000), lfs: true };

let hub: FakeHub;
let tmp: string;

beforeEach(async () => {
  hub = new FakeHub();
  hub.files = [config, graph];
  await hub.start();
  tmp = await mkdtemp(path.join(tmpdir(), 'download-limits-'));
});

afterEach(async () => {
  await hub.stop();
  await rm(tmp, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

const download = () => downloadModel({ repo: REPO, include: () => true, destination: path.join(tmp, 'clip'), endpoint: hub.hubUrl });
const resolved = (file: string) => hub.requests.some((request) => request.url.endsWith(`/resolve/main/${file}`));

describe('sizes a file list claims', () => {
  it('refuses a config listed larger than any config can be, before downloading anything', async () => {
    // The server would send all of it: the listing made the app write 2.97 GB of a "config".
    const claimed = CONFIG_MAX_BYTES + 1_000_000;
    hub.listedSize.set(config.path, claimed);
    hub.oversize.set(config.path, claimed);
    const error = await failure(download());
    expect(error.code).toBe('integrity');
    expect(error.message).toMatch(/config\.json .*51 MB.*at most 50 MB/);
    expect(resolved(config.path)).toBe(false);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('holds a catalogue model to its expected size, file by file and in all', async () => {
    const entry = findCatalogueEntry(DEFAULT_MODEL_ID)!;
    const files = ['config.json', 'visual/preprocess_cfg.json', 'visual/model.onnx', 'textual/model.onnx', 'textual/tokenizer.json', 'textual/tokenizer_config.json'];
    const model = async () => {
      const fake = new FakeHub(entry.repo);
      for (const file of files) fake.files.push({ path: file, content: await readFile(path.join(IMMICH_MODEL, file)), lfs: file.endsWith('.onnx') });
      await fake.start();
      return fake;
    };
    const store = new ModelStore(tmp);
    const oneTooBig = await model();
    oneTooBig.listedSize.set('visual/model.onnx', entry.approxBytes * 2);
    const fileError = await failure(store.download(DEFAULT_MODEL_ID, { endpoint: oneTooBig.hubUrl }).finally(() => oneTooBig.stop()));
    expect(fileError).toMatchObject({ code: 'integrity', message: expect.stringMatching(/visual\/model\.onnx/) });
    expect(oneTooBig.requests.some((request) => request.url.includes('/resolve/'))).toBe(false);

    const allTooBig = await model();
    allTooBig.listedSize.set('visual/model.onnx', entry.approxBytes);
    allTooBig.listedSize.set('textual/model.onnx', entry.approxBytes);
    const totalError = await failure(store.download(DEFAULT_MODEL_ID, { endpoint: allTooBig.hubUrl }).finally(() => allTooBig.stop()));
    expect(totalError).toMatchObject({ code: 'integrity', message: expect.stringMatching(/in all/) });
    expect(allTooBig.requests.some((request) => request.url.includes('/resolve/'))).toBe(false);
  });

  it('stops a file at its listed size when the server sends more', async () => {
    hub.oversize.set(config.path, 10_000_000);
    const error = await failure(download());
    expect(error.code).toBe('integrity');
    const parts = await readdir(path.join(tmp, '.partial', 'clip'), { recursive: true }).catch(() => []);
    expect(parts.filter((name) => String(name).endsWith('.part'))).toEqual([]);
  });
});

describe('the file list itself', () => {
  it('refuses a file list larger than 1 MiB', async () => {
    const entries = Array.from({ length: 3000 }, (_, i) => ({ type: 'directory', oid: 'f'.repeat(40), size: 0, path: `dir-${i}-${'x'.repeat(400)}` }));
    hub.treeBody = JSON.stringify(entries);
    expect(hub.treeBody.length).toBeGreaterThan(2 ** 20);
    const error = await failure(listHubFiles(REPO, { endpoint: hub.hubUrl }));
    expect(error).toMatchObject({ code: 'network', message: expect.stringMatching(/file list .*larger than 1 MiB/) });
  });

  it('stops reading a file list that never ends', { timeout: 20_000 }, async () => {
    hub.endlessTree = true;
    const error = await failure(listHubFiles(REPO, { endpoint: hub.hubUrl }));
    expect(error.message).toMatch(/larger than 1 MiB/);
  });
});

describe('redirects', () => {
  it('follows a download only to the Hub’s own servers, over https', () => {
    const hubEndpoint = 'https://huggingface.co';
    for (const allowed of ['https://huggingface.co/api/resolve-cache/x', 'https://cdn-lfs.hf.co/repos/a/b', 'https://cdn-lfs-us-1.hf.co/repos/a/b', 'https://cas-bridge.xethub.hf.co/xet-bridge-us/a']) {
      expect(isAllowedRedirect(hubEndpoint, new URL(allowed)), allowed).toBe(true);
    }
    for (const refused of ['http://cdn-lfs.hf.co/repos/a', 'https://cdn-lfs.hf.co.evil.example/a', 'https://evil.example/a', 'https://huggingface.co.evil.example/', 'http://127.0.0.1:8080/a', 'ftp://huggingface.co/a']) {
      expect(isAllowedRedirect(hubEndpoint, new URL(refused)), refused).toBe(false);
    }
    // A Hub played on this machine may send downloads to another port of it (tests do).
    expect(isAllowedRedirect('http://127.0.0.1:4000', new URL('http://127.0.0.1:4001/blobs/a'))).toBe(true);
    expect(isAllowedRedirect('http://127.0.0.1:4000', new URL('http://evil.example/blobs/a'))).toBe(false);
  });

  for (const target of ['http://lumen-test.invalid/blob', 'https://evil.example/blob']) {
    it(`refuses a redirect to ${target}`, async () => {
      hub.redirect.set(config.path, target);
      const error = await failure(download());
      expect(error.code).toBe('integrity');
      expect(error.message).toContain(new URL(target).host);
      expect(error.message).toContain(config.path);
    });
  }
});

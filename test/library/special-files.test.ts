/**
 * Paths that are not photo files (pipes, sockets, devices, links to them, links that lead
 * nowhere, files too large) and names that are not valid UTF-8: never read, never hanging,
 * never skipped silently.
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, rename, symlink, truncate } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_PHOTO_BYTES } from '../../main/core/photo-file.js';
import { identifyFile } from '../../main/library/identity.js';
import type { Library } from '../../main/library/library.js';
import type { ClipModel } from '../../main/models/clip.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';
import { fixturePhotos, loadFixtureModel, openLibrary, type FixturePhoto } from '../helpers/library.js';

/** A path whose last part is `prefix`, then the raw byte `byte`, then `suffix`. */
function bytePath(dir: string, prefix: string, byte: number, suffix: string): Buffer {
  return Buffer.concat([Buffer.from(`${dir}/${prefix}`), Buffer.from([byte]), Buffer.from(suffix)]);
}

async function listen(socketPath: string): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return server;
}

describe('special files and names', () => {
  let model: ClipModel;
  let photos: FixturePhoto[];
  let scratch: { dir: string; cleanup: () => Promise<void> };
  let folder: string;
  let library: Library;
  let server: Server | null = null;

  beforeAll(async () => {
    model = await loadFixtureModel(IMMICH_MODEL);
    photos = await fixturePhotos();
  });
  afterAll(() => model.dispose());
  beforeEach(async () => {
    scratch = await tempDir();
    folder = path.join(scratch.dir, 'Photos');
    await mkdir(folder);
    library = openLibrary(path.join(scratch.dir, 'data'));
  });
  afterEach(async () => {
    server?.close();
    server = null;
    await library.close();
    await scratch.cleanup();
  });

  async function specialFiles(): Promise<Record<string, string>> {
    const files = {
      fifo: path.join(folder, 'pipe.jpg'),
      socket: path.join(folder, 'socket.png'),
      zero: path.join(folder, 'zero.jpg'),
      loop: path.join(folder, 'loop.jpg'),
      dangling: path.join(folder, 'gone.jpg'),
    };
    execFileSync('mkfifo', [files.fifo]);
    server = await listen(files.socket);
    await symlink('/dev/zero', files.zero);
    await symlink(files.loop, files.loop);
    await symlink(path.join(scratch.dir, 'nowhere.jpg'), files.dangling);
    return files;
  }

  it('never reads a pipe, socket or device given as a photo, and says what it is', { timeout: 20_000 }, async () => {
    const files = await specialFiles();
    const results = await model.embedImageList([files.fifo!, files.socket!, '/dev/zero', files.zero!, files.loop!, photos[0]!.file]);
    const messages = results.map((result) => ('error' in result ? `${result.error.code}: ${result.error.message}` : 'embedded'));
    expect(messages[0]).toMatch(/^image-unreadable: .*pipe\.jpg: it is a pipe \(FIFO\)/);
    expect(messages[1]).toMatch(/^image-unreadable: .*socket\.png: it is a socket/);
    expect(messages[2]).toMatch(/^image-unreadable: .*\/dev\/zero: it is a character device/);
    expect(messages[3]).toMatch(/^image-unreadable: .*zero\.jpg: it is a character device/);
    expect(messages[4]).toMatch(/^image-unreadable: .*loop\.jpg: .*leads back to itself/);
    expect(messages[5]).toBe('embedded');
    await expect(identifyFile(files.fifo!)).rejects.toMatchObject({ problem: 'special' });
    await expect(identifyFile('/dev/zero')).rejects.toMatchObject({ problem: 'special' });
  });

  it('refuses a file larger than any photo before reading it', async () => {
    const huge = path.join(folder, 'huge.jpg');
    await copyFile(photos[0]!.file, huge);
    await truncate(huge, MAX_PHOTO_BYTES + 1); // sparse: no disk space used
    const [result] = await model.embedImageList([huge]);
    expect(result && 'error' in result && result.error.message).toMatch(/huge\.jpg: it is 512 MiB, larger than any photo/);
    await expect(identifyFile(huge)).rejects.toMatchObject({ problem: 'too-large' });
  });

  it('indexes the photos of a folder and reports each special file with a reason', { timeout: 20_000 }, async () => {
    const files = await specialFiles();
    await copyFile(photos[0]!.file, path.join(folder, 'photo.jpg'));
    execFileSync('mkfifo', [path.join(folder, 'notes.txt')]); // clearly no photo: not reported
    const summary = await library.index(model, { folders: (await library.addFolders([folder])).folders });
    expect(summary.embedded).toBe(1);
    const failed = Object.fromEntries(summary.failed.map((f) => [f.path, f]));
    expect(failed[files.fifo!]).toMatchObject({ reason: 'not-a-file', message: expect.stringMatching(/pipe \(FIFO\)/) });
    expect(failed[files.socket!]).toMatchObject({ reason: 'not-a-file', message: expect.stringMatching(/socket/) });
    expect(failed[files.zero!]).toMatchObject({ reason: 'not-a-file', message: expect.stringMatching(/character device/) });
    expect(failed[files.loop!]).toMatchObject({ reason: 'unreadable', message: expect.stringMatching(/leads back to itself/) });
    expect(failed[files.dangling!]).toMatchObject({ reason: 'unreadable', message: expect.stringMatching(/does not exist/) });
    expect(summary.failed).toHaveLength(5);
  });

  it('reports files and folders whose names are not UTF-8 by an escaped name, asking to rename them', async () => {
    await copyFile(photos[0]!.file, path.join(folder, 'fine.jpg'));
    await copyFile(photos[1]!.file, bytePath(folder, 'caf', 0xe9, '.jpg'));
    const badFolder = bytePath(folder, 'Ferien ', 0xfc, 'ber');
    await mkdir(badFolder);
    await copyFile(photos[2]!.file, Buffer.concat([badFolder, Buffer.from('/inside.jpg')]));
    const summary = await library.index(model, { folders: (await library.addFolders([folder])).folders });
    expect(summary.embedded).toBe(1);
    expect(summary.failed).toEqual(
      expect.arrayContaining([
        { path: path.join(folder, 'caf\\xE9.jpg'), reason: 'bad-name', message: expect.stringMatching(/caf\\xE9\.jpg has a name that is not valid text .*rename it/) },
        { path: path.join(folder, 'Ferien \\xFCber'), reason: 'bad-name', message: expect.stringMatching(/folder .*Ferien \\xFCber.*rename it/) },
      ]),
    );
    expect(summary.failed).toHaveLength(2);
  });

  it('keeps the photos of a folder renamed to a name that is not UTF-8, as it cannot see them', async () => {
    await mkdir(path.join(folder, 'trip'));
    await copyFile(photos[0]!.file, path.join(folder, 'trip', 'a.jpg'));
    await library.index(model, { folders: (await library.addFolders([folder])).folders });
    await rename(path.join(folder, 'trip'), bytePath(folder, 'trip', 0xff, ''));
    const summary = await library.index(model);
    expect(summary).toMatchObject({ removed: 0, failed: [{ path: path.join(folder, 'trip\\xFF'), reason: 'bad-name' }] });
    expect(library.status().photos).toBe(1);
  });
});

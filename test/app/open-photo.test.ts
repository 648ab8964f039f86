/**
 * Note [Opened by its ending] in main/app/handlers.ts: "Open with default app" hands the system
 * only a file named as a photo; an image named as a program is refused, and nothing is opened.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callHandlers, type AppShell, type EngineClient } from '../../main/app/handlers.js';

function desktop(opened: string[]): AppShell {
  return {
    pickFolders: async () => null,
    showInFolder: () => true,
    openPath: async (file) => (opened.push(file), true),
    moveToTrash: async () => {},
  };
}

/** An engine whose every photo is the file `file`. */
const engineWith = (file: string): EngineClient => ({ call: async (name) => (name === 'photos.file' ? { path: file } : Promise.reject(new Error(`unexpected ${name}`))) as never });

describe('opening a photo with its default app', () => {
  let dir: string;
  beforeAll(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'lumen-open-'))));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  /** A file of that name, there to be opened. */
  const fileNamed = async (name: string) => {
    const file = path.join(dir, name);
    await writeFile(file, 'an image');
    return file;
  };

  it('opens a file named as a photo, whatever the letter case of its ending', async () => {
    for (const name of ['beach.jpg', 'SCAN.TIFF', 'phone.heic']) {
      const file = await fileNamed(name);
      const opened: string[] = [];
      expect(await callHandlers(engineWith(file), desktop(opened), () => {})['photos.open']({ id: 1 })).toEqual({ opened: true });
      expect(opened).toEqual([file]);
    }
  });

  it('refuses a file that decodes as an image but is named as a program or a page, and opens nothing', async () => {
    for (const name of ['holiday.hta', 'run.desktop', 'a.js', 'noending']) {
      const file = await fileNamed(name);
      const opened: string[] = [];
      const refused = callHandlers(engineWith(file), desktop(opened), () => {})['photos.open']({ id: 1 });
      await expect(refused).rejects.toMatchObject({ code: 'bad-input', message: expect.stringMatching(/^Lumen opens only files named as photos in another app, and \S+ is not: .* Show it in its folder instead\.$/) });
      expect(opened).toEqual([]);
    }
  });
});

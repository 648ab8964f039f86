/**
 * A folder of everything a photo folder should not hold, each entry with the outcome indexing
 * must reach: indexed, or reported with a reason. Linux (FIFOs, sockets, /dev), as the CI is.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, renameSync, rmSync, statSync, truncateSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, symlink, truncate, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { MAX_PHOTO_BYTES } from '../../main/core/photo-file.js';
import type { FailureReason } from '../../main/library/formats.js';
import type { FixturePhoto } from './library.js';

export interface HostileEntry {
  /** As the library reports it: invalid UTF-8 bytes written `\xNN`. */
  path: string;
  /** Indexed; gone from the library without a report (deleted during the run); or reported with one of these reasons. */
  expect: 'indexed' | 'forgotten' | FailureReason[];
  what: string;
}

export interface HostileCorpus {
  entries: HostileEntry[];
  /** Rewrites files while the run is under way: call when indexing starts (synchronous, so it is done before anything is read). */
  duringRun: () => void;
  /** Closes the socket's server and restores permissions so the folder can be removed. */
  close: () => Promise<void>;
  /** Why an expectation differs here (running as root); logged by the test. */
  notes: string[];
}

/** `length` bytes that look random, the same on every run (so every run sees the same damage). */
function noise(length: number, seed: string): Buffer {
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 32 < length; i++) blocks.push(createHash('sha256').update(`${seed}:${i}`).digest());
  return Buffer.concat(blocks).subarray(0, length);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A few hundred bytes of PNG that claim `side` x `side` pixels (a decompression bomb's header). */
function pngBomb(side: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(Buffer.alloc(4096))), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A JPEG with an Exif segment whose directory claims far more entries and data than it has. */
function malformedExif(jpeg: Buffer): Buffer {
  const tiff = Buffer.alloc(38);
  tiff.write('II*\0', 0, 'binary');
  tiff.writeUInt32LE(8, 4);
  tiff.writeUInt16LE(2, 8); // two entries...
  // Orientation 9 (there is no such orientation).
  tiff.writeUInt16LE(0x0112, 10);
  tiff.writeUInt16LE(3, 12);
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt16LE(9, 18);
  // Make: a string of 4 GB, far past the end of the segment.
  tiff.writeUInt16LE(0x010f, 22);
  tiff.writeUInt16LE(2, 24);
  tiff.writeUInt32LE(0xffffffff, 26);
  tiff.writeUInt32LE(0x7ffffff0, 30);
  tiff.writeUInt32LE(0xfffffff0, 34); // ...and a next directory nowhere
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'binary'), tiff]);
  const marker = Buffer.from([0xff, 0xe1, 0, 0]);
  marker.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), marker, payload, jpeg.subarray(2)]);
}

function rgbaPng(side: number): Promise<Buffer> {
  return sharp({ create: { width: side, height: side, channels: 4, background: { r: 40, g: 160, b: 90, alpha: 0.6 } } }).png().toBuffer();
}

async function listen(socketPath: string): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return server;
}

/** Writes the corpus under `root` (which must exist) from fixture `photos` (at least 17). */
export async function makeHostileCorpus(root: string, photos: readonly FixturePhoto[]): Promise<HostileCorpus> {
  const entries: HostileEntry[] = [];
  const notes: string[] = [];
  const asRoot = process.getuid?.() === 0;
  const at = (...parts: string[]) => path.join(root, ...parts);
  const add = (file: string, expect: HostileEntry['expect'], what: string) => entries.push({ path: file, expect, what });
  const photo = (i: number) => (photos[i] as FixturePhoto).file;

  // Plain damage.
  await writeFile(at('empty.jpg'), Buffer.alloc(0));
  add(at('empty.jpg'), ['not-an-image'], 'a zero-byte file');
  const jpeg = await readFile(photo(0));
  await writeFile(at('truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
  add(at('truncated.jpg'), ['truncated', 'corrupt'], 'half a JPEG');
  await writeFile(at('random.jpg'), noise(20_000, 'jpg'));
  add(at('random.jpg'), ['not-an-image'], 'random bytes named .jpg');
  await writeFile(at('random.png'), noise(5_000, 'png'));
  add(at('random.png'), ['not-an-image'], 'random bytes named .png');
  await writeFile(at('header-then-noise.jpg'), Buffer.concat([jpeg.subarray(0, 600), noise(20_000, 'tail')]));
  add(at('header-then-noise.jpg'), ['truncated', 'corrupt'], 'a JPEG header followed by noise');
  await writeFile(at('bomb.png'), pngBomb(40_000));
  add(at('bomb.png'), ['too-large'], 'a small PNG claiming 40000 x 40000 pixels');
  await copyFile(photo(1), at('huge.tif'));
  await truncate(at('huge.tif'), MAX_PHOTO_BYTES + 1);
  add(at('huge.tif'), ['too-large'], 'a (sparse) file larger than any photo');

  // Images that are fine but costly or odd.
  await writeFile(at('alpha-large.png'), await rgbaPng(5000));
  add(at('alpha-large.png'), 'indexed', 'a 5000 x 5000 RGBA PNG (streamed)');
  await writeFile(at('alpha-medium.png'), await rgbaPng(3000));
  add(at('alpha-medium.png'), 'indexed', 'a 3000 x 3000 RGBA PNG (alpha dropped first)');
  await writeFile(at('bad-exif.jpg'), malformedExif(await readFile(photo(2))));
  add(at('bad-exif.jpg'), 'indexed', 'a JPEG with a malformed Exif segment');

  // Not files at all.
  execFileSync('mkfifo', [at('pipe.jpg')]);
  add(at('pipe.jpg'), ['not-a-file'], 'a FIFO');
  const server = await listen(at('socket.png'));
  add(at('socket.png'), ['not-a-file'], 'a unix socket');
  for (const [name, device] of [['zero.jpg', '/dev/zero'], ['urandom.png', '/dev/urandom'], ['null.jpg', '/dev/null']] as const) {
    await symlink(device, at(name));
    add(at(name), ['not-a-file'], `a symlink to ${device}`);
  }

  // Links in circles.
  await symlink(at('self.jpg'), at('self.jpg'));
  add(at('self.jpg'), ['unreadable'], 'a symlink to itself');
  await symlink(at('pong.jpg'), at('ping.jpg'));
  await symlink(at('ping.jpg'), at('pong.jpg'));
  add(at('ping.jpg'), ['unreadable'], 'two symlinks to each other');
  add(at('pong.jpg'), ['unreadable'], 'two symlinks to each other');
  await mkdir(at('loop'));
  await copyFile(photo(3), at('loop', 'inside.jpg'));
  add(at('loop', 'inside.jpg'), 'indexed', 'a photo beside a link to its own folder');
  await symlink('..', at('loop', 'up'));
  await symlink('.', at('loop', 'here'));

  // Names.
  for (const [i, name] of ['line\nbreak.jpg', 'tab\there.jpg', 'trailing space .jpg', 'back\\slash.jpg', '日本語の写真.jpg', 'folder.jpg'].entries()) {
    if (name === 'folder.jpg') {
      await mkdir(at(name));
      await copyFile(photo(4 + i), at(name, 'in-a-folder-named-like-a-photo.jpg'));
      add(at(name, 'in-a-folder-named-like-a-photo.jpg'), 'indexed', 'a photo in a folder named like a photo');
    } else {
      await copyFile(photo(4 + i), at(name));
      add(at(name), 'indexed', `a name with ${JSON.stringify(name)}`);
    }
  }
  await copyFile(photo(10), Buffer.from(`${root}/caf\xe9.jpg`, 'latin1'));
  add(at('caf\\xE9.jpg'), ['bad-name'], 'a Latin-1 name (not UTF-8)');
  const badFolder = Buffer.from(`${root}/\xff\xfe folder`, 'latin1');
  await mkdir(badFolder);
  await copyFile(photo(11), Buffer.concat([badFolder, Buffer.from('/photo.jpg')]));
  add(at('\\xFF\\xFE folder'), ['bad-name'], 'a folder whose name is not UTF-8');

  // Depth.
  const deep = at(...Array.from({ length: 200 }, (_, i) => `d${i}`));
  await mkdir(deep, { recursive: true });
  await copyFile(photo(12), path.join(deep, 'deep.jpg'));
  add(path.join(deep, 'deep.jpg'), 'indexed', 'a photo 200 folders deep');

  // Permissions: root reads everything, so there these are simply photos.
  await copyFile(photo(13), at('locked.jpg'));
  await chmod(at('locked.jpg'), 0o000);
  await mkdir(at('locked-folder'));
  await copyFile(photo(14), at('locked-folder', 'inside.jpg'));
  await chmod(at('locked-folder'), 0o000);
  if (asRoot) {
    notes.push('running as root, which reads files and folders with mode 000: locked.jpg and locked-folder/ are expected to index, not to fail');
    add(at('locked.jpg'), 'indexed', 'a file with mode 000 (root reads it)');
    add(at('locked-folder', 'inside.jpg'), 'indexed', 'a photo in a folder with mode 000 (root reads it)');
  } else {
    add(at('locked.jpg'), ['unreadable'], 'a file with mode 000');
    add(at('locked-folder'), ['unreadable'], 'a folder with mode 000');
  }

  // Rewritten while the run is under way: after the scan saw them, before they are read.
  for (const name of ['replaced.jpg', 'shrunk.jpg', 'vanished.jpg']) await copyFile(photo(15), at(name));
  add(at('replaced.jpg'), 'indexed', 'a photo replaced by another during the run');
  add(at('shrunk.jpg'), ['truncated', 'corrupt'], 'a photo cut short during the run');
  add(at('vanished.jpg'), 'forgotten', 'a photo deleted during the run');
  const duringRun = () => {
    copyFileSync(photo(16), at('.replacement'));
    renameSync(at('.replacement'), at('replaced.jpg'));
    truncateSync(at('shrunk.jpg'), Math.floor(statSync(at('shrunk.jpg')).size / 3));
    rmSync(at('vanished.jpg'));
  };

  // Not photos: nothing to report.
  await writeFile(at('notes.txt'), 'not a photo');
  execFileSync('mkfifo', [at('log.txt')]);

  const close = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await chmod(at('locked.jpg'), 0o644);
    await chmod(at('locked-folder'), 0o755);
  };
  return { entries, duringRun, close, notes };
}

/**
 * Thumbnails and previews in the app's data folder, named by content hash, so a moved or renamed
 * photo keeps its thumbnail and duplicates share one.
 *
 * Note [Previews on demand]: the grid thumbnail is written during indexing from the same decode
 * as the model input; the viewer's large preview is made the first time a photo is opened and
 * kept, so indexing never pays for a large decode.
 *
 * Note [Previews kept elsewhere]: a library searched from read-only media (or a full disk) cannot
 * keep a preview, and the viewer stayed blank for every photo not opened before. A preview that
 * cannot be kept in the data folder is kept instead in a folder of the system's temporary space
 * made for this process (mode 700: other users never see a person's photos), removed as the
 * library closes.
 *
 * Note [Temporaries swept on the first write]: a process killed while it wrote a thumbnail leaves
 * its temporary file (Note [Temporary names] in temporary-files.ts) in one of up to 256 folders
 * holding 500k thumbnails between them. Looking through them as the library opens would stand in
 * the way of the first search, so the first write of each kind sweeps them in the background:
 * the run after a killed one writes the thumbnails the killed one did not store.
 *
 * Note [Thumbnails made again]: a thumbnail or preview deleted, emptied or overwritten in the
 * data folder showed "No preview" for good: a re-scan finds the photo unchanged and leaves it. So
 * what is served is checked where it is read to be served, by its WebP header against its size
 * (`isWholeWebp`: no decode, no second read; the grid asks for hundreds), and one that fails is
 * made again from the original (`remake`), a thumbnail by indexing's own decode, and kept as a
 * preview is. Damage inside a whole-looking file goes unseen; a photo whose original is gone too
 * has nothing to make it from.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isDiskFull, isUnwritable, messageOf, UserError } from '../core/errors.js';
import { canWrite } from '../core/paths.js';
import { checkPhotoFile } from '../core/photo-file.js';
import { removeStaleTemporaries, writeFileAtomic } from '../core/temporary-files.js';
import type { ImagePreprocessing } from '../models/folder.js';

export const PREVIEW_SIDE = 1600;

/** Whether bytes read from a thumbnail or preview are a whole WebP: a RIFF header that names WebP and the size read (Note [Thumbnails made again]). */
export function isWholeWebp(bytes: Buffer): boolean {
  return bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP' && bytes.readUInt32LE(4) + 8 === bytes.length;
}

/** The photo could not be decoded for showing: the file changed into something that is not a photo since it was indexed, its own defect. */
function cannotShow(originalPath: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof UserError) throw error;
    throw new UserError('image-undecodable', `Cannot show ${originalPath}: ${messageOf(error)}. Re-scan the folder if the file changed.`, { cause: error });
  };
}

export class ThumbnailStore {
  /** This process's folder for previews the data folder cannot keep (Note [Previews kept elsewhere]), made when first needed. */
  private elsewhere: Promise<string> | null = null;
  /** The kinds whose folders were swept of temporaries a killed writer left (Note [Temporaries swept on the first write]). */
  private readonly swept = new Set<'thumbs' | 'previews'>();

  constructor(readonly dataDir: string) {}

  /** Path relative to the data folder, as stored in the database. */
  relativePath(contentHash: string, kind: 'thumbs' | 'previews' = 'thumbs'): string {
    return path.join(kind, contentHash.slice(0, 2), `${contentHash}.webp`);
  }

  absolute(relative: string): string {
    return path.join(this.dataDir, relative);
  }

  /** Writes atomically (temp + rename): a crash never leaves half a thumbnail under the real name. */
  async write(contentHash: string, webp: Buffer, kind: 'thumbs' | 'previews' = 'thumbs'): Promise<string> {
    const relative = this.relativePath(contentHash, kind);
    await writeFileAtomic(this.absolute(relative), webp);
    if (!this.swept.has(kind)) {
      this.swept.add(kind);
      void this.removeStaleTemporaries(kind).catch(() => {});
    }
    return relative;
  }

  private async removeStaleTemporaries(kind: 'thumbs' | 'previews'): Promise<void> {
    const root = path.join(this.dataDir, kind);
    for (const folder of await readdir(root)) await removeStaleTemporaries(path.join(root, folder));
  }

  /** Removes the previews kept outside the data folder (Note [Previews kept elsewhere]); the library is closing. */
  async discardKeptElsewhere(): Promise<void> {
    const folder = await this.elsewhere?.catch(() => null);
    this.elsewhere = null;
    if (folder) await rm(folder, { recursive: true, force: true });
  }

  /** Removes what was made of an image no file shows any more: its thumbnail, and its preview if it was opened. */
  async forget(image: { contentHash: string; thumbnail: string | null }): Promise<void> {
    const files = [this.relativePath(image.contentHash, 'previews'), ...(image.thumbnail ? [image.thumbnail] : [])];
    await Promise.all(files.map((relative) => rm(this.absolute(relative), { force: true })));
  }

  /** The grid thumbnail of a photo, as stored: checked where it is served (Note [Thumbnails made again]). */
  async thumbnail(contentHash: string): Promise<string> {
    const relative = this.relativePath(contentHash);
    return (await this.keptElsewhere(relative)) ?? this.absolute(relative);
  }

  /** The large preview of a photo, made from its original on first request. */
  async preview(contentHash: string, originalPath: string): Promise<string> {
    const relative = this.relativePath(contentHash, 'previews');
    // One made again elsewhere first: the data folder's may be a damaged one it could not replace.
    const keptElsewhere = await this.keptElsewhere(relative);
    if (keptElsewhere) return keptElsewhere;
    if (await stat(this.absolute(relative)).catch(() => null)) return this.absolute(relative);
    return this.remake(contentHash, originalPath, 'previews');
  }

  /** Makes a photo's thumbnail or preview from its original, where the one served was gone or damaged (Note [Thumbnails made again]). */
  async remake(contentHash: string, originalPath: string, kind: 'thumbs' | 'previews'): Promise<string> {
    // An original out of reach (its drive unplugged) is said as one, not as a file that changed.
    await checkPhotoFile(originalPath);
    const webp = kind === 'thumbs' ? await this.decodeThumbnail(originalPath) : await this.decodePreview(originalPath);
    return this.keep(contentHash, webp, kind);
  }

  private async decodeThumbnail(originalPath: string): Promise<Buffer> {
    // Loaded on first use: opening a library must not load libvips (Note [Cold start] in main/cli/index.ts).
    const { decodePhoto, THUMBNAIL_SIDE } = await import('./decode.js');
    // Indexing's decode, for the same thumbnail; the model input it makes beside it, the smallest it can, is dropped.
    const thumbnailOnly: ImagePreprocessing = { size: THUMBNAIL_SIDE, mean: [0, 0, 0], std: [1, 1, 1], interpolation: 'bicubic', resizeMode: 'shortest' };
    const { thumbnail } = await decodePhoto(originalPath, thumbnailOnly, { withThumbnail: true }).catch(cannotShow(originalPath));
    return thumbnail as Buffer;
  }

  private async decodePreview(originalPath: string): Promise<Buffer> {
    // Loaded on first use: opening a library must not load libvips (Note [Cold start] in main/cli/index.ts).
    const [{ default: sharp }, { DECODE_OPTIONS }] = await Promise.all([import('sharp'), import('../models/preprocess.js')]);
    return sharp(originalPath, DECODE_OPTIONS)
      .rotate()
      .resize(PREVIEW_SIDE, PREVIEW_SIDE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 82 })
      .toBuffer()
      .catch(cannotShow(originalPath));
  }

  /** What this process kept outside the data folder under `relative` (Note [Previews kept elsewhere]), if anything. */
  private async keptElsewhere(relative: string): Promise<string | null> {
    const file = this.elsewhere && path.join(await this.elsewhere, relative);
    return file && (await stat(file).catch(() => null)) ? file : null;
  }

  /** Keeps what was made in the data folder, or elsewhere where the data folder cannot keep it (Note [Previews kept elsewhere]). */
  private async keep(contentHash: string, webp: Buffer, kind: 'thumbs' | 'previews'): Promise<string> {
    try {
      return this.absolute(await this.write(contentHash, webp, kind));
    } catch (error) {
      // On read-only media a folder of previews not made yet fails as ENOENT: the folder is asked.
      if (!isUnwritable(error) && !isDiskFull(error) && canWrite(this.dataDir)) throw error;
      // A folder that could not be made is tried again for the next preview.
      this.elsewhere ??= mkdtemp(path.join(os.tmpdir(), 'lumen-previews-')).catch((made: unknown) => {
        this.elsewhere = null;
        throw made;
      });
      const file = path.join(await this.elsewhere, this.relativePath(contentHash, kind));
      await writeFileAtomic(file, webp);
      return file;
    }
  }
}

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
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isDiskFull, isUnwritable, messageOf, UserError } from '../core/errors.js';
import { canWrite } from '../core/paths.js';
import { checkPhotoFile } from '../core/photo-file.js';
import { removeStaleTemporaries, writeFileAtomic } from '../core/temporary-files.js';

export const PREVIEW_SIDE = 1600;

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

  /** The large preview of a photo, made from its original on first request. */
  async preview(contentHash: string, originalPath: string): Promise<string> {
    const relative = this.relativePath(contentHash, 'previews');
    if (await stat(this.absolute(relative)).catch(() => null)) return this.absolute(relative);
    const keptElsewhere = this.elsewhere && path.join(await this.elsewhere, relative);
    if (keptElsewhere && (await stat(keptElsewhere).catch(() => null))) return keptElsewhere;
    await checkPhotoFile(originalPath);
    // Loaded on first use: opening a library must not load libvips (Note [Cold start] in main/cli/index.ts).
    const [{ default: sharp }, { DECODE_OPTIONS }] = await Promise.all([import('sharp'), import('../models/preprocess.js')]);
    const webp = await sharp(originalPath, DECODE_OPTIONS)
      .rotate()
      .resize(PREVIEW_SIDE, PREVIEW_SIDE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 82 })
      .toBuffer()
      .catch((error: unknown) => {
        // The file changed into something that is not a photo since it was indexed: its own defect.
        throw new UserError('image-undecodable', `Cannot show ${originalPath}: ${messageOf(error)}. Re-scan the folder if the file changed.`, { cause: error });
      });
    try {
      return this.absolute(await this.write(contentHash, webp, 'previews'));
    } catch (error) {
      // On read-only media a folder of previews not made yet fails as ENOENT: the folder is asked.
      if (!isUnwritable(error) && !isDiskFull(error) && canWrite(this.dataDir)) throw error;
      // A folder that could not be made is tried again for the next preview.
      this.elsewhere ??= mkdtemp(path.join(os.tmpdir(), 'lumen-previews-')).catch((made: unknown) => {
        this.elsewhere = null;
        throw made;
      });
      const file = path.join(await this.elsewhere, relative);
      await writeFileAtomic(file, webp);
      return file;
    }
  }
}

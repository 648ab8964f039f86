import { stat } from 'node:fs/promises';
import { stillAsRecorded } from '../core/file-stamp.js';
import type { LibraryStore } from '../storage/library-store.js';
import { hashWholeFile, WHOLE_IN_FAST_KEY, wholeContentKey, type FileIdentity } from './identity.js';
import type { WorkItem } from './walk.js';

/**
 * The keys of the contents an index run meets (Note [Same start, other content] in identity.ts):
 * those stored, and those the run creates an image for from when their decode starts.
 */
export class ContentKeys {
  /** The whole-file hashes of contents this run creates an image for, from when their decode starts. */
  private readonly newWholeHashes = new Map<string, string>();

  constructor(private readonly store: LibraryStore) {}

  /**
   * The key of the content a new or changed file shows: its fast key when no other content has
   * it, else a key of its own.
   */
  async keyOf(item: WorkItem, { contentHash, wholeHash, size }: FileIdentity): Promise<string> {
    if (wholeHash === null) return contentHash;
    const ownKey = wholeContentKey(wholeHash);
    if (this.wholeHashOf(ownKey) !== undefined) return ownKey;
    for (;;) {
      const known = this.wholeHashOf(contentHash);
      if (known === undefined || known === wholeHash) return contentHash;
      if (known !== null) return ownKey;
      // An image indexed before whole hashes were recorded: its hash is found (or trusted) and recorded, then compared.
      await this.recordWholeHash(contentHash, item.path, wholeHash, size <= WHOLE_IN_FAST_KEY);
    }
  }

  /** The run creates an image for `contentHash`, whose whole file hashes to `wholeHash`: a file met from now on is keyed against it. */
  remember(contentHash: string, wholeHash: string): void {
    this.newWholeHashes.set(contentHash, wholeHash);
  }

  /** The run creates no image for `contentHash` after all (its decode failed). */
  forget(contentHash: string): void {
    this.newWholeHashes.delete(contentHash);
  }

  /** The whole-file hash of the content `key`: undefined when no image has that key, null when its image was indexed before whole hashes were recorded. */
  private wholeHashOf(key: string): string | null | undefined {
    return this.newWholeHashes.get(key) ?? this.store.imageByHash(key)?.wholeHash;
  }

  /**
   * Records the whole hash of the stored image `key`, indexed before whole hashes were: that of
   * one of its other files still there as indexed, or else (a move) `fileHash`, that of `file`,
   * trusting the fast key as before, as where it covers the whole file.
   */
  private async recordWholeHash(key: string, file: string, fileHash: string, fastKeyIsWhole: boolean): Promise<void> {
    const { store } = this;
    const image = store.imageByHash(key);
    if (!image) return;
    let found: string | null = null;
    for (const other of fastKeyIsWhole ? [] : store.otherFilesOfImage(image.id, file)) {
      const info = await stat(other.path).catch(() => null);
      if (!stillAsRecorded(other, info)) continue;
      found = await hashWholeFile(other.path).catch(() => null);
      if (found !== null) break;
    }
    store.recordWholeHash(image.id, found ?? fileHash);
  }
}

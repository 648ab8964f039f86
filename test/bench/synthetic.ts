/**
 * Synthetic libraries for the benchmarks: embeddings clustered like real ones (random unit
 * vectors are the worst case for HNSW and unlike any photo library) and metadata spread so that
 * each filter the benchmarks use matches a known share of the photos.
 *
 * A database of `count` photos is written once under the bench cache and reused (1M photos take
 * minutes to write here); no photo files exist, which search never needs.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { IndexedFile } from '../../main/storage/library-store.js';
import { Storage } from '../../main/storage/storage.js';
import { clusteredSource } from '../helpers/vectors.js';

export const LIBRARY_ROOT = '/bench/photos';
const CAMERAS: Array<[string | null, string | null]> = [
  ['FUJIFILM', 'X100V'],
  ['Canon', 'EOS R5'],
  ['Canon', 'EOS R5'],
  ['Apple', 'iPhone 13'],
  [null, null],
];

/** What photo `i` of a synthetic library is: its share of each filter is `1 / period`. */
export function syntheticPhoto(i: number) {
  const year = 2000 + (i % 25);
  const [cameraMake, cameraModel] = CAMERAS[i % CAMERAS.length] as [string | null, string | null];
  return {
    path: path.posix.join(LIBRARY_ROOT, String(year), `album-${Math.floor(i / 25) % 10}`, `IMG_${i}.jpg`),
    takenAt: Date.UTC(year, (i * 7) % 12, 1 + (i % 28)),
    format: i % 10 < 8 ? 'jpeg' : i % 10 === 8 ? 'png' : 'heic',
    cameraMake,
    cameraModel,
    located: i % 7 === 0,
    /** Given by the tagger; a person rejected "beach" on every fifth of them. */
    tags: [...(i % 20 === 0 ? ['beach'] : []), ...(i % 4 === 1 ? ['dog'] : [])],
    rejected: i % 100 === 0 ? ['beach'] : [],
  };
}

const VERSION = 1;

/**
 * A library database of `count` synthetic photos embedded with `modelId` (`dim`-d), written
 * once into `dataDir` and reused while it matches. Returns the seconds spent writing (0 if reused).
 */
export async function syntheticDatabase(dataDir: string, count: number, dim: number, modelId: string, log: (message: string) => void): Promise<number> {
  const stamp = `${VERSION}:${count}:${dim}:${modelId}`;
  if (existsSync(path.join(dataDir, 'library.db'))) {
    const storage = Storage.open(dataDir);
    const written = storage.library.meta('bench_library');
    storage.close();
    if (written === stamp) return 0;
  }
  await rm(dataDir, { recursive: true, force: true });
  const started = performance.now();
  const storage = Storage.open(dataDir);
  try {
    const folderId = storage.library.addFolder(LIBRARY_ROOT, []);
    const vectors = clusteredSource(dim, Math.max(16, Math.round(count / 200)), 7);
    const BATCH = 5000;
    for (let start = 0; start < count; start += BATCH) {
      const rows = Math.min(BATCH, count - start);
      const chunk = vectors(rows);
      const batch: IndexedFile[] = [];
      const tags: Array<{ shown: string[]; rejected: string[] }> = [];
      for (let j = 0; j < rows; j++) {
        const i = start + j;
        const photo = syntheticPhoto(i);
        batch.push({
          path: photo.path,
          folderId,
          size: 3_000_000 + i,
          mtimeMs: photo.takenAt,
          ctimeMs: photo.takenAt,
          image: {
            created: {
              contentHash: `bench-${i}`,
              format: photo.format,
              width: 4000,
              height: 3000,
              takenAt: photo.takenAt,
              cameraMake: photo.cameraMake,
              cameraModel: photo.cameraModel,
              lens: null,
              latitude: photo.located ? 38.7 : null,
              longitude: photo.located ? -9.1 : null,
              orientation: 1,
              thumbnail: null,
            },
          },
          vector: chunk.subarray(j * dim, (j + 1) * dim),
        });
        tags.push({ shown: photo.tags, rejected: photo.rejected });
      }
      storage.transaction(() => {
        const written = storage.library.writeBatch(modelId, batch, []);
        written.forEach(({ imageId }, j) => {
          const { shown, rejected } = tags[j] as { shown: string[]; rejected: string[] };
          for (const tag of shown) storage.tags.insertAuto(imageId, { tag, score: 0.9, cosine: 0.3 }, modelId, 1);
          for (const tag of rejected) storage.tags.setVerdict(imageId, tag, true);
        });
      });
      if (start % 100_000 === 0) log(`  synthetic library: ${start} of ${count} photos written`);
    }
    storage.library.setMeta('serving_model', modelId);
    storage.library.setMeta('bench_library', stamp);
  } finally {
    storage.close();
  }
  const seconds = (performance.now() - started) / 1000;
  log(`synthetic library of ${count} photos written in ${seconds.toFixed(0)} s`);
  return seconds;
}

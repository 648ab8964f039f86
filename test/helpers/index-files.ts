/** The files a saved vector index left in its folder, for tests and benchmarks that damage or watch them. */
import { graphFileOf, indexFiles, readSidecar } from '../../main/storage/index-files.js';

/** The graph file the saved sidecar names (Note [Graph files never replaced] in vector-index.ts); null when there is none. */
export async function savedGraphFile(indexDir: string, model: string): Promise<string | null> {
  const files = indexFiles(indexDir, model);
  const sidecar = await readSidecar(files.sidecar);
  return sidecar && graphFileOf(files, sidecar);
}

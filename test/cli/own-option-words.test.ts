/**
 * A command's messages and help name its own options: bench-embed's refusal of a provider names
 * --providers, and --cutoff's help says what 0 means and that --all shows every photo.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli-main.js';
import { IMMICH_MODEL, ROOT } from '../helpers/fixtures.js';

describe('a command’s own options in its words', () => {
  // Where CUDA's provider is installed (a GPU machine), it starts: nothing to refuse.
  const cudaProvider = path.join(ROOT, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', 'linux', 'x64', 'libonnxruntime_providers_cuda.so');
  it.skipIf(process.platform !== 'linux' || existsSync(cudaProvider))('bench-embed names --providers when a provider cannot start', async () => {
    // A process of its own: ONNX Runtime writes its log to the process's stderr itself.
    const refused = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(ROOT, 'main', 'cli', 'index.ts'), 'bench-embed', '--model', IMMICH_MODEL, '--providers', 'cuda', '--photo-side', '0'], { cwd: ROOT }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^lumen bench-embed: The requested provider could not start \(cuda: [^)]{1,160}\)\. Use --providers with auto or cpu, or both: --providers cpu,auto\.\n$/);
  });

  it('--cutoff’s help says what 0 and 1 mean, and that --all shows every photo', async () => {
    for (const command of ['search', 'similar']) {
      const help = (await cli(command, '--help')).stdout;
      expect(help).toMatch(/--cutoff R +how relevant a photo must be, 0 to 1: 0 lets in every photo scoring above the library's average for the query, 1 only its best match \(default 0\.5; --all shows every photo\)/);
    }
  });
});

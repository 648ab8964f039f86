/**
 * The execution providers offered (status, Settings) are those that can start here: WebGPU on
 * Linux only where Vulkan's loader is installed (Note [No GPU, no noise] in main/models/session.ts).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Engine } from '../../main/engine/engine.js';
import { installedProviders, usableProviders, vulkanLoaderPresent } from '../../main/models/session.js';
import { IMMICH_MODEL, tempDir } from '../helpers/fixtures.js';

const saved = process.env['LD_LIBRARY_PATH'];
afterEach(() => {
  if (saved === undefined) delete process.env['LD_LIBRARY_PATH'];
  else process.env['LD_LIBRARY_PATH'] = saved;
});

it('offers WebGPU on Linux only where a Vulkan loader is found, and every installed provider elsewhere', async () => {
  const installed = installedProviders();
  expect(installed.has('webgpu')).toBe(true);
  const loaderDir = await mkdtemp(path.join(os.tmpdir(), 'lumen-vulkan-'));
  try {
    await writeFile(path.join(loaderDir, 'libvulkan.so.1'), '');
    process.env['LD_LIBRARY_PATH'] = loaderDir;
    expect(usableProviders('linux')).toEqual(installed);
  } finally {
    await rm(loaderDir, { recursive: true });
  }
  // No loader: WebGPU is left out on Linux, and only there.
  delete process.env['LD_LIBRARY_PATH'];
  expect(usableProviders('linux').has('webgpu')).toBe(vulkanLoaderPresent());
  expect(usableProviders('win32')).toEqual(installed);
});

it('has status offer only the providers that can start here', async () => {
  const scratch = await tempDir();
  const engine = new Engine({ dataDir: path.join(scratch.dir, 'data'), model: IMMICH_MODEL });
  try {
    expect((await engine.status()).availableProviders).toEqual([...usableProviders()]);
  } finally {
    await engine.dispose();
    await scratch.cleanup();
  }
});

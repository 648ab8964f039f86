/**
 * Note [One WebGPU run at a time] in main/models/session.ts: WebGPU sessions never start, run or
 * release at once (two runs at once crash the process); other providers' sessions do. The threads are
 * replaced by runners that record how many of their calls overlap, and what each run was asked.
 *
 * Note [Batches handed over] in threaded-session.ts: a run whose inputs a retry on the CPU would
 * need copies them; any other hands them over when its caller says it may.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type ort from 'onnxruntime-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ModelSession, type ExecutionProvider } from '../../main/models/session.js';
import type { Feeds, RunOptions, SessionRunner } from '../../main/models/threaded-session.js';

const calls = { inFlight: 0, mostAtOnce: 0, failNext: false, runs: [] as Array<{ provider: unknown; options: RunOptions | undefined }> };

async function overlapping<T>(value: T): Promise<T> {
  calls.inFlight++;
  calls.mostAtOnce = Math.max(calls.mostAtOnce, calls.inFlight);
  try {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (calls.failNext) {
      calls.failNext = false;
      throw new Error('device lost');
    }
    return value;
  } finally {
    calls.inFlight--;
  }
}

vi.mock('../../main/models/threaded-session.js', () => ({
  startThreadedSession: (_modelPath: string, settings: ort.InferenceSession.SessionOptions): Promise<SessionRunner> =>
    overlapping({
      inputs: [],
      outputs: [],
      startMs: 0,
      run: (feeds: readonly Feeds[], options?: RunOptions) => {
        calls.runs.push({ provider: settings.executionProviders?.[0], options });
        return overlapping([...feeds]);
      },
      release: () => overlapping(undefined),
    }),
}));

const quiet = () => {};
const towers = (provider: ExecutionProvider) =>
  Promise.all(['vision_model.onnx', 'text_model.onnx'].map((graph) => ModelSession.create(`/models/${provider}/${graph}`, provider, quiet, quiet, { thread: 'background' })));

describe('sessions on WebGPU', () => {
  afterEach(() => {
    Object.assign(calls, { inFlight: 0, mostAtOnce: 0, failNext: false, runs: [] });
  });

  it('start, run and release one at a time, both towers and every run answered', async () => {
    const [image, text] = await towers('webgpu');
    expect(calls.mostAtOnce).toBe(1);
    const runs = [0, 1, 2].flatMap(() => [image, text].map((tower) => tower?.run({})));
    const releases = [image?.release(), text?.release()];
    await Promise.all([...runs, ...releases]);
    expect(calls.mostAtOnce).toBe(1);
  });

  it('a run that fails does not hold up the next', async () => {
    const [image, text] = await towers('webgpu');
    calls.failNext = true;
    const [failed, answered] = await Promise.allSettled([image?.run({}), text?.run({ next: {} as Feeds[string] })]);
    expect(failed).toMatchObject({ status: 'rejected', reason: { code: 'model-invalid', message: expect.stringContaining('device lost') } });
    expect(answered).toMatchObject({ status: 'fulfilled', value: { next: {} } });
  });

  it('while the CPU runs its sessions side by side', async () => {
    const [image, text] = await towers('cpu');
    expect(calls.mostAtOnce).toBe(2);
    calls.mostAtOnce = 0;
    await Promise.all([image?.run({}), text?.run({})]);
    expect(calls.mostAtOnce).toBe(2);
    calls.mostAtOnce = 0;
    await Promise.all([image?.release(), text?.release()]);
    expect(calls.mostAtOnce).toBe(2);
  });

  it('copy the inputs of a run that may move to the CPU, and hand them over otherwise when asked, once moved too (Note [Batches handed over])', async () => {
    // WebGPU is tried first under `auto` where a Vulkan loader is found; none is loaded here.
    const loaderDir = await mkdtemp(path.join(os.tmpdir(), 'lumen-vulkan-'));
    const saved = process.env['LD_LIBRARY_PATH'];
    await writeFile(path.join(loaderDir, 'libvulkan.so.1'), '');
    process.env['LD_LIBRARY_PATH'] = loaderDir;
    try {
      const [mayMove, onCpu] = await Promise.all((['auto', 'cpu'] as const).map((preference) => ModelSession.create(`/models/${preference}/vision_model.onnx`, preference, quiet, quiet, { thread: 'background' })));
      calls.failNext = true;
      await mayMove?.run({}, { fetches: ['image_embeds'], handOver: true });
      // Moved to the CPU, it has nowhere else to go: inputs handed over, and a failure is final.
      await mayMove?.run({}, { handOver: true });
      calls.failNext = true;
      await expect(mayMove?.run({})).rejects.toMatchObject({ code: 'model-invalid' });
      await onCpu?.run({}, { fetches: ['image_embeds'], handOver: true });
      await onCpu?.run({});
      expect(calls.runs).toEqual([
        { provider: 'webgpu', options: { fetches: ['image_embeds'], transfer: false } },
        // The failed run again, on the CPU, with the inputs it was given: their last use.
        { provider: 'cpu', options: { fetches: ['image_embeds'], transfer: true } },
        { provider: 'cpu', options: { fetches: undefined, transfer: true } },
        { provider: 'cpu', options: { fetches: undefined, transfer: false } },
        { provider: 'cpu', options: { fetches: ['image_embeds'], transfer: true } },
        { provider: 'cpu', options: { fetches: undefined, transfer: false } },
      ]);
    } finally {
      if (saved === undefined) delete process.env['LD_LIBRARY_PATH'];
      else process.env['LD_LIBRARY_PATH'] = saved;
      await rm(loaderDir, { recursive: true });
    }
  });
});

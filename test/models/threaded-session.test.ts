/** Graphs run on a thread of their own (Note [Inference off the event loop]), background ones at low priority on Linux. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ModelSession } from '../../main/models/session.js';
import { HF_MODEL } from '../helpers/fixtures.js';

const VISION = path.join(HF_MODEL, 'onnx', 'vision_model.onnx');
const quiet = () => {};

function pixels(seed: number): ort.Tensor {
  const data = new Float32Array(2 * 3 * 64 * 64);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.001 + seed);
  return new ort.Tensor('float32', data, [2, 3, 64, 64]);
}

/** The niceness of each of this process's threads, by thread id (Linux). A thread that ends while being read is left out. */
function threadNiceness(): Map<string, number> {
  const niceness = new Map<string, number>();
  for (const task of readdirSync('/proc/self/task')) {
    try {
      niceness.set(task, Number(readFileSync(`/proc/self/task/${task}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]));
    } catch {
      // Threads come and go (the test runner's, libuv's); only the ones that stay are compared.
    }
  }
  return niceness;
}

/** The niceness of the threads in `after` that were not in `before`. */
function started(before: Map<string, number>, after: Map<string, number>): number[] {
  return [...after].filter(([task]) => !before.has(task)).map(([, nice]) => nice);
}

/** Whether every thread present both times kept its niceness. */
function unchanged(before: Map<string, number>, after: Map<string, number>): boolean {
  return [...after].every(([task, nice]) => !before.has(task) || before.get(task) === nice);
}

describe('a session on its own thread', () => {
  it('gives exactly what the same graph gives on this thread, inputs and outputs described the same', async () => {
    const here = await ModelSession.create(VISION, 'cpu', quiet);
    const threaded = await ModelSession.create(VISION, 'cpu', quiet, quiet, { thread: 'background' });
    try {
      expect(threaded.inputs).toEqual(here.inputs);
      expect(threaded.outputs).toEqual(here.outputs);
      const [a, b] = await Promise.all([here.run({ pixel_values: pixels(1) }), threaded.run({ pixel_values: pixels(1) })]);
      expect(b['image_embeds']?.dims).toEqual(a['image_embeds']?.dims);
      expect(Array.from(b['image_embeds']?.data as Float32Array)).toEqual(Array.from(a['image_embeds']?.data as Float32Array));
    } finally {
      await Promise.all([here.release(), threaded.release()]);
    }
  });

  it('answers calls made at once, each with its own result', async () => {
    const threaded = await ModelSession.create(VISION, 'cpu', quiet, quiet, { thread: 'background' });
    try {
      const [one, two, again] = await Promise.all([1, 2, 1].map((seed) => threaded.run({ pixel_values: pixels(seed) })));
      expect(Array.from(again?.['image_embeds']?.data as Float32Array)).toEqual(Array.from(one?.['image_embeds']?.data as Float32Array));
      expect(Array.from(two?.['image_embeds']?.data as Float32Array)).not.toEqual(Array.from(one?.['image_embeds']?.data as Float32Array));
    } finally {
      await threaded.release();
    }
  });

  it('runs a list of inputs in one request, each result in its place, as runs one at a time give them (Note [Runs in one message])', async () => {
    const threaded = await ModelSession.create(VISION, 'cpu', quiet, quiet, { thread: 'interactive' });
    try {
      const seeds = [1, 2, 3, 1];
      const together = await threaded.runEach(seeds.map((seed) => ({ pixel_values: pixels(seed) })));
      const apart = [];
      for (const seed of seeds) apart.push(await threaded.run({ pixel_values: pixels(seed) }));
      const embeddings = (outputs: Array<Record<string, ort.Tensor>>) => outputs.map((output) => Array.from(output['image_embeds']?.data as Float32Array));
      expect(embeddings(together)).toEqual(embeddings(apart));
      expect(embeddings(together)[1]).not.toEqual(embeddings(together)[0]);
      expect(await threaded.runEach([])).toEqual([]);
    } finally {
      await threaded.release();
    }
  });

  it('sends back only the outputs asked for, and takes inputs handed over without a copy (Note [Batches handed over])', async () => {
    const threaded = await ModelSession.create(VISION, 'cpu', quiet, quiet, { thread: 'background' });
    try {
      const kept = pixels(1);
      const everything = await threaded.run({ pixel_values: kept });
      expect(Object.keys(everything).sort()).toEqual(['image_embeds', 'last_hidden_state']);
      expect(kept.data.length).toBe(2 * 3 * 64 * 64);
      const handed = pixels(1);
      const asked = await threaded.run({ pixel_values: handed }, { fetches: ['image_embeds'], handOver: true });
      expect(Object.keys(asked)).toEqual(['image_embeds']);
      expect(Array.from(asked['image_embeds']?.data as Float32Array)).toEqual(Array.from(everything['image_embeds']?.data as Float32Array));
      // Moved to the graph's thread: nothing is left here.
      expect(handed.data.length).toBe(0);
    } finally {
      await threaded.release();
    }
  });

  it("passes ONNX Runtime's refusal of a bad input on as a clear error, and keeps working", async () => {
    const threaded = await ModelSession.create(VISION, 'cpu', quiet, quiet, { thread: 'background' });
    try {
      const wrong = new ort.Tensor('float32', new Float32Array(3 * 10 * 10), [1, 3, 10, 10]);
      await expect(threaded.run({ pixel_values: wrong })).rejects.toMatchObject({ code: 'model-invalid', message: expect.stringContaining(VISION) });
      expect((await threaded.run({ pixel_values: pixels(3) }))['image_embeds']?.dims).toEqual([2, 64]);
    } finally {
      await threaded.release();
    }
  });

  it('refuses a damaged graph when it starts, as on this thread', async () => {
    await expect(ModelSession.create(path.join(HF_MODEL, 'config.json'), 'cpu', quiet, quiet, { thread: 'background' })).rejects.toMatchObject({ code: 'model-invalid' });
  });

  it.runIf(process.platform === 'linux')('runs background work at low priority on Linux, interactive work and the rest of the process as they were', async () => {
    const before = threadNiceness();
    const background = await ModelSession.create(VISION, 'cpu', quiet, quiet, { thread: 'background' });
    try {
      const withBackground = threadNiceness();
      expect(started(before, withBackground)).toContain(10);
      expect(unchanged(before, withBackground)).toBe(true);
      const interactive = await ModelSession.create(VISION, 'cpu', quiet, quiet, { thread: 'interactive' });
      try {
        const withBoth = threadNiceness();
        const interactiveThreads = started(withBackground, withBoth);
        expect(interactiveThreads.length).toBeGreaterThanOrEqual(1);
        expect(interactiveThreads.every((nice) => nice === 0)).toBe(true);
        expect(unchanged(withBackground, withBoth)).toBe(true);
      } finally {
        await interactive.release();
      }
    } finally {
      await background.release();
    }
  });
});

/**
 * A session started on a GPU under `auto` moves to the CPU when the GPU fails mid-run, once, and
 * every run in flight then goes on there: runs that failed together share the one move.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { ModelSession } from '../../main/models/session.js';

/** A stand-in for an ONNX Runtime session: each run takes a moment, and fails on a lost device. */
function runner(name: string, fails: boolean) {
  let released = false;
  return {
    name,
    inputs: [],
    outputs: [],
    startMs: 0,
    runs: 0,
    async run(feeds: readonly unknown[]) {
      await sleep(20);
      if (released) throw new Error(`${name} was released while it ran`);
      if (fails) throw new Error(`${name}: device lost`);
      this.runs++;
      return feeds.map(() => ({}));
    },
    async release() {
      released = true;
    },
  };
}

it('moves to the CPU once when runs in flight together fail on the GPU, and each goes on there', async () => {
  const started: Array<ReturnType<typeof runner>> = [];
  const start = async () => {
    await sleep(5 + 10 * started.length);
    const cpu = runner(`cpu${started.length + 1}`, false);
    started.push(cpu);
    return cpu;
  };
  const logged: string[] = [];
  const Session = ModelSession as unknown as new (...args: unknown[]) => ModelSession;
  const session = new Session(runner('gpu', true), start, 'cuda', 'visual/model.onnx', true, (line: string) => logged.push(line), [], [], 0);
  const outcomes = await Promise.allSettled([session.run({}), session.run({}), session.run({})]);
  expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
  expect(started.map((cpu) => cpu.name)).toEqual(['cpu1']);
  expect(started[0]!.runs).toBe(3);
  expect(session.provider).toBe('cpu');
  expect(logged).toEqual([expect.stringMatching(/^cuda failed while running visual\/model\.onnx \(gpu: device lost\); using the CPU from now on\.$/)]);
});

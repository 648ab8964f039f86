import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ThreadRequests, type ThreadAnswer } from '../../main/core/worker-thread.js';

/**
 * A thread that holds its requests until one says "answer", then answers them all, that one
 * included, last first (`text` upper-cased, or an error for "bad"); "exit" and "throw" stop it.
 */
const HOLDING_THREAD = `
const { parentPort } = require('node:worker_threads');
const held = [];
parentPort.on('message', (request) => {
  if (request.text === 'exit') process.exit(3);
  if (request.text === 'throw') throw new Error('the thread broke');
  held.push(request);
  if (request.text !== 'answer') return;
  for (const { id, text } of held.reverse()) {
    parentPort.postMessage(text === 'bad' ? { kind: 'error', id, message: 'bad text' } : { kind: 'result', id, value: text.toUpperCase() });
  }
  held.length = 0;
});
`;

describe('ThreadRequests', () => {
  const workers: Worker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.terminate()));
  });

  function holdingThread(onStop: (error: Error) => void = () => {}) {
    const worker = new Worker(HOLDING_THREAD, { eval: true });
    workers.push(worker);
    const requests = new ThreadRequests<string>(worker, 'the test thread', onStop);
    worker.on('message', (answer: ThreadAnswer<string>) => requests.settle(answer));
    const send = (text: string) => requests.send((id) => ({ id, text }));
    return { worker, requests, send };
  }

  it('settles each request with its own answer, whatever order the answers come in', async () => {
    const { send } = holdingThread();
    const first = send('one');
    const second = send('two');
    const failing = send('bad');
    await send('answer');
    await Promise.all([expect(first).resolves.toBe('ONE'), expect(second).resolves.toBe('TWO'), expect(failing).rejects.toThrow('bad text')]);
  });

  it('fails every pending request when the thread exits, and says which thread stopped', async () => {
    const onStop = vi.fn();
    const { send } = holdingThread(onStop);
    const pending = [send('one'), send('two'), send('exit')];
    await Promise.all(pending.map((request) => expect(request).rejects.toThrow('the test thread stopped (exit code 3)')));
    expect(onStop).toHaveBeenCalledWith(expect.objectContaining({ message: 'the test thread stopped (exit code 3)' }));
  });

  it('refuses a request that cannot be sent, without holding the process open for it, and the rest go on', async () => {
    const { worker, requests, send } = holdingThread();
    const unref = vi.spyOn(worker, 'unref');
    await expect(requests.send((id) => ({ id, text: 'not for a thread', cannotCross: () => {} }))).rejects.toThrow(/could not be cloned/);
    expect(unref).toHaveBeenCalledTimes(1);
    const next = send('one');
    await send('answer');
    await expect(next).resolves.toBe('ONE');
  });

  it("fails pending requests with the thread's own error when it throws", async () => {
    const { send } = holdingThread();
    const pending = [send('one'), send('throw')];
    await Promise.all(pending.map((request) => expect(request).rejects.toThrow('the thread broke')));
  });

  it('keeps the process alive only while a request is pending', async () => {
    const { worker, requests, send } = holdingThread();
    const ref = vi.spyOn(worker, 'ref');
    const unref = vi.spyOn(worker, 'unref');
    requests.idleIfDone();
    expect(unref).toHaveBeenCalledTimes(1);
    const first = send('one');
    const second = send('two');
    expect(ref).toHaveBeenCalled();
    // Read after each answer is settled (this listener comes after the one that settles).
    const unrefsAfterEachAnswer: number[] = [];
    worker.on('message', () => unrefsAfterEachAnswer.push(unref.mock.calls.length));
    await send('answer');
    await Promise.all([first, second]);
    expect(unrefsAfterEachAnswer).toEqual([1, 1, 2]);
  });
});

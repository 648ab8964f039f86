/** main/core/in-turn.ts: changes one after another, a failed one holding none back. */
import { describe, expect, it } from 'vitest';
import { InTurn } from '../../main/core/in-turn.js';

describe('work in turn', () => {
  it('runs each once the one before has settled, failed or not, and answers each with its own outcome', async () => {
    const turns = new InTurn();
    const seen: string[] = [];
    const step = (name: string, ms: number, fail = false) => async () => {
      seen.push(`${name} starts`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      seen.push(`${name} ends`);
      if (fail) throw new Error(name);
      return name;
    };
    const outcomes = await Promise.allSettled([turns.run(step('a', 30)), turns.run(step('b', 5, true)), turns.run(step('c', 1))]);
    expect(seen).toEqual(['a starts', 'a ends', 'b starts', 'b ends', 'c starts', 'c ends']);
    expect(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : (outcome.reason as Error).message))).toEqual(['a', 'b', 'c']);
  });
});

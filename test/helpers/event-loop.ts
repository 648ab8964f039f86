/**
 * How often long work lets other work in: the turns of the event loop (its check phase, where
 * `setImmediate` callbacks run) between `start` and `stop`. A search waits for every stretch of
 * the engine's thread that has no turn in it.
 */
export function turnCounter(onTurn: () => void = () => {}) {
  let counting = false;
  let turns = 0;
  const tick = () => {
    if (!counting) return;
    turns++;
    onTurn();
    setImmediate(tick);
  };
  return {
    start(): void {
      if (counting) return;
      counting = true;
      setImmediate(tick);
    },
    stop(): void {
      counting = false;
    },
    get turns(): number {
      return turns;
    },
  };
}

/** Runs what it is given one after another, each once the one before has settled, failed or not: for changes that each read what the one before wrote. */
export class InTurn {
  private last: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.last.then(work);
    this.last = next.catch(() => {});
    return next;
  }
}

/** Calls under way, kept while they run: for what must know of them (a job holding back) or wait for them (models let go). */
export class CallsUnderWay {
  private readonly calls = new Set<Promise<unknown>>();

  get count(): number {
    return this.calls.size;
  }

  /** Runs `work`, kept among the calls under way until it settles. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    const doing = work();
    this.calls.add(doing);
    try {
      return await doing;
    } finally {
      this.calls.delete(doing);
    }
  }

  /** Settles once every call under way now has settled (those begun later are not waited for). */
  ended(): Promise<unknown> {
    return Promise.allSettled(this.calls);
  }
}

/** One key's queue: runs `task` after every task queued before it. */
export type KeyQueue = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * One promise chain per key. Every mutation of a key's index (change catch-up, the swap after a
 * rebuild, taking a snapshot's contents) runs through it, so sync never interleaves an add with a
 * delete. A failed task does not stop the tasks queued after it.
 */
export class KeyQueues {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(k: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(k) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    this.tails.set(k, tail);
    void tail.then(() => {
      if (this.tails.get(k) === tail) this.tails.delete(k);
    });
    return run;
  }

  of(k: string): KeyQueue {
    return (task) => this.run(k, task);
  }
}

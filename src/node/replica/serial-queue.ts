/**
 * Runs async sections one at a time, in call order (a mutex for one object's state). A section must not
 * wait for another section of the same queue, or it waits forever.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => T | Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
